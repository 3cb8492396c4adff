"""Quizzes and their attempts: settings, start, save, submit, grade, sweep.

The server owns the clock: ``deadline_at`` is set when an attempt starts and nothing the browser
sends can move it. Answers are accepted until the deadline plus a short grace (a save in flight
when the countdown reaches zero still counts); after that an attempt is submitted by whichever
comes first, the learner's next request or the periodic sweep. Starting and submitting lock a
row first, so double clicks and retries produce one attempt and one submission under
concurrency: ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has no row locks (it ignores
``FOR UPDATE``), so there the transaction takes the database's write lock first
(``BEGIN IMMEDIATE``, see :func:`_lock_on_sqlite`). Services flush and never commit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from celery import shared_task
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course
from lms.db import as_utc, utcnow
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.quizzes.attempts.queries import attempt_questions, attempts_of
from lms.quizzes.bank.services import question_to_format
from lms.quizzes.grading import grade
from lms.quizzes.models import (
    AttemptAnswer,
    GradeChange,
    Question,
    Quiz,
    QuizAttempt,
)
from lms.quizzes.signals import attempt_graded

GRACE = timedelta(seconds=30)
#: Types whose answers are offered as a list that may be shuffled.
CHOICE_TYPES = ("single_choice", "multiple_response")
MAX_RESPONSE_CHARS = 20_000


class AttemptError(DomainError):
    """A refused action, with a message for the learner."""


# --- quiz settings -------------------------------------------------------------------------------


def quizzes_of(course: Course) -> list[Quiz]:
    return list(
        db.session.scalars(select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.id))
    )


def save_quiz(course: Course, quiz: Quiz | None, values: dict[str, Any]) -> Quiz:
    """Create or update a quiz; question ids and draw categories must belong to ``course``."""
    ids = _current_versions(course, [int(i) for i in values.pop("question_ids", [])])
    draws = values.pop("draws", [])
    if not ids and not draws:
        raise AttemptError(_("Pilih paling sedikit satu soal."))
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise AttemptError(_("Waktu tutup harus sesudah waktu buka."))
    if quiz is None:
        quiz = Quiz(course_id=course.id)
        db.session.add(quiz)
    for key, value in values.items():
        setattr(quiz, key, value)
    quiz.questions = {"ids": ids, "draws": draws}
    db.session.flush()
    return quiz


def _current_versions(course: Course, ids: list[int]) -> list[int]:
    """The bank questions ``ids`` name, each as its current version: a form opened before a
    trainer edited a question may still send the old version's id. Refused when one is not in
    the course's bank (another course's, or deleted)."""
    if not ids:
        return []
    named = db.session.execute(
        select(Question.id, Question.entry_id).where(
            Question.course_id == course.id, Question.id.in_(ids)
        )
    ).all()
    current = dict(
        db.session.execute(
            select(Question.entry_id, Question.id).where(
                Question.entry_id.in_({entry for _id, entry in named}),
                Question.status == "ready",
            )
        ).all()
    )
    entry_of = dict(named)
    out = [current.get(entry_of.get(i, -1)) for i in ids]
    if any(i is None for i in out):
        raise AttemptError(_("Soal yang dipilih tidak ada di bank soal pelatihan ini."))
    return list(dict.fromkeys(out))  # two versions of one question count once


# --- start ---------------------------------------------------------------------------------------


def _draw(quiz: Quiz, rng: random.Random) -> list[int]:
    spec = quiz.questions or {}
    ids = [int(i) for i in spec.get("ids", [])]
    for draw in spec.get("draws", []):
        pool = list(
            db.session.scalars(
                select(Question.id)
                .where(
                    Question.course_id == quiz.course_id,
                    Question.category_id == int(draw["category_id"]),
                    Question.status == "ready",
                    Question.id.not_in(ids),
                )
                .order_by(Question.id)
            )
        )
        ids.extend(rng.sample(pool, min(int(draw["count"]), len(pool))))
    if quiz.shuffle_questions:
        rng.shuffle(ids)
    return ids


def _answer_orders(quiz: Quiz, ids: list[int], rng: random.Random) -> dict[str, list[int]]:
    orders: dict[str, list[int]] = {}
    for question in db.session.scalars(select(Question).where(Question.id.in_(ids))):
        count = len((question.data or {}).get("answers", []))
        order = list(range(count))
        if quiz.shuffle_answers:
            rng.shuffle(order)
        orders[str(question.id)] = order
    return orders


def draw_questions(quiz: Quiz, rng: random.Random) -> tuple[list[int], dict[str, list[int]]]:
    """The question ids and option orders one attempt gets (a trainer's preview draws alike)."""
    ids = _draw(quiz, rng)
    return ids, _answer_orders(quiz, ids, rng)


def _lock_on_sqlite() -> bool:
    """On SQLite, make this transaction the writer now; True there, False on other databases.

    Python's sqlite3 opens a transaction only at the first write, so without this, two requests
    both read "no attempt yet" (or "in progress") and both act on it: the losers' INSERT hits the
    unique attempt number (a 500), and a submit grades the attempt once per request.
    ``BEGIN IMMEDIATE`` takes the write lock before the read; a parallel request waits for it
    (``busy_timeout``) and then reads what the first one committed. Readers are not blocked (WAL).
    A transaction already open here has normally written (sqlite3 opens one only then), so it
    holds the lock already.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return False
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")
    return True


def start_attempt(
    quiz: Quiz, employee_id: int, now: datetime | None = None, rng: random.Random | None = None
) -> QuizAttempt:
    """The in-progress attempt, or a new one if the quiz is open and attempts remain.

    The learner's enrolment row is locked first (the write lock on SQLite), so concurrent
    starts by one learner queue up and the second finds the first one's attempt; different
    learners never wait for each other on PostgreSQL. Should two starts still race (no
    enrolment row to lock), the unique attempt number refuses the second INSERT, and that
    start returns the winner's attempt instead of failing.
    """
    now = now or utcnow()
    if not _lock_on_sqlite():
        db.session.execute(
            select(Enrolment.id)
            .where(Enrolment.course_id == quiz.course_id, Enrolment.employee_id == employee_id)
            .with_for_update()
        )
    previous = attempts_of(quiz, employee_id)
    for attempt in previous:
        db.session.refresh(attempt)
        if attempt.status == "in_progress":
            if close_if_overdue(attempt, now):
                continue
            return attempt
    opens, closes = as_utc(quiz.opens_at), as_utc(quiz.closes_at)
    if opens is not None and now < opens:
        raise AttemptError(_("Kuis ini belum dibuka."))
    if closes is not None and now >= closes:
        raise AttemptError(_("Kuis ini sudah ditutup."))
    used = len(previous)
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        raise AttemptError(
            _("Kesempatan mengerjakan kuis ini sudah habis (%(n)s kali).", n=quiz.attempts_allowed)
        )
    rng = rng or random.SystemRandom()
    ids, orders = draw_questions(quiz, rng)
    if not ids:
        raise AttemptError(_("Kuis ini belum berisi soal."))
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if closes is not None:
        deadline = min(deadline, closes) if deadline else closes
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        employee_id=employee_id,
        number=used + 1,
        status="in_progress",
        started_at=now,
        deadline_at=deadline,
        question_order=ids,
        answer_order=orders,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        winner = next(
            (a for a in attempts_of(quiz, employee_id) if a.status == "in_progress"), None
        )
        if winner is None:
            raise AttemptError(
                _("Percobaan ini baru saja dimulai di tab lain; coba lagi.")
            ) from None
        return winner
    return attempt


# --- answering -----------------------------------------------------------------------------------


def is_overdue(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    deadline = as_utc(attempt.deadline_at)
    return deadline is not None and (now or utcnow()) > deadline + GRACE


def _clean_response(response: Any) -> Any:
    """Keep only a plausible shape; anything odd is refused rather than stored."""
    if len(repr(response)) > MAX_RESPONSE_CHARS:
        raise AttemptError(_("Jawaban terlalu panjang."))
    if response is None or isinstance(response, bool | int | float | str):
        return response
    if isinstance(response, list) and all(isinstance(x, int) for x in response):
        return response
    if isinstance(response, dict) and all(isinstance(v, str) for v in response.values()):
        return {str(k): v for k, v in response.items()}
    raise AttemptError(_("Bentuk jawaban tidak dikenali."))


def save_answer(
    attempt: QuizAttempt,
    question_id: int,
    response: Any,
    now: datetime | None = None,
    *,
    locked: bool = False,
) -> int:
    """Store (or replace) one answer while the attempt is open; returns the answer's id.

    The attempt row is locked so a save racing its submit either lands before grading or is
    refused; ``locked`` says the caller loaded it with ``FOR UPDATE`` in this transaction already.
    """
    now = now or utcnow()
    if _lock_on_sqlite() or not locked:
        db.session.refresh(attempt, with_for_update=True)
    if attempt.status != "in_progress":
        raise AttemptError(_("Percobaan ini sudah dikumpulkan; jawaban tidak bisa diubah."))
    if is_overdue(attempt, now):
        raise AttemptError(_("Waktu pengerjaan sudah habis; jawaban tidak diterima lagi."))
    if question_id not in [int(i) for i in attempt.question_order]:
        raise AttemptError(_("Soal ini tidak ada di percobaan ini."))
    response = _clean_response(response)  # the question is in question_order: no need to load it
    # One statement inserts or replaces the answer (an autosave is hot): the unique constraint on
    # (attempt, question) settles two saves of one question in flight at once, where the row
    # lock above does not serialise them (SQLite), without a savepoint or a second read.
    values = {"attempt_id": attempt.id, "question_id": question_id, "response": response}
    values["saved_at"] = now
    statement = _answer_upsert(db.session.get_bind().dialect.name)
    return db.session.execute(statement, values).scalar_one()


@lru_cache(maxsize=4)
def _answer_upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING id for one answer, on the table (no ORM objects
    to build), once per dialect (PostgreSQL and SQLite both know it); values come as parameters."""
    table = AttemptAnswer.__table__
    return _replacing_answer((pg_insert if dialect == "postgresql" else sqlite_insert)(table))


def _replacing_answer(stmt: Any) -> Any:
    """An answer INSERT that replaces the response of the same (attempt, question): the unique
    constraint settles two saves of one question in flight at once; RETURNING its id."""
    answers = AttemptAnswer.__table__
    return stmt.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.question_id],
        set_={"response": stmt.excluded.response, "saved_at": stmt.excluded.saved_at},
    ).returning(answers.c.id)


