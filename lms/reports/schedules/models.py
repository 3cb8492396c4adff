"""Report subscriptions and their delivery log, with the states and labels they store."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.permissions import ROLE_LABELS, Role
from lms.reports.definitions import REPORTS

FORMATS = ("csv", "xlsx", "pdf")
FREQUENCIES = ("monthly", "weekly")
PERIODS = ("current_year", "previous_period", "as_filtered")
DELIVERY_STATES = ("sending", "sent", "failed", "skipped")
# Stored roles and the derived supervisor role that can receive reports.
RECIPIENT_ROLES = (Role.ADMIN_OPD, Role.ADMIN_BKPSDM, Role.ATASAN)
MAX_ATTEMPTS = 3
MAX_ATTACHMENT = 15 * 1024 * 1024

FORMAT_LABELS = {"csv": "CSV", "xlsx": "XLSX (Excel)", "pdf": _l("PDF (ringkasan)")}
FREQUENCY_LABELS = {"monthly": _l("Bulanan"), "weekly": _l("Mingguan")}
PERIOD_LABELS = {
    "current_year": _l("Tahun berjalan"),
    "previous_period": _l("Periode sebelumnya (bulan atau minggu lalu)"),
    "as_filtered": _l("Sesuai filter saja"),
}
WEEKDAYS = (
    _l("Senin"),
    _l("Selasa"),
    _l("Rabu"),
    _l("Kamis"),
    _l("Jumat"),
    _l("Sabtu"),
    _l("Minggu"),
)
DELIVERY_LABELS = {
    "sending": _l("Sedang dikirim"),
    "sent": _l("Terkirim"),
    "failed": _l("Gagal"),
    "skipped": _l("Dilewati"),
}


class ReportSubscription(TimestampMixin, db.Model):
    __tablename__ = "report_subscriptions"
    __table_args__ = (
        CheckConstraint(in_values("format", FORMATS), name="format"),
        CheckConstraint(in_values("frequency", FREQUENCIES), name="frequency"),
        CheckConstraint(in_values("period", PERIODS), name="period"),
        CheckConstraint(
            "(frequency = 'monthly' AND day BETWEEN 1 AND 28)"
            " OR (frequency = 'weekly' AND day BETWEEN 0 AND 6)",
            name="day_range",
        ),
        CheckConstraint(
            "(recipient_role IS NULL) <> (recipient_user_id IS NULL)", name="one_recipient"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(String(40))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    format: Mapped[str] = mapped_column(String(10), default="xlsx")
    frequency: Mapped[str] = mapped_column(String(10), default="monthly")
    day: Mapped[int] = mapped_column(default=1)  # day of month 1–28, or weekday 0 (Mon)–6
    period: Mapped[str] = mapped_column(String(20), default="current_year")
    recipient_role: Mapped[str | None] = mapped_column(String(20))
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    last_sent_at: Mapped[datetime | None]
    next_run_at: Mapped[datetime] = mapped_column(index=True)

    recipient_user = relationship("User", foreign_keys=[recipient_user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    deliveries: Mapped[list[ReportDelivery]] = relationship(
        back_populates="subscription",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReportDelivery.id.desc()",
    )

    @property
    def report_title(self) -> str:
        report = REPORTS.get(self.report)
        return str(report.title) if report else self.report

    @property
    def recipient_label(self) -> str:
        if self.recipient_role:
            return _("Semua %(role)s", role=ROLE_LABELS[Role(self.recipient_role)])
        user = self.recipient_user
        return user.name if user is not None else "—"

    @property
    def rhythm_label(self) -> str:
        if self.frequency == "weekly":
            return _("Setiap %(d)s", d=WEEKDAYS[self.day])
        return _("Setiap tanggal %(d)s", d=self.day)


class ReportDelivery(db.Model):
    """One recipient's copy of one period of a subscription: the delivery log."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        CheckConstraint(in_values("status", DELIVERY_STATES), name="status"),
        # At most one delivery that is not a failure per recipient and period: the idempotency
        # guard (a second runner's insert fails instead of sending again).
        Index(
            "uq_report_deliveries_once",
            "subscription_id",
            "user_id",
            "period",
            unique=True,
            sqlite_where=text("status <> 'failed'"),
            postgresql_where=text("status <> 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("report_subscriptions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))  # 2026-06 or 2026-W23
    email: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="sending")
    filename: Mapped[str] = mapped_column(String(120), default="")
    rows: Mapped[int] = mapped_column(default=0)
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    subscription: Mapped[ReportSubscription] = relationship(back_populates="deliveries")
    user = relationship("User")
