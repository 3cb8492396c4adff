"""In-app notifications, and e-mail through a real local SMTP server (aiosmtpd), not a mock."""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_string, policy

from aiosmtpd.controller import Controller
from sqlalchemy import select

from lms.db import utcnow
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.enrolments.conftest import pending_approval_id
from tests.notifications.conftest import _free_port, _Inbox, _wait_for


def _add_notifications(app, user_id: int, n: int) -> list[int]:
    with app.app_context():
        start = utcnow() - timedelta(hours=n)
        rows = [
            Notification(
                user_id=user_id,
                message=f"Pesan nomor {i}",
                link="/pelatihan/TES" if i % 2 else "",
                created_at=start + timedelta(hours=i),
            )
            for i in range(n)
        ]
        db.session.add_all(rows)
        db.session.commit()
        ids = [r.id for r in rows]
        db.session.remove()
    return ids


def _unread(app, user_id: int) -> int:
    with app.app_context():
        n = len(
            db.session.scalars(
                select(Notification.id).where(
                    Notification.user_id == user_id, Notification.read_at.is_(None)
                )
            ).all()
        )
        db.session.remove()
    return n


def test_list_newest_first_and_mark_read(app, world) -> None:
    me = world.users["pegawai"].id
    ids = _add_notifications(app, me, 3)
    other = _add_notifications(app, world.users["atasan"].id, 1)
    client = app.test_client()
    login(client, "pegawai")
    page = client.get("/pemberitahuan").get_data(as_text=True)
    assert page.index("Pesan nomor 2") < page.index("Pesan nomor 1") < page.index("Pesan nomor 0")
    assert "3 pemberitahuan belum dibaca." in page
    assert 'href="/pelatihan/TES"' in page
    # One, by id.
    token = csrf_token(client, "/pemberitahuan")
    response = client.post(
        "/pemberitahuan/tandai-dibaca", data={"csrf_token": token, "notification_id": ids[1]}
    )
    assert response.status_code == 302
    assert _unread(app, me) == 2
    # Someone else's id matches nothing: theirs stays unread, mine too.
    client.post(
        "/pemberitahuan/tandai-dibaca", data={"csrf_token": token, "notification_id": other[0]}
    )
    assert _unread(app, world.users["atasan"].id) == 1 and _unread(app, me) == 2
    # Garbage is a 400, not a 500, and changes nothing.
    bad = client.post(
        "/pemberitahuan/tandai-dibaca", data={"csrf_token": token, "notification_id": "x"}
    )
    assert bad.status_code == 400 and _unread(app, me) == 2
    # All of mine.
    response = client.post("/pemberitahuan/tandai-dibaca", data={"csrf_token": token})
    assert "2 pemberitahuan ditandai sudah dibaca." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert _unread(app, me) == 0 and _unread(app, world.users["atasan"].id) == 1
    # Without a CSRF token nothing happens.
    _add_notifications(app, me, 1)
    assert client.post("/pemberitahuan/tandai-dibaca", data={}).status_code == 400
    assert _unread(app, me) == 1


def test_empty_list_and_paging(app, world) -> None:
    client = app.test_client()
    login(client, "mitra")
    assert "Belum ada pemberitahuan." in client.get("/pemberitahuan").get_data(as_text=True)
    _add_notifications(app, world.users["mitra"].id, 30)
    first = client.get("/pemberitahuan").get_data(as_text=True)
    assert (
        "Halaman 1 dari 2" in first and "Pesan nomor 29" in first and "Pesan nomor 4" not in first
    )
    second = client.get("/pemberitahuan?page=2").get_data(as_text=True)
    assert "Pesan nomor 4" in second and "Pesan nomor 5" not in second


def test_a_notification_link_elsewhere_is_not_rendered(app, world) -> None:
    with app.app_context():
        db.session.add(
            Notification(user_id=world.users["pegawai"].id, message="x", link="//evil.example/")
        )
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    login(client, "pegawai")
    assert "evil.example" not in client.get("/pemberitahuan").get_data(as_text=True)


def test_approval_sends_mail_through_smtp(app, world, courses, smtp_server) -> None:
    pegawai = world.employees["pegawai"]
    with app.app_context():
        db.session.get(Employee, pegawai.id).email = "siti.aminah@palembang.go.id"
        db.session.get(Employee, world.employees["atasan"].id).email = "rahmat@palembang.go.id"
        db.session.commit()
        db.session.remove()
    employee = app.test_client()
    login(employee, "pegawai")
    token = csrf_token(employee, "/pendaftaran/usulkan")
    employee.post(
        "/pendaftaran/usulkan",
        data={"csrf_token": token, "employee_id": pegawai.id, "course_id": courses["USUL"]},
    )
    _wait_for(smtp_server, 2)
    recipients = sorted(to for tos, _body in smtp_server.messages for to in tos)
    assert recipients == ["rahmat@palembang.go.id", "siti.aminah@palembang.go.id"]
    smtp_server.messages.clear()

    boss = app.test_client()
    login(boss, "atasan")
    step_id = pending_approval_id(app, courses["USUL"], pegawai.id)
    url = f"/pendaftaran/persetujuan/{step_id}"
    boss.post(url, data={"csrf_token": csrf_token(boss, url), "approve": "Setujui"})
    _wait_for(smtp_server, 1)
    to_siti = [body for tos, body in smtp_server.messages if "siti.aminah@palembang.go.id" in tos]
    assert to_siti, smtp_server.messages
    mail = message_from_string(to_siti[0], policy=policy.default)
    # The supervisor's approval is news of its own, not the nomination told again.
    assert " ".join(mail["Subject"].split()) == (
        "Akademi ASN: Usulan pelatihan Kepemimpinan Pelayanan disetujui atasan langsung dan "
        "kini menunggu persetujuan BKPSDM / Admin OPD."
    )
    assert "/pelatihan/USUL-1" in mail.get_content()


