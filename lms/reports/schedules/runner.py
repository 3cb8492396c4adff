"""Scheduled reports: HR subscribes a role or a person to a report, delivered by e-mail.

A subscription names a report, its filters, a file format and a rhythm (monthly on a day of the
month, weekly on a weekday, at ``SEND_HOUR`` local time). Its recipients are either one account or
every account holding a role; each recipient gets the report **in their own scope** (an Admin OPD
their department, BKPSDM everything, a supervisor their team), built by the same scoped queries
and writers as the web and the CLI, so a subscription cannot widen what anyone may see.

``run_due`` is run hourly by Celery beat (task ``reports.run_scheduled``) or by cron through
``flask --app lms reports send-scheduled``. It is idempotent per period: every recipient of every
due slot gets a ``ReportDelivery`` row, and a partial unique index lets only one non-failed row
exist per (subscription, recipient, period), so running twice (or two runners at once) never sends
twice. Failed sends are retried on later runs of the same slot, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import calendar
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import click
from celery import shared_task
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.indonesian import local_zone
from lms.permissions import Capability, Role, can

FORMATS = ("csv", "xlsx", "pdf")
FREQUENCIES = ("monthly", "weekly")
PERIODS = ("current_year", "previous_period", "as_filtered")
DELIVERY_STATES = ("sending", "sent", "failed", "skipped")
# Stored roles and the derived supervisor role that can receive reports.
RECIPIENT_ROLES = (Role.ADMIN_OPD, Role.ADMIN_BKPSDM, Role.ATASAN)
SEND_HOUR = 6  # local time of a scheduled delivery
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
MIMETYPES = {
    "csv": ("text", "csv"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("application", "pdf"),
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
        from lms.reports.definitions import REPORTS

        report = REPORTS.get(self.report)
        return str(report.title) if report else self.report

    @property
    def recipient_label(self) -> str:
        from lms.permissions import ROLE_LABELS

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


# --- time: slots and periods (pure) --------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def next_run(frequency: str, day: int, after: datetime, tz: ZoneInfo) -> datetime:
    """The first slot strictly after ``after``: ``day`` of the month (or weekday ``day``) at
    ``SEND_HOUR`` local time, returned in UTC."""
    local = aware(after).astimezone(tz)
    at = time(SEND_HOUR)
    if frequency == "weekly":
        start = local.date() + timedelta(days=(day - local.weekday()) % 7)
        candidates = [start, start + timedelta(days=7)]
    else:
        this_month = date(local.year, local.month, day)
        month_after = date(local.year + local.month // 12, local.month % 12 + 1, day)
        candidates = [this_month, month_after]
    for candidate in candidates:
        slot = datetime.combine(candidate, at, tzinfo=tz)
        if slot > local:
            return slot.astimezone(UTC)
    raise AssertionError("unreachable: the second candidate is always later")


def period_key(frequency: str, slot: datetime, tz: ZoneInfo) -> str:
    local = aware(slot).astimezone(tz)
    if frequency == "weekly":
        year, week, _weekday = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local:%Y-%m}"


def previous_period(frequency: str, slot: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """The whole month (or Monday–Sunday week) before the slot's local date."""
    today = aware(slot).astimezone(tz).date()
    if frequency == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# --- subscriptions ---------------------------------------------------------------------------


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


def create_subscription(data: SubscriptionData, by, now: datetime | None = None):  # noqa: ANN001, ANN201
    """Validate and add a subscription (flushes, never commits)."""
    from lms.auth.models import User
    from lms.reports.definitions import REPORTS

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


# --- recipients ------------------------------------------------------------------------------


def recipients(subscription: ReportSubscription) -> list:
    """The active accounts that receive this subscription, in a stable order."""
    from lms.auth.models import User, UserRole
    from lms.org.models import Employee

    stmt = select(User).where(User.active.is_(True)).order_by(User.id)
    if subscription.recipient_user_id is not None:
        stmt = stmt.where(User.id == subscription.recipient_user_id)
    elif subscription.recipient_role == Role.ATASAN:
        team = select(Employee.supervisor_id).where(Employee.is_active.is_(True))
        stmt = stmt.where(User.employee_id.in_(team))
    else:
        holders = select(UserRole.user_id).where(UserRole.role == subscription.recipient_role)
        stmt = stmt.where(User.id.in_(holders))
        if subscription.recipient_role == Role.ADMIN_OPD:
            stmt = stmt.where(User.admin_unit_id.is_not(None))
    return list(db.session.scalars(stmt))


def email_of(user) -> str:  # noqa: ANN001
    if user.email:
        return user.email
    return (user.employee.email if user.employee is not None else "") or ""


def recipient_scope(subscription: ReportSubscription, user):  # noqa: ANN001, ANN201
    """What this recipient may see. A role subscription delivers the role's view: an Admin OPD
    subscription gives each admin their department (even if they also supervise a team), an
    Atasan subscription each supervisor their direct reports."""
    from lms.reports.filters import Scope

    if subscription.recipient_role == Role.ADMIN_OPD:
        return Scope(path=user.admin_unit.path) if user.admin_unit is not None else Scope()
    if subscription.recipient_role == Role.ATASAN:
        return Scope(supervisor_id=user.employee_id)
    return Scope.for_user(user)


