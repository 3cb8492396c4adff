"""Access expectations: BKPSDM exports SIASN and reads webhook deliveries; only admin sistem
manages webhooks."""

from __future__ import annotations

import lms.integrations.models  # noqa: F401  (the tables exist before create_all)
from lms.extensions import db
from lms.integrations.models import WebhookDelivery, WebhookEndpoint

SIASN = {"admin_bkpsdm"}
WEBHOOKS = {"admin_sistem"}
# BKPSDM reads the webhook pages (VIEW_WEBHOOK_DELIVERIES); only admin sistem changes anything.
WEBHOOK_READERS = {"admin_sistem", "admin_bkpsdm"}

EXPECTED = {
    ("integrations.siasn_index", "GET"): SIASN,
    ("integrations.siasn_export", "GET"): SIASN,
    ("integrations.siasn_result_upload", "POST"): SIASN,
    ("integrations.siasn_result_confirm", "POST"): SIASN,
    ("integrations.webhooks_index", "GET"): WEBHOOK_READERS,
    ("integrations.webhooks_index", "POST"): WEBHOOKS,
    ("integrations.webhook_detail", "GET"): WEBHOOK_READERS,
    ("integrations.webhook_toggle", "POST"): WEBHOOKS,
    ("integrations.webhook_send_now", "POST"): WEBHOOKS,
    ("integrations.delivery_retry", "POST"): WEBHOOKS,
}


def build_args(world) -> dict:
    endpoint = WebhookEndpoint(
        url="http://127.0.0.1:9/hook", secret="rahasia-penerima-0123456789", events=[]
    )
    db.session.add(endpoint)
    db.session.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_id="00000000-0000-4000-8000-000000000001",
        event_type="completion.created",
        status="dead",
        attempts=6,
        next_attempt_at=None,
    )
    db.session.add(delivery)
    db.session.flush()
    return {"siasn_format": "csv", "webhook_id": endpoint.id, "webhook_delivery_id": delivery.id}
