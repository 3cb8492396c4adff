"""The read side of attempts: a learner's attempts at a quiz, their questions and answers, and
whether an attempt may be reviewed or another one started. Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from lms.db import as_utc, utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.models import (
    Question,
    Quiz,
    QuizAttempt,
)


def attempts_of(quiz: Quiz, employee_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.employee_id == employee_id)
            .order_by(QuizAttempt.number)
        )
    )


def is_enrolled(quiz: Quiz, employee_id: int | None) -> bool:
    if employee_id is None:
        return False
    status = db.session.scalar(
        select(Enrolment.status).where(
            Enrolment.course_id == quiz.course_id, Enrolment.employee_id == employee_id
        )
    )
    return status in ("active", "completed")


def attempt_questions(attempt: QuizAttempt) -> list[Question]:
    """The attempt's questions in the order it froze."""
    ids = [int(i) for i in attempt.question_order]
    rows = db.session.scalars(select(Question).where(Question.id.in_(ids))).all()
    by_id = {q.id: q for q in rows}
    return [by_id[i] for i in ids if i in by_id]


def saved_responses(attempt: QuizAttempt) -> dict[int, Any]:
    return {a.question_id: a.response for a in attempt.answers}


def attempts_left(quiz: Quiz, attempts: list[QuizAttempt]) -> bool:
    """May the learner (whose ``attempts`` at ``quiz`` these are) still try, or is trying now?

    An attempt in progress counts as one that is left: its answers are not final yet.
    """
    if any(a.status == "in_progress" for a in attempts):
        return True
    return not quiz.attempts_allowed or len(attempts) < quiz.attempts_allowed


def review_allowed(
    attempt: QuizAttempt,
    now: datetime | None = None,
    attempts: list[QuizAttempt] | None = None,
) -> bool:
    """May the learner see marks per question and the correct answers now?

    Never while the correct answers could help another attempt: a practice quiz the trainer set
    to 'immediately' shows them once submitted; 'after_last' once no attempt is left or the quiz
    closed; 'after_close' once it closed; 'never' never. ``attempts`` are the learner's attempts
    at this quiz when the caller has them (:func:`attempts_of`).
    """
    if attempt.status not in ("submitted", "graded"):
        return False
    quiz = attempt.quiz
    closes = as_utc(quiz.closes_at)
    closed = closes is not None and (now or utcnow()) >= closes
    if quiz.review == "immediately":
        return quiz.kind == "practice" or closed
    if quiz.review == "after_close":
        return closed
    if quiz.review == "after_last":
        if closed:
            return True
        if attempts is None:
            attempts = attempts_of(quiz, attempt.employee_id)
        return not attempts_left(quiz, attempts)
    return False


def unanswered(attempt: QuizAttempt) -> list[int]:
    """Ids of the attempt's questions with no answer saved (in the attempt's order)."""
    saved = {a.question_id for a in attempt.answers if is_answered(a.response)}
    return [int(i) for i in attempt.question_order if int(i) not in saved]


def is_answered(response: Any) -> bool:
    """Blank text, no choice, no pair: not an answer (a response can be saved and cleared)."""
    if response is None:
        return False
    if isinstance(response, str):
        return bool(response.strip())
    if isinstance(response, dict):
        response = list(response.values())
    if isinstance(response, list):
        return any(v not in (None, "") for v in response)
    return True
