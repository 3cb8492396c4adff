"""In a Celery worker, a mail that could not leave for a reason that may pass (the SMTP server
down or busy) is tried again with exponential backoff, like the other tasks; a refusal and the
last try are logged and dropped, and in-process nothing waits (tests/notifications/
test_mail_queue.py)."""

from __future__ import annotations

import logging
import smtplib
import socket

import pytest
from celery.exceptions import Retry
from sqlalchemy import select

from lms.extensions import db
from lms.notifications import mail
from lms.notifications.models import Notification
from lms.notifications.services import notify
from lms.org.models import Employee
from tests.notifications.conftest import _free_port


@pytest.fixture
def committed(app, world, monkeypatch) -> int:
    """A committed notification for Siti, who has an address; SMTP points at a closed port."""
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nothing listens: refused
    with app.app_context():
        db.session.get(Employee, world.employees["pegawai"].id).email = "siti@contoh.test"
        notify(world.users["pegawai"].id, "Server surat mati", "")
        db.session.commit()
        row_id = db.session.scalar(select(Notification.id))
        db.session.remove()
    return row_id


def _in_worker(app, monkeypatch, row_id: int, retries: int, asked: list[dict]) -> object:
    """Run the task as a worker would (not eager, not called directly), on try ``retries`` + 1;
    the retry it asks for is recorded in ``asked`` instead of being queued."""
    task = app.extensions["celery"].tasks["notifications.send_mail"]

    def retry(**kwargs: object) -> Retry:
        asked.append(kwargs)
        return Retry(exc=kwargs.get("exc"), when=kwargs.get("countdown"))

    monkeypatch.setattr(task, "retry", retry)
    task.push_request(id="t-1", retries=retries, is_eager=False, called_directly=False)
    try:
        with app.app_context():
            try:
                return task.run(row_id)
            finally:
                db.session.remove()
    finally:
        task.pop_request()


def test_in_a_worker_an_unreachable_smtp_server_is_tried_again_with_backoff(
    app, committed, monkeypatch
) -> None:
    task = app.extensions["celery"].tasks["notifications.send_mail"]
    assert (task.max_retries, task.retry_backoff, task.retry_backoff_max) == (6, 2, 600)
    asked: list[dict] = []
    for retries in (0, 3):
        with pytest.raises(Retry):
            _in_worker(app, monkeypatch, committed, retries, asked)
    first, fourth = asked
    assert isinstance(first["exc"], mail.MailDeferred)
    assert "ConnectionRefusedError" in str(first["exc"])
    assert 0 <= first["countdown"] <= 2  # exponential (2 × 2^retries), with full jitter
    assert 0 <= fourth["countdown"] <= 2 * 2**3


def test_the_last_try_is_logged_and_dropped(app, committed, monkeypatch, caplog) -> None:
    asked: list[dict] = []
    with caplog.at_level(logging.ERROR):
        sent = _in_worker(app, monkeypatch, committed, mail.MAX_RETRIES, asked)
    assert sent is False
    assert asked == []
    assert "could not send mail to 'siti@contoh.test'" in caplog.text


def test_in_process_a_failure_is_not_retried(app, committed, monkeypatch) -> None:
    task = app.extensions["celery"].tasks["notifications.send_mail"]
    asked: list[object] = []
    monkeypatch.setattr(task, "retry", lambda **kw: asked.append(kw))
    with app.app_context():
        assert task.apply(args=(committed,), throw=True).get() is False  # eager: nobody waits
        db.session.remove()
    assert asked == []


@pytest.mark.parametrize(
    ("error", "passes"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (socket.gaierror(-3, "temporary failure in name resolution"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(554, b"no service"), True),
        (smtplib.SMTPResponseException(421, b"busy, try later"), True),
        (smtplib.SMTPSenderRefused(451, b"local error", "akademi@localhost"), True),
        (smtplib.SMTPRecipientsRefused({"a@b.test": (450, b"mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.test": (550, b"no such user")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ValueError("malformed header"), False),
    ],
)
def test_which_failures_may_pass(error: BaseException, passes: bool) -> None:
    assert mail.may_pass(error) is passes
