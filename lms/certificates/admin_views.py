"""The HR register: the list, a certificate's detail, revoking and reissuing, a cohort's ZIP,
and the certificate series settings."""

from __future__ import annotations

import re

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.services import audit
from lms.certificates import bp, queries, sttpp
from lms.certificates import services as certificates
from lms.certificates.display import STATUS_LABELS, printed_rows
from lms.certificates.downloads import zip_stream
from lms.certificates.forms import ReissueForm, RevokeForm, SeriesForm
from lms.certificates.models import CERTIFICATE_STATE_LABELS, Certificate, CertificateSeries
from lms.completion import queries as completion_queries
from lms.completion import services as completion_services
from lms.db import db_int
from lms.enrolments.cohorts.models import Cohort, ProgrammeKind
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.permissions import Capability, can, refuse, require
from lms.storage import get_storage

C = Capability


def _filters() -> queries.RegisterFilters:
    status = request.args.get("status", "")
    return queries.RegisterFilters(
        q=request.args.get("q", "")[:100],
        year=request.args.get("tahun", type=db_int),
        status=status if status in ("issued", "revoked", "replaced") else "",
        course_id=request.args.get("pelatihan", type=db_int),
        cohort_id=request.args.get("angkatan", type=db_int),
    )


@bp.route("/kelola/sertifikat")
@require(C.MANAGE_CERTIFICATES, C.VIEW_REPORTS)
def register():
    filters = _filters()
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows, total = queries.register(current_user, filters, page)
    return render_template(
        "certificates/register.html",
        rows=rows,
        total=total,
        filters=filters,
        page=page,
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        choices=queries.register_choices(),
        status_labels={**CERTIFICATE_STATE_LABELS, **STATUS_LABELS},
        public_status=queries.public_status,
    )


