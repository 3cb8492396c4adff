"""Account rules of the admin form, as services (no HTTP): ``save_account`` and its pure rules."""

from __future__ import annotations

import pytest

from lms.auth import services as auth
from lms.auth.models import AuditLog, User
from lms.extensions import db
from lms.permissions import Role

Change = auth.AccountChange


def test_rules_without_database(app) -> None:
    with app.test_request_context():
        assert auth.account_rule_problems(Change("a", roles={Role.PENGAJAR}), is_new=False) == []
        problems = auth.account_rule_problems(
            Change("a", roles={Role.ADMIN_OPD, Role.MITRA}), is_new=True
        )
        assert [(p.field, str(p)) for p in problems] == [
            ("admin_unit_id", "Admin OPD harus dikaitkan dengan satu OPD."),
            ("partner_id", "Akun Mitra harus dikaitkan dengan lembaga mitra."),
            ("password", "Kata sandi awal wajib diisi untuk akun baru."),
        ]
        ok = Change("a", roles={Role.ADMIN_OPD, Role.MITRA}, admin_unit_id=3, partner_id=4)
        assert auth.account_rule_problems(ok, is_new=False) == []
        # 0 is the form's "no choice"
        zero = Change("a", roles={Role.ADMIN_OPD}, admin_unit_id=0, password="x" * 9)
        assert [p.field for p in auth.account_rule_problems(zero, is_new=True)] == ["admin_unit_id"]


def _admin(world) -> User:
    return db.session.get(User, world.users["admin_sistem"].id)


def test_every_broken_rule_is_raised_together_and_nothing_changes(app, world) -> None:
    with app.test_request_context():
        with pytest.raises(auth.AccountInvalid) as caught:
            auth.save_account(
                _admin(world),
                None,
                Change("akun.baru", roles={Role.MITRA}, employee_nip="1990 0101 2015 031 999"),
            )
        assert [(p.field, str(p)) for p in caught.value.problems] == [
            ("employee_nip", "Pegawai dengan NIP ini tidak ditemukan."),
            ("partner_id", "Akun Mitra harus dikaitkan dengan lembaga mitra."),
            ("password", "Kata sandi awal wajib diisi untuk akun baru."),
        ]
        assert isinstance(caught.value, auth.AuthError)
        assert db.session.scalar(db.select(User).where(User.username == "akun.baru")) is None
        assert db.session.scalar(db.select(AuditLog)) is None


def test_new_account_must_change_its_password_and_is_audited(app, world) -> None:
    with app.test_request_context():
        nip = world.employees["disdik"].nip_display
        target = db.session.get(User, world.users["target"].id)
        target.employee_id = None  # free an employee to link
        db.session.flush()
        user = auth.save_account(
            _admin(world),
            None,
            Change(
                " akun.baru ",
                "Akun Baru",
                {Role.ADMIN_OPD, Role.PENGAJAR},
                password="kuat-sekali-9",
                employee_nip=nip,
                admin_unit_id=world.units["dinkes"].id,
                partner_id=0,
            ),
        )
        assert user.username == "akun.baru" and user.must_change_password
        assert user.employee_id == world.employees["disdik"].id
        assert set(user.stored_roles) == {Role.ADMIN_OPD, Role.PENGAJAR}
        assert (user.admin_unit_id, user.partner_id) == (world.units["dinkes"].id, None)
        log = db.session.scalar(db.select(AuditLog).where(AuditLog.summary == "account saved"))
        assert log.after == {"roles": ["admin_opd", "pengajar"]}


def test_new_account_with_a_taken_username_is_refused(app, world) -> None:
    taken = "Nama pengguna Pegawai sudah dipakai."
    with app.test_request_context(), pytest.raises(auth.AuthError, match=taken):
        auth.save_account(_admin(world), None, Change("Pegawai", password="kuat-sekali-9"))


def test_edit_renames_unlinks_and_keeps_the_password(app, world) -> None:
    with app.test_request_context():
        user = db.session.get(User, world.users["admin_opd"].id)
        before = user.password_hash
        auth.save_account(
            _admin(world), user, Change(" opd.baru ", "OPD Baru", {Role.PENGAJAR}, password="abc")
        )
        assert user.username == "opd.baru" and user.display_name == "OPD Baru"
        assert user.password_hash == before and not user.must_change_password
        assert set(user.stored_roles) == {Role.PENGAJAR}
        assert user.admin_unit_id is None and user.employee is None
        # the own name in other letters is no clash
        auth.save_account(_admin(world), user, Change("OPD.BARU", roles={Role.PENGAJAR}))
        assert user.username == "OPD.BARU"


def test_edit_to_another_accounts_username_names_the_field(app, world) -> None:
    with app.test_request_context():
        user = db.session.get(User, world.users["admin_opd"].id)
        with pytest.raises(auth.AuthError) as caught:
            auth.save_account(_admin(world), user, Change("MITRA", roles={Role.PENGAJAR}))
        assert (str(caught.value), caught.value.field) == (
            "Nama pengguna MITRA sudah dipakai.",
            "username",
        )
        assert user.username == "opd.dinkes"


def test_guessable_initial_password_names_the_password_field(app, world) -> None:
    with app.test_request_context():
        with pytest.raises(auth.AuthError) as caught:
            auth.save_account(_admin(world), None, Change("akun.baru", password="12345678"))
        assert (str(caught.value), caught.value.field) == (
            "Kata sandi terlalu mudah ditebak.",
            "password",
        )
