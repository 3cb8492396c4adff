"""The account form of the admin area, through HTTP: what it saves and what it refuses."""

from __future__ import annotations

from lms.auth.models import AuditLog, User
from lms.extensions import db
from lms.org.models import Unit
from lms.permissions import Role
from tests.conftest import csrf_token, login
from tests.factories import make_employee


def _post(client, path: str, **fields):
    data = {
        "username": "",
        "display_name": "",
        "password": "",
        "employee_nip": "",
        "admin_unit_id": "0",
        "partner_id": "0",
        "csrf_token": csrf_token(client, path),
    }
    data.update(fields)
    return client.post(path, data=data)


def _user(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        if user is not None:
            user.stored_roles  # noqa: B018 (load before the context ends)
        return user


def test_new_account_is_saved_with_roles_and_must_change_password(client, world, app) -> None:
    login(client, "admin")
    response = _post(
        client,
        "/admin/pengguna/baru",
        username="pengajar.baru",
        display_name="Pengajar Baru",
        password="kuat-sekali-9",
        roles=["pengajar"],
    )
    assert response.status_code == 302
    assert "/admin/pengguna?q=pengajar.baru" in response.headers["Location"]
    user = _user(app, "pengajar.baru")
    assert user is not None and user.must_change_password
    assert set(user.stored_roles) == {Role.PENGAJAR}
    with app.app_context():
        log = db.session.scalar(db.select(AuditLog).where(AuditLog.summary == "account saved"))
        assert log.after == {"roles": ["pengajar"]}


def test_new_account_rules_are_all_shown_at_once(client, world, app) -> None:
    login(client, "admin")
    page = _post(
        client,
        "/admin/pengguna/baru",
        username="akun.salah",
        employee_nip="199001012015031999",
        roles=["admin_opd", "mitra"],
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Pegawai dengan NIP ini tidak ditemukan." in text
    assert "Admin OPD harus dikaitkan dengan satu OPD." in text
    assert "Akun Mitra harus dikaitkan dengan lembaga mitra." in text
    assert "Kata sandi awal wajib diisi untuk akun baru." in text
    assert _user(app, "akun.salah") is None


def test_new_account_with_a_taken_username_is_refused(client, world, app) -> None:
    login(client, "admin")
    page = _post(client, "/admin/pengguna/baru", username="PEGAWAI", password="kuat-sekali-9")
    assert page.status_code == 200
    assert "Nama pengguna PEGAWAI sudah dipakai." in page.get_data(as_text=True)


def test_edit_links_employee_unit_and_keeps_password(client, world, app) -> None:
    login(client, "admin")
    uid = world.users["pengajar"].id
    before = _user(app, "pengajar").password_hash
    with app.app_context():
        unit = db.session.get(Unit, world.units["disdik"].id)
        employee = make_employee(unit, "Eko Prasetyo")
        db.session.commit()
        employee_id, nip = employee.id, employee.nip_display
    response = _post(
        client,
        f"/admin/pengguna/{uid}/ubah",
        username=" pengajar.dua ",
        display_name="Pengajar Dua",
        password="diabaikan-saja",
        employee_nip=nip,
        roles=["pengajar", "admin_opd"],
        admin_unit_id=str(world.units["dinkes"].id),
    )
    assert response.status_code == 302
    user = _user(app, "pengajar.dua")
    assert user is not None and user.password_hash == before
    assert not user.must_change_password
    assert set(user.stored_roles) == {Role.PENGAJAR, Role.ADMIN_OPD}
    assert user.admin_unit_id == world.units["dinkes"].id
    assert user.display_name == "Pengajar Dua"
    assert user.employee_id == employee_id


def test_edit_to_another_accounts_username_is_refused(client, world, app) -> None:
    login(client, "admin")
    uid = world.users["pengajar"].id
    page = _post(client, f"/admin/pengguna/{uid}/ubah", username="Mitra", roles=["pengajar"])
    assert page.status_code == 200
    assert "Nama pengguna Mitra sudah dipakai." in page.get_data(as_text=True)
    assert _user(app, "pengajar") is not None


def test_edit_form_shows_the_stored_values(client, world) -> None:
    login(client, "admin")
    uid = world.users["admin_opd"].id
    page = client.get(f"/admin/pengguna/{uid}/ubah")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'value="opd.dinkes"' in text
    assert f'<option selected value="{world.units["dinkes"].id}"' in text


def test_guessable_initial_password_is_a_form_error_not_a_500(client, world, app) -> None:
    login(client, "admin")
    page = _post(client, "/admin/pengguna/baru", username="akun.baru", password="12345678")
    assert page.status_code == 200
    assert "Kata sandi terlalu mudah ditebak." in page.get_data(as_text=True)
    assert _user(app, "akun.baru") is None
