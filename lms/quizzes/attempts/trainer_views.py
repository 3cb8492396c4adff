"""Quizzes for trainers: settings, grading essays, regrading and statistics.

Every route loads the course (404) and checks ``can_author`` (403): a trainer only the quizzes
of their own courses, BKPSDM any.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.charts import histogram
from lms.courses.models import Course
from lms.courses.services import authored_course
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import from_local, local_wall_time
from lms.permissions import Capability, require
from lms.quizzes import bp
from lms.quizzes.attempts import grades
from lms.quizzes.attempts import services as svc
from lms.quizzes.attempts import statistics as stats
from lms.quizzes.attempts.forms import EssayGradeForm, QuizForm
from lms.quizzes.attempts.views import LABELS
from lms.quizzes.bank.forms import TYPE_LABELS
from lms.quizzes.bank.services import default_draw
from lms.quizzes.models import AttemptAnswer, Question, QuestionCategory, Quiz

AUTHORS = (Capability.AUTHOR_COURSES, Capability.PUBLISH_COURSES)


def _course(course_id: int) -> Course:
    return authored_course(current_user, course_id)


def _course_quiz(course: Course, quiz_id: int) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    if quiz.course_id != course.id:
        abort(404)
    return quiz


@bp.route("/kelola/pelatihan/<int:course_id>/kuis")
@require(*AUTHORS)
def quiz_list(course_id: int):
    course = _course(course_id)
    return render_template(
        "quizzes/attempts/quiz_list.html", course=course, quizzes=svc.quizzes_of(course), **LABELS
    )


def _quiz_form(course: Course, quiz: Quiz | None) -> QuizForm:
    form = QuizForm(obj=quiz) if request.method == "GET" and quiz else QuizForm()
    questions = db.session.scalars(
        select(Question)
        .where(Question.course_id == course.id, Question.status == "ready")
        .order_by(Question.id)
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
        form.opens_at.data = local_wall_time(quiz.opens_at)
        form.closes_at.data = local_wall_time(quiz.closes_at)
    elif request.method == "GET" and (draw := default_draw(course)) is not None:
        # A new quiz (a post-test by default) draws from a bank larger than one attempt.
        form.draw_category.data = draw["category_id"]
        form.draw_count.data = draw["count"]
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
        "opens_at": from_local(form.opens_at.data),
        "closes_at": from_local(form.closes_at.data),
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
def quiz_new(course_id: int):
    course = _course(course_id)
    form = _quiz_form(course, None)
    if form.validate_on_submit() and (quiz := _save_quiz(course, None, form)) is not None:
        db.session.commit()
        flash(_("Kuis “%(t)s” dibuat.", t=quiz.title), "success")
        return redirect(url_for("quizzes.quiz_list", course_id=course.id))
    return render_template("quizzes/attempts/quiz_form.html", course=course, form=form, quiz=None)


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/ubah", methods=["GET", "POST"])
@require(*AUTHORS)
def quiz_edit(course_id: int, quiz_id: int):
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    form = _quiz_form(course, quiz)
    if form.validate_on_submit() and _save_quiz(course, quiz, form) is not None:
        db.session.commit()
        flash(_("Kuis “%(t)s” disimpan.", t=quiz.title), "success")
        return redirect(url_for("quizzes.quiz_list", course_id=course.id))
    return render_template("quizzes/attempts/quiz_form.html", course=course, form=form, quiz=quiz)


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/penilaian")
@require(*AUTHORS)
def quiz_grading(course_id: int, quiz_id: int):
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    pending = grades.pending_essays(quiz)
    return render_template(
        "quizzes/attempts/quiz_grading.html",
        course=course,
        quiz=quiz,
        pending=pending,
        forms={a.id: EssayGradeForm(prefix=f"a{a.id}") for a in pending},
        action=CsrfForm(),
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
        grades.grade_answer(
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
    if CsrfForm().validate_on_submit():
        changed = grades.regrade(quiz, current_user.id)
        db.session.commit()
        flash(_("Penilaian ulang selesai: %(n)s jawaban berubah.", n=changed), "success")
    return redirect(url_for("quizzes.quiz_grading", course_id=course.id, quiz_id=quiz.id))


HINT_SHORT = {
    "too_hard": _l("Terlalu sulit"),
    "too_easy": _l("Terlalu mudah"),
    "negative": _l("Daya pembeda negatif"),
    "weak": _l("Daya pembeda lemah"),
}
HINT_LABELS = {
    "too_hard": _l(
        "Terlalu sulit (indeks kemudahan di bawah 20): sebagian besar peserta salah. Periksa "
        "kunci jawaban dan kejelasan kalimat soal."
    ),
    "too_easy": _l(
        "Terlalu mudah (indeks kemudahan di atas 95): hampir semua peserta benar, sehingga soal "
        "ini hampir tidak membedakan peserta."
    ),
    "negative": _l(
        "Daya pembeda negatif: peserta yang nilai totalnya tinggi justru lebih sering salah. "
        "Kemungkinan kunci jawaban keliru."
    ),
    "weak": _l(
        "Daya pembeda sangat lemah (di bawah 0,15): soal ini kurang membedakan peserta yang "
        "menguasai materi dari yang belum."
    ),
}


@bp.route("/kelola/pelatihan/<int:course_id>/kuis/<int:quiz_id>/statistik")
@require(*AUTHORS)
def quiz_statistics(course_id: int, quiz_id: int):
    course = _course(course_id)
    quiz = _course_quiz(course, quiz_id)
    mode = request.args.get("attempts", "all")
    if mode not in stats.MODES:
        mode = "all"
    report = stats.load_statistics(quiz, mode)
    chart = histogram(
        _("Sebaran nilai"),
        report.scores,
        count_header=_("Jumlah percobaan"),
        range_header=_("Rentang nilai"),
    )
    return render_template(
        "quizzes/attempts/quiz_statistics.html",
        course=course,
        quiz=quiz,
        report=report,
        chart=chart,
        hint_labels=HINT_LABELS,
        hint_short=HINT_SHORT,
        **LABELS,
    )