def filters_for(subscription: ReportSubscription, slot: datetime, tz: ZoneInfo):  # noqa: ANN201
    """The stored filters, with the unit's current path and the slot's period applied."""
    from lms.org.models import Unit
    from lms.reports.filters import Filters

    f = Filters.from_json(subscription.filters or {})
    f.page, f.sort = 1, ""
    if f.unit_id is not None:
        unit = db.session.get(Unit, f.unit_id)
        f.unit_path = unit.path if unit is not None else "/nonexistent/"
        f.unit_name = unit.name if unit is not None else ""
    if subscription.period == "current_year":
        f.year = aware(slot).astimezone(tz).year
        f.date_from = f.date_to = None
    elif subscription.period == "previous_period":
        f.date_from, f.date_to = previous_period(subscription.frequency, slot, tz)
        f.year = f.date_to.year if subscription.report == "jp-compliance" else None
    return f


# --- files and mail --------------------------------------------------------------------------


@dataclass
class Attachment:
    filename: str
    data: bytes
    rows: int


def render_file(report, scope, f, fmt: str, scope_label: str) -> bytes:  # noqa: ANN001
    """The report file through the reports writers (the same bytes the web offers)."""
    from lms.reports import exports

    if fmt == "csv":
        return b"".join(exports.csv_chunks(report, scope, f))
    if fmt == "xlsx":
        return exports.xlsx_bytes(report, scope, f)
    return exports.pdf_bytes(report, scope, f, scope_label=scope_label)


def scope_label(scope, user) -> str:  # noqa: ANN001
    if scope.everything:
        return _("Semua perangkat daerah")
    parts = []
    if scope.path is not None and user.admin_unit is not None:
        parts.append(user.admin_unit.name)
    if scope.supervisor_id is not None:
        parts.append(_("bawahan langsung %(n)s", n=user.name))
    return ", ".join(parts)


def send_mail_with_attachment(
    to: str, subject: str, body: str, attachment: Attachment, fmt: str
) -> bool:
    """Send over SMTP (``LMS_SMTP_HOST``) as ``lms.notifications.send_mail`` does, with a file.
    Returns False when no SMTP server is configured (the mail is only logged)."""
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        current_app.logger.warning("report mail not sent (no SMTP): to=%s subject=%s", to, subject)
        return False
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_FROM", "akademi-asn@localhost")
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    maintype, subtype = MIMETYPES[fmt]
    msg.add_attachment(
        attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
    )
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg.get("SMTP_PORT", 25), timeout=30) as smtp:
        smtp.send_message(msg)
    return True


# --- the runner ------------------------------------------------------------------------------


@dataclass
class RunResult:
    subscriptions: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"{self.subscriptions} subscription(s) due: {self.sent} sent, "
            f"{self.failed} failed, {self.skipped} skipped"
        )


def _attempts(subscription_id: int, user_id: int, period: str) -> tuple[bool, int]:
    """(already delivered or in flight, failed attempts so far) for one recipient and period."""
    rows = db.session.execute(
        select(ReportDelivery.status, func.count())
        .where(
            ReportDelivery.subscription_id == subscription_id,
            ReportDelivery.user_id == user_id,
            ReportDelivery.period == period,
        )
        .group_by(ReportDelivery.status)
    ).all()
    counts = dict(rows)
    done = any(counts.get(s) for s in ("sending", "sent", "skipped"))
    return done, counts.get("failed", 0)


def _claim(
    subscription: ReportSubscription, user, period: str, email: str
) -> ReportDelivery | None:  # noqa: ANN001
    """Insert the 'sending' row and commit it before any mail leaves; None if another run holds
    it (the partial unique index refuses a second one)."""
    delivery = ReportDelivery(
        subscription_id=subscription.id, user_id=user.id, period=period, email=email
    )
    db.session.add(delivery)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return delivery


def _finish(delivery: ReportDelivery, status: str, error: str = "", **values: object) -> None:
    delivery.status = status
    delivery.error = error[:1000]
    for key, value in values.items():
        setattr(delivery, key, value)
    db.session.commit()


