"""Sessions that end: logout, an employee HR marks inactive, a password that must be changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Employee
from lms.quizzes.models import AttemptAnswer
from tests.conftest import csrf_token, login
from tests.quizzes.attempts.test_quiz_views import _create_quiz, setup  # noqa: F401 - the fixture


def _remember_name(app) -> str:
    return app.config.get("REMEMBER_COOKIE_NAME", "remember_token")


def _login_remembered(client, username: str, password: str = "rahasia123") -> None:
    token = csrf_token(client, "/masuk")
    response = client.post(
        "/masuk",
        data={"identifier": username, "password": password, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302


def _copies(client) -> tuple[object, object]:
    """Two fresh browsers: one with a copy of the session cookie, one with only the remember-me
    cookie (what someone who copied them from the first would hold)."""
    app = client.application
    session_copy = app.test_client()
    session_copy.set_cookie("akademi_session", client.get_cookie("akademi_session").value)
    remember_copy = app.test_client()
    remember = client.get_cookie(_remember_name(app))
    remember_copy.set_cookie(_remember_name(app), remember.value)
    return session_copy, remember_copy


def test_logout_ends_copied_session_and_remember_me_cookies(client, world) -> None:
    _login_remembered(client, "pegawai")
    remember = client.get_cookie(_remember_name(client.application))
    session_copy, remember_copy = _copies(client)
    assert session_copy.get("/dasbor").status_code == 200  # the copies work while signed in
    assert remember_copy.get("/dasbor").status_code == 200

    response = client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    assert response.status_code == 302
    for browser in (client, session_copy, remember_copy, *_copies_of(client, session_copy)):
        page = browser.get("/dasbor")
        assert page.status_code == 302 and "/masuk" in page.headers["Location"]
    login(client, "pegawai")  # and logging in again works
    assert client.get("/dasbor").status_code == 200
    lifetime = remember.expires - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14, minutes=1)  # not a year


def _copies_of(client, session_copy) -> list[object]:
    """The copies taken before logout, sent again from a browser that never saw the logout."""
    fresh = client.application.test_client()
    fresh.set_cookie("akademi_session", session_copy.get_cookie("akademi_session").value)
    return [fresh]


def _take_quiz(client, app, ids) -> tuple[str, dict[str, str]]:
    """`pengajar` makes the quiz; `pegawai` (signed in on ``client``) starts an attempt."""
    trainer = app.test_client()
    login(trainer, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(trainer, ids)
    login(client, "pegawai")
    token = csrf_token(client, f"/kuis/{quiz_id}")
    url = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token}).headers["Location"]
    headers = {"X-CSRFToken": token}
    saved = client.post(
        f"{url}/jawab", json={"question_id": ids["choice"], "response": 0}, headers=headers
    )
    assert saved.status_code == 200 and saved.json["ok"] is True
    return url, headers


def _stored_response(app, ids) -> object:
    with app.app_context():
        return db.session.scalar(
            select(AttemptAnswer.response).where(AttemptAnswer.question_id == ids["choice"])
        )


def test_quiz_autosave_from_a_copied_cookie_stops_at_logout(app, client, setup) -> None:  # noqa: F811
    """The autosave proves the session version in its own SQL: it must see the logout too."""
    url, headers = _take_quiz(client, app, setup)
    copy = app.test_client()
    copy.set_cookie("akademi_session", client.get_cookie("akademi_session").value)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    late = copy.post(
        f"{url}/jawab", json={"question_id": setup["choice"], "response": 1}, headers=headers
    )
    assert late.status_code in (302, 401) and _stored_response(app, setup) == 0


class _FormValues(HTMLParser):
    """The values a browser would send for the first form on a page (inputs and selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value") or "y"
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _mark_inactive_through_the_form(hr, employee_id: int) -> None:
    path = f"/organisasi/pegawai/{employee_id}/ubah"
    parser = _FormValues()
    parser.feed(hr.get(path).get_data(as_text=True))
    values = parser.values
    assert values.pop("is_active") == "y"  # unticked: HR marks the employee inactive
    response = hr.post(path, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def test_employee_marked_inactive_by_hr_loses_every_session(app, client, setup, world) -> None:  # noqa: F811
    url, headers = _take_quiz(client, app, setup)  # signed in and in the middle of a quiz
    remembered = app.test_client()
    _login_remembered(remembered, "pegawai")
    remember_copy = app.test_client()
    remember_copy.set_cookie(_remember_name(app), remembered.get_cookie(_remember_name(app)).value)
    hr = app.test_client()
    login(hr, "bkpsdm")
    _mark_inactive_through_the_form(hr, world.employees["pegawai"].id)
    with app.app_context():
        assert db.session.get(Employee, world.employees["pegawai"].id).is_active is False
        assert db.session.get(User, world.users["pegawai"].id).active  # the account is untouched

    for browser in (client, remembered, remember_copy):
        page = browser.get("/dasbor")
        assert page.status_code == 302 and "/masuk" in page.headers["Location"]
    late = client.post(
        f"{url}/jawab", json={"question_id": setup["choice"], "response": 1}, headers=headers
    )
    assert late.status_code in (302, 401) and _stored_response(app, setup) == 0
    again = app.test_client()
    token = csrf_token(again, "/masuk")
    refused = again.post(
        "/masuk", data={"identifier": "pegawai", "password": "rahasia123", "csrf_token": token}
    )
    assert refused.status_code == 200 and "dinonaktifkan" in refused.get_data(as_text=True)
    assert again.get("/dasbor").status_code == 302


def test_inactive_employee_is_refused_even_when_changed_behind_the_orm(client, world) -> None:
    """Whatever wrote the flag (a bulk UPDATE skips the ORM's flush hook), the account loader
    itself refuses an inactive employee's session."""
    login(client, "pegawai")
    with client.application.app_context():
        db.session.execute(
            update(Employee)
            .where(Employee.id == world.employees["pegawai"].id)
            .values(is_active=False)
        )
        db.session.commit()
    assert client.get("/dasbor").status_code == 302


def _reset_by_admin(app, username: str) -> str:
    import re

    admin = app.test_client()
    login(admin, "bkpsdm")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
    page = admin.post(
        f"/admin/pengguna/{uid}/reset-sandi",
        data={"csrf_token": csrf_token(admin, "/admin/pengguna"), "confirm": "1"},
    )
    return re.search(r'class="secret"><code>([^<]+)</code>', page.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("remembered", [False, True], ids=["session", "remember-me cookie"])
def test_must_change_password_is_enforced_on_every_page(app, world, remembered) -> None:
    temporary = _reset_by_admin(app, "pegawai")
    client = app.test_client()
    if remembered:  # a later visit that only has the remember-me cookie
        first = app.test_client()
        _login_remembered(first, "pegawai", temporary)
        client.set_cookie(_remember_name(app), first.get_cookie(_remember_name(app)).value)
    else:
        login(client, "pegawai", temporary)
    for path in ("/dasbor", "/pelatihan", "/riwayat", "/dasbor?x=1"):
        page = client.get(path)
        assert page.status_code == 302, path
        assert page.headers["Location"].endswith("/akun/kata-sandi"), path
    as_json = client.get("/dasbor", headers={"Accept": "application/json"})
    assert as_json.status_code == 403
    assert as_json.json["error"]["code"] == "password_change_required"
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/akun/kata-sandi").status_code == 200

    response = client.post(
        "/akun/kata-sandi",
        data={
            "current": temporary,
            "new": "sandibaru456",
            "confirm": "sandibaru456",
            "csrf_token": csrf_token(client, "/akun/kata-sandi"),
        },
    )
    assert response.status_code == 302
    assert client.get("/dasbor").status_code == 200
    assert client.get("/dasbor", headers={"Accept": "application/json"}).status_code == 200


def test_must_change_password_still_allows_logout(app, world) -> None:
    temporary = _reset_by_admin(app, "pegawai")
    client = app.test_client()
    login(client, "pegawai", temporary)
    token = csrf_token(client, "/akun/kata-sandi")
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert "/masuk" in client.get("/dasbor").headers["Location"]
