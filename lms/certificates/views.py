"""The employee's certificates: the list, the PDF download and the dashboard section.

Public verification is in ``verify_views.py``, the HR register and the series settings in
``admin_views.py``.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, url_for
from flask_login import current_user

from lms.certificates import bp, queries
from lms.certificates.display import STATUS_LABELS
from lms.certificates.downloads import pdf_response
from lms.certificates.models import Certificate
from lms.dashboard import LEARNING, section
from lms.extensions import db
from lms.permissions import Capability, refuse, require

C = Capability


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


def _downloadable(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if not queries.may_download(current_user, certificate):
        refuse(certificate)  # a stranger learns nothing, not even that the certificate exists
    return certificate


@bp.route("/sertifikat/<int:certificate_id>/pdf")
@require(C.LEARN, C.MANAGE_CERTIFICATES, C.VIEW_REPORTS)
def download(certificate_id: int):
    """The PDF; one not rendered yet (its task still queued) is rendered now (``ensure_pdf``)."""
    return pdf_response(_downloadable(certificate_id))


@bp.route("/sertifikat/<int:certificate_id>/status")
@require(C.LEARN, C.MANAGE_CERTIFICATES, C.VIEW_REPORTS)
def pdf_status(certificate_id: int):
    """Whether the PDF is stored yet: polled by ``js/certificate-status.js`` while it is made."""
    certificate = _downloadable(certificate_id)
    response = jsonify(
        {
            "id": certificate.id,
            "status": queries.pdf_state(certificate),
            "download_url": url_for("certificates.download", certificate_id=certificate.id),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _certificate_tokens(user) -> tuple | None:
    return None if user.employee_id is None else (queries.MINE.token(user.employee_id),)


@section(20, part=LEARNING, wide=True, keep=_certificate_tokens)
def certificates_section(user):
    """The learner's latest valid certificates on the dashboard (kept per employee)."""
    if user.employee_id is None:
        return None
    latest = queries.latest_mine(user.employee_id, limit=3)
    if not latest:
        return None
    return "certificates/_dash_mine.html", {"certificates": latest}
