"""One evaluation per enrolment; the answers are Likert ratings per item plus comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import utcnow
from lms.extensions import db


class CourseEvaluation(db.Model):
    __tablename__ = "course_evaluations"
    __table_args__ = (UniqueConstraint("enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("course_versions.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    # {"item key": 1..5}; item keys are defined in lms/evaluations/questions.py.
    ratings: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"course": "...", "trainer": "...", "organisation": "..."}: free-text comments.
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment = relationship("Enrolment")
