"""Celery tasks of the integrations: webhook sending (for beat, every minute)."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from lms.extensions import db


@shared_task(name="webhooks.deliver_due")
def deliver_due_task() -> dict[str, int]:
    from lms.integrations.deliveries import deliver_due

    try:
        return deliver_due()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("webhook delivery failed")
        raise
