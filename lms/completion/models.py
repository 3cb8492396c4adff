"""Completion records and the outbox.

A ``Completion`` is the fact everyone downstream cares about (certificate, learning record, JP
ledger, appraisal evidence, SIASN, webhooks). It keeps a snapshot of who the employee was and what
the course was at that moment, so later changes of rank, position or course content never rewrite
history. At most one *valid* completion exists per employee and course (or programme): a partial
unique index decides races, and a revoked completion stays as history beside a newer valid one.

Every completion and revocation writes an ``OutboxEvent`` in the same transaction; consumers read
events in ``seq`` order and de-duplicate by ``event_id``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee

COMPLETION_SOURCES = ("online", "classroom", "programme", "import")
COMPLETION_STATES = ("valid", "revoked")
#: One name per state on every screen and export (a valid record and its certificate: "Berlaku").
COMPLETION_STATE_LABELS = {"valid": _l("Berlaku"), "revoked": _l("Dicabut")}
EVENT_TYPES = ("completion.created", "completion.revoked")


def new_event_id() -> str:
    return str(uuid.uuid4())


class Completion(TimestampMixin, db.Model):
    __tablename__ = "completions"
    __table_args__ = (
        CheckConstraint(in_values("source", COMPLETION_SOURCES), name="source"),
        CheckConstraint(in_values("status", COMPLETION_STATES), name="status"),
        CheckConstraint("(course_id IS NULL) <> (programme_id IS NULL)", name="one_subject"),
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND revoke_reason <> '')",
            name="revoked_has_reason",
        ),
        Index(
            "uq_completions_valid_course",
            "employee_id",
            "course_id",
            unique=True,
            sqlite_where=text("status = 'valid' AND course_id IS NOT NULL"),
            postgresql_where=text("status = 'valid' AND course_id IS NOT NULL"),
        ),
        Index(
            "uq_completions_valid_programme",
            "employee_id",
            "programme_id",
            unique=True,
            sqlite_where=text("status = 'valid' AND programme_id IS NOT NULL"),
            postgresql_where=text("status = 'valid' AND programme_id IS NOT NULL"),
        ),
        Index("ix_completions_completed_at", "completed_at"),
        # Issue 19: the completions report's pages (valid ones, newest first) walk this.
        Index("ix_completions_status_completed_at", "status", "completed_at", "id"),
        Index("ix_completions_course_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(20), default="online")
    status: Mapped[str] = mapped_column(String(20), default="valid")
    started_on: Mapped[date | None]
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The year the JP counts in (the year of completion, in the agency's time zone).
    year: Mapped[int] = mapped_column(index=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    competency_kind: Mapped[str] = mapped_column(String(20), default="teknis")
    jenis_diklat_code: Mapped[int | None] = mapped_column(ForeignKey("jenis_diklat.code"))
    code: Mapped[str] = mapped_column(String(40))  # course or programme code, as it was
    title: Mapped[str] = mapped_column(String(200))  # snapshot
    organiser: Mapped[str] = mapped_column(String(200), default="")
    # Who the employee was at completion: name, NIP, birth, rank, position, unit, OPD, instansi.
    identity: Mapped[dict] = mapped_column(JSON, default=dict)
    # OPD (top-level unit) at completion, for reports that must not move with transfers.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    employee: Mapped[Employee] = relationship()
    course = relationship("Course")
    programme = relationship("Programme")
    cohort = relationship("Cohort")


class OutboxEvent(db.Model):
    """An event written in the transaction that made it true; ``seq`` orders the feed."""

    __tablename__ = "outbox_events"
    __table_args__ = (CheckConstraint(in_values("type", EVENT_TYPES), name="type"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_event_id)
    type: Mapped[str] = mapped_column(String(40))
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    completion: Mapped[Completion] = relationship()


class ConsumerState(db.Model):
    """How far one consumer of the outbox has read (``seq``)."""

    __tablename__ = "outbox_consumers"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedEvent(db.Model):
    """One row per consumer and event handled: the de-duplication by event id."""

    __tablename__ = "outbox_processed"
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(36))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
