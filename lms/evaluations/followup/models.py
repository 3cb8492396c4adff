"""Post-training evaluation (evaluasi pascapelatihan, Kirkpatrick level 3).

A ``Followup`` is scheduled for each completion of a course or programme (the ``post_training``
outbox consumer of ``lms.completion.followups`` hands over the facts): ``months`` after the
completion's local day the questionnaire opens (``due_on``) for the alumnus and for their direct
supervisor, and closes ``CLOSE_AFTER_DAYS`` later (``closes_on``). Each side answers once
(``FollowupAnswer``, unique per follow-up and role); each invitation or reminder sent is a
``FollowupNotice`` row, unique per follow-up, role and kind, so running the daily job twice (or two
runners at once) never tells anyone twice. How many months, and whether a subject is followed up at
all, is a ``FollowupSetting`` per course or programme (none: ``DEFAULT_MONTHS``, on).

``completion_id`` is a database reference to a row of the feature above (completion): the key that
makes scheduling idempotent per completion. Evaluations never import completion's code; they are
told of completions through the outbox.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee

FOLLOWUP_STATES = ("scheduled", "cancelled")
CANCEL_REASONS = ("revoked", "disabled")
ROLES = ("alumnus", "supervisor")
NOTICE_KINDS = ("invitation", "reminder_1", "reminder_2")
MONTHS_MIN, MONTHS_MAX = 1, 24


class FollowupSetting(TimestampMixin, db.Model):
    """How many months after a completion a course's or programme's follow-up opens."""

    __tablename__ = "followup_settings"
    __table_args__ = (
        CheckConstraint("(course_id IS NULL) <> (programme_id IS NULL)", name="one_subject"),
        CheckConstraint(f"months BETWEEN {MONTHS_MIN} AND {MONTHS_MAX}", name="months"),
        UniqueConstraint("course_id"),
        UniqueConstraint("programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE")
    )
    months: Mapped[int] = mapped_column(default=3)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Followup(db.Model):
    """One completion's post-training evaluation: when it opens and closes, for whom."""

    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("completion_id"),
        CheckConstraint("(course_id IS NULL) <> (programme_id IS NULL)", name="one_subject"),
        CheckConstraint(in_values("status", FOLLOWUP_STATES), name="status"),
        CheckConstraint(
            "cancel_reason IS NULL OR " + in_values("cancel_reason", CANCEL_REASONS),
            name="cancel_reason",
        ),
        CheckConstraint("(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancelled"),
        CheckConstraint(f"months BETWEEN {MONTHS_MIN} AND {MONTHS_MAX}", name="months"),
        CheckConstraint("due_on > completed_on AND closes_on >= due_on", name="dates"),
        Index("ix_followups_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    # The completion's code and title as they were (a snapshot, like the completion's own).
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    # The department (OPD) at completion: reports group by it even after a transfer.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    completed_on: Mapped[date]  # the completion's day in the agency's time zone
    months: Mapped[int]
    due_on: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee: Mapped[Employee] = relationship()
    answers: Mapped[list[FollowupAnswer]] = relationship(
        back_populates="followup", cascade="all, delete-orphan", order_by="FollowupAnswer.id"
    )

    def answer_of(self, role: str) -> FollowupAnswer | None:
        return next((a for a in self.answers if a.role == role), None)


class FollowupAnswer(db.Model):
    """One side's answers: Likert ratings (1–5) per item key and free texts per text key."""

    __tablename__ = "followup_answers"
    __table_args__ = (
        UniqueConstraint("followup_id", "role"),
        CheckConstraint(in_values("role", ROLES), name="role"),
        CheckConstraint("mean BETWEEN 1 AND 5", name="mean"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    # Who answered: the alumnus, or the direct supervisor at the time of answering.
    respondent_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # {"item key": 1..5}; keys are defined in lms/evaluations/followup/questions.py.
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"changed": "...", "obstacles": "..."}
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    # The mean of the ratings, stored: a later change of the questions never rewrites it.
    mean: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    followup: Mapped[Followup] = relationship(back_populates="answers")
    respondent: Mapped[Employee] = relationship()


class FollowupNotice(db.Model):
    """An invitation or reminder sent to one side (in-app notification and its e-mail)."""

    __tablename__ = "followup_notices"
    __table_args__ = (
        UniqueConstraint("followup_id", "role", "kind"),
        CheckConstraint(in_values("role", ROLES), name="role"),
        CheckConstraint(in_values("kind", NOTICE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
