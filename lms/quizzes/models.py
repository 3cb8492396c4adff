"""The question bank: questions belong to a course and optionally to one of its categories.

Only what every question has gets a column; the type-specific settings (answers with their
fractions and feedback, numeric tolerances, matching pairs, the blank of a fill-in-the-blank
question) live in ``data`` as JSON, shaped like :class:`lms.quizzes.bank.formats.Answer`, so that a
question survives export → import unchanged. ``text_html`` is rendered and sanitised once on
write; templates output it as is and never render ``text`` themselves.

Questions are versioned as Moodle versions them (``question_bank_entries`` + ``question_versions``,
here folded into one table): a :class:`QuestionEntry` is one question of the bank, and each
:class:`Question` row is one version of it. A version that an attempt has shown is never
changed again, so the attempt keeps grading and reviewing against what its learner saw; editing
such a question adds version n + 1 and marks the old row ``superseded`` (see
:mod:`lms.quizzes.bank.editor.services`). Only the latest version of an entry is ``ready`` (in the
bank, drawn by quizzes) or ``hidden`` (deleted from the bank but kept for its attempts).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

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
from lms.quizzes.bank.formats.types import QUESTION_TYPES, TEXT_FORMATS

NAME_MAX = 255


class QuestionCategory(db.Model):
    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))


#: The life of a question version: the latest one is ``ready`` (or ``hidden`` once deleted while
#: attempts still point at it); every earlier one is ``superseded`` and never changes again.
QUESTION_STATUSES = ("ready", "hidden", "superseded")


class QuestionEntry(db.Model):
    """One question of a course's bank across all its versions (Moodle's question bank entry)."""

    __tablename__ = "question_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)


class Question(TimestampMixin, db.Model):
    """One version of a bank question; see the module docstring for the versioning rule."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(in_values("type", QUESTION_TYPES), name="type"),
        CheckConstraint(in_values("text_format", TEXT_FORMATS), name="text_format"),
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint(in_values("status", QUESTION_STATUSES), name="status"),
        UniqueConstraint("entry_id", "version"),
        # One latest version per entry: two concurrent edits cannot both add version n + 1 and
        # leave two "current" rows (the unique version number refuses the second as well).
        Index(
            "uq_questions_entry_latest",
            "entry_id",
            unique=True,
            sqlite_where=text("status <> 'superseded'"),
            postgresql_where=text("status <> 'superseded'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("question_entries.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default="ready")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_categories.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    text: Mapped[str] = mapped_column(Text, default="")
    # How ``text`` is written (Moodle's FORMAT_*): decides how text_html was rendered.
    text_format: Mapped[str] = mapped_column(String(10), default="moodle")
    text_html: Mapped[str] = mapped_column(Text, default="")
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # 1, 2, ... within the entry: a new row each time an edit must not change what attempts saw.
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[QuestionCategory | None] = relationship()
    entry: Mapped[QuestionEntry] = relationship()

    def __init__(self, **kwargs: Any) -> None:
        """A question made without an entry is version 1 of a new one (imports, tests)."""
        super().__init__(**kwargs)
        if self.entry is None and self.entry_id is None:
            self.entry = QuestionEntry(course_id=self.course_id)


# --- quizzes and attempts ------------------------------------------------------------------------

QUIZ_KINDS = ("pre_test", "post_test", "practice", "exam")
QUIZ_KIND_LABELS = {
    "pre_test": _l("Pre-test"),
    "post_test": _l("Post-test"),
    "practice": _l("Latihan"),
    "exam": _l("Ujian"),
}
#: The kinds a course's completion rule counts as its post-test (the learner must pass each one);
#: the lesson page names them the same way (``Quiz.is_post_test``).
POSTTEST_KINDS = ("post_test", "exam")
#: When the learner sees the correct answers and feedback of a submitted attempt. Only a practice
#: quiz may show them at once; any other kind waits until no attempt is left or the quiz closed,
#: so the key of one attempt never helps the next (a CHECK below holds it in the database).
REVIEW_WHEN = ("immediately", "after_last", "after_close", "never")
#: The review of a new quiz: after the last attempt (or when the quiz closes).
REVIEW_DEFAULT = "after_last"
GRADING_METHODS = ("highest", "last", "average")
ATTEMPT_STATES = ("in_progress", "submitted", "graded", "abandoned")
ATTEMPT_STATE_LABELS = {
    "in_progress": _l("Sedang dikerjakan"),
    "submitted": _l("Dikumpulkan, menunggu penilaian"),
    "graded": _l("Sudah dinilai"),
    "abandoned": _l("Ditinggalkan"),
}


class Quiz(TimestampMixin, db.Model):
    """A quiz of a course.

    ``questions`` is ``{"ids": [question ids], "draws": [{"category_id": id, "count": n}]}``:
    fixed questions first, then ``n`` drawn at random per category when an attempt starts, so
    the draw is frozen in the attempt and a reload never reshuffles.
    """

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint(in_values("kind", QUIZ_KINDS), name="kind"),
        CheckConstraint(in_values("review", REVIEW_WHEN), name="review"),
        CheckConstraint("review <> 'immediately' OR kind = 'practice'", name="review_practice"),
        CheckConstraint(in_values("grading", GRADING_METHODS), name="grading"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark_range"),
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed_positive"),
        CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes > 0", name="time_limit_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="practice")
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    pass_mark: Mapped[int] = mapped_column(default=60)
    # 0 means unlimited.
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    time_limit_minutes: Mapped[int | None]
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    questions: Mapped[dict] = mapped_column(JSON, default=dict)
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_answers: Mapped[bool] = mapped_column(default=False)
    one_per_page: Mapped[bool] = mapped_column(default=False)
    review: Mapped[str] = mapped_column(String(20), default=REVIEW_DEFAULT)
    grading: Mapped[str] = mapped_column(String(20), default="highest")

    @property
    def is_post_test(self) -> bool:
        """Counted by the completion rule (and named a post-test to the learner)."""
        return self.kind in POSTTEST_KINDS


class QuizAttempt(db.Model):
    """One try at a quiz; the server's ``deadline_at`` is the only clock that counts."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "employee_id", "number"),
        CheckConstraint(in_values("status", ATTEMPT_STATES), name="status"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("number > 0", name="number_positive"),
        Index("ix_quiz_attempts_status_deadline", "status", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # Question ids in the order shown, and per question id (as a string) the answer order.
    question_order: Mapped[list] = mapped_column(JSON, default=list)
    answer_order: Mapped[dict] = mapped_column(JSON, default=dict)

    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )


class AttemptAnswer(db.Model):
    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    # Indexed: "has any attempt used this question version?" decides whether an edit versions it.
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None until graded (an essay waits for a trainer).
    fraction: Mapped[float | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class GradeChange(db.Model):
    """Audit of every mark change: who (None = the system), when, before and after."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempt_answers.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[float | None]
    after: Mapped[float | None]
    reason: Mapped[str] = mapped_column(String(40), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
