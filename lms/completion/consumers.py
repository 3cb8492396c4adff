"""Consumers of the completion outbox (learning record, webhooks, …).

Each consumer is a function ``handle(event)`` registered under a name. ``dispatch`` hands every
consumer the events after its stored position, in ``seq`` order, and records each handled event id
in ``outbox_processed`` in the same transaction as the consumer's own writes: replaying events
(a crash between handling and saving the position, a manual replay, a duplicate delivery) changes
nothing, because an event id already processed by that consumer is skipped.

It runs right after the transaction that wrote the events commits (``lms.tasks.after_commit``),
and ``flask outbox dispatch`` runs it for cron or after an outage.
"""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from lms.completion.models import ConsumerState, OutboxEvent, ProcessedEvent
from lms.extensions import db

Handler = Callable[[OutboxEvent], None]
_CONSUMERS: dict[str, Handler] = {}


def consumer(name: str) -> Callable[[Handler], Handler]:
    """Register ``handle(event)`` as an outbox consumer (decorator)."""

    def decorator(handler: Handler) -> Handler:
        _CONSUMERS[name] = handler
        return handler

    return decorator


def consumers() -> dict[str, Handler]:
    return dict(_CONSUMERS)


def handle_once(name: str, handler: Handler, event: OutboxEvent) -> bool:
    """Run one consumer on one event unless it ran before; True when it ran now."""
    try:
        with db.session.begin_nested():
            db.session.add(ProcessedEvent(consumer=name, event_id=event.event_id))
            handler(event)
    except IntegrityError:
        return False  # processed already (by us earlier, or by a parallel dispatcher)
    return True


def dispatch(batch: int = 500, only: str | None = None) -> dict[str, int]:
    """Feed every consumer its new events; commits per consumer batch. Returns events handled."""
    handled: dict[str, int] = {}
    for name, handler in consumers().items():
        if only and name != only:
            continue
        count = 0
        while True:
            state = db.session.get(ConsumerState, name, with_for_update=True)
            if state is None:
                state = ConsumerState(name=name, last_seq=0)
                db.session.add(state)
                db.session.flush()
            events = db.session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.seq > state.last_seq)
                .order_by(OutboxEvent.seq)
                .limit(batch)
            ).all()
            if not events:
                db.session.commit()
                break
            for event in events:
                count += handle_once(name, handler, event)
                state.last_seq = event.seq
            db.session.commit()
        handled[name] = count
    return handled


def replay(name: str, from_seq: int = 0) -> int:
    """Handle events again from ``from_seq`` (already-processed ids are skipped)."""
    handler = _CONSUMERS[name]
    count = 0
    events = db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.seq > from_seq).order_by(OutboxEvent.seq)
    ).all()
    for event in events:
        count += handle_once(name, handler, event)
    db.session.commit()
    return count


@shared_task(
    name="completion.dispatch_outbox",
    # Replays are harmless (event ids de-duplicate), so a round the database interrupted is
    # simply run again, with exponential backoff.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
)
def dispatch_outbox() -> dict[str, int]:
    try:
        return dispatch()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("outbox dispatch failed")
        raise
