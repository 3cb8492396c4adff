"""Read side of the integrations."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.integrations.models import WebhookDelivery


def counts_by_endpoint() -> dict[int, dict[str, int]]:
    """Webhook deliveries per endpoint and status."""
    rows = db.session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.endpoint_id, WebhookDelivery.status
        )
    ).all()
    out: dict[int, dict[str, int]] = {}
    for endpoint_id, status, n in rows:
        out.setdefault(endpoint_id, {})[status] = n
    return out
