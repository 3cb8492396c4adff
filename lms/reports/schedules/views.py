"""Report subscriptions (scheduled reports): list and form, pause or resume, delete, delivery log.

Only holders of ``SCHEDULE_REPORTS`` (BKPSDM) manage subscriptions; what each recipient receives
is decided at delivery time by their own scope (``lms.reports.schedules.runner``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.org.models import Unit
from lms.permissions import Capability, require
from lms.reports import bp
from lms.reports.schedules.forms import (
    SubscriptionForm,
    fill_choices,
    subscription_data,
)
from lms.reports.schedules.models import (
    DELIVERY_LABELS,
    FORMAT_LABELS,
    FREQUENCY_LABELS,
    PERIOD_LABELS,
    ReportDelivery,
    ReportSubscription,
)
from lms.reports.schedules.services import (
    ScheduleError,
    create_subscription,
    delete_subscription,
    set_active,
)

C = Capability
LOG_LIMIT = 100


FIELD_OF = {"role": "recipient_role", "user": "recipient_username", "day": "month_day"}


@bp.route("/laporan/langganan", methods=["GET", "POST"])
@require(C.SCHEDULE_REPORTS)
def subscriptions():
    form = SubscriptionForm()
    fill_choices(form)
    if form.validate_on_submit():
        subscription = _create(form)
        if subscription is not None:
            db.session.commit()
            flash(
                _(
                    "Langganan %(r)s untuk %(p)s disimpan.",
                    r=subscription.report_title,
                    p=subscription.recipient_label,
                ),
                "success",
            )
            return redirect(url_for("reports.subscriptions"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "reports/schedule_list.html",
        form=form,
        rows=_subscription_rows(),
        recent=_recent_deliveries(),
        action_form=CsrfForm(),
        labels=_labels(),
    ), status


def _create(form: SubscriptionForm) -> ReportSubscription | None:
    """The new subscription (flushed), or None with the refusal shown on its field."""
    try:
        return create_subscription(subscription_data(form), current_user)
    except ScheduleError as exc:
        db.session.rollback()
        name = FIELD_OF.get(exc.field, exc.field)
        target = getattr(form, name, None) or form.report
        target.errors = [*target.errors, str(exc)]
        return None


def _subscription_rows() -> list[ReportSubscription]:
    return list(
        db.session.scalars(
            select(ReportSubscription)
            .options(
                selectinload(ReportSubscription.recipient_user),
                selectinload(ReportSubscription.created_by),
            )
            .order_by(ReportSubscription.active.desc(), ReportSubscription.next_run_at)
        )
    )


def _recent_deliveries() -> list[ReportDelivery]:
    return list(
        db.session.scalars(
            select(ReportDelivery)
            .options(selectinload(ReportDelivery.user), selectinload(ReportDelivery.subscription))
            .order_by(ReportDelivery.id.desc())
            .limit(20)
        )
    )


def _labels() -> dict:
    return {
        "format": FORMAT_LABELS,
        "frequency": FREQUENCY_LABELS,
        "period": PERIOD_LABELS,
        "delivery": DELIVERY_LABELS,
    }


@bp.route("/laporan/langganan/<int:subscription_id>")
@require(C.SCHEDULE_REPORTS)
def subscription(subscription_id: int):
    row = db.get_or_404(ReportSubscription, subscription_id)
    deliveries = list(
        db.session.scalars(
            select(ReportDelivery)
            .options(selectinload(ReportDelivery.user))
            .where(ReportDelivery.subscription_id == row.id)
            .order_by(ReportDelivery.id.desc())
            .limit(LOG_LIMIT)
        )
    )
    unit = db.session.get(Unit, row.filters["unit_id"]) if row.filters.get("unit_id") else None
    return render_template(
        "reports/schedule_detail.html",
        row=row,
        deliveries=deliveries,
        unit=unit,
        limit=LOG_LIMIT,
        action_form=CsrfForm(),
        labels=_labels(),
    )


@bp.route("/laporan/langganan/<int:subscription_id>/aktif", methods=["POST"])
@require(C.SCHEDULE_REPORTS)
def subscription_toggle(subscription_id: int):
    row = db.get_or_404(ReportSubscription, subscription_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    set_active(row, not row.active)
    db.session.commit()
    if row.active:
        flash(_("Langganan diaktifkan kembali."), "success")
    else:
        flash(_("Langganan dihentikan sementara."), "success")
    return redirect(url_for("reports.subscription", subscription_id=row.id))


@bp.route("/laporan/langganan/<int:subscription_id>/hapus", methods=["POST"])
@require(C.SCHEDULE_REPORTS)
def subscription_delete(subscription_id: int):
    row = db.get_or_404(ReportSubscription, subscription_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not confirmed():
        return ask(
            Confirmation(
                _("Hapus langganan %(r)s?", r=row.report_title),
                [
                    _("%(p)s tidak lagi menerima laporan ini.", p=row.recipient_label),
                    _("Riwayat pengirimannya ikut dihapus."),
                    _(
                        "Untuk berhenti sementara tanpa kehilangan riwayat, pilih Hentikan sementara."
                    ),
                ],
                _("Ya, hapus langganan"),
                url_for("reports.subscription", subscription_id=row.id),
            )
        )
    delete_subscription(row)
    db.session.commit()
    flash(_("Langganan dihapus beserta riwayat pengirimannya."), "success")
    return redirect(url_for("reports.subscriptions"))
