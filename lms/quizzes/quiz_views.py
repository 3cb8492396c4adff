"""Quiz settings and essay grading for trainers; taking a quiz for learners.

Trainer routes load the course (404) and check ``can_author`` (403). Learner routes load the
quiz or attempt (404), then check that the signed-in employee is enrolled in the quiz's course,
or owns the attempt (403). Any learner request that touches an overdue attempt submits it
first, so the clock is enforced even without the periodic sweep.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.courses.models import Course
from lms.courses.services import can_author
from lms.extensions import db
from lms.permissions import Capability, require
from lms.quizzes import attempts as svc
from lms.quizzes import bp
from lms.quizzes.forms import TYPE_LABELS
from lms.quizzes.models import AttemptAnswer, Question, QuestionCategory, Quiz, QuizAttempt
from lms.quizzes.quiz_forms import (
    GRADING_LABELS,
    KIND_LABELS,
    REVIEW_LABELS,
    STATUS_LABELS,
    EssayGradeForm,
    QuizActionForm,
    QuizForm,
)

AUTHORS = (Capability.AUTHOR_COURSES, Capability.PUBLISH_COURSES)
WIB = ZoneInfo("Asia/Jakarta")
LABELS = {
    "kinds": KIND_LABELS,
    "reviews": REVIEW_LABELS,
    "gradings": GRADING_LABELS,
    "statuses": STATUS_LABELS,
    "types": TYPE_LABELS,
}


def _course(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    if not can_author(current_user, course):
        abort(403)
    return course


def _course_quiz(course: Course, quiz_id: int) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    if quiz.course_id != course.id:
        abort(404)
    return quiz


def _to_utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=WIB).astimezone(UTC) if moment else None


def _to_wib(moment: datetime | None) -> datetime | None:
    moment = svc.aware(moment)
    return moment.astimezone(WIB).replace(tzinfo=None) if moment else None


# --- trainer -------------------------------------------------------------------------------------


@bp.route("/kelola/pelatihan/<int:course_id>/kuis")
@require(*AUTHORS)
def quiz_list(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    return render_template(
        "quizzes/quiz_list.html", course=course, quizzes=svc.quizzes_of(course), **LABELS
    )


def _quiz_form(course: Course, quiz: Quiz | None) -> QuizForm:
    form = QuizForm(obj=quiz) if request.method == "GET" and quiz else QuizForm()
    questions = db.session.scalars(
        select(Question).where(Question.course_id == course.id).order_by(Question.id)
    ).all()
    form.question_ids.choices = [
        (q.id, f"{q.name} ({TYPE_LABELS.get(q.type, q.type)})") for q in questions
    ]
    categories = db.session.scalars(
        select(QuestionCategory)
        .where(QuestionCategory.course_id == course.id)
        .order_by(QuestionCategory.name)
    ).all()
    form.draw_category.choices = [(0, _("— tidak ada —"))] + [(c.id, c.name) for c in categories]
    if request.method == "GET" and quiz is not None:
        spec = quiz.questions or {}
        form.question_ids.data = [int(i) for i in spec.get("ids", [])]
        draws = spec.get("draws") or []
        if draws:
            form.draw_category.data = int(draws[0]["category_id"])
            form.draw_count.data = int(draws[0]["count"])
        form.opens_at.data = _to_wib(quiz.opens_at)
        form.closes_at.data = _to_wib(quiz.closes_at)
    return form


def _save_quiz(course: Course, quiz: Quiz | None, form: QuizForm) -> Quiz | None:
    draws = []
    if form.draw_category.data and form.draw_count.data:
        draws = [{"category_id": form.draw_category.data, "count": form.draw_count.data}]
    values = {
        "title": form.title.data.strip(),
        "kind": form.kind.data,
        "pass_mark": form.pass_mark.data,
        "attempts_allowed": form.attempts_allowed.data or 0,
        "time_limit_minutes": form.time_limit_minutes.data or None,
        "opens_at": _to_utc(form.opens_at.data),
        "closes_at": _to_utc(form.closes_at.data),
        "shuffle_questions": form.shuffle_questions.data,
        "shuffle_answers": form.shuffle_answers.data,
        "one_per_page": form.one_per_page.data,
        "review": form.review.data,
        "grading": form.grading.data,
        "question_ids": form.question_ids.data or [],
        "draws": draws,
    }
    try:
        return svc.save_quiz(course, quiz, values)
    except svc.AttemptError as err:
        form.question_ids.errors = [*form.question_ids.errors, str(err)]
        return None


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/baru", methods=["GET", "POST"])
@require(*AUTHORS)
def quiz_new(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    form = _quiz_form(course, None)
    if form.validate_on_submit() and (quiz := _save_quiz(course, None, form)) is not None:
        db.session.commit()
        flash(_("Kuis “%(t)s” dibuat.", t=quiz.title), "success")
        return redirect(url_for("quizzes.quiz_list", course_id=course.id))
    return render_template("quizzes/quiz_form.html", course=course, form=form, quiz=None)


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/ubah", methods=["GET", "POST"])
@require(*AUTHORS)
def quiz_edit(course_id: int, quiz_id: int):  # noqa: ANN201
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    form = _quiz_form(course, quiz)
    if form.validate_on_submit() and _save_quiz(course, quiz, form) is not None:
        db.session.commit()
        flash(_("Kuis “%(t)s” disimpan.", t=quiz.title), "success")
        return redirect(url_for("quizzes.quiz_list", course_id=course.id))
    return render_template("quizzes/quiz_form.html", course=course, form=form, quiz=quiz)


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/penilaian")
@require(*AUTHORS)
def quiz_grading(course_id: int, quiz_id: int):  # noqa: ANN201
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    pending = svc.pending_essays(quiz)
    return render_template(
        "quizzes/quiz_grading.html",
        course=course,
        quiz=quiz,
        pending=pending,
        forms={a.id: EssayGradeForm(prefix=f"a{a.id}") for a in pending},
        action=QuizActionForm(),
        **LABELS,
    )


@bp.route(
    "/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/penilaian/<int:answer_id>",
    methods=["POST"],
)
@require(*AUTHORS)
def quiz_grade_answer(course_id: int, quiz_id: int, answer_id: int) -> Response:
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    answer = db.get_or_404(AttemptAnswer, answer_id)
    if answer.attempt.quiz_id != quiz.id:
        abort(404)
    form = EssayGradeForm(prefix=f"a{answer.id}")
    if not form.validate_on_submit():
        flash(_("Nilai harus diisi dengan angka 0 sampai 100."), "error")
        return redirect(url_for("quizzes.quiz_grading", course_id=course.id, quiz_id=quiz.id))
    try:
        svc.grade_answer(
            answer, float(form.mark.data) / 100, current_user.id, (form.comment.data or "").strip()
        )
    except svc.AttemptError as err:
        flash(str(err), "error")
        return redirect(url_for("quizzes.quiz_grading", course_id=course.id, quiz_id=quiz.id))
    db.session.commit()
    flash(_("Nilai esai disimpan."), "success")
    return redirect(url_for("quizzes.quiz_grading", course_id=course.id, quiz_id=quiz.id))


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/nilai-ulang", methods=["POST"])
@require(*AUTHORS)
def quiz_regrade(course_id: int, quiz_id: int) -> Response:
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    if QuizActionForm().validate_on_submit():
        changed = svc.regrade(quiz, current_user.id)
        db.session.commit()
        flash(_("Penilaian ulang selesai: %(n)s jawaban berubah.", n=changed), "success")
    return redirect(url_for("quizzes.quiz_grading", course_id=course.id, quiz_id=quiz.id))


# --- learner -------------------------------------------------------------------------------------


def _learner_quiz(quiz_id: int) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    if not svc.is_enrolled(quiz, current_user.employee):
        abort(403)
    return quiz


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    employee = current_user.employee
    if employee is None or attempt.employee_id != employee.id:
        abort(403)
    return attempt


@bp.route("/kuis/<int:quiz_id>")
@require(Capability.LEARN)
def quiz(quiz_id: int):  # noqa: ANN201
    quiz = _learner_quiz(quiz_id)
    employee = current_user.employee
    attempts = svc.attempts_of(quiz, employee)
    if any(svc.close_if_overdue(a) for a in attempts):
        db.session.commit()
    final = svc.final_grade(quiz, employee)
    remaining = None
    if quiz.attempts_allowed:
        remaining = max(0, quiz.attempts_allowed - len(attempts))
    return render_template(
        "quizzes/quiz_intro.html",
        quiz=quiz,
        course=db.session.get(Course, quiz.course_id),
        attempts=attempts,
        final=final,
        remaining=remaining,
        in_progress=next((a for a in attempts if a.status == "in_progress"), None),
        form=QuizActionForm(),
        opens=_to_wib(quiz.opens_at),
        closes=_to_wib(quiz.closes_at),
        **LABELS,
    )


@bp.route("/kuis/<int:quiz_id>/mulai", methods=["POST"])
@require(Capability.LEARN)
def quiz_start(quiz_id: int) -> Response:
    quiz = _learner_quiz(quiz_id)
    if not QuizActionForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Coba lagi."), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    try:
        attempt = svc.start_attempt(quiz, current_user.employee)
    except svc.AttemptError as err:
        db.session.commit()  # an overdue attempt may have been closed on the way
        flash(str(err), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


def _choices(question: Question, attempt: QuizAttempt) -> list[tuple[int, str]]:
    answers = (question.data or {}).get("answers", [])
    order = attempt.answer_order.get(str(question.id)) or list(range(len(answers)))
    return [(i, answers[i]["text"]) for i in order if i < len(answers)]


def _matching(question: Question, attempt: QuizAttempt) -> tuple[list, list[str]]:
    answers = (question.data or {}).get("answers", [])
    prompts = [(i, a["text"]) for i, a in enumerate(answers) if a.get("text")]
    order = attempt.answer_order.get(str(question.id)) or list(range(len(answers)))
    options = []
    for i in order:
        match = answers[i].get("match") if i < len(answers) else None
        if match and match not in options:
            options.append(match)
    return prompts, options


@bp.route("/kuis/percobaan/<int:attempt_id>")
@require(Capability.LEARN)
def attempt(attempt_id: int):  # noqa: ANN201
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status != "in_progress":
        return redirect(url_for("quizzes.attempt_result", attempt_id=attempt.id))
    questions = svc.attempt_questions(attempt)
    page = None
    if attempt.quiz.one_per_page and questions:
        page = max(1, min(request.args.get("soal", 1, type=int), len(questions)))
    shown = [(n, q) for n, q in enumerate(questions, 1) if page is None or n == page]
    deadline = svc.aware(attempt.deadline_at)
    return render_template(
        "quizzes/attempt_take.html",
        attempt=attempt,
        quiz=attempt.quiz,
        shown=shown,
        total=len(questions),
        page=page,
        saved=svc.saved_responses(attempt),
        choices={q.id: _choices(q, attempt) for q in questions},
        matching={q.id: _matching(q, attempt) for q in questions if q.type == "matching"},
        deadline_iso=deadline.isoformat() if deadline else "",
        deadline_wib=_to_wib(deadline),
        form=QuizActionForm(),
        **LABELS,
    )


@bp.route("/kuis/percobaan/<int:attempt_id>/jawab", methods=["POST"])
@require(Capability.LEARN)
def attempt_save(attempt_id: int) -> Response:
    attempt = _own_attempt(attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("question_id"), int):
        return jsonify(ok=False, message=_("Permintaan tidak dikenali.")), 400
    try:
        svc.save_answer(attempt, payload["question_id"], payload.get("response"))
    except svc.AttemptError as err:
        svc.close_if_overdue(attempt)
        db.session.commit()
        return jsonify(ok=False, message=str(err), status=attempt.status), 409
    db.session.commit()
    return jsonify(ok=True, message=_("Tersimpan"))


@bp.route("/kuis/percobaan/<int:attempt_id>/kumpulkan", methods=["POST"])
@require(Capability.LEARN)
def attempt_submit(attempt_id: int) -> Response:
    attempt = _own_attempt(attempt_id)
    if not QuizActionForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Coba lagi."), "error")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    svc.submit(attempt)
    db.session.commit()
    return redirect(url_for("quizzes.attempt_result", attempt_id=attempt.id))


@bp.route("/kuis/percobaan/<int:attempt_id>/hasil")
@require(Capability.LEARN)
def attempt_result(attempt_id: int):  # noqa: ANN201
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status == "in_progress":
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    review = svc.review_allowed(attempt)
    questions = svc.attempt_questions(attempt) if review else []
    return render_template(
        "quizzes/attempt_result.html",
        attempt=attempt,
        quiz=attempt.quiz,
        review=review,
        questions=questions,
        answers={a.question_id: a for a in attempt.answers},
        final=svc.final_grade(attempt.quiz, current_user.employee),
        **LABELS,
    )
