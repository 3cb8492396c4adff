"""The read side: one page of an account's notifications, and the unread count for the bell."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from lms.auth.models import User
from lms.extensions import cache, cache_is_shared, db, generation
from lms.notifications.models import Notification

PAGE_SIZE = 25
#: How long a worker keeps a bell count. Any commit writing an account's notifications drops it
#: in every worker: with Redis by deleting the key, without by a new generation of the account's
#: bucket (``lms.extensions.generation``: a file every process on the machine reads), which is
#: in the key. The reader's own "mark read" also reaches every worker at once through the stamp
#: the view keeps in their session.
UNREAD_TIMEOUT = 30
#: Accounts share this many generation files: a notification for one account makes the kept
#: counts of 1/UNREAD_BUCKETS of the accounts miss once, and the files stay few.
UNREAD_BUCKETS = 256
#: The session key of the reader's "last marked read" token (set by the mark-read view).
READ_STAMP = "notifications_read"


def unread_key(user_id: int) -> str:
    """Where the account's bell count is kept; without Redis, under its bucket's generation."""
    if cache_is_shared():
        return f"notifications:unread:{user_id}"
    return f"notifications:unread:{user_id}:{generation(unread_bucket(user_id))}"


def unread_bucket(user_id: int) -> str:
    """The generation of the account's kept count when the cache is this process's memory."""
    return f"notifications:bell:{user_id % UNREAD_BUCKETS:02x}"


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


def kept_unread_count(user: User, stamp: str = "") -> int:
    """The bell's count, kept in the app cache per account (no query on most pages). ``stamp``
    is the reader's "last marked read" token: a count kept before it is not used.
    ``NOTIFICATIONS_UNREAD_SECONDS`` = 0 (the tests) counts on every page, so a page's query
    count does not depend on what an earlier request left in the cache."""
    timeout = current_app.config.get("NOTIFICATIONS_UNREAD_SECONDS", UNREAD_TIMEOUT)
    if not timeout:
        return unread_count(user)
    key = unread_key(user.id)
    found = cache.get(key)
    if found is not None and found[0] == stamp:
        return found[1]
    count = unread_count(user)
    cache.set(key, (stamp, count), timeout=timeout)
    return count
