"""Scrape-time gauge for /metrics (lms.observability.metrics): webhook dead letters."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.integrations.models import WebhookDelivery
from lms.observability.metrics import gauge


@gauge("lms_webhook_dead_letters", "Webhook deliveries that gave up (dead), awaiting an admin.")
def webhook_dead_letters() -> float:
    return float(
        db.session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status == "dead")
        )
        or 0
    )
