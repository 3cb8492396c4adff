"""Enrolments with their state machine, approvals, programmes and cohorts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee

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


class Programme(TimestampMixin, db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    jenis_diklat_code: Mapped[int | None] = mapped_column(ForeignKey("jenis_diklat.code"))
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)

    courses: Mapped[list[ProgrammeCourse]] = relationship(
        order_by="ProgrammeCourse.position", cascade="all, delete-orphan"
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="programme", order_by="Cohort.starts_on"
    )


class ProgrammeCourse(db.Model):
    __tablename__ = "programme_courses"
    __table_args__ = (UniqueConstraint("programme_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    position: Mapped[int] = mapped_column(default=0)

    course = relationship("Course")


class Cohort(TimestampMixin, db.Model):
    """An angkatan of a programme: dates, quota, eligibility, phases and participants."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("quota IS NULL OR quota > 0", name="quota_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    enrol_deadline: Mapped[date | None]
    quota: Mapped[int | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    approval_steps: Mapped[str] = mapped_column(String(30), default="supervisor,hr")
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)

    programme: Mapped[Programme] = relationship(back_populates="cohorts")
    phases: Mapped[list[CohortPhase]] = relationship(
        order_by="CohortPhase.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[CohortMember]] = relationship(back_populates="cohort")


class CohortPhase(db.Model):
    __tablename__ = "cohort_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]


class CohortMember(TimestampMixin, db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (
        UniqueConstraint("cohort_id", "employee_id"),
        CheckConstraint(in_values("status", ENROLMENT_STATES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="nomination")
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cohort: Mapped[Cohort] = relationship(back_populates="members")
    employee: Mapped[Employee] = relationship()
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="cohort_member", order_by="Approval.position", cascade="all, delete-orphan"
    )
