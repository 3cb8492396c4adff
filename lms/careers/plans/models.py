"""The development plan (rencana pengembangan kompetensi): one per employee and year.

The employee drafts needs (a competency gap and why) and planned activities (a catalogue course,
a cohort, or another form of development); the direct supervisor agrees the plan or returns it
with comments. An activity linked to a course ticks itself when that course completes (the
``development_plan`` outbox consumer sets ``done_at`` and ``completion_id``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import COMPETENCY_KINDS
from lms.db import TimestampMixin, in_values
from lms.extensions import db
from lms.org.models import Employee

PLAN_STATES = ("draft", "submitted", "agreed", "returned")
NEED_REASONS = ("skp_result", "new_position", "career", "other")
ACTIVITY_KINDS = ("course", "cohort", "other")


class DevelopmentPlan(TimestampMixin, db.Model):
    __tablename__ = "development_plans"
    __table_args__ = (
        UniqueConstraint("employee_id", "year"),
        CheckConstraint(in_values("status", PLAN_STATES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    supervisor_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    agreed_at: Mapped[datetime | None]
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    employee: Mapped[Employee] = relationship()
    needs: Mapped[list[PlanNeed]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanNeed.id"
    )
    activities: Mapped[list[PlanActivity]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanActivity.id"
    )

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "returned")


class PlanNeed(db.Model):
    """A competency to develop: where the employee is, where they should be (1–5), and why."""

    __tablename__ = "plan_needs"
    __table_args__ = (
        CheckConstraint(in_values("kind", COMPETENCY_KINDS), name="kind"),
        CheckConstraint(in_values("reason", NEED_REASONS), name="reason"),
        CheckConstraint("current_level BETWEEN 1 AND 5", name="current_level_range"),
        CheckConstraint("target_level BETWEEN 1 AND 5", name="target_level_range"),
        CheckConstraint("target_level >= current_level", name="target_not_below_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("development_plans.id", ondelete="CASCADE"), index=True
    )
    competency: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="teknis")
    current_level: Mapped[int] = mapped_column(default=1)
    target_level: Mapped[int] = mapped_column(default=2)
    reason: Mapped[str] = mapped_column(String(20), default="other")
    note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="needs")


class PlanActivity(db.Model):
    """A planned activity; ``done_at`` is set when the linked course (or cohort) completes."""

    __tablename__ = "plan_activities"
    __table_args__ = (
        CheckConstraint(in_values("kind", ACTIVITY_KINDS), name="kind"),
        CheckConstraint("target_jp > 0", name="target_jp_positive"),
        CheckConstraint("kind <> 'course' OR course_id IS NOT NULL", name="course_has_course"),
        CheckConstraint("kind <> 'cohort' OR cohort_id IS NOT NULL", name="cohort_has_cohort"),
        CheckConstraint("kind <> 'other' OR other_text <> ''", name="other_has_text"),
        Index("ix_plan_activities_course_open", "course_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("development_plans.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(ForeignKey("plan_needs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    other_text: Mapped[str] = mapped_column(String(300), default="")
    jenis_diklat_code: Mapped[int | None] = mapped_column(ForeignKey("jenis_diklat.code"))
    target_jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    deadline: Mapped[date | None]
    done_at: Mapped[datetime | None]
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id"), index=True)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="activities")
    need: Mapped[PlanNeed | None] = relationship()
    course = relationship("Course")
    cohort = relationship("Cohort")
    jenis_diklat = relationship("JenisDiklat")
