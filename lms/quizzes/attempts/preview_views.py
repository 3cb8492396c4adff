"""A quiz previewed by who may author or review its course: the learner's pages, without an
attempt.

Every route loads the course (404), checks ``can_author`` (a trainer their own courses, BKPSDM
any; 403) and the quiz's course (404). The intro and the questions are the learner's templates;
the answers are graded in memory (:mod:`preview`) and shown with the whole key, whatever the
quiz's review policy says: nothing is stored, so no grade, statistic or completion counts it.
The answer key of every quiz also reaches the course preview and BKPSDM's review page through
the ``quiz_answer_keys`` template global.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms.forms import CsrfForm
from lms.indonesian import local_wall_time
from lms.permissions import require
from lms.quizzes import bp
from lms.quizzes.attempts import preview
from lms.quizzes.attempts.review import blank_parts, choices, matching
from lms.quizzes.attempts.services import FinalGrade
from lms.quizzes.attempts.trainer_views import AUTHORS, _course, _course_quiz
from lms.quizzes.attempts.views import LABELS


@bp.app_template_global("quiz_answer_keys")
def quiz_answer_keys(course_id: int) -> list[preview.QuizKey]:
    """For the course preview and the review page: each quiz with its questions and key."""
    return preview.answer_keys(course_id)


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/pratinjau")
@require(*AUTHORS)
def quiz_preview(course_id: int, quiz_id: int):
    """The quiz's first page as a new learner sees it, then its answer key."""
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    key = next(k for k in preview.answer_keys(course.id) if k.quiz.id == quiz.id)
    return render_template(
        "quizzes/attempts/quiz_intro.html",
        preview=True,
        quiz=quiz,
        course=course,
        key=key,
        attempts=[],
        final=FinalGrade(None, False),
        remaining=quiz.attempts_allowed or None,
        in_progress=None,
        form=CsrfForm(),
        opens=local_wall_time(quiz.opens_at),
        closes=local_wall_time(quiz.closes_at),
        **LABELS,
    )


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/pratinjau/soal")
@require(*AUTHORS)
def quiz_preview_take(course_id: int, quiz_id: int):
    """The questions a new attempt would draw, on the learner's page; nothing is saved."""
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    attempt, questions = preview.draw(quiz)
    if not questions:
        flash(_("Kuis ini belum berisi soal."), "error")
        return redirect(url_for("quizzes.quiz_preview", course_id=course.id, quiz_id=quiz.id))
    return render_template(
        "quizzes/attempts/attempt_take.html",
        preview=True,
        course=course,
        attempt=attempt,
        quiz=quiz,
        shown=list(enumerate(questions, 1)),
        total=len(questions),
        page=None,
        answered=0,
        others=[],
        saved={},
        choices={q.id: choices(q, attempt) for q in questions},
        matching={q.id: matching(q, attempt) for q in questions if q.type == "matching"},
        blanks={q.id: parts for q in questions if (parts := blank_parts(q))},
        deadline_iso="",
        deadline_local=None,
        form=CsrfForm(),
        **LABELS,
    )


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/pratinjau/soal", methods=["POST"])
@require(*AUTHORS)
def quiz_preview_check(course_id: int, quiz_id: int) -> Response | str:
    """Grade the try-out in memory and show it as a learner's result with the whole key."""
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    again = url_for("quizzes.quiz_preview_take", course_id=course.id, quiz_id=quiz.id)
    if not CsrfForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Coba lagi."), "error")
        return redirect(again)
    ids = preview.parse_ids(request.form.get("soal", ""), quiz)
    if ids is None:
        flash(_("Soal pratinjau tidak dikenali. Pratinjau dimulai lagi."), "error")
        return redirect(again)
    result = preview.check(quiz, ids, request.form)
    return render_template(
        "quizzes/attempts/attempt_result.html",
        preview=True,
        course=course,
        attempt=result.attempt,
        quiz=quiz,
        result=result,
        review=True,
        items=result.items,
        attempts_left=True,
        final=FinalGrade(result.score, result.passed),
        **LABELS,
    )
