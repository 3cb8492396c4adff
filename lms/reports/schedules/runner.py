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
twice. Failed sends are retried on later runs of the same slot, up to ``MAX_ATTEMPTS``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from celery import shared_task
from celery.schedules import crontab
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User, UserRole
from lms.db import as_utc, utcnow
from lms.extensions import db
from lms.indonesian import local_zone
from lms.org.models import Employee, Unit
from lms.permissions import Capability, Role, can
from lms.reports.definitions import REPORTS
from lms.reports.filters import Filters, Scope
from lms.reports.schedules import mail
from lms.reports.schedules.mail import Attachment
from lms.reports.schedules.models import (
    MAX_ATTACHMENT,
    MAX_ATTEMPTS,
    ReportDelivery,
    ReportSubscription,
)
from lms.reports.schedules.rules import next_run, period_key, previous_period


def recipients(subscription: ReportSubscription) -> list:
    """The active accounts that receive this subscription, in a stable order."""
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


def email_of(user) -> str:
    if user.email:
        return user.email
    return (user.employee.email if user.employee is not None else "") or ""


def recipient_scope(subscription: ReportSubscription, user):
    """What this recipient may see. A role subscription delivers the role's view: an Admin OPD
    subscription gives each admin their department (even if they also supervise a team), an
    Atasan subscription each supervisor their direct reports."""
    if subscription.recipient_role == Role.ADMIN_OPD:
        return Scope(path=user.admin_unit.path) if user.admin_unit is not None else Scope()
    if subscription.recipient_role == Role.ATASAN:
        return Scope(supervisor_id=user.employee_id)
    return Scope.for_user(user)


def filters_for(subscription: ReportSubscription, slot: datetime, tz: ZoneInfo):
    """The stored filters, with the unit's current path and the slot's period applied."""
    f = Filters.from_json(subscription.filters or {})
    f.page, f.sort = 1, ""
    if f.unit_id is not None:
        unit = db.session.get(Unit, f.unit_id)
        f.unit_path = unit.path if unit is not None else "/nonexistent/"
        f.unit_name = unit.name if unit is not None else ""
    if subscription.period == "current_year":
        f.year = as_utc(slot).astimezone(tz).year
        f.date_from = f.date_to = None
    elif subscription.period == "previous_period":
        f.date_from, f.date_to = previous_period(subscription.frequency, slot, tz)
        f.year = f.date_to.year if subscription.report == "jp-compliance" else None
    return f


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
) -> ReportDelivery | None:
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


def deliver(subscription: ReportSubscription, user, slot: datetime, result: RunResult) -> bool:
    """One recipient's copy for the slot's period; True when nothing is left to retry."""
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
        _finish(delivery, "skipped", _("Penerima tidak memiliki alamat surel."))
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
    label = mail.scope_label(scope, user)
    filename = f"laporan-{subscription.report}-{period}.{subscription.format}"
    try:
        rows = report.count(scope, f)
        data = mail.render_file(report, scope, f, subscription.format, label)
        if len(data) > current_app.config.get("REPORTS_MAIL_MAX_BYTES", MAX_ATTACHMENT):
            _finish(
                delivery,
                "skipped",
                _(
                    "Berkas terlalu besar untuk surel (%(n)s MiB); unduh dari halaman laporan.",
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
        sent = mail.send_mail_with_attachment(
            email, subject, body, Attachment(filename, data, rows), subscription.format
        )
    except Exception as exc:  # a broken file or mail server must not stop the run
        db.session.rollback()
        current_app.logger.exception("scheduled report %s to %s failed", subscription.id, email)
        _finish(delivery, "failed", str(exc) or exc.__class__.__name__, filename=filename)
        result.failed += 1
        return failures + 1 >= MAX_ATTEMPTS
    if not sent:
        _finish(
            delivery,
            "skipped",
            _("SMTP belum dikonfigurasi (LMS_SMTP_HOST); surel tidak dikirim."),
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
    now = as_utc(now or utcnow())
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
        slot = as_utc(subscription.next_run_at)
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
    return {
        "reports-run-scheduled": {"task": "reports.run_scheduled", "schedule": crontab(minute=5)}
    }
