"""SIASN export and result upload (BKPSDM), webhook endpoints and delivery log (admin sistem)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms.careers.records.models import SIASN_STATES
from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.imports import PendingImport, preview_status, read_upload, table_suffix
from lms.indonesian import local_today
from lms.integrations import bp, deliveries, queries, siasn, siasn_result, webhooks
from lms.integrations.forms import EndpointForm, ResultConfirmForm, ResultUploadForm
from lms.integrations.models import WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint
from lms.permissions import Capability, can, refuse, require

C = Capability
PAGE_SIZE = 50
_PENDING = PendingImport("siasn_result", folder="siasn-results")


# --- SIASN -------------------------------------------------------------------------------------


def _scope() -> siasn.Scope:
    year = request.args.get("tahun", type=db_int) or local_today().year
    if not 2000 <= year <= 2100:
        year = local_today().year
    opd_id = request.args.get("opd", type=db_int) or None
    status = request.args.get("status", "")
    kind = request.args.get("jenis", "")
    return siasn.Scope(
        year,
        opd_id,
        status if status in SIASN_STATES else None,
        kind if kind in siasn.KINDS else None,
    )


def _siasn_page(form: ResultUploadForm, status: int = 200):
    scope = _scope()
    try:
        counts = siasn.status_counts(scope)
    except siasn.SiasnError:
        abort(404)
    return (
        render_template(
            "integrations/siasn.html",
            scope=scope,
            counts=counts,
            total=sum(counts.values()),
            opds=siasn.opd_choices(),
            form=form,
            labels=siasn.STATUS_LABELS,
            columns=siasn.columns(scope),
            kind_labels=siasn.KIND_LABELS,
        ),
        status,
    )


@bp.route("/kelola/siasn")
@require(C.EXPORT_SIASN)
def siasn_index():
    return _siasn_page(ResultUploadForm())


@bp.route("/kelola/siasn/ekspor.<siasn_format>")
@require(C.EXPORT_SIASN)
def siasn_export(siasn_format: str):
    if siasn_format not in ("csv", "xlsx"):
        abort(404)
    scope = _scope()
    try:
        siasn.status_counts(scope)  # checks the OPD before streaming
    except siasn.SiasnError:
        abort(404)
    headers = {
        "Content-Disposition": f'attachment; filename="{siasn.filename(scope, siasn_format)}"'
    }
    if siasn_format == "csv":
        return Response(
            stream_with_context(siasn.csv_chunks(scope)),
            mimetype="text/csv; charset=utf-8",
            headers=headers,
        )
    return Response(
        siasn.export_bytes(scope, "xlsx"),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


@bp.route("/kelola/siasn/hasil", methods=["POST"])
@require(C.EXPORT_SIASN)
def siasn_result_upload():
    form = ResultUploadForm()
    if not form.validate_on_submit():
        return _siasn_page(form, 400)
    upload = form.file.data
    data = read_upload(upload)
    preview = siasn_result.preview_result(upload.filename, data)
    confirm = None
    if preview.ok:
        name = upload.filename[:200]
        key = _PENDING.keep(data, table_suffix(upload.filename), name=name)
        confirm = ResultConfirmForm(key=key)
    return _siasn_preview(preview, upload.filename, confirm)


def _siasn_preview(preview: siasn_result.ResultPreview, filename: str, confirm=None):
    return render_template(
        "integrations/siasn_preview.html",
        preview=preview,
        confirm=confirm,
        filename=filename,
        labels=siasn.STATUS_LABELS,
        counts=preview.counts(),
    ), preview_status(confirm is not None)


@bp.route("/kelola/siasn/hasil/konfirmasi", methods=["POST"])
@require(C.EXPORT_SIASN)
def siasn_result_confirm():
    form = ResultConfirmForm()
    kept = _PENDING.take(form.key.data) if form.validate_on_submit() else None
    if kept is None:
        flash(_("Pratinjau hasil SIASN sudah tidak berlaku. Unggah ulang berkasnya."), "error")
        return redirect(url_for("integrations.siasn_index"))
    entry, data = kept
    preview = siasn_result.preview_result(entry["key"], data)
    try:
        changed = siasn_result.apply_result(preview, by=current_user)
    except siasn.SiasnError as exc:
        flash_error(exc)
        _PENDING.drop()  # this upload can no longer be confirmed
        return _siasn_preview(preview, entry.get("name", ""))
    db.session.commit()
    _PENDING.drop()
    flash(
        _(
            "Hasil SIASN disimpan: %(n)s baris, %(c)s status berubah.",
            n=len(preview.rows),
            c=changed,
        ),
        "success",
    )
    return redirect(url_for("integrations.siasn_index"))


# --- webhooks ----------------------------------------------------------------------------------


def _webhooks_page(form: EndpointForm, status: int = 200):
    endpoints = db.session.scalars(
        select(WebhookEndpoint).order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.id)
    ).all()
    return (
        render_template(
            "integrations/webhooks.html",
            form=form,
            endpoints=endpoints,
            counts=queries.counts_by_endpoint(),
            action_form=CsrfForm(),
            may_manage=can(current_user, C.MANAGE_WEBHOOKS),
            with_broker=bool(current_app.config.get("REDIS_URL")),
        ),
        status,
    )


@bp.route("/admin/webhook", methods=["GET", "POST"])
@require(C.MANAGE_WEBHOOKS, C.VIEW_WEBHOOK_DELIVERIES)
def webhooks_index():
    if request.method == "POST" and not can(current_user, C.MANAGE_WEBHOOKS):
        refuse(status=403)  # BKPSDM reads the delivery status; registering is the admin's
    form = EndpointForm()
    if request.method == "GET" and not form.events.data:
        form.events.data = list(WEBHOOK_EVENTS)
    if not form.validate_on_submit():
        return _webhooks_page(form, 400 if request.method == "POST" else 200)
    try:
        endpoint = webhooks.add_endpoint(
            form.url.data,
            form.secret.data,
            form.events.data,
            by=current_user,
            description=form.description.data or "",
        )
    except webhooks.WebhookError as exc:
        db.session.rollback()
        form.url.errors = [*form.url.errors, str(exc)]
        return _webhooks_page(form, 400)
    db.session.commit()
    flash(_("Webhook %(u)s didaftarkan.", u=endpoint.url), "success")
    return redirect(url_for("integrations.webhook_detail", webhook_id=endpoint.id))


@bp.route("/admin/webhook/<int:webhook_id>")
@require(C.MANAGE_WEBHOOKS, C.VIEW_WEBHOOK_DELIVERIES)
def webhook_detail(webhook_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, webhook_id)
    page = max(request.args.get("page", 1, type=db_int), 1)
    total = db.session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    log = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    dead = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "dead")
        .order_by(WebhookDelivery.id)
        .limit(200)
    ).all()
    return render_template(
        "integrations/webhook.html",
        endpoint=endpoint,
        log=log,
        dead=dead,
        counts=queries.counts_by_endpoint().get(endpoint.id, {}),
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        action_form=CsrfForm(),
        may_manage=can(current_user, C.MANAGE_WEBHOOKS),
        with_broker=bool(current_app.config.get("REDIS_URL")),
    )


@bp.route("/admin/webhook/<int:webhook_id>/kirim-sekarang", methods=["POST"])
@require(C.MANAGE_WEBHOOKS)
def webhook_send_now(webhook_id: int):
    """Send this endpoint's waiting deliveries now, without waiting for cron or their retry
    time (the one way to retry under `make run` without cron); the admin sees the outcome."""
    endpoint = db.get_or_404(WebhookEndpoint, webhook_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("integrations.webhook_detail", webhook_id=endpoint.id))
    try:
        counts = deliveries.send_now(endpoint)
    except webhooks.WebhookError as exc:
        flash_error(exc)
        return back
    sent = counts["delivered"] + counts["failed"] + counts["dead"]
    if not sent:
        flash(_("Tidak ada kiriman yang menunggu."), "info")
    else:
        flash(
            _(
                "%(n)s kiriman dicoba: %(d)s terkirim, %(f)s gagal; %(w)s masih menunggu.",
                n=sent,
                d=counts["delivered"],
                f=counts["failed"] + counts["dead"],
                w=counts["waiting"],
            ),
            "success" if not (counts["failed"] or counts["dead"]) else "error",
        )
    return back


@bp.route("/admin/webhook/<int:webhook_id>/status", methods=["POST"])
@require(C.MANAGE_WEBHOOKS)
def webhook_toggle(webhook_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, webhook_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if endpoint.active and not confirmed():
        return ask(
            Confirmation(
                _("Nonaktifkan webhook %(u)s?", u=endpoint.url),
                [
                    _(
                        "Kiriman yang masih menunggu berhenti dikirim sampai webhook diaktifkan kembali."
                    ),
                    _(
                        "Peristiwa yang terjadi selama nonaktif tidak akan dikirim ke penerima ini, juga setelah diaktifkan kembali."
                    ),
                ],
                _("Ya, nonaktifkan webhook"),
                url_for("integrations.webhook_detail", webhook_id=endpoint.id),
            )
        )
    webhooks.set_active(endpoint, not endpoint.active, by=current_user)
    db.session.commit()
    if endpoint.active:
        flash(_("Webhook diaktifkan kembali."), "success")
    else:
        flash(_("Webhook dinonaktifkan: tidak ada kiriman baru sampai diaktifkan."), "success")
    return redirect(url_for("integrations.webhook_detail", webhook_id=endpoint.id))


@bp.route(
    "/admin/webhook/<int:webhook_id>/kiriman/<int:webhook_delivery_id>/kirim-ulang",
    methods=["POST"],
)
@require(C.MANAGE_WEBHOOKS)
def delivery_retry(webhook_id: int, webhook_delivery_id: int):
    delivery = db.session.get(WebhookDelivery, webhook_delivery_id)
    if delivery is None or delivery.endpoint_id != webhook_id:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        deliveries.retry(delivery, by=current_user)
    except webhooks.WebhookError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(
            _(
                "Kiriman %(e)s masuk antrean lagi dan segera dikirim; hasilnya tampil di log.",
                e=delivery.event_id,
            ),
            "success",
        )
    return redirect(url_for("integrations.webhook_detail", webhook_id=webhook_id))