# --- submit and grade ----------------------------------------------------------------------------


def _grade_response(question: Question, response: Any) -> float | None:
    if question.type == "essay":
        return None
    if response is None:
        return 0.0
    shaped = response
    if question.type == "matching" and isinstance(response, dict):
        shaped = {int(k): v for k, v in response.items() if str(k).isdigit()}
    try:
        return float(grade(question_to_format(question), shaped))
    except (TypeError, ValueError):
        return 0.0


def _audit(
    attempt: QuizAttempt,
    answer: AttemptAnswer | None,
    before: float | None,
    after: float | None,
    by: int | None,
    reason: str,
    comment: str = "",
) -> None:
    db.session.add(
        GradeChange(
            attempt_id=attempt.id,
            answer_id=answer.id if answer is not None else None,
            changed_by_id=by,
            before=before,
            after=after,
            reason=reason,
            comment=comment,
        )
    )


def _score(attempt: QuizAttempt) -> None:
    """Set the attempt's score once every answer has a mark; essays keep it 'submitted'."""
    answers = {a.question_id: a for a in attempt.answers}
    total = len(attempt.question_order)
    fractions = []
    for qid in attempt.question_order:
        answer = answers.get(int(qid))
        fractions.append(answer.fraction if answer is not None else 0.0)
    if any(f is None for f in fractions):
        return
    before = float(attempt.score) if attempt.score is not None else None
    score = round(100 * sum(fractions) / total, 2) if total else 0.0
    attempt.score = Decimal(str(score))
    if attempt.status != "graded":
        attempt.status = "graded"
        attempt.graded_at = utcnow()
    if before != score:
        _audit(attempt, None, before, score, None, "score")
    attempt_graded.send(attempt)  # a graded post-test may complete the course: judged now


