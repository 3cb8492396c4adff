"""Telling someone something: a notification row now, its e-mail after the commit.

Services flush, never commit: the notification belongs to the transaction of the action it
reports, so a rolled-back action leaves neither a row nor a mail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.notifications.mail import send_notification_mail
from lms.notifications.models import Notification
from lms.tasks import after_commit


def notify(user_id: int, message: str, link: str = "") -> None:
    """An in-app notification for an account; its e-mail leaves once the transaction commits."""
    notification = Notification(user_id=user_id, message=message, link=link)
    db.session.add(notification)
    db.session.flush()  # the id the mail task reads the committed row by
    after_commit(send_notification_mail, notification.id)


def mark_read(user: User, notification_id: int | None = None, now: datetime | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed.

    Another user's id simply matches nothing, so it cannot be used to probe or change theirs.
    """
    stmt = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0
