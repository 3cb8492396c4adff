"""The read side: one page of an account's notifications, and the unread count for the bell."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import db
from lms.notifications.models import Notification

PAGE_SIZE = 25


def notifications_for(user: User, page: int = 1) -> tuple[list[Notification], int]:
    """Newest first, ``PAGE_SIZE`` a page, with the total for the pager."""
    base = select(Notification).where(Notification.user_id == user.id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def unread_count(user: User) -> int:
    """For the header bell."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