def test_a_refused_action_sends_no_mail(app, world, courses, smtp_server) -> None:
    """Mail leaves after commit only: a rolled-back nomination sends nothing."""
    pegawai = world.employees["pegawai"]
    with app.app_context():
        db.session.get(Employee, pegawai.id).email = "siti.aminah@palembang.go.id"
        db.session.commit()
        db.session.remove()
    employee = app.test_client()
    login(employee, "pegawai")
    token = csrf_token(employee, "/pendaftaran/usulkan")
    response = employee.post(
        "/pendaftaran/usulkan",
        data={"csrf_token": token, "employee_id": pegawai.id, "course_id": courses["LATE"]},
    )
    assert response.status_code == 422
    time.sleep(0.3)
    assert smtp_server.messages == []


def _nominate_into(app, world, code: str, title: str) -> tuple[int, int]:
    """A course titled ``title``; Siti (with an e-mail address) nominates herself: (status, id)."""
    from tests.factories import make_course

    pegawai = world.employees["pegawai"]
    with app.app_context():
        course_id = make_course(code, title=title, approval_steps="supervisor,hr").id
        db.session.get(Employee, pegawai.id).email = "siti.aminah@palembang.go.id"
        db.session.commit()
        db.session.remove()
    employee = app.test_client()
    login(employee, "pegawai")
    token = csrf_token(employee, "/pendaftaran/usulkan")
    response = employee.post(
        "/pendaftaran/usulkan",
        data={"csrf_token": token, "employee_id": pegawai.id, "course_id": course_id},
    )
    return response.status_code, course_id


def _saved(app, course_id: int, employee_id: int) -> bool:
    from lms.enrolments.models import Enrolment

    with app.app_context():
        found = db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id, Enrolment.employee_id == employee_id
            )
        )
        db.session.remove()
    return found is not None


def test_a_line_break_in_a_title_never_reaches_a_mail_header(app, world, smtp_server) -> None:
    """A course title with CR LF (from an import or a forged form) used to make the subject
    header raise after the commit: a 500 for a nomination that was saved. Now the subject is
    one line and the text after the break is no header of its own."""
    status, course_id = _nominate_into(
        app, world, "BARIS-1", "Etika Pelayanan\r\nBcc: penyusup@contoh.test\nX-Lain: 1"
    )
    assert status == 302
    assert _saved(app, course_id, world.employees["pegawai"].id)
    _wait_for(smtp_server, 1)
    to_siti = [body for tos, body in smtp_server.messages if "siti.aminah@palembang.go.id" in tos]
    assert to_siti, smtp_server.messages
    assert all("penyusup@contoh.test" not in tos for tos, _b in smtp_server.messages)
    mail = message_from_string(to_siti[0], policy=policy.default)
    assert mail["Bcc"] is None and mail["X-Lain"] is None
    subject = mail["Subject"]
    assert "\n" not in subject and "\r" not in subject
    assert "Etika Pelayanan Bcc: penyusup@contoh.test X-Lain: 1" in subject


def test_header_text_is_one_bounded_line() -> None:
    from lms.notifications.mail import header_text

    assert header_text("a\r\nb\tc\x00d\u2028e") == "a b c d e"
    long = header_text("x" * 500, limit=50)
    assert len(long) == 50 and long.endswith("…")


def test_a_mail_server_that_refuses_does_not_fail_the_saved_request(
    app, world, monkeypatch
) -> None:
    """SMTP down (nothing listens on the port) or refusing the recipient: the nomination is
    saved, the learner gets the normal answer, the failure is logged."""
    port = _free_port()  # nothing listens there: connection refused
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    status, course_id = _nominate_into(app, world, "MATI-1", "Surat Menyurat")
    assert status == 302
    assert _saved(app, course_id, world.employees["pegawai"].id)


class _Refusing(_Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Mailbox unavailable"


def test_a_refused_recipient_does_not_fail_the_saved_request(app, world, monkeypatch) -> None:
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", controller.port)
        status, course_id = _nominate_into(app, world, "TOLAK-1", "Arsip Digital")
    finally:
        controller.stop()
    assert status == 302
    assert _saved(app, course_id, world.employees["pegawai"].id)
