"""The true state of many enrolments at once, for lists: the dashboard, the catalogue, a team.

Lists used to say "Kemajuan 100%" for a course whose post-test was failed and "Terdaftar" for a
finished one. :func:`enrolment_states` judges every listed enrolment with the same pure rule as
completion itself (``rules.still_missing`` and ``rules.learner_state``) in at most three queries
whatever the number of enrolments: only active ones with every lesson done need judging, since
open lessons are what the progress already says. Templates of features below completion reach it
through the ``enrolment_states`` template global (``lms.completion.subscriptions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from lms.completion.rules import (
    LearnerState,
    Progress,
    QuizResult,
    Rules,
    learner_state,
    still_missing,
)
from lms.completion.services import rules_of
from lms.courses.models import Course
from lms.enrolments.models import Enrolment
from lms.evaluations.models import CourseEvaluation
from lms.extensions import db
from lms.quizzes.attempts.services import final_grade
from lms.quizzes.models import POSTTEST_KINDS, Quiz, QuizAttempt


def _judged(enrolments: list[Enrolment]) -> dict[int, tuple[str, ...]]:
    """What is still missing for active enrolments whose lessons are all done (three queries)."""
    if not enrolments:
        return {}
    course_ids = {e.course_id for e in enrolments}
    employee_ids = {e.employee_id for e in enrolments}
    quizzes: dict[int, list[Quiz]] = defaultdict(list)
    for quiz in db.session.scalars(
        select(Quiz)
        .where(Quiz.course_id.in_(course_ids), Quiz.kind.in_(POSTTEST_KINDS))
        .order_by(Quiz.id)
    ):
        quizzes[quiz.course_id].append(quiz)
    attempts: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    quiz_ids = [q.id for qs in quizzes.values() for q in qs]
    if quiz_ids:
        for attempt in db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.quiz_id.in_(quiz_ids), QuizAttempt.employee_id.in_(employee_ids))
            .order_by(QuizAttempt.number)
        ):
            attempts[(attempt.quiz_id, attempt.employee_id)].append(attempt)
    evaluated = set(
        db.session.scalars(
            select(CourseEvaluation.enrolment_id).where(
                CourseEvaluation.enrolment_id.in_([e.id for e in enrolments])
            )
        )
    )
    out = {}
    for e in enrolments:
        results = []
        for quiz in quizzes.get(e.course_id, []):
            grade = final_grade(quiz, e.employee_id, attempts.get((quiz.id, e.employee_id), []))
            results.append(QuizResult(quiz.title, grade.passed, grade.score))
        progress = Progress(1, 1, tuple(results), e.id in evaluated)  # lessons: all done
        out[e.id] = still_missing(_rules(e), progress)
    return out


def _rules(e) -> Rules:
    """The enrolment's course rules: from its course, or from a row that carries the course's
    ``require_*`` columns (``courses.queries.MyEnrolment``)."""
    if isinstance(e, Enrolment):
        return rules_of(e.course or db.session.get(Course, e.course_id))
    return Rules(e.require_lessons, e.require_posttest, e.require_evaluation)


def enrolment_states(enrolments: Iterable[Enrolment]) -> dict[int, LearnerState]:
    """Each enrolment's state by id (see ``rules.learner_state``)."""
    listed = [e for e in enrolments if e is not None]
    missing = _judged([e for e in listed if e.status == "active" and (e.progress or 0) >= 100])
    return {e.id: learner_state(e.status, e.progress or 0, missing.get(e.id, ())) for e in listed}
