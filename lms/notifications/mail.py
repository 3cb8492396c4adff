"""E-mail for notifications: sent over SMTP when ``LMS_SMTP_HOST`` is set, logged otherwise.

Mail leaves only after the request's transaction commits, so a rolled-back action sends nothing,
and a mail that cannot leave (SMTP down, an address refused, a malformed header) is logged and
dropped: the request's work is already saved, so it must not answer with an error. Text that goes
into a header (a course title in the subject) is flattened to one line first, so a line break in a
title can neither break the message nor add a header of its own (``Bcc:``).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.extensions import db


def send_mail_later(user_id: int, message: str, link: str = "") -> None:
    if not has_app_context():
        return
    queue = g.setdefault("_mail_queue", [])
    queue.append((user_id, message, link))


def _recipient(user_id: int) -> str:
    from lms.auth.models import User
    from lms.org.models import Employee

    row = db.session.execute(
        select(User.email, Employee.email)
        .outerjoin(Employee, User.employee_id == Employee.id)
        .where(User.id == user_id)
    ).first()
    if row is None:
        return ""
    return row[0] or row[1] or ""


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


def _resolve_queue() -> None:
    """Before commit (SQL still allowed): turn queued user ids into ready messages."""
    queue = g.pop("_mail_queue", [])
    if not queue:
        return
    base = current_app.config["BASE_URL"]
    ready = g.setdefault("_mail_ready", [])
    for user_id, message, link in queue:
        to = _recipient(user_id)
        if to:
            ready.append((to, f"Akademi ASN: {message}", f"{message}\n\n{base}{link}\n"))


def _send_ready() -> None:
    for to, subject, body in g.pop("_mail_ready", []):
        try:
            send_mail(to, subject, body)
        except Exception:  # noqa: BLE001 - the work is committed: a mail failure must not undo the answer
            current_app.logger.exception("could not send mail to %r", to)


@event.listens_for(Session, "before_commit")
def _before_commit(session) -> None:  # noqa: ANN001
    # Savepoints (begin_nested) fire these events too: only the outer transaction counts.
    if session.in_nested_transaction():
        return
    if has_app_context() and g.get("_mail_queue"):
        _resolve_queue()


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:  # noqa: ANN001
    if session.in_nested_transaction():
        return
    if has_app_context() and g.get("_mail_ready"):
        _send_ready()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:  # noqa: ANN001
    if session.in_nested_transaction():
        return
    if has_app_context():
        g.pop("_mail_queue", None)
        g.pop("_mail_ready", None)
