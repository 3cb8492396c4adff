"""The webhook queue: one delivery per endpoint and event, sent, retried, and at last dead.

The outbox consumer (``handle``) writes a ``WebhookDelivery`` for every active endpoint that
subscribes to the event's type and asks for a delivery round once that commits (see
``lms.integrations.webhooks`` for the protocol and who runs the rounds). ``deliver_due`` sends
what is due; ``send_now`` is the admin's "Kirim sekarang"; ``retry`` puts a dead delivery back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from lms.auth.services import audit
from lms.completion.consumers import consumer
from lms.completion.models import OutboxEvent
from lms.db import as_utc, utcnow
from lms.extensions import db
from lms.integrations.models import WebhookDelivery, WebhookEndpoint
from lms.integrations.webhooks import Outcome, WebhookError, send
from lms.tasks import after_commit

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_BACKOFF_SECONDS = 60
DEFAULT_TIMEOUT = 10
WAITING = ("pending", "failed")


# --- the outbox consumer -----------------------------------------------------------------------


@consumer("webhooks")
def handle(event: OutboxEvent) -> None:
    """One pending delivery per active endpoint subscribed to the event's type."""
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    ).all()
    created = 0
    for endpoint in endpoints:
        if not endpoint.subscribes(event.type):
            continue
        exists = db.session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.event_id == event.event_id,
            )
        )
        if exists is not None:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    WebhookDelivery(
                        endpoint_id=endpoint.id,
                        event_id=event.event_id,
                        event_type=event.type,
                        event_created_at=event.created_at,
                        payload=dict(event.payload or {}),
                        status="pending",
                        next_attempt_at=utcnow(),
                    )
                )
        except IntegrityError:
            continue  # queued by a parallel dispatcher
        created += 1
    if created:
        # Send once committed: with a broker in a Celery worker; without one in this process's
        # background thread (never inside the request: a slow receiver must not hold up a
        # learner's page), or inline when a CLI command caused the event.
        after_commit(deliver_due_task, background=True)


# --- sending rounds ----------------------------------------------------------------------------


def _settings() -> tuple[int, int, float]:
    config = current_app.config
    return (
        max(int(config.get("WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)), 1),
        max(int(config.get("WEBHOOK_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS)), 1),
        float(config.get("WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT)),
    )


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base × 2^(attempts − 1)."""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


def record_outcome(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    max_attempts, base, _timeout = _settings()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= max_attempts:
        delivery.status = "dead"
        delivery.next_attempt_at = None
    else:
        delivery.status = "failed"
        delivery.next_attempt_at = now + backoff(delivery.attempts, base)


def _due(now: datetime, endpoint_id: int | None = None):
    stmt = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status.in_(WAITING),
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    )
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    return stmt


def deliver_due(
    now: datetime | None = None,
    limit: int = 500,
    *,
    endpoint_id: int | None = None,
    stop_on_failure: bool = False,
) -> dict[str, int]:
    """Send every delivery due at ``now`` (of one endpoint, when given); commits after each one.
    Returns counts by outcome.

    A batch job like the outbox dispatch: each delivery is claimed with ``FOR UPDATE SKIP
    LOCKED`` (PostgreSQL) so two workers never send the same one at once, and its outcome is
    committed before the next, so a crash re-sends at most one delivery. ``stop_on_failure``
    ends the round at the first failure (a receiver that is down would fail the rest too).
    """
    now = as_utc(now) or utcnow()
    _max, _base, timeout = _settings()
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    ids = db.session.scalars(_due(now, endpoint_id).limit(limit)).all()
    db.session.commit()
    for delivery_id in ids:
        delivery = db.session.scalar(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status.in_(WAITING),
                WebhookDelivery.next_attempt_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
        if delivery is None:
            db.session.rollback()
            continue
        outcome = send(delivery.endpoint, delivery, timeout)
        record_outcome(delivery, outcome, now)
        counts[delivery.status] += 1
        db.session.commit()
        if stop_on_failure and not outcome.ok:
            break
    return counts


@shared_task(
    name="webhooks.deliver_due",
    # A receiver that fails is retried per delivery (``record_outcome``: 60 s doubling, then
    # dead); the task itself is retried when the round could not run at all (the database or the
    # network gone for a moment): 2, 4, 8 … s with jitter, at most 10 minutes apart, 6 times.
    # Twice is harmless: a delivered row is never sent again (one per endpoint and event id).
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def deliver_due_task() -> dict[str, int]:
    """``deliver_due`` in a worker: every minute from beat, and after a dispatch that queued."""
    try:
        return deliver_due()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("webhook delivery failed")
        raise


def send_now(endpoint: WebhookEndpoint, limit: int = 20) -> dict[str, int]:
    """The admin's "Kirim sekarang": this endpoint's waiting deliveries (pending, or failed and
    waiting for their retry time) are sent now, oldest first, up to ``limit``; the round stops
    at the first failure. Counts by outcome, plus ``waiting``: how many still wait after it."""
    if not endpoint.active:
        raise WebhookError(_("Webhook ini nonaktif; aktifkan kembali sebelum mengirim."))
    now = utcnow()
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status.in_(WAITING))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # a batch round like deliver_due: each outcome is committed as it comes
    counts = deliver_due(now, limit, endpoint_id=endpoint.id, stop_on_failure=True)
    counts["waiting"] = (
        db.session.scalar(
            select(func.count(WebhookDelivery.id)).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status.in_(WAITING)
            )
        )
        or 0
    )
    return counts


def retry(delivery: WebhookDelivery, *, by=None, now: datetime | None = None) -> None:
    """Put a dead (or failing) delivery back in the queue, due now, with a fresh set of tries."""
    if delivery.status == "delivered":
        raise WebhookError(_("Kiriman ini sudah diterima; tidak perlu dikirim ulang."))
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = as_utc(now) or utcnow()
    audit(
        by,
        "update",
        delivery,
        f"Kirim ulang webhook {delivery.event_id}",
        before=before,
        after={"status": "pending", "attempts": 0},
    )
    db.session.flush()
    after_commit(deliver_due_task, background=True)  # sent at once, not at the next cron round
