"""Taking and reviewing a quiz (the trainer's side is in ``trainer_views``).

Learner routes load the quiz or attempt (404), then check that the signed-in employee is
enrolled in the quiz's course, or owns the attempt (403). Any learner request that touches an overdue attempt submits it
first, so the clock is enforced even without the periodic sweep. The review of an attempt (the
learner's answers, marks, correct answers and feedback) is built only once ``review_allowed``
says so; before that no answer key or feedback reaches the page. A submit that leaves questions
unanswered is confirmed first: in a dialog (quiz.js), and on the server, which sends an unconfirmed
one to a confirmation page, so it holds without JavaScript too.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from lms.auth.services import session_account
from lms.courses import cache as course_cache
from lms.courses.models import Course
from lms.db import as_utc, db_int, is_db_id, iso_utc, utcnow
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_wall_time
from lms.permissions import Capability, refuse, require
from lms.quizzes import bp
from lms.quizzes.attempts import autosave, queries
from lms.quizzes.attempts import services as svc
from lms.quizzes.attempts.forms import (
    GRADING_LABELS,
    KIND_LABELS,
    REVIEW_LABELS,
    STATUS_LABELS,
)
from lms.quizzes.attempts.posted import posted_responses
from lms.quizzes.attempts.review import blank_parts, choices, matching, review_item
from lms.quizzes.bank.forms import TYPE_LABELS
from lms.quizzes.models import QuestionCategory, Quiz, QuizAttempt

LABELS = {
    "kinds": KIND_LABELS,
    "reviews": REVIEW_LABELS,
    "gradings": GRADING_LABELS,
    "statuses": STATUS_LABELS,
    "types": TYPE_LABELS,
}


class QuizLink(NamedTuple):
    """What learner pages show of a course's quiz: plain values, fit for the cache."""

    id: int
    title: str
    is_post_test: bool


course_cache.watch(Quiz)  # a quiz added, renamed, moved or removed: a new catalogue generation


@bp.app_template_global("course_quizzes")
def course_quizzes(course_id: int) -> tuple[QuizLink, ...]:
    """A course's quizzes in order, for links from learner pages (course page, lesson player):
    the same for every learner, so kept in the courses cache (no query on a hit)."""
    return course_cache.cached("quizzes", (course_id,), lambda: _quiz_links(course_id))


def _quiz_links(course_id: int) -> tuple[QuizLink, ...]:
    quizzes = db.session.scalars(select(Quiz).where(Quiz.course_id == course_id).order_by(Quiz.id))
    return tuple(QuizLink(q.id, q.title, q.is_post_test) for q in quizzes)


def _learner_quiz(quiz_id: int) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    if not queries.is_enrolled(quiz, current_user.employee_id):
        refuse(quiz)
    return quiz


# Built once (the autosave runs them on every answer): SQLAlchemy reuses their cache keys.
_ATTEMPT = select(QuizAttempt).where(QuizAttempt.id == bindparam("id"))
_ATTEMPT_LOCKED = _ATTEMPT.with_for_update().execution_options(populate_existing=True)


def _own_attempt(attempt_id: int, lock: bool = False) -> QuizAttempt:
    statement = _ATTEMPT_LOCKED if lock else _ATTEMPT
    attempt = db.session.scalars(statement, {"id": attempt_id}).one_or_none()
    if attempt is None:
        abort(404)
    employee_id = current_user.employee_id  # no need to load the employee on every autosave
    if employee_id is None or attempt.employee_id != employee_id:
        refuse(attempt)
    return attempt


@bp.route("/kuis/<int:quiz_id>")
@require(Capability.LEARN)
def quiz(quiz_id: int):
    quiz = _learner_quiz(quiz_id)
    attempts = queries.attempts_of(quiz, current_user.employee_id)
    if any(svc.close_if_overdue(a) for a in attempts):
        db.session.commit()
    final = svc.final_grade(quiz, current_user.employee_id, attempts)
    remaining = None
    if quiz.attempts_allowed:
        remaining = max(0, quiz.attempts_allowed - len(attempts))
    return render_template(
        "quizzes/attempts/quiz_intro.html",
        quiz=quiz,
        course=db.session.get(Course, quiz.course_id),
        attempts=attempts,
        final=final,
        remaining=remaining,
        in_progress=next((a for a in attempts if a.status == "in_progress"), None),
        form=CsrfForm(),
        opens=local_wall_time(quiz.opens_at),
        closes=local_wall_time(quiz.closes_at),
        **LABELS,
    )