def submit(
    attempt: QuizAttempt, now: datetime | None = None, *, locked: bool = False
) -> QuizAttempt:
    """Submit and grade automatically; a second submit returns the attempt unchanged.

    ``locked`` says the caller loaded the attempt with ``FOR UPDATE`` in this transaction (on
    SQLite that locked nothing: the write lock is taken and the attempt read again here).
    """
    now = now or utcnow()
    if _lock_on_sqlite() or not locked:
        db.session.refresh(attempt, with_for_update=True)
    if attempt.status != "in_progress":
        return attempt
    # Read everything before the first change, so autoflush does not write the attempt twice.
    answers = {a.question_id: a for a in attempt.answers}
    questions = attempt_questions(attempt)
    attempt.status = "submitted"
    attempt.submitted_at = now
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            answer = AttemptAnswer(attempt=attempt, question_id=question.id, response=None)
            db.session.add(answer)
            db.session.flush()
        answer.fraction = _grade_response(question, answer.response)
        if answer.fraction is not None:
            _audit(attempt, answer, None, answer.fraction, None, "auto")
    _score(attempt)
    db.session.flush()
    return attempt


def close_if_overdue(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Submit an attempt whose time (plus grace) is up; True if it was closed now."""
    if attempt.status == "in_progress" and is_overdue(attempt, now):
        submit(attempt, now)
        return True
    return False


def sweep(now: datetime | None = None) -> int:
    """Submit every overdue attempt; returns how many were closed."""
    now = now or utcnow()
    overdue = db.session.scalars(
        select(QuizAttempt).where(
            QuizAttempt.status == "in_progress",
            QuizAttempt.deadline_at.is_not(None),
            QuizAttempt.deadline_at < now - GRACE,
        )
    ).all()
    closed = 0
    for attempt in overdue:
        closed += close_if_overdue(attempt, now)
    return closed


def sweep_and_commit() -> int:
    """The sweep as a unit of work of its own (task and CLI), committed."""
    closed = sweep()
    db.session.commit()
    return closed


@shared_task(name="quizzes.sweep_overdue")
def sweep_overdue() -> int:
    """Periodic task for Celery beat; ``flask quiz sweep`` does the same from cron."""
    return sweep_and_commit()


# --- final grade ---------------------------------------------------------------------------------


@dataclass
class FinalGrade:
    score: float | None
    passed: bool


def final_grade(
    quiz: Quiz, employee_id: int, attempts: list[QuizAttempt] | None = None
) -> FinalGrade:
    """The quiz grade across graded attempts, per ``quiz.grading``; ``attempts`` when the caller
    has already loaded :func:`attempts_of` for this quiz and employee."""
    if attempts is None:
        attempts = attempts_of(quiz, employee_id)
    scores = [float(a.score) for a in attempts if a.status == "graded" and a.score is not None]
    if not scores:
        return FinalGrade(None, False)
    if quiz.grading == "highest":
        score = max(scores)
    elif quiz.grading == "last":
        score = scores[-1]
    else:
        score = round(sum(scores) / len(scores), 2)
    return FinalGrade(score, score >= quiz.pass_mark)


def attempt_count(quiz: Quiz) -> int:
    return db.session.scalar(
        select(func.count()).select_from(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id)
    )
