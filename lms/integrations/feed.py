"""The completion feed's read side: outbox events inside the token owner's scope.

A token acts as the account it was created for (as Moodle's web-service tokens and Canvas's
access tokens do): it can never read more through the API than its owner may read in the
reports. The scope is a condition of the query, so a page, its cursor and its limit all count
only rows the owner may see; the department test also accepts the department at completion time,
like the completion report, so a transfer does not move history between departments.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.completion.models import Completion, OutboxEvent
from lms.db import iso_utc
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.reports.filters import Scope

FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 500


def feed_limit(raw: str) -> int | None:
    """The page size a ``limit`` parameter asks for: the default when empty, ``None`` unless an
    integer from 1 to ``FEED_LIMIT_MAX``."""
    if raw == "":
        return FEED_LIMIT_DEFAULT
    if raw.isdigit() and 1 <= int(raw) <= FEED_LIMIT_MAX:
        return int(raw)
    return None


def feed_item(event: OutboxEvent) -> dict[str, object]:
    """One feed item: the event's payload with its id, type and time (UTC, ISO 8601)."""
    return {
        **event.payload,
        "event_id": event.event_id,
        "type": event.type,
        "occurred_at": iso_utc(event.created_at),
    }


def events_after(scope: Scope, seq: int, limit: int) -> list[OutboxEvent]:
    """Up to ``limit`` events after ``seq``, in ``seq`` order, about employees in ``scope``."""
    stmt = select(OutboxEvent).where(OutboxEvent.seq > seq)
    if not scope.everything:
        cur = aliased(Unit)
        opd = aliased(Unit)
        stmt = (
            stmt.join(Completion, Completion.id == OutboxEvent.completion_id)
            .join(Employee, Employee.id == Completion.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .outerjoin(opd, opd.id == Completion.unit_id)
            .where(scope.employee_clause(Employee, cur, opd))
        )
    return list(db.session.scalars(stmt.order_by(OutboxEvent.seq).limit(limit)))
