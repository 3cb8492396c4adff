"""Creating, pausing and deleting subscriptions (services flush, never commit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_zone
from lms.permissions import Capability, can
from lms.reports.definitions import REPORTS
from lms.reports.schedules.models import (
    FORMATS,
    FREQUENCIES,
    PERIODS,
    RECIPIENT_ROLES,
    ReportSubscription,
)
from lms.reports.schedules.rules import next_run


class ScheduleError(ValueError):
    """Invalid subscription input; ``field`` names the form field."""

    def __init__(self, message: str, field_name: str = "") -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class SubscriptionData:
    report: str
    format: str
    frequency: str
    day: int
    period: str
    recipient_role: str | None = None
    recipient_user_id: int | None = None
    filters: dict = field(default_factory=dict)


def create_subscription(data: SubscriptionData, by, now: datetime | None = None):
    """Validate and add a subscription (flushes, never commits)."""
    if data.report not in REPORTS:
        raise ScheduleError(_("Pilih laporan yang tersedia."), "report")
    if data.format not in FORMATS:
        raise ScheduleError(_("Pilih format CSV, XLSX atau PDF."), "format")
    if data.frequency not in FREQUENCIES:
        raise ScheduleError(_("Pilih frekuensi bulanan atau mingguan."), "frequency")
    if data.frequency == "monthly" and not 1 <= data.day <= 28:
        raise ScheduleError(_("Tanggal pengiriman bulanan harus 1 sampai 28."), "day")
    if data.frequency == "weekly" and not 0 <= data.day <= 6:
        raise ScheduleError(_("Pilih hari pengiriman mingguan."), "day")
    if data.period not in PERIODS:
        raise ScheduleError(_("Pilih periode data."), "period")
    if (data.recipient_role is None) == (data.recipient_user_id is None):
        raise ScheduleError(_("Pilih satu penerima: sebuah peran atau seorang pengguna."), "role")
    if data.recipient_role is not None and data.recipient_role not in RECIPIENT_ROLES:
        raise ScheduleError(_("Peran penerima tidak dikenal."), "role")
    if data.recipient_user_id is not None:
        user = db.session.get(User, data.recipient_user_id)
        if user is None or not user.active:
            raise ScheduleError(_("Pengguna penerima tidak ditemukan atau nonaktif."), "user")
        if not can(user, Capability.VIEW_REPORTS):
            raise ScheduleError(
                _("%(n)s tidak berhak melihat laporan, jadi tidak dapat menerimanya.", n=user.name),
                "user",
            )
    status = data.filters.get("status") or ""
    if status and status not in REPORTS[data.report].statuses:
        raise ScheduleError(_("Status ini tidak berlaku untuk laporan yang dipilih."), "status")
    subscription = ReportSubscription(
        report=data.report,
        filters=data.filters,
        format=data.format,
        frequency=data.frequency,
        day=data.day,
        period=data.period,
        recipient_role=data.recipient_role,
        recipient_user_id=data.recipient_user_id,
        created_by_id=getattr(by, "id", None),
        active=True,
        next_run_at=next_run(data.frequency, data.day, now or utcnow(), local_zone()),
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription


def set_active(subscription: ReportSubscription, active: bool, now: datetime | None = None) -> None:
    """Pause or resume; resuming schedules the next slot from now (no backlog is sent)."""
    if active and not subscription.active:
        subscription.next_run_at = next_run(
            subscription.frequency, subscription.day, now or utcnow(), local_zone()
        )
    subscription.active = active
    db.session.flush()


def delete_subscription(subscription: ReportSubscription) -> None:
    db.session.delete(subscription)
    db.session.flush()
