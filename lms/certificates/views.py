"""Certificate screens: public verification, the employee's certificates, the HR register.

Verification is public and rate-limited. The QR token opens the verifier view (a subset of the
printed fields frozen in ``Certificate.fields``, the NIP masked, plus the status and the PDF's
SHA-256); a typed number opens only the validity unless the holder's NIP or date of birth is given
too (``lms/certificates/verification.py`` says why and what).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.services import audit
from lms.certificates import bp, queries, verification
from lms.certificates import services as certificates
from lms.certificates.forms import ReissueForm, RevokeForm, SeriesForm
from lms.certificates.models import Certificate
from lms.completion import services as completion_services
from lms.dashboard import section
from lms.db import as_utc, db_int
from lms.enrolments.models import Cohort
from lms.errors import flash_error
from lms.extensions import db, limiter
from lms.indonesian import local_today
from lms.org.nip import format_nip
from lms.permissions import Capability, can, refuse, require
from lms.storage import get_storage

C = Capability

# Labels of the printed fields, in the order they appear on the certificate.
FIELD_LABELS = {
    "number": _l("Nomor sertifikat"),
    "issuer_parent": _l("Instansi"),
    "issuer": _l("Lembaga penerbit"),
    "title": _l("Nama pelatihan"),
    "kind": _l("Jenis"),
    "cohort": _l("Angkatan"),
    "start_date": _l("Tanggal mulai"),
    "end_date": _l("Tanggal selesai"),
    "place": _l("Tempat pelaksanaan"),
    "name": _l("Nama peserta"),
    "nip": _l("NIP"),
    "birth": _l("Tempat dan tanggal lahir"),
    "pangkat_golongan": _l("Pangkat/golongan"),
    "jabatan": _l("Jabatan"),
    "unit": _l("Unit kerja"),
    "opd": _l("Perangkat daerah"),
    "instansi": _l("Instansi peserta"),
    "jp": _l("Jam pelajaran (JP)"),
    "jp_words": _l("JP terbilang"),
    "score": _l("Nilai"),
    "qualification": _l("Kualifikasi"),
    "issue_place": _l("Tempat penerbitan"),
    "issue_date": _l("Tanggal penerbitan"),
    "signatory_position": _l("Jabatan penanda tangan"),
    "signatory_name": _l("Nama penanda tangan"),
    "signatory_nip": _l("NIP penanda tangan"),
}
KIND_LABELS = {"course": _l("Pelatihan"), "programme": _l("Program pelatihan")}
STATUS_LABELS = {
    "valid": _l("Berlaku"),
    "revoked": _l("Dicabut"),
    "replaced": _l("Diganti"),
}


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute")


# One bucket per client for the page, the PDF and the JSON: alternating does not get around it.
verify_limit = limiter.shared_limit(_verify_limit, scope="certificate-verify")


def _number_limit() -> str:
    return current_app.config.get("VERIFY_NUMBER_RATE_LIMIT", "10 per minute")


def _proof_limit() -> str:
    return current_app.config.get("VERIFY_PROOF_RATE_LIMIT", "5 per hour")


def _looked_up() -> str:
    args = request.view_args or {}
    return str(args.get("value") or args.get("number") or args.get("token") or "")


def _by_token() -> bool:
    """Whether this request opens a certificate by its QR token (looked up once per request)."""
    value = _looked_up()
    cached = g.get("certificate_lookup")
    if cached is None or cached[0] != value:
        cached = (value, *verification.lookup(value))
        g.certificate_lookup = cached
    return cached[2]


def _no_proof_or_token() -> bool:
    proof_given = any((request.args.get(k) or "").strip() for k in ("nip", "tanggal_lahir"))
    return not proof_given or _by_token()


def _proof_key() -> str:
    return "certificate-proof:" + _looked_up().strip()[: verification.MAX_VALUE]


# Look-ups by anything but a token (numbers are sequential, so they could be walked): per client,
# like the login. Failed proofs (NIP or birth date) per certificate number, from any client, so
# guessing a holder's birth date from many machines is counted together.
number_limit = limiter.shared_limit(
    _number_limit, scope="certificate-number", exempt_when=_by_token
)
proof_limit = limiter.shared_limit(
    _proof_limit,
    scope="certificate-proof",
    key_func=_proof_key,
    exempt_when=_no_proof_or_token,
    deduct_when=lambda response: response.status_code == 403,
)


def printed_rows(fields: dict) -> list[tuple[str, str, str]]:
    """(key, label, value) for every printed field except the subjects, known ones in order."""
    rows = []
    for key, label in FIELD_LABELS.items():
        if key in fields:
            value = fields[key]
            if key == "kind":
                value = KIND_LABELS.get(value, value)
            elif key in ("nip", "signatory_nip") and str(value or "").isdigit():
                value = format_nip(str(value))  # grouped as on the certificate (not a masked one)
            rows.append((key, str(label), "" if value is None else str(value)))
    for key, value in fields.items():  # a field added later is still shown
        if key not in FIELD_LABELS and key != "subjects":
            rows.append((key, key.replace("_", " ").capitalize(), str(value)))
    return rows


def _absolute(endpoint: str, **values: object) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def pdf_filename(certificate: Certificate) -> str:
    nip = re.sub(r"[^0-9A-Za-z]", "", str(certificate.fields.get("nip", ""))) or "sertifikat"
    number = re.sub(r"[^0-9A-Za-z._-]", "-", certificate.number.replace("/", "-"))
    return f"{nip}_{number}.pdf"


def _pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF (rendered and stored now if it is not yet); commits what rendering stored."""
    from lms.certificates import render

    before = (certificate.pdf_key, certificate.pdf_sha256)
    data = render.ensure_pdf(certificate)
    if (certificate.pdf_key, certificate.pdf_sha256) != before:
        db.session.commit()
    return data


