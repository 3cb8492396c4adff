"""E-mail for notifications: sent over SMTP when ``LMS_SMTP_HOST`` is set, logged otherwise.

Mail leaves only after the request's transaction commits (``lms.tasks.after_commit``: a Celery
worker with a broker, in-process right after the request without one), so a rolled-back action
sends nothing, and a mail that cannot leave (SMTP down, an address refused, a malformed header)
is logged and dropped: the request's work is already saved, so it must not answer with an error.
Text that goes into a header (a course title in the subject) is flattened to one line first, so a
line break in a title can neither break the message nor add a header of its own (``Bcc:``).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from celery import shared_task
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.notifications.messages import text_of
from lms.notifications.models import Notification
from lms.org.models import Employee

#: Longest subject sent; a longer one (a very long course title) is cut with an ellipsis.
SUBJECT_MAX = 200


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
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg.get("SMTP_PORT", 25), timeout=10) as smtp:
        smtp.send_message(msg)


@shared_task(name="notifications.send_mail")
def send_notification_mail(notification_id: int) -> bool:
    """Mail one committed notification to its account's address (the account's own, else the
    employee record's); returns whether a message went out. Never raises: see the docstring."""
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
    except Exception:  # the work is committed: a mail failure must not undo the answer
        current_app.logger.exception("could not send mail to %r", to)
        return False
    return True
