"""On PostgreSQL: simultaneous starts and submits of quiz attempts, through the HTTP endpoints.

Each request runs in a thread of its own with its own test client, so its own app context,
session and connection, and commits, as concurrent gunicorn requests would. The accounts are
signed in by writing the Flask-Login session directly (no argon2, no login rate limit); CSRF is
off in this app. Runs only when LMS_TEST_DATABASE_URL is set: SQLite locks the whole file and
cannot show the races.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.attempts import services as svc
from lms.quizzes.models import AttemptAnswer, GradeChange, Question, Quiz, QuizAttempt
from tests.concurrency import signed_in_client, together
from tests.conftest import PG_URL, isolated_app
from tests.factories import build_world, make_course, make_employee, make_user

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")

SAME_TIME = 50  # requests for one attempt (or one learner) at the same moment
CROWD = 200  # learners starting the same quiz at once
CROWD_THREADS = 40  # ... driven by this many threads
RACE_ROUNDS = 10  # attempts submitted while their autosaves are still in flight
QUESTIONS = 20
CHOICES = {
    "answers": [
        {"text": "Jakarta", "fraction": 0.0},
        {"text": "Palembang", "fraction": 1.0},
        {"text": "Medan", "fraction": 0.0},
    ]
}


@dataclass(frozen=True)
class Setup:
    quiz_id: int
    question_ids: list[int]
    users: dict[str, tuple[int, int]]  # username -> (user id, employee id)


@pytest.fixture(scope="module")
def race(databases, tmp_path_factory) -> Iterator[tuple[Flask, Setup]]:
    """A database of its own: one course, a 20-question post-test, 212 enrolled learners."""
    with isolated_app(
        databases, tmp_path_factory.mktemp("quiz-race-files"), "quizrace", SAME_TIME + 5
    ) as app:
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            world = build_world()
            course = make_course("KUIS-RAMAI", title="Ujian Serentak")
            questions = [
                Question(
                    course_id=course.id, type="single_choice", name=f"Soal {i + 1}", data=CHOICES
                )
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
                    "attempts_allowed": 1,
                    "time_limit_minutes": 30,
                    "question_ids": [q.id for q in questions],
                },
            )
            users = {}
            names = ["sendiri", "kumpul"]
            names += [f"ramai{i:03d}" for i in range(CROWD)]
            names += [f"simpan{i:02d}" for i in range(RACE_ROUNDS)]
            for name in names:
                employee = make_employee(world.disdik, f"Peserta {name}")
                user = make_user(name, employee=employee)
                db.session.add(
                    Enrolment(course_id=course.id, employee_id=employee.id, status="active")
                )
                users[name] = (user.id, employee.id)
            db.session.commit()
            setup = Setup(quiz.id, [q.id for q in questions], users)
            db.session.remove()
        yield app, setup


def _client(app: Flask, setup: Setup, username: str) -> FlaskClient:
    """A test client signed in as ``username`` (the session Flask-Login would have written)."""
    return signed_in_client(app, setup.users[username][0])


def _attempt_rows(app: Flask, employee_id: int) -> list[QuizAttempt]:
    with app.app_context():
        rows = list(
            db.session.scalars(select(QuizAttempt).where(QuizAttempt.employee_id == employee_id))
        )
        db.session.expunge_all()
        db.session.remove()
    return rows


def test_fifty_simultaneous_starts_by_one_learner_make_one_attempt(race) -> None:
    app, setup = race
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    clients = [_client(app, setup, "sendiri") for _ in range(SAME_TIME)]

    def start(i: int) -> tuple[int, str]:
        reply = clients[i].post(f"/kuis/{setup.quiz_id}/mulai")
        return reply.status_code, reply.headers.get("Location", "")

    replies, errors = together(SAME_TIME, start)
    assert errors == []
    attempts = _attempt_rows(app, setup.users["sendiri"][1])
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt.number == 1 and attempt.status == "in_progress"
    # Every tab was sent to that one attempt, none to an error.
    assert Counter(replies) == {(302, f"/kuis/percobaan/{attempt.id}"): SAME_TIME}


def test_fifty_simultaneous_submits_of_one_attempt_grade_it_once(race) -> None:
    app, setup = race
    _user_id, employee_id = setup.users["kumpul"]
    with app.app_context():
        attempt = svc.start_attempt(db.session.get(Quiz, setup.quiz_id), employee_id)
        for n, qid in enumerate(setup.question_ids):
            svc.save_answer(attempt, qid, 1 if n % 2 == 0 else 0)  # half right
        db.session.commit()
        attempt_id = attempt.id
        db.session.remove()
    clients = [_client(app, setup, "kumpul") for _ in range(SAME_TIME)]

    def submit(i: int) -> tuple[int, str]:
        reply = clients[i].post(f"/kuis/percobaan/{attempt_id}/kumpulkan")
        return reply.status_code, reply.headers.get("Location", "")

    replies, errors = together(SAME_TIME, submit)
    assert errors == []
    assert Counter(replies) == {(302, f"/kuis/percobaan/{attempt_id}/hasil"): SAME_TIME}

    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == "graded"
        assert attempt.submitted_at is not None and attempt.graded_at is not None
        assert float(attempt.score) == 50.0
        answers = db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
        assert len(answers) == QUESTIONS
        assert sorted(a.fraction for a in answers) == [0.0] * 10 + [1.0] * 10
        changes = db.session.execute(
            select(GradeChange.reason, GradeChange.answer_id).where(
                GradeChange.attempt_id == attempt_id
            )
        ).all()
        auto = [answer_id for reason, answer_id in changes if reason == "auto"]
        # One 'auto' mark per answer, never two; one score row for the attempt.
        assert sorted(auto) == sorted(a.id for a in answers)
        assert Counter(reason for reason, _a in changes) == {"auto": QUESTIONS, "score": 1}
        db.session.remove()
    assert len(_attempt_rows(app, employee_id)) == 1


def test_two_hundred_learners_start_the_same_quiz_at_once(race) -> None:
    app, setup = race
    names = [f"ramai{i:03d}" for i in range(CROWD)]
    clients = {name: _client(app, setup, name) for name in names}
    go = threading.Event()

    def start(name: str) -> tuple[str, int, str]:
        go.wait(timeout=30)
        reply = clients[name].post(f"/kuis/{setup.quiz_id}/mulai")
        return name, reply.status_code, reply.headers.get("Location", "")

    with ThreadPoolExecutor(CROWD_THREADS) as pool:
        futures = [pool.submit(start, name) for name in names]
        go.set()
        outcomes = [f.result(timeout=120) for f in futures]  # re-raises any error

    assert {status for _n, status, _l in outcomes} == {302}
    locations = {name: location for name, _s, location in outcomes}
    assert all(re.fullmatch(r"/kuis/percobaan/\d+", loc) for loc in locations.values())
    crowd_employees = [setup.users[name][1] for name in names]
    with app.app_context():
        rows = db.session.execute(
            select(QuizAttempt.id, QuizAttempt.employee_id, QuizAttempt.number).where(
                QuizAttempt.employee_id.in_(crowd_employees)
            )
        ).all()
        total = db.session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(QuizAttempt.quiz_id == setup.quiz_id)
        )
        db.session.remove()
    assert len(rows) == CROWD
    assert {employee for _id, employee, _n in rows} == set(crowd_employees)
    assert {number for _id, _e, number in rows} == {1}
    # Each learner was sent to their own attempt.
    by_employee = {employee: attempt_id for attempt_id, employee, _n in rows}
    for name in names:
        assert locations[name] == f"/kuis/percobaan/{by_employee[setup.users[name][1]]}"
    assert total >= CROWD


def _counted_as_told(status: int, answer: AttemptAnswer | None) -> bool:
    """A save acknowledged (200) is graded with its response (1, right); a refused one (409)
    leaves what was there before (0 or blank), graded as wrong."""
    if answer is None or answer.fraction is None:
        return False
    if status == 200:
        return answer.response == 1 and answer.fraction == 1.0
    return status == 409 and answer.response in (0, None) and answer.fraction == 0.0


def test_saves_in_flight_while_submitting_are_either_graded_or_refused(race) -> None:
    """The learner picks the last answers and clicks submit while the autosaves are still on
    their way. The submit must succeed, and every save must either count (200, graded with that
    response) or be refused (409, the blank that was graded stays): never a 500, never an answer
    that was acknowledged and then graded as something else."""
    app, setup = race
    failures = []
    for round_ in range(RACE_ROUNDS):
        name = f"simpan{round_:02d}"
        _user_id, employee_id = setup.users[name]
        with app.app_context():
            quiz = db.session.get(Quiz, setup.quiz_id)
            attempt = svc.start_attempt(quiz, employee_id)
            for qid in setup.question_ids[:10]:
                svc.save_answer(attempt, qid, 0)  # the first half answered (wrongly) before
            db.session.commit()
            attempt_id = attempt.id
            db.session.remove()
        clients = [_client(app, setup, name) for _ in range(QUESTIONS + 1)]

        def act(i: int, clients: list[FlaskClient] = clients, attempt_id: int = attempt_id):
            if i == QUESTIONS:
                # Confirmed in the dialog: submit even with questions still unanswered.
                confirmed = {"unanswered": str(QUESTIONS)}
                reply = clients[i].post(f"/kuis/percobaan/{attempt_id}/kumpulkan", data=confirmed)
                return reply.status_code, reply.headers.get("Location", "")
            body = {"question_id": setup.question_ids[i], "response": 1}
            reply = clients[i].post(f"/kuis/percobaan/{attempt_id}/jawab", json=body)
            return reply.status_code, str(i)

        replies, errors = together(QUESTIONS + 1, act)
        assert errors == []
        submitted = [r for r in replies if r[1].endswith("/hasil")]
        saves = {int(where): status for status, where in replies if where.isdigit()}
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            answers = {a.question_id: a for a in attempt.answers}
            outcome = {
                "submit": [status for status, _w in submitted],
                "status": attempt.status,
                "saves": dict(Counter(saves.values())),
                "wrong": [
                    i
                    for i, status in saves.items()
                    if not _counted_as_told(status, answers.get(setup.question_ids[i]))
                ],
            }
            db.session.remove()
        if outcome["submit"] != [302] or outcome["status"] != "graded" or outcome["wrong"]:
            failures.append((round_, outcome))
    assert failures == []
