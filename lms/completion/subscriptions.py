"""Completion judged on the events the features below announce (their ``signals.py``).

Each receiver runs inside the sender's transaction, so a course is completed in the same request
(and rolled back with it) as the lesson, attempt or evaluation that completed it. The course page
(courses sit below completion) shows what is still missing through the ``learner_status`` template
global, and lists (dashboard, catalogue, a team) each enrolment's true state through
``enrolment_states``. ``register`` runs when the app is created (``lms.completion.bp``);
connecting twice keeps one receiver.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lms.completion.services import evaluate, learner_status
from lms.completion.states import enrolment_states
from lms.courses.models import Lesson
from lms.enrolments.models import Enrolment
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.signals import evaluation_sent
from lms.extensions import db
from lms.learning.signals import lesson_done
from lms.packages.runtime.models import ScoAttempt
from lms.packages.signals import sco_tracked
from lms.quizzes.models import QuizAttempt
from lms.quizzes.signals import attempt_graded


def on_attempt_graded(attempt: QuizAttempt) -> None:
    """A graded post-test may complete the course: judge it now, not in a nightly job."""
    if not attempt.quiz.is_post_test:
        return
    db.session.flush()
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == attempt.quiz.course_id,
            Enrolment.employee_id == attempt.employee_id,
        )
    )
    if enrolment is not None and enrolment.status == "active":
        evaluate(enrolment)


def on_lesson_done(enrolment: Enrolment, *, lesson: Lesson) -> None:
    """The last lesson may complete the course."""
    evaluate(enrolment)


def on_evaluation_sent(enrolment: Enrolment, *, evaluation: CourseEvaluation) -> None:
    """The evaluation may be the last missing rule."""
    evaluate(enrolment)


def on_sco_tracked(attempt: ScoAttempt, *, user) -> None:
    """A SCO passed or completed may be the last missing item of the course it belongs to."""
    course_id = attempt.sco.version.course_id
    if attempt.is_review or course_id is None or user.employee_id is None:
        return
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course_id, Enrolment.employee_id == user.employee_id
        )
    )
    if enrolment is not None and enrolment.status == "active":
        evaluate(enrolment)


def register(app: Flask) -> None:
    attempt_graded.connect(on_attempt_graded)
    lesson_done.connect(on_lesson_done)
    evaluation_sent.connect(on_evaluation_sent)
    sco_tracked.connect(on_sco_tracked)
    app.add_template_global(learner_status, "learner_status")
    app.add_template_global(enrolment_states, "enrolment_states")
