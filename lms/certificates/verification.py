"""What the public may learn about a certificate, and how (UU 27/2022 on personal data).

Three views, from the same frozen ``fields``:

- **by token** (the QR code and every link the system prints): the verifier view, i.e. what a
  verifier needs and no more: name, masked NIP, course, dates, JP, kualifikasi, issuer, status and
  the PDF's SHA-256, plus the PDF itself (whoever holds the token holds the paper certificate).
- **by number plus proof** (the holder's full NIP or date of birth, compared in constant time): the
  same verifier view without the token, so neither the PDF nor the QR address.
- **by number alone**: validity only (valid, revoked, replaced). Numbers are sequential, so they
  must not open anything more; number look-ups are rate-limited per client and failed proofs per
  number (``lms/certificates/verify_views.py``).

The PDF still prints every field: it is the holder's document. Only the public page and API shrink.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.indonesian import local_today

# The printed fields a verifier sees, in the order of the certificate. Not shown: birth place and
# date, rank, position, unit, department, the holder's agency, score, subjects, the signatory's NIP.
PUBLIC_KEYS = (
    "document",
    "number",
    "issuer_parent",
    "issuer",
    "title",
    "kind",
    "cohort",
    "start_date",
    "end_date",
    "name",
    "nip",
    "jp",
    "jp_words",
    "qualification",
    "organiser",
    "partner",
    "co_organiser",
    "issue_date",
    "signatory_position",
    "signatory_name",
)
MAX_VALUE = 100


def mask_nip(nip: str) -> str:
    """``199403122019032953`` → ``1994**********2953``: enough to tell two holders apart."""
    digits = "".join(str(nip or "").split())
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def public_fields(fields: Mapping) -> dict:
    """The verifier's subset of the printed fields, the NIP masked."""
    out = {key: fields[key] for key in PUBLIC_KEYS if key in fields}
    if out.get("nip"):
        out["nip"] = mask_nip(out["nip"])
    return out


def lookup(value: str) -> tuple[Certificate | None, bool]:
    """(certificate, found by its token?) for what the verifier typed or scanned."""
    value = (value or "").strip()
    if not value or len(value) > MAX_VALUE:
        return None, False
    certificate = db.session.scalar(select(Certificate).where(Certificate.token == value))
    if certificate is not None:
        return certificate, True
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == value))
    return certificate, False


class ProofError(ValueError):
    """A malformed proof; ``field`` names the query parameter, the message is for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Proof:
    nip: str = ""
    birth_date: date | None = None

    @property
    def given(self) -> bool:
        return bool(self.nip) or self.birth_date is not None


_DATE_FORMATS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
)


def parse_birth_date(raw: str, today: date | None = None) -> date:
    """``YYYY-MM-DD`` (a date input) or ``DD-MM-YYYY`` / ``DD/MM/YYYY`` (typed by hand)."""
    text = raw.strip()
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
            if day.year < 1900 or day > (today or local_today()):
                break
            return day
    raise ProofError(
        "tanggal_lahir",
        _("Tanggal lahir tidak valid: tulis sebagai TTTT-BB-HH, misalnya 1994-03-12."),
    )


def read_proof(args: Mapping[str, str]) -> Proof:
    """The proof in a query string (``nip``, ``tanggal_lahir``); empty parameters are ignored."""
    raw_nip = (args.get("nip") or "").strip()
    raw_date = (args.get("tanggal_lahir") or "").strip()
    nip = "".join(raw_nip.split())
    if nip and (len(nip) != 18 or not (nip.isascii() and nip.isdigit())):
        raise ProofError("nip", _("NIP harus 18 angka (spasi boleh)."))
    return Proof(nip, parse_birth_date(raw_date) if raw_date else None)


def _same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def proof_matches(certificate: Certificate, proof: Proof) -> bool:
    """Every part of the proof that was given matches the holder (constant-time comparisons)."""
    if not proof.given:
        return False
    ok = True
    if proof.nip:
        ok &= _same(proof.nip, "".join(str(certificate.fields.get("nip") or "").split()))
    if proof.birth_date is not None:
        completion = certificate.completion
        identity = (completion.identity if completion is not None else None) or {}
        ok &= _same(proof.birth_date.isoformat(), str(identity.get("birth_date") or ""))
    return ok
