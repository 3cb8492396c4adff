"""Access expectations for report subscriptions (scheduled reports): BKPSDM only."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.reports.schedules.services import SubscriptionData, create_subscription

SCHEDULERS = {"admin_bkpsdm"}

EXPECTED = {
    ("reports.subscriptions", "GET"): SCHEDULERS,
    ("reports.subscriptions", "POST"): SCHEDULERS,
    ("reports.subscription", "GET"): SCHEDULERS,
    ("reports.subscription_toggle", "POST"): SCHEDULERS,
    ("reports.subscription_delete", "POST"): SCHEDULERS,
}


def build_args(world) -> dict:
    bkpsdm = db.session.scalar(select(User).where(User.id == world.users["admin_bkpsdm"].id))
    subscription = create_subscription(
        SubscriptionData("jp-compliance", "csv", "monthly", 1, "current_year", "admin_opd"), bkpsdm
    )
    return {"subscription_id": subscription.id}
