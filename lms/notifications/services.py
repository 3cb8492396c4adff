"""Telling someone something: a notification row now, its e-mail after the commit.

Services flush, never commit: the notification belongs to the transaction of the action it
reports, so a rolled-back action leaves neither a row nor a mail. A link is given as an endpoint
and its values (``"courses.course", code=...``), never as a path: a route that moves takes its
notifications with it, and a link to a route that does not exist fails where it is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, has_app_context, has_request_context, url_for
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.auth.queries import user_id_of_employee
from lms.db import utcnow
from lms.extensions import bump_generation, cache, cache_is_shared, db
from lms.notifications.mail import send_notification_mail
from lms.notifications.messages import Deferred, source_text, stored_params
from lms.notifications.models import Notification
from lms.notifications.queries import unread_bucket, unread_key
from lms.tasks import after_commit


def link_for(endpoint: str, **values: Any) -> str:
    """The path of ``endpoint`` in the app, built by ``url_for``; also where no request is active
    (a CLI command, a worker, an outbox consumer), where ``url_for`` would need ``SERVER_NAME``.
    Stored as a path: the list links to it, the mail puts ``BASE_URL`` in front."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def notify(
    user_id: int, message: str | Deferred, endpoint: str | None = None, **values: Any
) -> None:
    """An in-app notification for an account, linking to ``endpoint`` (built with ``values``)
    when given; its e-mail leaves once the transaction commits. ``message`` is best given as
    ``N_(msgid, **params)``: it is then shown in the reader's language, not the writer's."""
    link = link_for(endpoint, **values) if endpoint else ""
    if isinstance(message, Deferred):
        notification = Notification(
            user_id=user_id,
            message=source_text(message),
            msgid=message.msgid,
            params=stored_params(message.params),
            link=link,
        )
    else:
        notification = Notification(user_id=user_id, message=message, link=link)
    db.session.add(notification)
    db.session.flush()  # the id the mail task reads the committed row by
    after_commit(send_notification_mail, notification.id)


def notify_employee(
    employee_id: int | None, message: str | Deferred, endpoint: str | None = None, **values: Any
) -> bool:
    """Notify the account of an employee record, as ``notify``; an employee without an account
    (or no employee) is told nothing. Returns whether someone was told."""
    user_id = user_id_of_employee(employee_id)
    if user_id is None:
        return False
    notify(user_id, message, endpoint, **values)
    return True


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
    _touched(user.id)
    return result.rowcount or 0


_TOUCHED = "notifications_unread_touched"


def _touched(user_id: int, session: Session | None = None) -> None:
    """The account's kept bell count is dropped once this transaction commits, in every
    process (``_drop_kept_counts``)."""
    (session or db.session).info.setdefault(_TOUCHED, set()).add(user_id)


@event.listens_for(Session, "after_flush")
def _note_notification_writes(session: Session, _context: Any) -> None:
    """Any ORM write of a notification (``notify``, a script, a test) counts, not only the
    services' own; ``mark_read``'s bulk update says so itself."""
    for group in (session.new, session.dirty, session.deleted):
        for obj in group:
            if isinstance(obj, Notification):
                _touched(obj.user_id, session)


@event.listens_for(Session, "after_commit")
def _drop_kept_counts(session: Session) -> None:
    # After the commit, not before: a page counted in between would keep the old figure.
    touched = session.info.pop(_TOUCHED, None)
    if not touched or not has_app_context():
        return
    if cache_is_shared():
        cache.delete_many(*(unread_key(user_id) for user_id in touched))
    else:  # every process's kept count is keyed by the bucket's generation
        for bucket in sorted({unread_bucket(user_id) for user_id in touched}):
            bump_generation(bucket)


@event.listens_for(Session, "after_rollback")
def _forget_touched(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
