"""Quiz settings, essay grading and statistics for trainers; taking and reviewing a quiz.

Trainer routes load the course (404) and check ``can_author`` (403). Learner routes load the
quiz or attempt (404), then check that the signed-in employee is enrolled in the quiz's course,
or owns the attempt (403). Any learner request that touches an overdue attempt submits it
first, so the clock is enforced even without the periodic sweep. The review of an attempt (the
learner's answers, marks, correct answers and feedback) is built only once ``review_allowed``
says so; before that no answer key or feedback reaches the page. A submit that leaves questions
unanswered is confirmed first: in a dialog (quiz.js), and on the server, which sends an unconfirmed
one to a confirmation page, so it holds without JavaScript too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from lms.auth.services import session_account
from lms.charts import histogram
from lms.courses.models import Course
from lms.courses.services import can_author
from lms.db import db_int, is_db_id, utcnow
from lms.extensions import db
from lms.permissions import Capability, refuse, require
from lms.quizzes import attempts as svc
from lms.quizzes import bp
from lms.quizzes import statistics as stats
from lms.quizzes.formats.types import BLANK
from lms.quizzes.forms import TYPE_LABELS
from lms.quizzes.grading import match_numeric, match_short_answer
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
from lms.quizzes.services import default_draw, question_to_format, render_text

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
        refuse(course, 403)  # courses are listed in the catalogue
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
def quiz_statistics(course_id: int, quiz_id: int):  # noqa: ANN201
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
        "quizzes/quiz_statistics.html",
        course=course,
        quiz=quiz,
        report=report,
        chart=chart,
        hint_labels=HINT_LABELS,
        hint_short=HINT_SHORT,
        **LABELS,
    )


# --- learner -------------------------------------------------------------------------------------


@bp.app_template_global("course_quizzes")
def course_quizzes(course_id: int) -> list[Quiz]:
    """A course's quizzes in order, for links from learner pages (the lesson player); one query."""
    return list(
        db.session.scalars(select(Quiz).where(Quiz.course_id == course_id).order_by(Quiz.id))
    )


def _learner_quiz(quiz_id: int) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    if not svc.is_enrolled(quiz, current_user.employee_id):
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
def quiz(quiz_id: int):  # noqa: ANN201
    quiz = _learner_quiz(quiz_id)
    attempts = svc.attempts_of(quiz, current_user.employee_id)
    if any(svc.close_if_overdue(a) for a in attempts):
        db.session.commit()
    final = svc.final_grade(quiz, current_user.employee_id, attempts)
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
        attempt = svc.start_attempt(quiz, current_user.employee_id)
    except svc.AttemptError as err:
        db.session.commit()  # an overdue attempt may have been closed on the way
        flash(str(err), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz.id))
    attempt_id = attempt.id  # read before the commit expires it: no reload for the URL
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


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


#: Inner types of a fill-in-the-blank question that can be answered inside the sentence.
INLINE_BLANK_TYPES = ("short_answer", "numeric", "single_choice", "true_false")


def _blank_parts(question: Question) -> tuple[Markup, Markup] | None:
    """The question's sanitised HTML before and after its blank, to draw the blank inline.

    None when the question is not a fill-in-the-blank one answered by a single field, or when its
    rendered text does not hold exactly one blank (the field then goes below the text).
    """
    data = question.data or {}
    if question.type != "fill_blank" or data.get("inner_type") not in INLINE_BLANK_TYPES:
        return None
    text = question.text_html or ""
    if text.count(BLANK) != 1:
        return None
    before, after = text.split(BLANK)
    return Markup(before), Markup(after)  # noqa: S704 - text_html is sanitised when stored


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
        page = max(1, min(request.args.get("soal", 1, type=db_int), len(questions)))
    shown = [(n, q) for n, q in enumerate(questions, 1) if page is None or n == page]
    missing = set(svc.unanswered(attempt))
    deadline = svc.aware(attempt.deadline_at)
    return render_template(
        "quizzes/attempt_take.html",
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
        saved=svc.saved_responses(attempt),
        choices={q.id: _choices(q, attempt) for q in questions},
        matching={q.id: _matching(q, attempt) for q in questions if q.type == "matching"},
        blanks={q.id: parts for q in questions if (parts := _blank_parts(q))},
        deadline_iso=deadline.isoformat() if deadline else "",
        deadline_wib=_to_wib(deadline),
        form=QuizActionForm(),
        **LABELS,
    )