def _managed(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if not queries.in_register_scope(current_user, certificate):
        refuse(certificate)
    return certificate


def _detail(certificate: Certificate, revoke_form: RevokeForm, reissue_form: ReissueForm):
    return render_template(
        "certificates/detail.html",
        cert=certificate,
        status=queries.public_status(certificate),
        status_labels=STATUS_LABELS,
        rows=printed_rows(certificate.fields),
        subjects=certificate.fields.get("subjects") or [],
        trail=queries.audit_trail(certificate),
        replacement=certificate.replaced_by,
        completion=certificate.completion,
        revoke_form=revoke_form,
        reissue_form=reissue_form,
        may_manage=can(current_user, C.MANAGE_CERTIFICATES),
    )


@bp.route("/kelola/sertifikat/<int:certificate_id>")
@require(C.MANAGE_CERTIFICATES, C.VIEW_REPORTS)
def detail(certificate_id: int):
    certificate = _managed(certificate_id)
    return _detail(certificate, RevokeForm(prefix="revoke"), ReissueForm(prefix="reissue"))


def _revoke_confirmation(certificate: Certificate, reason: str) -> Confirmation:
    completion = certificate.completion
    back = url_for("certificates.detail", certificate_id=certificate.id)
    question = _("Cabut sertifikat %(n)s?", n=certificate.number)
    if completion.status == "valid":
        question = _("Cabut kelulusan dan sertifikat %(n)s?", n=certificate.number)
        details, consequences = completion_queries.revocation_confirmation(completion, reason)
        return Confirmation(
            question, consequences, _("Ya, cabut kelulusan & sertifikat"), back, details
        )
    consequences = [
        _(
            "Sertifikat ini tidak berlaku lagi; halaman verifikasi publik menampilkannya sebagai dicabut beserta alasan ini."
        ),
        _("Tindakan ini tercatat di jejak audit dan tidak dapat dibatalkan."),
    ]
    return Confirmation(
        question, consequences, _("Ya, cabut sertifikat"), back, [(_("Alasan"), reason.strip())]
    )


@bp.route("/kelola/sertifikat/<int:certificate_id>/cabut", methods=["POST"])
@require(C.MANAGE_CERTIFICATES)
def revoke(certificate_id: int):
    """Revoke the completion and its certificate (and write the revocation event)."""
    certificate = _managed(certificate_id)
    form = RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        return _detail(certificate, form, ReissueForm(prefix="reissue")), 400
    if certificate.status == "issued" and not confirmed():
        return ask(_revoke_confirmation(certificate, form.reason.data))
    try:
        completion = certificate.completion
        if completion.status == "valid":
            completion_services.revoke(completion, current_user, form.reason.data)
        else:
            certificates.revoke_certificate(certificate, current_user, form.reason.data)
    except (completion_services.CompletionError, certificates.CertificateError) as exc:
        flash_error(exc)
        return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    db.session.commit()
    flash(_("Kelulusan dan sertifikat %(n)s dicabut.", n=certificate.number), "success")
    return redirect(url_for("certificates.detail", certificate_id=certificate_id))


@bp.route("/kelola/sertifikat/<int:certificate_id>/terbitkan-ulang", methods=["POST"])
@require(C.MANAGE_CERTIFICATES)
def reissue(certificate_id: int):
    certificate = _managed(certificate_id)
    form = ReissueForm(prefix="reissue")
    if not form.validate_on_submit():
        return _detail(certificate, RevokeForm(prefix="revoke"), form), 400
    if certificate.status == "issued" and not confirmed():
        return ask(
            Confirmation(
                _("Terbitkan ulang sertifikat %(n)s?", n=certificate.number),
                [
                    _("Sertifikat baru terbit dengan nomor baru dan data pegawai terbaru."),
                    _(
                        "Nomor %(n)s tercatat diganti: halaman verifikasinya menunjuk ke nomor baru.",
                        n=certificate.number,
                    ),
                    _(
                        "Berkas PDF lama tidak berlaku lagi; bagikan berkas yang baru kepada pegawai."
                    ),
                ],
                _("Ya, terbitkan ulang"),
                url_for("certificates.detail", certificate_id=certificate.id),
                [(_("Alasan"), form.reason.data.strip())],
            )
        )
    try:
        new = certificates.reissue(certificate, current_user, form.reason.data)
    except certificates.CertificateError as exc:
        flash_error(exc)
        return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    db.session.commit()
    flash(
        _(
            "Sertifikat diterbitkan ulang dengan nomor %(n)s; nomor %(o)s kini tercatat diganti.",
            n=new.number,
            o=certificate.number,
        ),
        "success",
    )
    return redirect(url_for("certificates.detail", certificate_id=new.id))


@bp.route("/kelola/sertifikat/angkatan/<int:cohort_id>.zip")
@require(C.MANAGE_CERTIFICATES, C.VIEW_REPORTS)
def cohort_zip(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    ids = queries.cohort_certificate_ids(current_user, cohort.id)
    name = re.sub(r"[^0-9A-Za-z._-]", "-", cohort.code) or "angkatan"
    response = Response(stream_with_context(zip_stream(ids)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="sertifikat_{name}.zip"'
    response.headers["X-Certificate-Count"] = str(len(ids))
    return response


# --- series settings -------------------------------------------------------------------------


def _save_series(series, form: SeriesForm) -> None:
    """Copy the form onto the series, store new images, and audit the change (flushes only)."""
    before = {name: getattr(series, name) for name in SeriesForm.TEXT_FIELDS}
    before.update(signature_key=series.signature_key, logo_key=series.logo_key)
    for name in SeriesForm.TEXT_FIELDS:
        setattr(series, name, (getattr(form, name).data or "").strip())
    storage = get_storage()
    for attr, data, remove in (
        ("signature_key", getattr(form, "signature_bytes", None), form.remove_signature.data),
        ("logo_key", getattr(form, "logo_bytes", None), form.remove_logo.data),
    ):
        if data:
            key = storage.new_key("certificates/series", ".png")
            storage.save(key, data)
            setattr(series, attr, key)
        elif remove:
            setattr(series, attr, None)
    after = {name: getattr(series, name) for name in SeriesForm.TEXT_FIELDS}
    after.update(signature_key=series.signature_key, logo_key=series.logo_key)
    audit(current_user, "update", series, "certificate series settings", before, after)
    db.session.flush()


def _series_page(series: CertificateSeries, endpoint: str, **url_args: object):
    """The settings form of one series: save (commit) and redirect, or render it."""
    form = SeriesForm(obj=series)
    if form.validate_on_submit():
        _save_series(series, form)
        db.session.commit()
        flash(
            _(
                "Pengaturan seri sertifikat tersimpan. Berlaku untuk sertifikat yang terbit berikutnya."
            ),
            "success",
        )
        return redirect(url_for(endpoint, **url_args))
    example = certificates.format_number(series, 1, local_today().year)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "certificates/series.html",
        form=form,
        series=series,
        example=example,
        sttpp_kinds=sttpp.kinds_with_series() if series.is_default else None,
        create_form=CsrfForm(),
    ), status


@bp.route("/kelola/sertifikat/seri", methods=["GET", "POST"])
@require(C.MANAGE_CERTIFICATES)
def series_settings():
    series = certificates.default_series()
    return _series_page(series, "certificates.series_settings")


@bp.route("/kelola/sertifikat/seri/<int:series_id>", methods=["GET", "POST"])
@require(C.MANAGE_CERTIFICATES)
def series_edit(series_id: int):
    """Another series (an STTPP series of a programme kind), edited like the default one."""
    series = db.get_or_404(CertificateSeries, series_id)
    if series.is_default:
        return redirect(url_for("certificates.series_settings"))
    return _series_page(series, "certificates.series_edit", series_id=series.id)


@bp.route("/kelola/sertifikat/seri/sttpp/<kind_code>", methods=["POST"])
@require(C.MANAGE_CERTIFICATES)
def sttpp_series_create(kind_code: str):
    """Make a programme kind's STTPP series now (from the default one), to set it up before
    its first STTPP is issued; an existing one is simply opened."""
    if db.session.get(ProgrammeKind, kind_code) is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    series = sttpp.series_for_kind(kind_code, certificates.default_series())
    audit(current_user, "create", series, f"seri {series.code}")
    db.session.commit()
    return redirect(url_for("certificates.series_edit", series_id=series.id))
