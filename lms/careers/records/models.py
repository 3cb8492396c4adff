"""The learning record (riwayat pengembangan kompetensi): the source of truth of the JP ledger.

Completions arrive from the outbox (``source = 'completion'``, verified at once); employees add
learning done elsewhere (``source = 'outside'``), which counts only once the OPD or BKPSDM has
verified it; a non-classroom session (coaching, mentoring, ...) confirmed per its form's rule
becomes a verified record of its own (``source = 'session'``, ``lms.careers.sessions``). A revoked
completion turns its record ``removed``; nothing is deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values
from lms.extensions import db
from lms.org.models import Employee

RECORD_SOURCES = ("completion", "outside", "import", "session")
RECORD_STATES = ("pending", "verified", "rejected", "removed")
SIASN_STATES = ("not_sent", "sent", "failed")


class LearningRecord(TimestampMixin, db.Model):
    __tablename__ = "learning_records"
    __table_args__ = (
        CheckConstraint(in_values("source", RECORD_SOURCES), name="source"),
        CheckConstraint(in_values("status", RECORD_STATES), name="status"),
        CheckConstraint(in_values("siasn_status", SIASN_STATES), name="siasn_status"),
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("status <> 'rejected' OR review_reason <> ''", name="rejected_has_reason"),
        Index("ix_learning_records_year_status", "year", "status"),
        Index("ix_learning_records_employee_year", "employee_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # For records fed by the outbox: the completion and the event that created the record.
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id"), unique=True)
    event_id: Mapped[str | None] = mapped_column(String(36))
    jenis_diklat_code: Mapped[int | None] = mapped_column(ForeignKey("jenis_diklat.code"))
    competency_kind: Mapped[str] = mapped_column(String(20), default="teknis")
    # "diklat" (structural: leadership programmes) or "kursus" (everything else), as SIASN.
    siasn_type: Mapped[str] = mapped_column(String(10), default="kursus")
    name: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    year: Mapped[int]  # the year of completion (ends_on), when the JP counts
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    certificate_number: Mapped[str] = mapped_column(String(100), default="")
    evidence_key: Mapped[str | None] = mapped_column(String(200))
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str] = mapped_column(Text, default="")
    siasn_status: Mapped[str] = mapped_column(String(20), default="not_sent")
    siasn_message: Mapped[str] = mapped_column(Text, default="")
    siasn_updated_at: Mapped[datetime | None]

    employee: Mapped[Employee] = relationship()
