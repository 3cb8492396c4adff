"""A course with lessons and a post-test, and an enrolled employee: the completion test bed."""

from __future__ import annotations

from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.evaluations.models import CourseEvaluation
from lms.extensions import db
from lms.learning import services as learning
from lms.org.models import Employee
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import Question, Quiz
from tests.factories import make_course

CHOICES = {
    "answers": [{"text": "Jakarta", "fraction": 0.0}, {"text": "Palembang", "fraction": 1.0}]
}


def course_with_posttest(code: str = "SELESAI-101", lessons: int = 2, **settings: object):
    course = make_course(code, title=f"Pelatihan {code}", lessons=lessons, **settings)
    question = Question(course_id=course.id, type="single_choice", name="Ibu kota", data=CHOICES)
    db.session.add(question)
    db.session.flush()
    quiz = attempts.save_quiz(
        course,
        None,
        {
            "title": "Post-test",
            "kind": "post_test",
            "attempts_allowed": 3,
            "pass_mark": 60,
            "question_ids": [question.id],
        },
    )
    return course, quiz, question


def enrol(course: Course, employee: Employee) -> Enrolment:
    enrolment = Enrolment(
        course_id=course.id, employee_id=employee.id, status="active", activated_at=utcnow()
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def do_lessons(enrolment: Enrolment, course: Course) -> None:
    for module in course.published_version.modules:
        for lesson in module.lessons:
            learning.mark_done(enrolment, lesson)


def take_posttest(quiz: Quiz, question: Question, employee: Employee, right: bool = True) -> None:
    attempt = attempts.start_attempt(quiz, employee.id)
    attempts.save_answer(attempt, question.id, 1 if right else 0)
    attempts.submit(attempt)


def evaluate_course(enrolment: Enrolment) -> None:
    from lms.completion.services import evaluate

    db.session.add(
        CourseEvaluation(
            enrolment_id=enrolment.id,
            course_id=enrolment.course_id,
            employee_id=enrolment.employee_id,
            ratings={"x": 5},
        )
    )
    db.session.flush()
    evaluate(enrolment)
