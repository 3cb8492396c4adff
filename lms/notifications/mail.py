"""E-mail for notifications: sent over SMTP when ``LMS_SMTP_HOST`` is set, logged otherwise.

Mail leaves only after the request's transaction commits (``lms.tasks.after_commit``: a Celery
worker with a broker, in-process right after the request without one), so a rolled-back action
sends nothing, and a mail that cannot leave never fails the request: its work is already saved.
In a worker, a failure that may pass (the SMTP server unreachable or busy: a 4xx answer, a
dropped connection, the database gone for a moment) is tried again with exponential backoff like
the other tasks (2, 4, 8 … s with jitter, at most 10 minutes apart, 6 times); one that will not
pass (an address refused with 5xx, a malformed message) and the last try are logged and dropped.
In-process (no broker, or Redis down) nothing waits: a failure is logged and dropped at once.
Text that goes into a header (a course title in the subject) is flattened to one line first, so a
line break in a title can neither break the message nor add a header of its own (``Bcc:``).
"""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage

from celery import Task, shared_task
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from lms.auth.models import User
from lms.extensions import db
from lms.notifications.messages import text_of
from lms.notifications.models import Notification
from lms.org.models import Employee

#: Longest subject sent; a longer one (a very long course title) is cut with an ellipsis.
SUBJECT_MAX = 200
#: Tries after the first one, in a worker (the other tasks' figure: lms/integrations/deliveries.py).
MAX_RETRIES = 6


class MailDeferred(Exception):
    """A mail that could not leave for a reason that may pass; the worker tries again later."""


def may_pass(error: BaseException) -> bool:
    """Whether sending again later can succeed: the server unreachable, busy or gone mid-way
    (4xx, a dropped connection, a timeout), not a refusal (5xx) nor a message it cannot take."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPException):  # no STARTTLS, no AUTH ...: settings, not luck
        return False
    return isinstance(error, OSError)  # refused, reset, timed out, no route, name not resolved


def header_text(value: str, limit: int = SUBJECT_MAX) -> str:
    """``value`` as one header line: line breaks and other control characters become spaces,
    runs of spaces one space, cut to ``limit`` characters."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in value or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one message; raises on SMTP failures (callers after a commit catch and log)."""
    cfg = current_app.config
    subject = header_text(subject)
    if not cfg.get("SMTP_HOST"):
        current_app.logger.info("mail (not sent, no SMTP): to=%s subject=%s", to, subject)
        return
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM", "akademi-asn@localhost")
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg.get("SMTP_PORT", 25), timeout=10)
    try:
        smtp.send_message(msg)
    finally:
        # Once the message is accepted a failed goodbye must not raise: a retry would send it twice.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()


@shared_task(
    bind=True,
    name="notifications.send_mail",
    # As lms/integrations/deliveries.py: 2, 4, 8 … s with jitter, at most 10 minutes apart.
    autoretry_for=(MailDeferred, OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def send_notification_mail(self: Task, notification_id: int) -> bool:
    """Mail one committed notification to its account's address (the account's own, else the
    employee record's); returns whether a message went out. A failure that may pass is raised
    as ``MailDeferred`` for the worker to try again later; otherwise (and in-process) it is
    logged and dropped: see the module docstring."""
    row = db.session.execute(
        select(Notification, User.email, Employee.email, User.locale)
        .join(User, User.id == Notification.user_id)
        .outerjoin(Employee, User.employee_id == Employee.id)
        .where(Notification.id == notification_id)
    ).first()
    if row is None:
        return False
    notification, account_email, employee_email, locale = row
    to = account_email or employee_email or ""
    if not to:
        return False
    # In the recipient's language (their account's choice), not the language of whoever acted.
    with force_locale(locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        message = text_of(notification)
    link = notification.link
    base = current_app.config["BASE_URL"]
    try:
        send_mail(to, f"Akademi ASN: {message}", f"{message}\n\n{base}{link}\n")
    except Exception as error:  # the work is committed: a mail failure must not undo the answer
        if may_pass(error) and _in_worker(self) and self.request.retries < MAX_RETRIES:
            current_app.logger.warning(
                "mail to %r not sent (%s), try %d of %d later",
                to, error, self.request.retries + 2, MAX_RETRIES + 1,
            )  # fmt: skip
            raise MailDeferred(f"{type(error).__name__}: {error}") from error
        current_app.logger.exception("could not send mail to %r", to)
        return False
    return True


def _in_worker(task: Task) -> bool:
    """A Celery worker runs the task (it can wait and come back); not in-process (``apply``,
    eager: nobody would come back) nor called directly."""
    return not task.request.is_eager and not task.request.called_directly
