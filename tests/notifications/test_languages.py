"""A notification is read in the reader's language, not in the language of whoever acted
(issue 15, point 15: in English mode stored notifications stayed Indonesian, and a notification
written during an English request was stored in English for an Indonesian reader)."""

from __future__ import annotations

from datetime import date
from email import message_from_string, policy

from sqlalchemy import select

from lms.auth.models import User
from lms.careers.skp.services import CHANGE_REASON_LABELS
from lms.extensions import db
from lms.notifications.messages import N_, render_text, source_text, text_of
from lms.notifications.models import Notification
from lms.notifications.services import notify
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.notifications.conftest import _wait_for

NOMINATED = "Usulan pelatihan Kepemimpinan Pelayanan menunggu persetujuan."
NOMINATED_EN = "Nomination for course Kepemimpinan Pelayanan is awaiting approval."
TO_DECIDE = "Usulan pelatihan Kepemimpinan Pelayanan untuk Siti Aminah menunggu persetujuan Anda."
TO_DECIDE_EN = (
    "Nomination of Siti Aminah for course Kepemimpinan Pelayanan is awaiting your approval."
)


def _english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def _nominate(app, world, courses, client) -> None:
    token = csrf_token(client, "/pendaftaran/usulkan")
    response = client.post(
        "/pendaftaran/usulkan",
        data={
            "csrf_token": token,
            "employee_id": world.employees["pegawai"].id,
            "course_id": courses["USUL"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]


def _rows(app, user_id: int) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.message, Notification.msgid).where(Notification.user_id == user_id)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_the_list_speaks_the_readers_language(app, world, courses) -> None:
    employee = app.test_client()
    login(employee, "pegawai")
    _nominate(app, world, courses, employee)
    assert NOMINATED in employee.get("/pemberitahuan").get_data(as_text=True)
    _english(employee)
    page = employee.get("/pemberitahuan").get_data(as_text=True)
    assert NOMINATED_EN in page and NOMINATED not in page
    # The supervisor who reads English sees his in English too.
    boss = app.test_client()
    login(boss, "atasan")
    _english(boss)
    assert TO_DECIDE_EN in boss.get("/pemberitahuan").get_data(as_text=True)


def test_an_english_actor_stores_indonesian_with_the_msgid(app, world, courses) -> None:
    """Before: `_()` ran in the actor's language, so the supervisor's row held English."""
    employee = app.test_client()
    login(employee, "pegawai")
    _english(employee)
    _nominate(app, world, courses, employee)
    assert _rows(app, world.users["atasan"].id) == [
        (TO_DECIDE, "Usulan pelatihan %(t)s untuk %(n)s menunggu persetujuan Anda.")
    ]
    boss = app.test_client()
    login(boss, "atasan")
    assert TO_DECIDE in boss.get("/pemberitahuan").get_data(as_text=True)


def test_a_row_written_before_shows_its_stored_text(app, world) -> None:
    with app.app_context():
        db.session.add(Notification(user_id=world.users["pegawai"].id, message="Pesan lama."))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    login(client, "pegawai")
    _english(client)
    assert "Pesan lama." in client.get("/pemberitahuan").get_data(as_text=True)


def test_dates_and_labels_in_the_values_follow_the_reader(app, world) -> None:
    msgid = (
        "Karena %(r)s per %(d)s, SKP %(y)s untuk jabatan sebelumnya ditutup. Susun SKP "
        "untuk jabatan baru Anda."
    )
    with app.test_request_context("/"):
        notify(
            world.users["pegawai"].id,
            N_(msgid, r=CHANGE_REASON_LABELS["mutasi"], d=date(2026, 7, 1), y=2026),
            "careers.skp_my",
        )
        row = db.session.scalar(select(Notification))
        assert row.message == (
            "Karena mutasi per 1 Juli 2026, SKP 2026 untuk jabatan sebelumnya ditutup. "
            "Susun SKP untuk jabatan baru Anda."
        )
        assert row.params == {
            "r": {"msgid": "mutasi", "params": {}},
            "d": {"date": "2026-07-01"},
            "y": 2026,
        }
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    login(client, "pegawai")
    _english(client)
    page = client.get("/pemberitahuan").get_data(as_text=True)
    assert "Due to transfer as of July 1, 2026, your SKP 2026" in page


def test_a_stored_value_the_msgid_does_not_expect_falls_back_to_the_stored_text(app) -> None:
    with app.test_request_context("/"):
        assert render_text("Anda terdaftar di pelatihan %(t)s.", {"x": "?"}) is None
        row = Notification(
            message="Anda terdaftar di pelatihan X.",
            msgid="Anda terdaftar di pelatihan %(t)s.",
            params={"x": "?"},
        )
        assert text_of(row) == "Anda terdaftar di pelatihan X."
        assert source_text(N_("%(n)s%% selesai", n=50)) == "50% selesai"


def test_the_mail_speaks_the_recipients_language(app, world, courses, smtp_server) -> None:
    with app.app_context():
        db.session.get(Employee, world.employees["atasan"].id).email = "rahmat@palembang.go.id"
        db.session.get(User, world.users["atasan"].id).locale = "en"
        db.session.commit()
        db.session.remove()
    employee = app.test_client()
    login(employee, "pegawai")  # acts in Indonesian
    _nominate(app, world, courses, employee)
    _wait_for(smtp_server, 1)
    to_boss = [body for tos, body in smtp_server.messages if "rahmat@palembang.go.id" in tos]
    assert to_boss, smtp_server.messages
    mail = message_from_string(to_boss[0], policy=policy.default)
    assert mail["Subject"].strip() == f"Akademi ASN: {TO_DECIDE_EN}"