@bp.route("/kuis/<int:quiz_id>/mulai", methods=["POST"])
@require(Capability.LEARN)
def quiz_start(quiz_id: int) -> Response:
    quiz = _learner_quiz(quiz_id)
    if not CsrfForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Coba lagi."), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    try:
        attempt = svc.start_attempt(quiz, current_user.employee_id)
    except svc.AttemptError as err:
        db.session.commit()  # an overdue attempt may have been closed on the way
        flash(str(err), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    attempt_id = attempt.id  # read before the commit expires it: no reload for the URL
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


@bp.route("/kuis/percobaan/<int:attempt_id>")
@require(Capability.LEARN)
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status != "in_progress":
        return redirect(url_for("quizzes.attempt_result", attempt_id=attempt.id))
    questions = queries.attempt_questions(attempt)
    page = None
    if attempt.quiz.one_per_page and questions:
        page = max(1, min(request.args.get("soal", 1, type=db_int), len(questions)))
    shown = [(n, q) for n, q in enumerate(questions, 1) if page is None or n == page]
    missing = set(queries.unanswered(attempt))
    deadline = as_utc(attempt.deadline_at)
    return render_template(
        "quizzes/attempts/attempt_take.html",
        attempt=attempt,
        quiz=attempt.quiz,
        shown=shown,
        total=len(questions),
        page=page,
        answered=len(questions) - len(missing & {q.id for q in questions}),
        # Unanswered questions on other pages (one per page), for the count before submitting.
        others=[n for n, q in enumerate(questions, 1) if q.id in missing and n != page]
        if page is not None
        else [],
        saved=queries.saved_responses(attempt),
        choices={q.id: choices(q, attempt) for q in questions},
        matching={q.id: matching(q, attempt) for q in questions if q.type == "matching"},
        blanks={q.id: parts for q in questions if (parts := blank_parts(q))},
        deadline_iso=iso_utc(deadline) or "",
        deadline_local=local_wall_time(deadline),
        form=CsrfForm(),
        **LABELS,
    )


def _save_proven(attempt_id: int) -> Response | None:
    """The autosave in one autocommitted statement that proves the signed-in account owns the
    open attempt (see :func:`autosave.save_answer_quickly`); None sends the request the usual way,
    which loads the account, checks it and says exactly why a save is refused."""
    account = session_account(session)
    payload = request.get_json(silent=True)
    if account is None or not isinstance(payload, dict):
        return None
    if not is_db_id(payload.get("question_id")):
        return None  # the usual way refuses it with a message
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            saved = autosave.save_answer_quickly(
                connection, attempt_id, account, payload["question_id"], payload.get("response")
            )
        except svc.AttemptError:
            return None
    if saved is None:
        return None
    return jsonify(ok=True, message=_("Tersimpan"))


@bp.route("/kuis/percobaan/<int:attempt_id>/jawab", methods=["POST"])
@require(Capability.LEARN, proven_by=_save_proven)
def attempt_save(attempt_id: int) -> Response:
    attempt = _own_attempt(attempt_id, lock=True)  # locked once, here, for save_answer
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("question_id"), int):
        return jsonify(ok=False, message=_("Permintaan tidak dikenali.")), 400
    try:
        svc.save_answer(attempt, payload["question_id"], payload.get("response"), locked=True)
    except svc.AttemptError as err:
        svc.close_if_overdue(attempt)
        db.session.commit()
        return jsonify(ok=False, message=str(err), status=attempt.status), 409
    db.session.commit()
    return jsonify(ok=True, message=_("Tersimpan"))


