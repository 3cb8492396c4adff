"""Public verification: the search form, a certificate's page and its authentic PDF.

Verification is public and rate-limited. The QR token opens the verifier view (a subset of the
printed fields frozen in ``Certificate.fields``, the NIP masked, plus the status and the PDF's
SHA-256); a typed number opens only the validity unless the holder's NIP or date of birth is given
too (``lms/certificates/verification.py`` says why and what).
"""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.certificates import bp, queries, verification
from lms.certificates.display import STATUS_LABELS, printed_rows
from lms.certificates.downloads import pdf_response
from lms.certificates.models import Certificate
from lms.extensions import db, limiter


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


def _absolute(endpoint: str, **values: object) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


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


def _check_proof(certificate: Certificate, context: dict) -> int:
    """Check the NIP or birth date given with a typed number; open the full view if it matches.

    Returns the status code: 400 for an unreadable proof, 403 for one that does not match.
    """
    try:
        proof = verification.read_proof(request.args)
    except verification.ProofError as exc:
        context.update(proof_error=str(exc), proof_field=exc.field)
        return 400
    if proof.given and verification.proof_matches(certificate, proof):
        context["full"] = True
    elif proof.given:
        context.update(
            proof_error=_("NIP atau tanggal lahir tidak cocok dengan sertifikat ini."),
            proof_field="nip" if proof.nip else "tanggal_lahir",
        )
        return 403
    return 200


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
    code = 200 if by_token else _check_proof(certificate, context)
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
    return pdf_response(certificate, inline=True)
