"""Certificate series (numbering, issuer, signatory) and issued certificates.

A certificate's printed fields are frozen in ``fields`` when it is issued: the PDF, the verify page
and the JSON all read that one snapshot, so they can never disagree, and a later change of the
employee's rank or the course title does not rewrite an issued certificate. Revoking keeps the row;
re-issuing creates a new number and marks the old one ``replaced`` with a link to the new one.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db

CERTIFICATE_STATES = ("issued", "revoked", "replaced")
#: One name per state on every screen, export and verification page: an issued certificate that
#: still holds is "Berlaku" (the public status ``valid``), never "Sah" or "Terbit".
CERTIFICATE_STATE_LABELS = {
    "issued": _l("Berlaku"),
    "revoked": _l("Dicabut"),
    "replaced": _l("Diganti"),
}

#: The place printed for online learning: the statement then reads "secara daring" (never
#: "di Daring"). Certificates issued before say "Daring (e-learning)"; they read the same way.
ONLINE_PLACE = "Daring"
_ONLINE_PLACES = {"daring", "daring (e-learning)", "e-learning", "online"}


def is_online_place(place: str | None) -> bool:
    """Whether a printed place means online learning rather than a venue."""
    return (place or "").strip().casefold() in _ONLINE_PLACES


def new_token() -> str:
    return secrets.token_urlsafe(16)


class CertificateSeries(TimestampMixin, db.Model):
    """A numbering series and who issues and signs under it (all data, nothing hard-wired)."""

    __tablename__ = "certificate_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Python format with {seq}, {prefix} and {year}, e.g. "{seq:04d}/{prefix}/BKPSDM/{year}".
    number_format: Mapped[str] = mapped_column(String(100), default="{seq:04d}/{prefix}/{year}")
    prefix: Mapped[str] = mapped_column(String(40), default="STTP")
    is_default: Mapped[bool] = mapped_column(default=False)
    issuer_name: Mapped[str] = mapped_column(String(300), default="")
    issuer_parent: Mapped[str] = mapped_column(String(300), default="")  # e.g. Pemerintah Kota ...
    place_of_issue: Mapped[str] = mapped_column(String(100), default="")
    signatory_name: Mapped[str] = mapped_column(String(150), default="")
    signatory_position: Mapped[str] = mapped_column(String(200), default="")
    signatory_nip: Mapped[str] = mapped_column(String(18), default="")
    # Printed under the name, as Indonesian signature blocks do: "Pembina Utama Muda (IV/c)".
    signatory_pangkat: Mapped[str] = mapped_column(String(100), default="", server_default="")
    signature_key: Mapped[str | None] = mapped_column(String(200))  # storage key of a PNG
    logo_key: Mapped[str | None] = mapped_column(String(200))  # storage key of a PNG/SVG


class CertificateCounter(db.Model):
    """The last number used per series and year; bumped atomically with an upsert."""

    __tablename__ = "certificate_counters"

    series_id: Mapped[int] = mapped_column(ForeignKey("certificate_series.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(default=0)


class Certificate(TimestampMixin, db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("series_id", "year", "seq"),
        CheckConstraint(in_values("status", CERTIFICATE_STATES), name="status"),
        CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND revoke_reason <> '')",
            name="revoked_has_reason",
        ),
        Index(
            "uq_certificates_issued_completion",
            "completion_id",
            unique=True,
            sqlite_where=text("status = 'issued'"),
            postgresql_where=text("status = 'issued'"),
        ),
        # Issue 19: the BKPSDM dashboard counts this year's issued certificates from a range.
        Index("ix_certificates_status_issued_at", "status", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("certificate_series.id"))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(100), unique=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    status: Mapped[str] = mapped_column(String(20), default="issued")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    # Every printed field, frozen at issue (see lms/certificates/services.py:printed_fields).
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    rendered_at: Mapped[datetime | None]
    render_error: Mapped[str] = mapped_column(Text, default="")

    completion = relationship("Completion")
    series: Mapped[CertificateSeries] = relationship()
    replaced_by: Mapped[Certificate | None] = relationship(remote_side="Certificate.id")
