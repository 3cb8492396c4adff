"""Simultaneous starts and submits of one learner's quiz, on SQLite (a file) and PostgreSQL.

SQLite has no ``SELECT … FOR UPDATE``: before the fix, 10 starts at once gave three 500s (the
unique attempt number refused the losers' INSERT) and 10 submits graded one attempt seven times.
Each request runs in a thread with its own test client, app context, session and connection, as
concurrent gunicorn threads would; accounts are signed in by writing the Flask-Login session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Unit
from lms.quizzes.attempts import queries
from lms.quizzes.attempts import services as svc
from lms.quizzes.models import AttemptAnswer, GradeChange, Question, Quiz, QuizAttempt
from tests.concurrency import signed_in_client, together
from tests.conftest import isolated_app
from tests.factories import build_world, make_course, make_employee, make_user

PARALLEL = 10
QUESTIONS = 4
CHOICES = {
    "answers": [
        {"text": "Jakarta", "fraction": 0.0},
        {"text": "Palembang", "fraction": 1.0},
    ]
}


@pytest.fixture(scope="module")
def race(databases, tmp_path_factory) -> Iterator[tuple[Flask, int, list[int], dict]]:
    """A database of its own: a 4-question post-test (2 attempts allowed), two learners."""
    with isolated_app(
        databases, tmp_path_factory.mktemp("quiz-race-any"), "quizraceany", PARALLEL + 5
    ) as app:
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            world = build_world()
            course = make_course("KUIS-SERENTAK", title="Ujian Serentak")
            questions = [
                Question(course_id=course.id, type="single_choice", name=f"Soal {i}", data=CHOICES)
                for i in range(QUESTIONS)
            ]
            db.session.add_all(questions)
            db.session.flush()
            quiz = svc.save_quiz(
                course,
                None,
                {
                    "title": "Post-test",
                    "kind": "post_test",
                    "attempts_allowed": 2,
                    "time_limit_minutes": 30,
                    "question_ids": [q.id for q in questions],
                },
            )
            users = {}
            for name in ("mulai", "kumpul"):
                employee = make_employee(world.disdik, f"Peserta {name}")
                user = make_user(name, employee=employee)
                db.session.add(
                    Enrolment(course_id=course.id, employee_id=employee.id, status="active")
                )
                users[name] = (user.id, employee.id)
            db.session.commit()
            ids = quiz.id, [q.id for q in questions]
            db.session.remove()
        yield app, ids[0], ids[1], users


def _client(app: Flask, user_id: int) -> FlaskClient:
    return signed_in_client(app, user_id)


def _together(request: Callable[[int], tuple[int, str]]) -> list[tuple[int, str]]:
    """PARALLEL requests released at the same moment; any exception fails the test."""
    replies, errors = together(PARALLEL, request)
    assert errors == []
    return replies


def _attempts(app: Flask, employee_id: int) -> list[tuple[int, int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(QuizAttempt.id, QuizAttempt.number, QuizAttempt.status).where(
                QuizAttempt.employee_id == employee_id
            )
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_ten_parallel_starts_make_one_attempt(race) -> None:
    app, quiz_id, _questions, users = race
    user_id, employee_id = users["mulai"]
    clients = [_client(app, user_id) for _ in range(PARALLEL)]

    def start(i: int) -> tuple[int, str]:
        reply = clients[i].post(f"/kuis/{quiz_id}/mulai")
        return reply.status_code, reply.headers.get("Location", "")

    replies = _together(start)
    rows = _attempts(app, employee_id)
    assert len(rows) == 1, rows
    attempt_id, number, status = rows[0]
    assert number == 1 and status == "in_progress"
    assert Counter(replies) == {(302, f"/kuis/percobaan/{attempt_id}"): PARALLEL}


def test_ten_parallel_submits_grade_once(race) -> None:
    app, quiz_id, question_ids, users = race
    user_id, employee_id = users["kumpul"]
    with app.app_context():
        attempt = svc.start_attempt(db.session.get(Quiz, quiz_id), employee_id)
        for n, qid in enumerate(question_ids):
            svc.save_answer(attempt, qid, 1 if n % 2 == 0 else 0)  # half right
        db.session.commit()
        attempt_id = attempt.id
        db.session.remove()
    clients = [_client(app, user_id) for _ in range(PARALLEL)]

    def submit(i: int) -> tuple[int, str]:
        reply = clients[i].post(f"/kuis/percobaan/{attempt_id}/kumpulkan")
        return reply.status_code, reply.headers.get("Location", "")

    replies = _together(submit)
    assert Counter(replies) == {(302, f"/kuis/percobaan/{attempt_id}/hasil"): PARALLEL}
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == "graded" and float(attempt.score) == 50.0
        answers = db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
        changes = db.session.scalars(
            select(GradeChange.reason).where(GradeChange.attempt_id == attempt_id)
        ).all()
        db.session.remove()
    assert len(answers) == QUESTIONS
    # Graded once: one 'auto' mark per answer and one score row, not one set per request.
    assert Counter(changes) == {"auto": QUESTIONS, "score": 1}
    assert len(_attempts(app, employee_id)) == 1


def test_a_start_that_loses_the_attempt_number_returns_the_winners_attempt(
    race, monkeypatch
) -> None:
    """The last line of defence when the lock did not serialise two starts (no enrolment row
    to lock): the unique attempt number refuses the second INSERT, and that start answers with
    the attempt the first one made instead of an IntegrityError."""
    app, quiz_id, _questions, users = race
    with app.app_context():
        employee = make_employee(db.session.scalars(select(Unit)).first(), "Peserta kalah")
        quiz = db.session.get(Quiz, quiz_id)
        winner = svc.start_attempt(quiz, employee.id)
        db.session.commit()
        winner_id, employee_id = winner.id, employee.id
        real = queries.attempts_of
        calls = []

        def stale(q, e):
            calls.append(1)
            return [] if len(calls) == 1 else real(q, e)

        monkeypatch.setattr(svc, "attempts_of", stale)
        again = svc.start_attempt(quiz, employee.id)
        assert again.id == winner_id
        db.session.commit()
        db.session.remove()
    assert [r[0] for r in _attempts(app, employee_id)] == [winner_id]
