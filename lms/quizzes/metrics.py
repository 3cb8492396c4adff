"""Scrape-time gauge for /metrics (lms.observability.metrics): exams being taken now."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.observability.metrics import gauge
from lms.quizzes.models import QuizAttempt


@gauge("lms_exam_attempts_in_progress", "Quiz attempts started and not yet submitted.")
def attempts_in_progress() -> float:
    """Uses the (status, deadline_at) index."""
    return float(
        db.session.scalar(
            select(func.count()).select_from(QuizAttempt).where(QuizAttempt.status == "in_progress")
        )
        or 0
    )
