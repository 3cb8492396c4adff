"""Enrolments with their state machine, approvals and lesson progress (programmes and cohorts:
``lms.enrolments.cohorts.models``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee

if TYPE_CHECKING:
    from lms.enrolments.cohorts.models import CohortMember

ENROLMENT_STATES = ("nominated", "waitlisted", "active", "completed", "withdrawn", "rejected")
ENROLMENT_SOURCES = ("self", "nomination", "bulk", "cohort")
DECISIONS = ("pending", "approved", "rejected")


class Enrolment(TimestampMixin, db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("course_id", "employee_id"),
        CheckConstraint(in_values("status", ENROLMENT_STATES), name="status"),
        CheckConstraint(in_values("source", ENROLMENT_SOURCES), name="source"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        Index("ix_enrolments_course_status", "course_id", "status"),
        Index("ix_enrolments_employee_status", "employee_id", "status"),
        # Issue 19: the enrolments report's pages walk these (newest first, optionally by
        # status) instead of sorting every enrolment; updated_at is its cache stamp.
        Index("ix_enrolments_requested_at", "requested_at", "id"),
        Index("ix_enrolments_status_requested_at", "status", "requested_at", "id"),
        Index("ix_enrolments_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="self")
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(default=0)  # percent of lessons done
    last_lesson_key: Mapped[str | None] = mapped_column(String(32))
    last_seen_at: Mapped[datetime | None]

    employee: Mapped[Employee] = relationship()
    course = relationship("Course")
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="enrolment", order_by="Approval.position", cascade="all, delete-orphan"
    )


class Approval(db.Model):
    """One step of a nomination: the direct supervisor, then HR (configurable per course)."""

    __tablename__ = "approvals"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "step"),
        UniqueConstraint("cohort_member_id", "step"),
        CheckConstraint("(enrolment_id IS NULL) <> (cohort_member_id IS NULL)", name="one_subject"),
        CheckConstraint(in_values("step", ("supervisor", "hr")), name="step"),
        CheckConstraint(in_values("decision", DECISIONS), name="decision"),
        # Issue 19: the HR queues (course nominations and cohort members) count the pending
        # steps of one kind from this, not from every approval ever decided.
        Index("ix_approvals_step_decision", "step", "decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    cohort_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohort_members.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    decision: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    enrolment: Mapped[Enrolment | None] = relationship(back_populates="approvals")
    cohort_member: Mapped[CohortMember | None] = relationship(back_populates="approvals")


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    lesson_key: Mapped[str] = mapped_column(String(32))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