def _save_proven(attempt_id: int) -> Response | None:
    """The autosave in one autocommitted statement that proves the signed-in account owns the
    open attempt (see :func:`svc.save_answer_quickly`); None sends the request the usual way,
    which loads the account, checks it and says exactly why a save is refused."""
    account = session_account()
    payload = request.get_json(silent=True)
    if account is None or not isinstance(payload, dict):
        return None
    if not is_db_id(payload.get("question_id")):
        return None  # the usual way refuses it with a message
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            saved = svc.save_answer_quickly(
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


def _submit_confirmed(attempt: QuizAttempt, missing: int) -> bool:
    """Did the learner agree to leave ``missing`` questions unanswered (or is the time up)?

    The browser's dialog, or the confirmation page without JavaScript, sends how many
    unanswered questions the learner saw; more than that on the server (an answer that never
    arrived) asks again. When the countdown ends the page submits with ``timeup``: the
    learner's own clock ran out, nothing is left to ask.
    """
    if not missing or request.form.get("timeup") == "1":
        return True
    deadline = svc.aware(attempt.deadline_at)
    if deadline is not None and utcnow() >= deadline:
        return True
    agreed = request.form.get("unanswered", type=int)
    return agreed is not None and agreed >= missing


@bp.route("/kuis/percobaan/<int:attempt_id>/kumpulkan", methods=["POST"])
@require(Capability.LEARN)
def attempt_submit(attempt_id: int) -> Response:
    attempt = _own_attempt(attempt_id, lock=True)  # locked once, here, for submit
    if not QuizActionForm().validate_on_submit():
        flash(_("Sesi formulir kedaluwarsa. Coba lagi."), "error")
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    if attempt.status == "in_progress" and not svc.is_overdue(attempt):
        missing = len(svc.unanswered(attempt))
        if not _submit_confirmed(attempt, missing):
            db.session.rollback()  # nothing written: release the lock
            return redirect(url_for("quizzes.attempt_confirm", attempt_id=attempt_id), 303)
    svc.submit(attempt, locked=True)
    db.session.commit()
    return redirect(url_for("quizzes.attempt_result", attempt_id=attempt_id))


@bp.route("/kuis/percobaan/<int:attempt_id>/konfirmasi")
@require(Capability.LEARN)
def attempt_confirm(attempt_id: int):  # noqa: ANN201
    """Before submitting: how many questions are still unanswered, which, and a way back.

    The page the submit button leads to without JavaScript (with it, a dialog asks the same)."""
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status != "in_progress":
        return redirect(url_for("quizzes.attempt_result", attempt_id=attempt.id))
    missing = set(svc.unanswered(attempt))
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
        "quizzes/attempt_confirm.html",
        attempt=attempt,
        quiz=attempt.quiz,
        total=len(order),
        links=links,
        form=QuizActionForm(),
        **LABELS,
    )


@bp.route("/kuis/percobaan/<int:attempt_id>/hasil")
@require(Capability.LEARN)
def attempt_result(attempt_id: int):  # noqa: ANN201
    attempt = _own_attempt(attempt_id)
    if svc.close_if_overdue(attempt):
        db.session.commit()
    if attempt.status == "in_progress":
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    attempts = svc.attempts_of(attempt.quiz, attempt.employee_id)
    review = svc.review_allowed(attempt, attempts=attempts)
    items = []
    if review:
        answers = {a.question_id: a for a in attempt.answers}
        # Loaded once so that each question's category comes from the identity map.
        db.session.scalars(
            select(QuestionCategory).where(QuestionCategory.course_id == attempt.quiz.course_id)
        ).all()
        items = [
            _review_item(q, attempt, answers.get(q.id)) for q in svc.attempt_questions(attempt)
        ]
    return render_template(
        "quizzes/attempt_result.html",
        attempt=attempt,
        quiz=attempt.quiz,
        review=review,
        items=items,
        attempts_left=svc.attempts_left(attempt.quiz, attempts),
        final=svc.final_grade(attempt.quiz, attempt.employee_id, attempts),
        **LABELS,
    )


# --- review --------------------------------------------------------------------------------------

_FULL = 0.999_999


@dataclass
class ReviewOption:
    """An option of a choice or true/false question as the review shows it."""

    label: str
    chosen: bool
    fraction: float

    @property
    def correct(self) -> bool:
        return self.fraction >= _FULL

    @property
    def partial(self) -> bool:
        return 0 < self.fraction < _FULL


