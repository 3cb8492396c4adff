"""Deactivating a partner institution (BKPSDM, after a confirmation) shuts its staff out: no login
(with the reason), sessions ended, API tokens refused; re-activating lets back exactly the
accounts that were active, not one disabled on its own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.auth import services as auth
from lms.auth.models import AuditLog, PartnerInstitution, User
from lms.extensions import db
from lms.partners import services as svc
from lms.permissions import Role
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, make_user

INACTIVE_MESSAGE = (
    "Lembaga mitra Anda (BPSDMD Provinsi Sumatera Selatan) sedang dinonaktifkan oleh BKPSDM, "
    "sehingga akun ini tidak dapat masuk. Hubungi BKPSDM untuk informasi lebih lanjut."
)


@pytest.fixture
def partner_a(app, world):
    """The world's partner (staff `mitra`), plus `staf.lama`, disabled on its own before, and an
    API token of `mitra`."""
    with app.app_context():
        partner = db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
        )
        make_user("staf.lama", {Role.MITRA}, partner=partner, active=False)
        mitra = db.session.get(User, world.users["mitra"].id)
        _row, token = auth.create_api_token(mitra, ["profile:read"])
        db.session.commit()
        return {"id": partner.id, "token": token}


def _post(client, partner_id: int, action: str, confirm: bool = True):
    url = f"/kelola/lembaga-mitra/{partner_id}/{action}"
    data = {"csrf_token": csrf_token(client, f"/kelola/lembaga-mitra/{partner_id}")}
    if confirm:
        data["confirm"] = "1"
    return client.post(url, data=data)


def _login_message(client, username: str, password: str = PASSWORD) -> tuple[int, str]:
    page = client.get("/masuk")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/masuk", data={"identifier": username, "password": password, "csrf_token": token}
    )
    flashes = re.findall(r'class="flash[^"]*"[^>]*>([^<]*)', response.text)
    return response.status_code, " ".join(f.strip() for f in flashes if f.strip())


def _me(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _active(app, partner_id: int) -> bool:
    with app.app_context():
        return db.session.get(PartnerInstitution, partner_id).is_active


def test_deactivation_asks_first_and_needs_post_with_csrf(app, client, partner_a):
    login(client, "bkpsdm")
    detail = client.get(f"/kelola/lembaga-mitra/{partner_a['id']}").text
    assert f'action="/kelola/lembaga-mitra/{partner_a["id"]}/nonaktifkan"' in detail
    url = f"/kelola/lembaga-mitra/{partner_a['id']}/nonaktifkan"
    assert client.get(url).status_code == 405  # no state change on GET
    assert client.post(url, data={"confirm": "1"}).status_code == 400  # no CSRF token
    asked = _post(client, partner_a["id"], "nonaktifkan", confirm=False)
    assert asked.status_code == 200
    assert "Nonaktifkan BPSDMD Provinsi Sumatera Selatan?" in asked.text
    assert "1 akun staf aktifnya tidak dapat masuk" in asked.text  # staf.lama is not counted
    assert 'name="confirm" value="1"' in asked.text
    assert _active(app, partner_a["id"]) is True
    done = _post(client, partner_a["id"], "nonaktifkan")
    assert done.status_code == 302
    assert _active(app, partner_a["id"]) is False
    page = client.get(done.headers["Location"]).text
    assert "BPSDMD Provinsi Sumatera Selatan dinonaktifkan; 1 akun stafnya" in page
    assert 'id="partner-inactive"' in page and "tertahan selama lembaga nonaktif" in page
    with app.app_context():
        row = db.session.scalar(
            select(AuditLog).where(
                AuditLog.object_type == "PartnerInstitution",
                AuditLog.object_id == str(partner_a["id"]),
                AuditLog.summary == "partner deactivated",
            )
        )
        assert row is not None and row.before == {"is_active": True}
        assert row.after == {"is_active": False, "staff_accounts": 1}


def test_staff_are_shut_out_and_let_back_in(app, client, partner_a):
    staff = app.test_client()
    login(staff, "mitra")
    assert staff.get("/dasbor").status_code == 200
    assert _me(app.test_client(), partner_a["token"]) == 200
    login(client, "bkpsdm")
    _post(client, partner_a["id"], "nonaktifkan")

    # The open session ends on its next request; the token is refused.
    ended = staff.get("/dasbor")
    assert ended.status_code == 302 and "/masuk" in ended.headers["Location"]
    assert _me(app.test_client(), partner_a["token"]) == 401
    # Logging in: the right password is told why; a wrong one learns nothing.
    status, message = _login_message(app.test_client(), "mitra")
    assert status == 200 and message == INACTIVE_MESSAGE
    _status, wrong = _login_message(app.test_client(), "mitra", "salah-sandi")
    assert "BKPSDM" not in wrong and "salah" in wrong
    # Enabling one staff account while the institution is inactive does not let it in.
    with app.app_context():
        lama = db.session.scalar(select(User).where(User.username == "staf.lama"))
        lama_id = lama.id
    client.post(
        f"/kelola/lembaga-mitra/{partner_a['id']}/staf/{lama_id}/status",
        data={"csrf_token": csrf_token(client, f"/kelola/lembaga-mitra/{partner_a['id']}")},
    )
    assert _login_message(app.test_client(), "staf.lama")[1] == INACTIVE_MESSAGE
    _post(client, partner_a["id"], "nonaktifkan")  # twice: still inactive, nothing else
    assert _active(app, partner_a["id"]) is False

    # Re-activated: mitra and its token work again; the old session stays ended.
    _post(client, partner_a["id"], "aktifkan")
    assert _active(app, partner_a["id"]) is True
    assert staff.get("/dasbor").status_code == 302
    assert _me(app.test_client(), partner_a["token"]) == 200
    back = app.test_client()
    login(back, "mitra")
    assert back.get("/dasbor").status_code == 200
    login(app.test_client(), "staf.lama")  # enabled in the meantime by BKPSDM


def test_reactivation_does_not_enable_an_account_disabled_on_its_own(app, client, partner_a):
    login(client, "bkpsdm")
    _post(client, partner_a["id"], "nonaktifkan")
    _post(client, partner_a["id"], "aktifkan")
    status, message = _login_message(app.test_client(), "staf.lama")
    assert status == 200 and message.startswith("Nama pengguna/NIP atau kata sandi salah")
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.username == "staf.lama")) is False


def test_any_change_that_deactivates_ends_the_sessions(app, world, partner_a):
    """The session version moves on at flush, whichever code deactivates the institution."""
    with app.app_context():
        mitra = db.session.get(User, world.users["mitra"].id)
        lama = db.session.scalar(select(User).where(User.username == "staf.lama"))
        bkpsdm = db.session.get(User, world.users["admin_bkpsdm"].id)
        before = mitra.session_version, lama.session_version, bkpsdm.session_version
        mitra.partner.is_active = False
        db.session.flush()
        assert mitra.session_version == before[0] + 1
        assert lama.session_version == before[1] + 1
        assert bkpsdm.session_version == before[2]  # not the institution's staff
        assert auth.load_user(mitra.get_id()) is None
        mitra.partner.is_active = True
        db.session.flush()
        assert mitra.session_version == before[0] + 1  # re-activating ends nothing
        assert auth.load_user(mitra.get_id()) is not None
        db.session.rollback()


def test_the_profile_form_no_longer_switches_the_status(app, client, partner_a, no_csrf):
    """Deactivating goes through its confirmation only: the profile form has no such field."""
    login(client, "bkpsdm")
    form = client.get(f"/kelola/lembaga-mitra/{partner_a['id']}/ubah").text
    assert 'name="is_active"' not in form
    client.post(
        f"/kelola/lembaga-mitra/{partner_a['id']}/ubah",
        data={"code": "BPSDMD", "name": "BPSDMD Provinsi Sumatera Selatan", "kind": "bpsdmd"},
    )
    assert _active(app, partner_a["id"]) is True
    with app.app_context():
        assert not hasattr(svc.PartnerValues("X", "X", "lan"), "is_active")
