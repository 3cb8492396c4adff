"""Non-classroom learning sessions and the supervisor's coaching plans.

A ``LearningSession`` is one sitting of a non-classroom form (coaching, mentoring, on-the-job
learning, secondment, benchmarking, ...: SIASN jenis diklat 14-25) logged by the employee or by
their coach: date, minutes, topic, what was agreed, an evidence file. It waits (``submitted``)
until someone the form's rule allows confirms it or returns it with a reason; a returned session
may be corrected and submitted again, or withdrawn. Confirming fixes the recognised JP
(``lms.careers.sessions.rules.recognise``) and, when they are above 0, writes one verified
learning record (``record_id``), through which the session reaches the JP ledger and the SIASN
export like any verified learning.

A ``CoachingPlan`` is what a supervisor opens for a direct report after a low SKP predikat
(``lms.careers.skp.services.LOW_PREDIKATS``): goals, the number of sessions planned, the coach, a
review date, follow-up notes (``CoachingNote``); sessions are logged against it and its progress
is the confirmed sessions against the plan. One open plan per employee at a time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.careers.records.models import LearningRecord
from lms.community.models import Community
from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee

SESSION_STATES = ("submitted", "confirmed", "returned", "withdrawn")
CONFIRMED_AS = ("supervisor", "coach", "hr", "moderator")
PLAN_STATES = ("open", "closed")
MINUTES_MAX = 720  # one sitting of at most 12 hours; a longer activity is logged per day


class CoachingPlan(TimestampMixin, db.Model):
    __tablename__ = "coaching_plans"
    __table_args__ = (
        CheckConstraint(in_values("status", PLAN_STATES), name="status"),
        CheckConstraint("sessions_planned BETWEEN 1 AND 52", name="sessions_planned"),
        CheckConstraint("review_on >= starts_on", name="dates_ordered"),
        CheckConstraint(
            "status <> 'closed' OR (closed_at IS NOT NULL AND outcome <> '')",
            name="closed_has_outcome",
        ),
        # One open plan per employee: a second one would split the sessions and the follow-up.
        Index(
            "uq_coaching_plans_open_employee",
            "employee_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # The supervisor who opened it (an employee) and their account.
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The low evaluation it answers, and its predikat and label as they were (a snapshot).
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("skp_evaluations.id"))
    predikat: Mapped[str] = mapped_column(String(20))
    evaluation_label: Mapped[str] = mapped_column(String(40), default="")
    form_code: Mapped[int] = mapped_column(ForeignKey("jenis_diklat.code"))
    coach_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    coach_name: Mapped[str] = mapped_column(String(200), default="")
    goals: Mapped[str] = mapped_column(Text)
    sessions_planned: Mapped[int]
    starts_on: Mapped[date]
    review_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="open")
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    supervisor: Mapped[Employee] = relationship(foreign_keys=[supervisor_id])
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_user_id])
    notes: Mapped[list[CoachingNote]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="CoachingNote.id.desc()"
    )


class CoachingNote(db.Model):
    """A follow-up note on a coaching plan (the supervisor's or the coach's)."""

    __tablename__ = "coaching_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_plans.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[CoachingPlan] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class LearningSession(TimestampMixin, db.Model):
    __tablename__ = "learning_sessions"
    __table_args__ = (
        CheckConstraint(in_values("status", SESSION_STATES), name="status"),
        CheckConstraint(f"minutes BETWEEN 1 AND {MINUTES_MAX}", name="minutes"),
        CheckConstraint(
            "decided_as IS NULL OR " + in_values("decided_as", CONFIRMED_AS), name="decided_as"
        ),
        # Confirmed ⇔ its JP are fixed (0 when a cap left nothing); returned ⇒ a reason.
        CheckConstraint(
            "(status = 'confirmed') = (recognised_jp IS NOT NULL)", name="confirmed_has_jp"
        ),
        CheckConstraint("recognised_jp IS NULL OR recognised_jp >= 0", name="jp_not_negative"),
        CheckConstraint("status <> 'returned' OR return_reason <> ''", name="returned_has_reason"),
        CheckConstraint("record_id IS NULL OR status = 'confirmed'", name="record_when_confirmed"),
        CheckConstraint(
            "(community_id IS NULL) = (community_posts IS NULL) AND "
            "(community_posts IS NULL OR community_posts > 0)",
            name="community_claim_has_posts",
        ),
        # The caps read the JP of one employee's form on a day and in a year.
        Index("ix_learning_sessions_employee_form_day", "employee_id", "form_code", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    form_code: Mapped[int] = mapped_column(ForeignKey("jenis_diklat.code"))
    held_on: Mapped[date]
    minutes: Mapped[int]
    topic: Mapped[str] = mapped_column(String(300))
    agreed: Mapped[str] = mapped_column(Text, default="")  # what was agreed, the follow-up
    competency_kind: Mapped[str] = mapped_column(String(20), default="teknis")
    # The coach or mentor: an account (who may confirm, when the form says so) or a name only.
    coach_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    coach_name: Mapped[str] = mapped_column(String(200), default="")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("coaching_plans.id"), index=True)
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    evidence_key: Mapped[str | None] = mapped_column(String(200))
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_as: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    recognised_jp: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    # Which cap cut the JP at confirmation ("day", "year") or "" when none did.
    limited_by: Mapped[str] = mapped_column(String(10), default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("learning_records.id"), unique=True)
    # A claim for taking part in a community of practice (form 23) for a month: the community,
    # whose moderators may confirm, and the shown posts counted as evidence when it was claimed.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    community_posts: Mapped[int | None]

    employee: Mapped[Employee] = relationship()
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_user_id])
    logged_by: Mapped[User] = relationship(foreign_keys=[logged_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    plan: Mapped[CoachingPlan | None] = relationship()
    record: Mapped[LearningRecord | None] = relationship()
    community: Mapped[Community | None] = relationship()

    @property
    def open(self) -> bool:
        """Still the logger's to change: waiting for a decision, or returned."""
        return self.status in ("submitted", "returned")
