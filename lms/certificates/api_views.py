"""``GET /api/v1/certificates/<number or token>``: the verification page as JSON (public, limited).

By QR token: the verifier view (``view: "full"``): the public subset of the printed fields (NIP
masked), the status, the PDF's SHA-256 and two absolute links. By number: only ``number``,
``status`` and ``replaced_by`` (``view: "validity"``, the other keys null), unless ``?nip=`` (18 digits) or
``?tanggal_lahir=`` (YYYY-MM-DD) matches the holder, which gives the verifier view without the
token links. See ``lms/certificates/verification.py``.
"""

from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from lms.apikit import bp, error_response, json_content, openapi_part, schema_ref
from lms.certificates import queries, verification
from lms.certificates.verify_views import number_limit, proof_limit, verify_limit
from lms.db import iso_utc
from lms.errors import json_error

EXTRA_KEYS = (
    "view",
    "status",
    "revoked_at",
    "revoke_reason",
    "replaced_by",
    "sha256",
    "pdf_url",
    "verify_url",
)

# What each public field holds (the OpenAPI document, handed up through lms/apikit.py).
PUBLIC_FIELD_DOCS = {
    "number": "Certificate number",
    "issuer_parent": "The government the issuer belongs to",
    "issuer": "Issuing agency",
    "title": "Course or programme title",
    "kind": "course or programme",
    "cohort": "Cohort name (empty when none)",
    "start_date": "First day, Indonesian long date",
    "end_date": "Last day, Indonesian long date",
    "name": "Participant's name with titles",
    "nip": "Participant's NIP, masked: first four and last four digits (1994**********2953)",
    "jp": "Lesson hours in figures (decimal comma)",
    "jp_words": "Lesson hours in Indonesian words",
    "qualification": "Kualifikasi: a passing LAN band, or empty when none is printed",
    "organiser": "Who ran the training, beside the partner (only for a partner's course)",
    "partner": "The partner institution the training was run with (only for a partner's course)",
    "issue_date": "Date of issue, Indonesian long date",
    "signatory_position": "Signatory's position",
    "signatory_name": "Signatory's name",
}


@bp.route("/certificates/<path:number>")
@verify_limit
@number_limit
@proof_limit
def certificate(number: str):
    cert, by_token = verification.lookup(number)
    if cert is None:
        return json_error(
            404, _("Sertifikat dengan nomor %(n)s tidak ditemukan.", n=number[:100]), "not_found"
        )
    status = queries.public_status(cert)
    replaced_by = cert.replaced_by.number if cert.replaced_by is not None else None
    if not by_token:
        try:
            proof = verification.read_proof(request.args)
        except verification.ProofError as exc:
            return json_error(400, str(exc), "bad_request")
        if not proof.given:
            body = dict.fromkeys(EXTRA_KEYS)
            body.update(view="validity", number=cert.number, status=status, replaced_by=replaced_by)
            return jsonify(body)
        if not verification.proof_matches(cert, proof):
            return json_error(
                403,
                _("NIP atau tanggal lahir tidak cocok dengan sertifikat ini."),
                "proof_mismatch",
            )
    base = current_app.config["BASE_URL"].rstrip("/")
    body = verification.public_fields(cert.fields)
    body.update(
        view="full",
        status=status,
        revoked_at=iso_utc(cert.revoked_at) if status != "valid" else None,
        revoke_reason=(cert.revoke_reason or None) if status != "valid" else None,
        replaced_by=replaced_by,
        sha256=cert.pdf_sha256,
        pdf_url=base + url_for("certificates.verify_pdf", token=cert.token) if by_token else None,
        verify_url=base + url_for("certificates.verify", value=cert.token) if by_token else None,
    )
    return jsonify(body)


@openapi_part
def openapi() -> dict:
    """This route's part of the OpenAPI document."""
    return {
        "paths": {"/certificates/{number}": openapi_path()},
        "schemas": openapi_schemas(),
    }


def openapi_schemas() -> dict:
    """The ``Certificate`` schema of the OpenAPI document."""
    nullable_string = {"type": ["string", "null"]}
    fields = {
        name: {"type": "string", "description": text} for name, text in PUBLIC_FIELD_DOCS.items()
    }
    return {
        "Certificate": {
            "type": "object",
            "description": (
                "By QR token, or by number with a matching `nip` or `tanggal_lahir`: the verifier "
                "view (`view: full`), the fields a verifier needs and no more. By number alone: "
                "`view: validity` with only `number`, `status` and `replaced_by` filled in."
            ),
            "required": ["number", *EXTRA_KEYS],
            "properties": {
                "view": {"type": "string", "enum": ["full", "validity"]},
                **fields,
                "status": {
                    "type": "string",
                    "enum": ["valid", "revoked", "replaced"],
                    "description": (
                        "Named on every screen and export as: valid = Berlaku, revoked = Dicabut, "
                        "replaced = Diganti"
                    ),
                },
                "revoked_at": {**nullable_string, "format": "date-time"},
                "revoke_reason": nullable_string,
                "replaced_by": {
                    **nullable_string,
                    "description": "The newer certificate number when replaced",
                },
                "sha256": {
                    **nullable_string,
                    "description": "SHA-256 of the stored PDF (null until rendered)",
                },
                "pdf_url": {
                    **nullable_string,
                    "format": "uri",
                    "description": "The PDF; only when opened by QR token",
                },
                "verify_url": {
                    **nullable_string,
                    "format": "uri",
                    "description": "The verification page; only when opened by QR token",
                },
            },
        }
    }


def openapi_path() -> dict:
    """The ``/certificates/{number}`` path item."""
    return {
        "get": {
            "summary": "Verify a certificate by QR token, or by number (public, rate-limited)",
            "parameters": [
                {
                    "name": "number",
                    "in": "path",
                    "required": True,
                    "description": "The QR token, or the certificate number as printed",
                    "schema": {"type": "string"},
                },
                {
                    "name": "nip",
                    "in": "query",
                    "required": False,
                    "description": "With a number: the holder's full NIP (18 digits)",
                    "schema": {"type": "string"},
                },
                {
                    "name": "tanggal_lahir",
                    "in": "query",
                    "required": False,
                    "description": "With a number: the holder's date of birth",
                    "schema": {"type": "string", "format": "date"},
                },
            ],
            "responses": {
                "200": {
                    "description": "The certificate",
                    "content": json_content(schema_ref("Certificate")),
                },
                "400": error_response("Malformed `nip` or `tanggal_lahir`"),
                "403": error_response("`nip` or `tanggal_lahir` does not match (proof_mismatch)"),
                "404": error_response("Unknown number or token"),
                "429": error_response("Too many look-ups by number, or failed proofs"),
            },
        }
    }
