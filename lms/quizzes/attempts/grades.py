"""The trainer's marks on attempts: essays waiting for a grade, a mark per answer (audited), and
regrading every submitted answer after a question was corrected.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.quizzes.attempts.services import AttemptError, _audit, _grade_response, _score
from lms.quizzes.models import (
    AttemptAnswer,
    Question,
    Quiz,
    QuizAttempt,
)


def pending_essays(quiz: Quiz) -> list[AttemptAnswer]:
    return list(
        db.session.scalars(
            select(AttemptAnswer)
            .join(QuizAttempt)
            .join(Question, AttemptAnswer.question_id == Question.id)
            .where(
                QuizAttempt.quiz_id == quiz.id,
                QuizAttempt.status == "submitted",
                Question.type == "essay",
                AttemptAnswer.fraction.is_(None),
            )
            .options(
                selectinload(AttemptAnswer.question),
                selectinload(AttemptAnswer.attempt),
            )
            .order_by(AttemptAnswer.id)
        )
    )


def grade_answer(answer: AttemptAnswer, fraction: float, grader_id: int, comment: str = "") -> None:
    """A trainer's mark for one answer (an essay, or an override); audited."""
    if not 0 <= fraction <= 1:
        raise AttemptError(_("Nilai harus antara 0 dan 100."))
    attempt = answer.attempt
    if attempt.status not in ("submitted", "graded"):
        raise AttemptError(_("Percobaan ini belum dikumpulkan."))
    before = answer.fraction
    answer.fraction = fraction
    answer.comment = comment
    _audit(attempt, answer, before, fraction, grader_id, "manual", comment)
    db.session.flush()
    _score(attempt)
    db.session.flush()


def regrade(quiz: Quiz, grader_id: int | None = None) -> int:
    """Grade every submitted answer again (after a question was corrected); returns changes."""
    changed = 0
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.status.in_(("submitted", "graded")))
        .options(selectinload(QuizAttempt.answers).selectinload(AttemptAnswer.question))
    ).all()
    for attempt in attempts:
        for answer in attempt.answers:
            if answer.question.type == "essay":
                continue
            after = _grade_response(answer.question, answer.response)
            if after != answer.fraction:
                _audit(attempt, answer, answer.fraction, after, grader_id, "regrade")
                answer.fraction = after
                changed += 1
        db.session.flush()
        _score(attempt)
    db.session.flush()
    return changed
