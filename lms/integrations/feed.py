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
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.reports.filters import Scope


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
