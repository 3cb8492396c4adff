"""Mail goes through the one after-commit queue (``lms.tasks``): after the commit only, in the
request, outside one (CLI, worker) and to a broker when one is configured; a failure is logged."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms.extensions import db
from lms.notifications import mail
from lms.notifications.models import Notification
from lms.notifications.services import notify
from lms.org.models import Employee
from lms.tasks import run_ready
from tests.notifications.conftest import _free_port, _wait_for


def _give_address(app, world) -> int:
    """Siti gets an address; returns her account id."""
    with app.app_context():
        db.session.get(Employee, world.employees["pegawai"].id).email = "siti@contoh.test"
        db.session.commit()
        db.session.remove()
    return world.users["pegawai"].id


def test_outside_a_request_the_mail_leaves_when_the_queue_runs(app, world, smtp_server) -> None:
    """A CLI command or a worker: no request, the same queue, run by ``run_ready``."""
    user_id = _give_address(app, world)
    with app.app_context():
        notify(user_id, "Pesan dari tugas terjadwal", "certificates.my_certificates")
        assert run_ready() == 0  # not committed yet: nothing may leave
        db.session.commit()
        assert run_ready() == 1
        db.session.remove()
    _wait_for(smtp_server, 1)
    [(tos, body)] = smtp_server.messages
    assert tos == ["siti@contoh.test"]
    assert "Subject: Akademi ASN: Pesan dari tugas terjadwal" in body
    assert f"{app.config['BASE_URL']}/sertifikat" in body


def test_a_rolled_back_notification_sends_nothing(app, world, smtp_server) -> None:
    user_id = _give_address(app, world)
    with app.app_context():
        notify(user_id, "Tidak jadi", "")
        db.session.rollback()
        db.session.commit()  # a later transaction does not bring it back
        assert run_ready() == 0
        assert db.session.scalar(select(Notification.id)) is None
        db.session.remove()
    assert smtp_server.messages == []


def test_with_a_broker_the_mail_task_is_sent_after_the_commit(app, world, monkeypatch) -> None:
    sent: list[tuple] = []
    monkeypatch.setitem(app.extensions["celery"].conf, "task_always_eager", False)
    monkeypatch.setattr(mail.send_notification_mail, "delay", lambda *a: sent.append(a))
    with app.app_context():
        notify(world.users["pegawai"].id, "Lewat antrean", "")
        assert sent == []
        db.session.commit()
        row_id = db.session.scalar(select(Notification.id))
        db.session.remove()
    assert sent == [(row_id,)]


def test_a_mail_failure_after_the_commit_is_logged(app, world, monkeypatch, caplog) -> None:
    user_id = _give_address(app, world)
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nothing listens: refused
    with app.app_context(), caplog.at_level(logging.ERROR):
        notify(user_id, "Server surat mati", "")
        db.session.commit()
        assert run_ready() == 1  # the task ran and swallowed the failure
        assert db.session.scalar(select(Notification.message)) == "Server surat mati"
        db.session.remove()
    assert "could not send mail to 'siti@contoh.test'" in caplog.text
