"""Webhook endpoints and their deliveries.

An admin registers an endpoint (URL, shared secret, events). The outbox consumer in
``webhooks.py`` writes one ``WebhookDelivery`` per endpoint and event; the unique
(endpoint, event id) pair makes a replayed event a no-op. ``deliver_due`` sends what is due and
moves a delivery through ``pending → delivered``, or ``pending → failed → … → dead`` after the
last attempt (the dead-letter list, from which an admin retries).

The secret is stored as given, not hashed: HMAC-SHA256 signing needs the key itself, and the
receiver holds the same value. Only admins with MANAGE_WEBHOOKS see endpoints; the secret is never
shown again after it is entered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.completion.models import EVENT_TYPES
from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db

WEBHOOK_EVENTS = EVENT_TYPES
DELIVERY_STATES = ("pending", "delivered", "failed", "dead")
SECRET_MIN_LENGTH = 16


class WebhookEndpoint(TimestampMixin, db.Model):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint(f"length(secret) >= {SECRET_MIN_LENGTH}", name="secret_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept as given: the HMAC signature needs the key itself (see the module docstring).
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by = relationship("User")

    def subscribes(self, event_type: str) -> bool:
        return self.active and event_type in (self.events or [])


class WebhookDelivery(TimestampMixin, db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        CheckConstraint(in_values("status", DELIVERY_STATES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(40))
    event_created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
