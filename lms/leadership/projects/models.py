"""A cohort participant's workplace project: the proposal and its review rounds, the logbook with
evidence files, the seminar, and the assessors' rubric scores.

The project's ``state`` moves forward only (``services`` refuses other moves):

    draft → proposal_submitted → (returned → proposal_submitted)* → approved → implementing
          → seminar_scheduled → seminar_held → assessed

A submission freezes the proposal as it was sent (``ProjectSubmission.snapshot``), so each review
reads next to the text it judged; reviews, logbook decisions and assessments are never edited,
which keeps the history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import TimestampMixin, in_values, utcnow
from lms.enrolments.cohorts.models import PROJECT_KINDS, CohortMember
from lms.extensions import db

PROJECT_STATES = (
    "draft",
    "proposal_submitted",
    "returned",
    "approved",
    "implementing",
    "seminar_scheduled",
    "seminar_held",
    "assessed",
)
REVIEWER_ROLES = ("coach", "mentor")
ASSESSOR_ROLES = ("coach", "mentor", "examiner")
DECISIONS = ("approved", "returned")
ENTRY_STATES = ("submitted", "confirmed", "returned")
SCORE_RANGE = "{c} IS NULL OR ({c} >= 0 AND {c} <= 100)"


class Project(TimestampMixin, db.Model):
    __tablename__ = "workplace_projects"
    __table_args__ = (
        CheckConstraint(in_values("kind", PROJECT_KINDS), name="kind"),
        CheckConstraint(in_values("state", PROJECT_STATES), name="state"),
        CheckConstraint("round >= 0", name="round_not_negative"),
        CheckConstraint(SCORE_RANGE.format(c="final_score"), name="score_range"),
        # A final score, its band and pass/fail exist exactly when the project is assessed.
        CheckConstraint(
            "(state = 'assessed') = (final_score IS NOT NULL AND passed IS NOT NULL)",
            name="assessed_has_score",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("cohort_members.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    stakeholders: Mapped[str] = mapped_column(Text, default="")
    expected_change: Mapped[str] = mapped_column(Text, default="")
    #: How many times the proposal was submitted (the current review round).
    round: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    assessed_at: Mapped[datetime | None]
    final_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    band: Mapped[str] = mapped_column(String(60), default="")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    #: The assessor weights the final score was computed with (``{"coach": 40, ...}``).
    weights: Mapped[dict | None] = mapped_column(JSON)

    member: Mapped[CohortMember] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        order_by="Milestone.position", cascade="all, delete-orphan", back_populates="project"
    )
    submissions: Mapped[list[ProjectSubmission]] = relationship(
        order_by="ProjectSubmission.round", cascade="all, delete-orphan", back_populates="project"
    )
    entries: Mapped[list[LogEntry]] = relationship(
        order_by="(LogEntry.done_on, LogEntry.id)",
        cascade="all, delete-orphan",
        back_populates="project",
    )
    seminar: Mapped[Seminar | None] = relationship(
        cascade="all, delete-orphan", back_populates="project"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        order_by="Assessment.id", cascade="all, delete-orphan", back_populates="project"
    )


class Milestone(db.Model):
    """One step of the proposal's plan; the logbook's entries are filed against it."""

    __tablename__ = "project_milestones"
    __table_args__ = (UniqueConstraint("project_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("workplace_projects.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")


class ProjectSubmission(db.Model):
    """The proposal as sent in one round, with the coach's and the mentor's reviews of it."""

    __tablename__ = "project_submissions"
    __table_args__ = (
        UniqueConstraint("project_id", "round"),
        CheckConstraint("round >= 1", name="round_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("workplace_projects.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: ``{title, problem, stakeholders, expected_change, milestones: [{title, due_on}]}``
    snapshot: Mapped[dict] = mapped_column(JSON)

    project: Mapped[Project] = relationship(back_populates="submissions")
    reviews: Mapped[list[ProposalReview]] = relationship(
        order_by="ProposalReview.id", cascade="all, delete-orphan", back_populates="submission"
    )


class ProposalReview(db.Model):
    __tablename__ = "project_reviews"
    __table_args__ = (
        UniqueConstraint("submission_id", "role"),
        CheckConstraint(in_values("role", REVIEWER_ROLES), name="role"),
        CheckConstraint(in_values("decision", DECISIONS), name="decision"),
        # Returning a proposal says why.
        CheckConstraint(
            "decision = 'approved' OR length(comment) > 0", name="returned_has_comment"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("project_submissions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[ProjectSubmission] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()


class LogEntry(TimestampMixin, db.Model):
    """What the participant did for a milestone, with evidence; the mentor confirms or returns."""

    __tablename__ = "project_log_entries"
    __table_args__ = (
        CheckConstraint(in_values("state", ENTRY_STATES), name="state"),
        CheckConstraint("state <> 'returned' OR length(comment) > 0", name="returned_has_comment"),
        CheckConstraint(
            "(state = 'submitted') = (decided_at IS NULL)", name="decided_unless_submitted"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("workplace_projects.id", ondelete="CASCADE"), index=True
    )
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("project_milestones.id", ondelete="RESTRICT"), index=True
    )
    done_on: Mapped[date]
    activity: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="submitted")
    #: The mentor's comment on the last decision (required when returned).
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship(back_populates="entries")
    milestone: Mapped[Milestone] = relationship()
    files: Mapped[list[EvidenceFile]] = relationship(
        order_by="EvidenceFile.id", cascade="all, delete-orphan", back_populates="entry"
    )


class EvidenceFile(db.Model):
    """An evidence file of a logbook entry, checked by content before it was stored."""

    __tablename__ = "project_evidence"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("project_log_entries.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[LogEntry] = relationship(back_populates="files")


class Seminar(db.Model):
    """The seminar the organiser schedules; its examiners are ``CohortRole`` rows."""

    __tablename__ = "project_seminars"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("workplace_projects.id", ondelete="CASCADE"), unique=True
    )
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship(back_populates="seminar")


class Assessment(db.Model):
    """One assessor's rubric: the criteria and weights used (frozen), the scores and the total."""

    __tablename__ = "project_assessments"
    __table_args__ = (
        UniqueConstraint("project_id", "role", "assessor_id"),
        CheckConstraint(in_values("role", ASSESSOR_ROLES), name="role"),
        CheckConstraint("total >= 0 AND total <= 100", name="total_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("workplace_projects.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: ``[{code, name, weight, score}]`` in the rubric's order.
    scores: Mapped[list] = mapped_column(JSON)
    total: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="assessments")
    assessor: Mapped[User] = relationship()