def _pdf_response(certificate: Certificate, inline: bool = False) -> Response:
    try:
        data = _pdf_bytes(certificate)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("certificate %s: PDF unavailable", certificate.id)
        abort(503)
    disposition = "inline" if inline else "attachment"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{pdf_filename(certificate)}"'
    )
    response.headers["Cache-Control"] = "no-store"  # inline too: it carries personal data
    return response


# --- public verification ---------------------------------------------------------------------


@bp.route("/verify")
@verify_limit
def verify_search():
    """The search form; ``?nomor=`` goes to that certificate's page."""
    value = request.args.get("nomor", "")
    if "nomor" in request.args:
        value = value.strip()
        if not value:
            error = _("Isi nomor sertifikat yang ingin diperiksa.")
        elif len(value) > 100:
            error = _("Nomor sertifikat terlalu panjang (paling banyak 100 karakter).")
        else:
            return redirect(url_for("certificates.verify", value=value))
        return render_template("certificates/verify_search.html", value=value, error=error), 400
    return render_template("certificates/verify_search.html", value="", error=None)


def _verify_page(value: str):
    certificate, by_token = verification.lookup(value)
    if certificate is None:
        return render_template("certificates/verify_missing.html", value=value[:100]), 404
    status = queries.public_status(certificate)
    context: dict = {
        "cert": certificate,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "replacement": certificate.replaced_by if certificate.status == "replaced" else None,
        "full": by_token,
        "subjects": [],  # the subjects list stays on the PDF
        "by_token": by_token,
        "proof_error": None,
        "proof_field": None,
        "nip": (request.args.get("nip") or "")[:40],
        "tanggal_lahir": (request.args.get("tanggal_lahir") or "")[:20],
    }
    code = 200
    if not by_token:
        try:
            proof = verification.read_proof(request.args)
        except verification.ProofError as exc:
            context.update(proof_error=str(exc), proof_field=exc.field)
            code = 400
        else:
            if proof.given and verification.proof_matches(certificate, proof):
                context["full"] = True
            elif proof.given:
                context.update(
                    proof_error=_("NIP atau tanggal lahir tidak cocok dengan sertifikat ini."),
                    proof_field="nip" if proof.nip else "tanggal_lahir",
                )
                code = 403
    if context["full"]:
        context["rows"] = [
            row for row in printed_rows(verification.public_fields(certificate.fields)) if row[2]
        ]
    if by_token:
        context["verify_url"] = _absolute("certificates.verify", value=certificate.token)
    return render_template("certificates/verify.html", **context), code


