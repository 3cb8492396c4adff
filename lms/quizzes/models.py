"""The question bank: questions belong to a course and optionally to one of its categories.

Only what every question has gets a column; the type-specific settings (answers with their
fractions and feedback, numeric tolerances, matching pairs, the blank of a fill-in-the-blank
question) live in ``data`` as JSON, shaped like :class:`lms.quizzes.formats.Answer`, so that a
question survives export → import unchanged. ``text_html`` is rendered and sanitised once on
write; templates output it as is and never render ``text`` themselves.
"""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, in_values
from lms.extensions import db
from lms.quizzes.formats.types import QUESTION_TYPES, TEXT_FORMATS

NAME_MAX = 255


class QuestionCategory(db.Model):
    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))


class Question(TimestampMixin, db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(in_values("type", QUESTION_TYPES), name="type"),
        CheckConstraint(in_values("text_format", TEXT_FORMATS), name="text_format"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
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
    # Bumped when a trainer corrects the question, so attempts can tell which version they saw.
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[QuestionCategory | None] = relationship()