@dataclass
class ReviewItem:
    """What the learner sees about one question once review is allowed."""

    question: Question
    kind: str
    fraction: float | None
    comment: str = ""
    options: list[ReviewOption] = field(default_factory=list)
    given: str | None = None
    pairs: list[tuple[str, str | None, str, bool]] = field(default_factory=list)
    correct: list[str] = field(default_factory=list)
    feedback: list[Markup] = field(default_factory=list)
    general: Markup | None = None
    blank: tuple[Markup, Markup] | None = None
    filled: str | None = None

    @property
    def state(self) -> str:
        if self.fraction is None:
            return "pending"
        if self.fraction >= _FULL:
            return "right"
        return "partial" if self.fraction > 0 else "wrong"


def _feedback(text: str, fmt: str) -> Markup | None:
    text = (text or "").strip()
    return Markup(render_text(text, fmt)) if text else None  # noqa: S704 - sanitised by render_text


def _full_marks(answers: list) -> list:
    best = [a for a in answers if a.fraction >= _FULL]
    if best or not answers:
        return best
    top = max(a.fraction for a in answers)
    return [a for a in answers if top > 0 and a.fraction == top]


def _review_item(
    question: Question, attempt: QuizAttempt, answer: AttemptAnswer | None
) -> ReviewItem:
    """Per question: the learner's answer, the mark, the correct answer(s) and the feedback."""
    fmt = question_to_format(question)
    kind = fmt.base_type
    response = answer.response if answer is not None else None
    item = ReviewItem(
        question=question,
        kind=kind,
        fraction=answer.fraction if answer is not None else 0.0,
        comment=answer.comment if answer is not None else "",
        general=_feedback(fmt.general_feedback, fmt.general_feedback_format),
        blank=_blank_parts(question),
    )
    chosen_answers = []
    if kind in ("single_choice", "multiple_response"):
        picked = set()
        if kind == "single_choice" and isinstance(response, int) and not isinstance(response, bool):
            picked = {response}
        elif kind == "multiple_response" and isinstance(response, list):
            picked = {i for i in response if isinstance(i, int) and not isinstance(i, bool)}
        for i, text in _choices(question, attempt):
            option = fmt.answers[i]
            item.options.append(ReviewOption(text, i in picked, option.fraction))
            if i in picked:
                chosen_answers.append(option)
        item.correct = [
            o.label
            for o in item.options
            if o.correct or (kind == "multiple_response" and o.fraction > 0)
        ]
        item.filled = ", ".join(o.label for o in item.options if o.chosen) or None
    elif kind == "true_false":
        value = stats.as_bool(response)
        by_word = {a.text.strip().casefold(): a for a in fmt.answers}
        for word, label, flag in (("true", _("Benar"), True), ("false", _("Salah"), False)):
            option = by_word.get(word)
            fraction = option.fraction if option is not None else 0.0
            item.options.append(ReviewOption(label, value is flag, fraction))
            if value is flag and option is not None:
                chosen_answers.append(option)
        item.correct = [o.label for o in item.options if o.correct]
        item.filled = next((o.label for o in item.options if o.chosen), None)
    elif kind == "matching":
        given = response if isinstance(response, dict) else {}
        for i, pair in enumerate(fmt.answers):
            if pair.is_distractor or not pair.text:
                continue
            chosen = given.get(str(i))
            chosen = chosen if isinstance(chosen, str) and chosen else None
            right = pair.match or ""
            ok = chosen is not None and chosen.strip().casefold() == right.strip().casefold()
            item.pairs.append((pair.text, chosen, right, ok))
    elif kind in ("short_answer", "numeric"):
        text = "" if response is None else str(response).strip()
        item.given = text or None
        item.filled = item.given
        matched = None
        if text:
            if kind == "short_answer":
                matched = match_short_answer(fmt, text)
            else:
                matched = match_numeric(fmt, text)
        if matched is not None:
            chosen_answers.append(matched)
        for best in _full_marks(fmt.answers):
            if kind == "numeric" and best.value is not None and best.tolerance:
                item.correct.append(f"{best.value:g} ± {abs(best.tolerance):g}")
            elif kind == "numeric" and best.value is not None:
                item.correct.append(f"{best.value:g}")
            else:
                item.correct.append(best.text)
    else:  # essay
        item.given = response if isinstance(response, str) and response.strip() else None
    for chosen in chosen_answers:
        note = _feedback(chosen.feedback, chosen.feedback_format)
        if note is not None:
            item.feedback.append(note)
    return item
