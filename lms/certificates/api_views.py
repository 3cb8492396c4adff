"""``GET /api/v1/certificates/<number>``: the verification page as JSON (public, rate-limited).

The body is the printed fields exactly as frozen at issue, plus the status, the PDF's SHA-256 and
two absolute links. Nothing else: no e-mail, no internal ids.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, url_for
from flask_babel import gettext as _

from lms.api import bp
from lms.certificates import queries
from lms.certificates import services as certificates
from lms.certificates.views import verify_limit
from lms.errors import json_error

EXTRA_KEYS = (
    "status",
    "revoked_at",
    "revoke_reason",
    "replaced_by",
    "sha256",
    "pdf_url",
    "verify_url",
)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


@bp.route("/certificates/<path:number>")
@verify_limit
def certificate(number: str):  # noqa: ANN201
    cert = certificates.find_by_number_or_token(number)
    if cert is None:
        return json_error(
            404, _("Sertifikat dengan nomor %(n)s tidak ditemukan.", n=number[:100]), "not_found"
        )
    base = current_app.config["BASE_URL"].rstrip("/")
    status = queries.public_status(cert)
    body = {key: value for key, value in cert.fields.items() if key not in EXTRA_KEYS}
    body.update(
        status=status,
        revoked_at=_iso(cert.revoked_at) if status != "valid" else None,
        revoke_reason=(cert.revoke_reason or None) if status != "valid" else None,
        replaced_by=cert.replaced_by.number if cert.replaced_by is not None else None,
        sha256=cert.pdf_sha256,
        pdf_url=base + url_for("certificates.verify_pdf", token=cert.token),
        verify_url=base + url_for("certificates.verify", value=cert.token),
    )
    return jsonify(body)
