"""Programmes (ordered courses) and their cohorts (angkatan): dates, phases, quota, eligibility and
participants. Tables as before the move; a participant's approvals are ``Approval`` rows of
``lms.enrolments.models`` shared with plain enrolment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values
from lms.enrolments.models import ENROLMENT_STATES, Approval
from lms.extensions import db
from lms.org.models import Employee


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