def deliver(subscription: ReportSubscription, user, slot: datetime, result: RunResult) -> bool:  # noqa: ANN001
    """One recipient's copy for the slot's period; True when nothing is left to retry."""
    from lms.reports.definitions import REPORTS

    tz = local_zone()
    period = period_key(subscription.frequency, slot, tz)
    done, failures = _attempts(subscription.id, user.id, period)
    if done:
        return True
    if failures >= MAX_ATTEMPTS:
        return True
    email = email_of(user)
    delivery = _claim(subscription, user, period, email)
    if delivery is None:
        return True
    report = REPORTS.get(subscription.report)
    if report is None:
        _finish(delivery, "skipped", _("Laporan %(r)s tidak ada lagi.", r=subscription.report))
        result.skipped += 1
        return True
    if not email:
        _finish(delivery, "skipped", _("Penerima tidak memiliki alamat e-mail."))
        result.skipped += 1
        return True
    if not can(user, Capability.VIEW_REPORTS):
        _finish(delivery, "skipped", _("Penerima tidak lagi berhak melihat laporan."))
        result.skipped += 1
        return True
    scope = recipient_scope(subscription, user)
    f = filters_for(subscription, slot, tz)
    outside = scope.path is not None and not scope.everything
    if f.unit_path and outside and not f.unit_path.startswith(scope.path):
        _finish(delivery, "skipped", _("Unit pada filter di luar wilayah penerima."))
        result.skipped += 1
        return True
    label = scope_label(scope, user)
    filename = f"laporan-{subscription.report}-{period}.{subscription.format}"
    try:
        rows = report.count(scope, f)
        data = render_file(report, scope, f, subscription.format, label)
        if len(data) > current_app.config.get("REPORTS_MAIL_MAX_BYTES", MAX_ATTACHMENT):
            _finish(
                delivery,
                "skipped",
                _(
                    "Berkas terlalu besar untuk e-mail (%(n)s MiB); unduh dari halaman laporan.",
                    n=len(data) // (1024 * 1024),
                ),
                rows=rows,
                size=len(data),
                filename=filename,
            )
            result.skipped += 1
            return True
        subject = _("Akademi ASN: %(r)s (%(p)s)", r=report.title, p=period)
        body = _(
            'Yth. %(n)s,\n\nTerlampir laporan "%(r)s" periode %(p)s untuk %(s)s (%(k)s baris).\n'
            "Laporan ini dikirim otomatis sesuai langganan yang diatur BKPSDM.\n\n%(u)s\n",
            n=user.name,
            r=report.title,
            p=period,
            s=label,
            k=rows,
            u=current_app.config.get("BASE_URL", "") + "/laporan/" + subscription.report,
        )
        sent = send_mail_with_attachment(
            email, subject, body, Attachment(filename, data, rows), subscription.format
        )
    except Exception as exc:  # noqa: BLE001  (a broken file or mail server must not stop the run)
        db.session.rollback()
        current_app.logger.exception("scheduled report %s to %s failed", subscription.id, email)
        _finish(delivery, "failed", str(exc) or exc.__class__.__name__, filename=filename)
        result.failed += 1
        return failures + 1 >= MAX_ATTEMPTS
    if not sent:
        _finish(
            delivery,
            "skipped",
            _("SMTP belum dikonfigurasi (LMS_SMTP_HOST); e-mail tidak dikirim."),
            rows=rows,
            size=len(data),
            filename=filename,
        )
        result.skipped += 1
        return True
    _finish(delivery, "sent", rows=rows, size=len(data), filename=filename, sent_at=utcnow())
    result.sent += 1
    return True


def run_due(now: datetime | None = None) -> RunResult:
    """Deliver every due subscription to each recipient, then schedule its next slot.

    A batch job, not a request: it commits per delivery, so a crash mid-way keeps the log of
    what already left and a rerun sends only the rest.
    """
    now = aware(now or utcnow())
    tz = local_zone()
    result = RunResult()
    due_ids = list(
        db.session.scalars(
            select(ReportSubscription.id)
            .where(ReportSubscription.active.is_(True), ReportSubscription.next_run_at <= now)
            .order_by(ReportSubscription.next_run_at, ReportSubscription.id)
        )
    )
    for sub_id in due_ids:
        subscription = db.session.get(ReportSubscription, sub_id)
        if subscription is None or not subscription.active:
            continue
        slot = aware(subscription.next_run_at)
        if slot > now:  # another runner already moved it on
            continue
        result.subscriptions += 1
        finished = True
        for user in recipients(subscription):
            finished = deliver(subscription, user, slot, result) and finished
        subscription = db.session.get(ReportSubscription, sub_id)
        if subscription is None:
            continue
        if finished:
            subscription.next_run_at = next_run(
                subscription.frequency, subscription.day, max(now, slot), tz
            )
        sent_now = db.session.scalar(
            select(func.max(ReportDelivery.sent_at)).where(
                ReportDelivery.subscription_id == sub_id, ReportDelivery.status == "sent"
            )
        )
        if sent_now is not None:
            subscription.last_sent_at = sent_now
        db.session.commit()
    return result


@shared_task(name="reports.run_scheduled", soft_time_limit=3000, time_limit=3300)
def run_scheduled() -> str:
    """Celery beat calls this hourly (see ``beat_schedule``)."""
    return str(run_due())


def beat_schedule() -> dict:
    """The Celery beat entry: every hour at minute 5 (slots are on the hour, local time)."""
    from celery.schedules import crontab

    return {
        "reports-run-scheduled": {"task": "reports.run_scheduled", "schedule": crontab(minute=5)}
    }


@click.command("send-scheduled")
@with_appcontext
def send_scheduled() -> None:
    """Send the scheduled reports that are due (run hourly from cron)."""
    click.echo(str(run_due()))
