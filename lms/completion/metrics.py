"""Scrape-time gauge for /metrics (lms.observability.metrics): the outbox's backlog."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.completion.consumers import consumers
from lms.completion.models import ConsumerState, OutboxEvent
from lms.extensions import db
from lms.observability.metrics import gauge


@gauge("lms_outbox_backlog", "Outbox events not yet read by the slowest consumer.")
def outbox_backlog() -> float:
    """Events after the slowest registered consumer's position (a consumer that never ran is
    at 0); one range count on the primary key."""
    names = list(consumers())
    if not names:
        return 0.0
    read = dict(
        db.session.execute(
            select(ConsumerState.name, ConsumerState.last_seq).where(ConsumerState.name.in_(names))
        ).all()
    )
    slowest = min(read.get(name, 0) for name in names)
    return float(db.session.scalar(select(func.count()).where(OutboxEvent.seq > slowest)) or 0)
