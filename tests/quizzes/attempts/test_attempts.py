"""Attempt rules as services: start, save, submit, sweep, grading across attempts, essays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.db import as_utc, utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee
from lms.quizzes.attempts import grades, queries
from lms.quizzes.attempts import services as svc
from lms.quizzes.models import AttemptAnswer, GradeChange, Question, Quiz, QuizAttempt
from tests.factories import make_course

CHOICES = {
    "answers": [{"text": "Jakarta", "fraction": 0.0}, {"text": "Palembang", "fraction": 1.0}]
}
TF = {"answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0.0}]}


def seed(world, **settings: object) -> tuple[Quiz, Employee, dict[str, int]]:
    """A course with a choice, a true/false and optionally an essay question, pegawai enrolled."""
    course = make_course("KUIS-101")
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    db.session.add(Enrolment(course_id=course.id, employee_id=employee.id, status="active"))
    essay = settings.pop("essay", False)
    qs = {
        "choice": Question(
            course_id=course.id, type="single_choice", name="Ibu kota", data=CHOICES
        ),
        "tf": Question(course_id=course.id, type="true_false", name="Benar", data=TF),
    }
    if essay:
        qs["essay"] = Question(course_id=course.id, type="essay", name="Esai", data={})
    db.session.add_all(qs.values())
    db.session.flush()
    values = {"title": "Post-test", "kind": "post_test", "attempts_allowed": 3}
    values.update(settings)
    values["question_ids"] = [q.id for q in qs.values()]
    quiz = svc.save_quiz(course, None, values)
    return quiz, employee, {k: q.id for k, q in qs.items()}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def test_start_is_idempotent_while_in_progress(ctx, world) -> None:
    quiz, employee, _ = seed(world, time_limit_minutes=10)
    first = svc.start_attempt(quiz, employee.id)
    again = svc.start_attempt(quiz, employee.id)
    assert first.id == again.id
    assert first.number == 1
    assert len(queries.attempts_of(quiz, employee.id)) == 1
    assert first.deadline_at is not None


def test_attempts_allowed_is_enforced(ctx, world) -> None:
    quiz, employee, _ = seed(world, attempts_allowed=1)
    svc.submit(svc.start_attempt(quiz, employee.id))
    with pytest.raises(svc.AttemptError, match="sudah habis"):
        svc.start_attempt(quiz, employee.id)


def test_start_refused_outside_open_and_close(ctx, world) -> None:
    now = utcnow()
    quiz, employee, _ = seed(world, opens_at=now + timedelta(hours=1))
    with pytest.raises(svc.AttemptError, match="belum dibuka"):
        svc.start_attempt(quiz, employee.id)
    quiz.opens_at = None
    quiz.closes_at = now - timedelta(minutes=1)
    with pytest.raises(svc.AttemptError, match="sudah ditutup"):
        svc.start_attempt(quiz, employee.id)


def test_save_is_an_upsert_and_refused_after_deadline_and_grace(ctx, world) -> None:
    quiz, employee, ids = seed(world, time_limit_minutes=5)
    attempt = svc.start_attempt(quiz, employee.id)
    svc.save_answer(attempt, ids["choice"], 0)
    svc.save_answer(attempt, ids["choice"], 1)
    assert queries.saved_responses(attempt) == {ids["choice"]: 1}
    deadline = as_utc(attempt.deadline_at)
    # Inside the grace: still accepted.
    svc.save_answer(attempt, ids["tf"], True, now=deadline + timedelta(seconds=20))
    with pytest.raises(svc.AttemptError, match="Waktu pengerjaan sudah habis"):
        svc.save_answer(attempt, ids["tf"], False, now=deadline + timedelta(seconds=31))
    with pytest.raises(svc.AttemptError, match="tidak ada di percobaan"):
        svc.save_answer(attempt, 999_999, 1)


def test_submit_is_idempotent_and_grades(ctx, world) -> None:
    quiz, employee, ids = seed(world)
    attempt = svc.start_attempt(quiz, employee.id)
    svc.save_answer(attempt, ids["choice"], 1)
    svc.save_answer(attempt, ids["tf"], False)
    svc.submit(attempt)
    first_at = attempt.submitted_at
    svc.submit(attempt)
    assert as_utc(attempt.submitted_at) == as_utc(first_at)
    assert attempt.status == "graded"
    assert float(attempt.score) == 50.0
    with pytest.raises(svc.AttemptError, match="sudah dikumpulkan"):
        svc.save_answer(attempt, ids["tf"], True)


def test_overdue_attempt_is_submitted_on_next_start_and_by_sweep(ctx, world) -> None:
    quiz, employee, ids = seed(world, time_limit_minutes=1)
    attempt = svc.start_attempt(quiz, employee.id)
    svc.save_answer(attempt, ids["choice"], 1)
    attempt.deadline_at = utcnow() - timedelta(minutes=2)
    assert svc.close_if_overdue(attempt) is True
    assert attempt.status == "graded"
    second = svc.start_attempt(quiz, employee.id)
    assert second.number == 2
    second.deadline_at = utcnow() - timedelta(minutes=2)
    db.session.flush()
    assert svc.sweep() == 1
    assert second.status == "graded"
    assert svc.sweep() == 0


def test_sweep_task_commits(app, world) -> None:
    with app.app_context():
        quiz, employee, _ = seed(world, time_limit_minutes=1)
        attempt = svc.start_attempt(quiz, employee.id)
        attempt.deadline_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        attempt_id = attempt.id
    with app.app_context():
        task = app.extensions["celery"].tasks["quizzes.sweep_overdue"]
        assert task.delay().get() == 1
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).status == "graded"


def test_cli_sweep(app, world) -> None:
    result = app.test_cli_runner().invoke(args=["quiz", "sweep"])
    assert result.exit_code == 0, result.output
    assert "attempt(s) submitted" in result.output


@pytest.mark.parametrize(
    ("grading", "expected"), [("highest", 100.0), ("last", 50.0), ("average", 50.0)]
)
def test_final_grade_across_attempts(ctx, world, grading: str, expected: float) -> None:
    quiz, employee, ids = seed(world, grading=grading, pass_mark=60)
    for choice, tf in ((0, False), (1, True), (1, False)):  # 0, 100, 50
        attempt = svc.start_attempt(quiz, employee.id)
        svc.save_answer(attempt, ids["choice"], choice)
        svc.save_answer(attempt, ids["tf"], tf)
        svc.submit(attempt)
    final = svc.final_grade(quiz, employee.id)
    assert final.score == expected
    assert final.passed is (expected >= 60)


def test_essay_waits_for_trainer_and_grade_is_audited(ctx, world) -> None:
    quiz, employee, ids = seed(world, essay=True)
    attempt = svc.start_attempt(quiz, employee.id)
    svc.save_answer(attempt, ids["choice"], 1)
    svc.save_answer(attempt, ids["tf"], True)
    answer = db.session.get(
        AttemptAnswer, svc.save_answer(attempt, ids["essay"], "Karena melayani publik.")
    )
    svc.submit(attempt)
    assert attempt.status == "submitted"
    assert attempt.score is None
    assert [a.id for a in grades.pending_essays(quiz)] == [answer.id]
    trainer_id = world.users["pengajar"].id
    grades.grade_answer(answer, 0.5, trainer_id, "Kurang contoh.")
    assert attempt.status == "graded"
    assert float(attempt.score) == 83.33  # (1 + 1 + 0.5) / 3
    changes = db.session.scalars(
        select(GradeChange).where(GradeChange.answer_id == answer.id)
    ).all()
    assert [(c.before, c.after, c.changed_by_id, c.comment) for c in changes] == [
        (None, 0.5, trainer_id, "Kurang contoh.")
    ]
    assert grades.pending_essays(quiz) == []


def test_regrade_after_correction_is_audited(ctx, world) -> None:
    quiz, employee, ids = seed(world)
    attempt = svc.start_attempt(quiz, employee.id)
    svc.save_answer(attempt, ids["choice"], 0)
    svc.save_answer(attempt, ids["tf"], True)
    svc.submit(attempt)
    assert float(attempt.score) == 50.0
    question = db.session.get(Question, ids["choice"])
    question.data = {"answers": [{"text": "Jakarta", "fraction": 1.0}, {"text": "Palembang"}]}
    db.session.flush()
    assert grades.regrade(quiz, world.users["pengajar"].id) == 1
    assert float(attempt.score) == 100.0
    reasons = db.session.scalars(
        select(GradeChange.reason).where(GradeChange.attempt_id == attempt.id)
    ).all()
    assert "regrade" in reasons


def test_review_setting(ctx, world) -> None:
    quiz, employee, _ = seed(world, review="never")
    attempt = svc.start_attempt(quiz, employee.id)
    assert queries.review_allowed(attempt) is False
    svc.submit(attempt)
    assert queries.review_allowed(attempt) is False
    quiz.review = "after_close"
    quiz.closes_at = utcnow() + timedelta(days=1)
    assert queries.review_allowed(attempt) is False
    assert queries.review_allowed(attempt, now=utcnow() + timedelta(days=2)) is True
    quiz.kind, quiz.review = "practice", "immediately"
    assert queries.review_allowed(attempt) is True