def _keep_posted_answers(attempt: QuizAttempt) -> None:
    """Store the answers the submit form carries (all of them without JavaScript; with it, the
    same answers the autosave already stored, or newer ones still being typed)."""
    posted = posted_responses(queries.attempt_questions(attempt), request.form)
    for question_id, response in posted.items():
        try:
            svc.save_answer(attempt, question_id, response, locked=True)
        except svc.AttemptError:
            continue  # an answer the autosave would refuse too (odd shape): the saved one stays


def _submit_confirmed(attempt: QuizAttempt, missing: int) -> bool:
    """Did the learner agree to leave ``missing`` questions unanswered (or is the time up)?

    The browser's dialog, or the confirmation page without JavaScript, sends how many
    unanswered questions the learner saw; more than that on the server (an answer that never
    arrived) asks again. When the countdown ends the page submits with ``timeup``: the
    learner's own clock ran out, nothing is left to ask.
    """
    if not missing or request.form.get("timeup") == "1":
        return True
    deadline = as_utc(attempt.deadline_at)
    if deadline is not None and utcnow() >= deadline:
        return True
    agreed = request.form.get("unanswered", type=int)
    return agreed is not None and agreed >= missing


@bp.route("/kuis/percobaan/<int:attempt_id>/kumpulkan", methods=["POST"])
@require(Capability.LEARN)
def attempt_submit(attempt_id: int) -> Response:
    attempt = _own_attempt(attempt_id, lock=True)  # locked once, here, for submit
    if not CsrfForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Coba lagi."), "error")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    if attempt.status == "in_progress" and not svc.is_overdue(attempt):
        _keep_posted_answers(attempt)
        missing = len(queries.unanswered(attempt))
        if not _submit_confirmed(attempt, missing):
            db.session.commit()  # the answers the form carried are kept; the lock is released
            return redirect(url_for("quizzes.attempt_confirm", attempt_id=attempt_id), 303)
    svc.submit(attempt, locked=True)
    db.session.commit()
    return redirect(url_for("quizzes.attempt_result", attempt_id=attempt_id))


@bp.route("/kuis/percobaan/<int:attempt_id>/konfirmasi")
@require(Capability.LEARN)
def attempt_confirm(attempt_id: int):
    """Before submitting: how many questions are still unanswered, which, and a way back.

    The page the submit button leads to without JavaScript (with it, a dialog asks the same)."""
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status != "in_progress":
        return redirect(url_for("quizzes.attempt_result", attempt_id=attempt.id))
    missing = set(queries.unanswered(attempt))
    order = [int(i) for i in attempt.question_order]
    one_per_page = attempt.quiz.one_per_page
    links = [
        (
            n,
            url_for("quizzes.attempt", attempt_id=attempt.id, soal=n)
            if one_per_page
            else url_for("quizzes.attempt", attempt_id=attempt.id, _anchor=f"soal-{qid}"),
        )
        for n, qid in enumerate(order, 1)
        if qid in missing
    ]
    return render_template(
        "quizzes/attempts/attempt_confirm.html",
        attempt=attempt,
        quiz=attempt.quiz,
        total=len(order),
        links=links,
        form=CsrfForm(),
        **LABELS,
    )


@bp.route("/kuis/percobaan/<int:attempt_id>/hasil")
@require(Capability.LEARN)
def attempt_result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status == "in_progress":
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    attempts = queries.attempts_of(attempt.quiz, attempt.employee_id)
    review = queries.review_allowed(attempt, attempts=attempts)
    items = []
    if review:
        answers = {a.question_id: a for a in attempt.answers}
        # Loaded once so that each question's category comes from the identity map.
        db.session.scalars(
            select(QuestionCategory).where(QuestionCategory.course_id == attempt.quiz.course_id)
        ).all()
        items = [
            review_item(q, attempt, answers.get(q.id)) for q in queries.attempt_questions(attempt)
        ]
    return render_template(
        "quizzes/attempts/attempt_result.html",
        attempt=attempt,
        quiz=attempt.quiz,
        review=review,
        items=items,
        attempts_left=queries.attempts_left(attempt.quiz, attempts),
        final=svc.final_grade(attempt.quiz, attempt.employee_id, attempts),
        **LABELS,
    )