@bp.route("/verify/<path:value>")
@verify_limit
@number_limit
@proof_limit
def verify(value: str):
    return _verify_page(value)


@bp.route("/verify/<token>/pdf")
@verify_limit
@number_limit
@proof_limit
def verify_pdf(token: str):
    """The authentic PDF, from storage, by token only. Revoked ones too: the page states the status."""
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.token == token))
    if certificate is None:
        # A number may end in "/pdf" (e.g. ".../STTP/pdf"): show that certificate's page.
        return _verify_page(f"{token}/pdf")
    return _pdf_response(certificate, inline=True)


# --- the employee's certificates -------------------------------------------------------------


@bp.route("/sertifikat")
@require(C.LEARN)
def my_certificates():
    rows = queries.mine(current_user.employee_id) if current_user.employee_id else []
    return render_template(
        "certificates/mine.html",
        rows=rows,
        replacements=queries.replacement_numbers(rows),
        public_status=queries.public_status,
        status_labels=STATUS_LABELS,
    )


@bp.route("/sertifikat/<int:certificate_id>/pdf")
@require(C.LEARN, C.MANAGE_CERTIFICATES, C.VIEW_REPORTS)
def download(certificate_id: int):
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if not queries.may_download(current_user, certificate):
        refuse(certificate)  # a stranger learns nothing, not even that the certificate exists
    return _pdf_response(certificate)


@section(12)
def certificates_section(user):
    """The learner's latest valid certificates on the dashboard (one query)."""
    if user.employee_id is None:
        return None
    latest = queries.mine(user.employee_id, limit=3)
    if not latest:
        return None
    return "certificates/_dash_mine.html", {"certificates": latest}


# --- the HR register -------------------------------------------------------------------------


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
        status_labels={"issued": STATUS_LABELS["valid"], **STATUS_LABELS},
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


@bp.route("/kelola/sertifikat/<int:certificate_id>/cabut", methods=["POST"])
@require(C.MANAGE_CERTIFICATES)
def revoke(certificate_id: int):
    """Revoke the completion and its certificate (and write the revocation event)."""
    certificate = _managed(certificate_id)
    form = RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        return _detail(certificate, form, ReissueForm(prefix="reissue")), 400
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


# --- ZIP of a cohort -------------------------------------------------------------------------


class _ChunkWriter(io.RawIOBase):
    """A write-only, unseekable sink: zipfile writes into it, the generator drains it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def zip_stream(ids: list[int]) -> Iterator[bytes]:
    """Yield a ZIP of the certificates' PDFs, one PDF in memory at a time."""
    sink = _ChunkWriter()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate_id in ids:
            certificate = db.session.get(Certificate, certificate_id)
            if certificate is None:
                continue
            data = _pdf_bytes(certificate)
            issued = as_utc(certificate.issued_at)
            moment = max(issued, datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]
            info = zipfile.ZipInfo(pdf_filename(certificate), date_time=moment)
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
            db.session.expunge(certificate)
            del data
            yield sink.drain()
    yield sink.drain()


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


@bp.route("/kelola/sertifikat/seri", methods=["GET", "POST"])
@require(C.MANAGE_CERTIFICATES)
def series_settings():
    series = certificates.default_series()
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
        return redirect(url_for("certificates.series_settings"))
    example = certificates.format_number(series, 1, local_today().year)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "certificates/series.html", form=form, series=series, example=example
    ), status
