"""Routes of the question editor: one question of a course's bank at a time.

Every route loads the course (404) and checks ``can_author`` on it (403), then loads the
question and refuses one of another course like a missing one (404). Changes are POST only,
with CSRF; a delete is confirmed on a page of its own that says beforehand what will happen.
The preview route answers a fragment for the editor's script; the same fragment is drawn on
the editor page itself, so the preview works without JavaScript ("Pratinjau" button).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.courses.models import Course
from lms.courses.services import authored_course
from lms.db import db_int
from lms.extensions import db
from lms.forms import CsrfForm, confirmed
from lms.permissions import Capability, require
from lms.quizzes import bp
from lms.quizzes.bank.editor import preview, rules
from lms.quizzes.bank.editor import services as svc
from lms.quizzes.bank.editor.forms import (
    MORE_ROWS,
    STATUS_LABELS,
    TEXT_FORMAT_LABELS,
    MoveForm,
    QuestionForm,
    creatable_kinds,
    fields_of,
    fill_form,
    is_creatable,
    kind_label,
    percent_label,
    prepare_rows,
)
from lms.quizzes.bank.services import question_to_format, render_text
from lms.quizzes.models import Question, QuestionCategory

AUTHORS = (Capability.AUTHOR_COURSES, Capability.PUBLISH_COURSES)
BASE = "/kelola/pelatihan/<int:course_id>/bank-soal"


def _course(course_id: int) -> Course:
    return authored_course(current_user, course_id)


def _question(course: Course, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.course_id != course.id:
        abort(404)
    return question


def _view_url(question: Question) -> str:
    return url_for("quizzes.question_view", course_id=question.course_id, question_id=question.id)


def _categories(form: QuestionForm | MoveForm, course: Course) -> None:
    rows = svc.categories_of(course)
    form.category.choices = [(0, _("— tanpa kategori —"))] + [(c.id, c.name) for c in rows]


def _chosen_category(course: Course, form: QuestionForm | MoveForm) -> QuestionCategory | None:
    if (form.new_category.data or "").strip():
        return svc.category_named(course, form.new_category.data)
    return db.session.get(QuestionCategory, form.category.data) if form.category.data else None


def _stale(question: Question) -> Response | None:
    """An old version or a deleted question is not changed: say so and show the latest."""
    if question.status == "ready":
        return None
    flash(_("Soal ini sudah diganti versi yang lebih baru atau sudah dihapus."), "error")
    return redirect(_view_url(svc.latest_of(question)))


def _rich(text: str, text_format: str) -> Markup:
    """A feedback text as sanitised HTML (as the learner's review shows it)."""
    return Markup(render_text(text, text_format)) if text else Markup("")  # noqa: S704


# --- view ----------------------------------------------------------------------------------------


@bp.route(f"{BASE}/soal/<int:question_id>")
@require(*AUTHORS)
def question_view(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    return render_template(
        "quizzes/bank/question.html",
        course=course,
        question=question,
        key=question_to_format(question),
        kind=kind_label(question.type, (question.data or {}).get("inner_type")),
        versions=svc.versions_of(question),
        usage=svc.usage(course.id).get(question.entry_id, svc.Usage()),
        percent=percent_label,
        rich=_rich,
        statuses=STATUS_LABELS,
        form=CsrfForm(),
        **preview.context(question),
    )


# --- create and edit -----------------------------------------------------------------------------


@bp.route(f"{BASE}/soal/baru", methods=["GET", "POST"])
@require(*AUTHORS)
def question_new(course_id: int):
    course = _course(course_id)
    kind, inner = request.args.get("jenis"), request.args.get("isian") or None
    if not is_creatable(kind, inner):
        return render_template(
            "quizzes/bank/question_new.html", course=course, kinds=creatable_kinds()
        )
    return _editor(course, None, str(kind), inner)


@bp.route(f"{BASE}/soal/<int:question_id>/ubah", methods=["GET", "POST"])
@require(*AUTHORS)
def question_edit(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    if (stale := _stale(question)) is not None:
        return stale
    return _editor(course, question, question.type, (question.data or {}).get("inner_type"))


def _editor(course: Course, question: Question | None, kind: str, inner: str | None):
    """The editor page: fill, add rows, preview or save (the button pressed is ``action``)."""
    form = QuestionForm()
    _categories(form, course)
    posted = request.method == "POST"
    action = request.form.get("action", "save") if posted else None
    if not posted and question is not None:
        fill_form(form, question_to_format(question), question.category_id)
    prepare_rows(form, kind, inner, MORE_ROWS if action == "more" else 0, fresh=not posted)
    problems: list[rules.Problem] = []
    shown = question
    if posted and action != "more":
        valid = form.validate_on_submit()
        draft, problems = rules.build(fields_of(form, kind, inner))
        if action == "save" and valid and not problems:
            return _save(course, question, form, draft)
        shown = preview.unsaved(course.id, draft, question.id if question else None)
    if action == "save":
        _attach(form, problems)
    status = 422 if action == "save" else 200
    return render_template(
        "quizzes/bank/question_form.html",
        course=course,
        question=question,
        form=form,
        kind=kind,
        kind_text=kind_label(kind, inner),
        answering=rules.answer_kind(rules.Fields(type=kind, inner_type=inner)),
        in_use=question is not None and svc.version_in_use(question),
        preview_html=preview.render(shown, problems if posted else []) if shown else None,
        preview_url=url_for(
            "quizzes.question_preview",
            course_id=course.id,
            jenis=None if question else kind,
            isian=None if question else inner,
            soal=question.id if question else None,
        ),
        formats=TEXT_FORMAT_LABELS,
    ), status


def _attach(form: QuestionForm, problems: list[rules.Problem]) -> None:
    """Each problem goes next to the field it names; the rest above the answers."""
    form.answer_errors = []  # type: ignore[attr-defined]
    for problem in problems:
        target = getattr(form, problem.field, None)
        if problem.field.startswith("answers-"):
            _prefix, index, name = problem.field.split("-", 2)
            target = getattr(form.answers.entries[int(index)].form, name)
        if target is None or problem.field == "answers":
            form.answer_errors.append(problem.message)  # type: ignore[attr-defined]
        else:
            target.errors = [*target.errors, problem.message]


def _save(course: Course, question: Question | None, form: QuestionForm, draft) -> Response:
    category = _chosen_category(course, form)
    if question is None:
        saved = svc.create_question(course, draft, category, current_user.id)
        message = _("Soal baru disimpan di bank soal.")
    else:
        try:
            saved = svc.update_question(question, draft, category, current_user.id)
        except svc.BankError as err:
            flash(str(err), "error")
            return redirect(_view_url(question))
        message = _("Perubahan soal disimpan.")
        if saved.id != question.id:
            message = _(
                "Soal disimpan sebagai versi %(new)s. Percobaan yang sudah mengerjakan versi "
                "%(old)s tetap dinilai dan dibahas dengan versi itu.",
                new=saved.version,
                old=question.version,
            )
    db.session.commit()
    flash(message, "success")
    return redirect(_view_url(saved))


@bp.route(f"{BASE}/soal/pratinjau", methods=["POST"])
@require(*AUTHORS)
def question_preview(course_id: int) -> str:
    """The preview fragment of the editor's current fields (nothing is stored)."""
    course = _course(course_id)
    kind, inner = request.args.get("jenis"), request.args.get("isian") or None
    question_id = request.args.get("soal", type=db_int)
    if question_id is not None:
        question = _question(course, question_id)
        kind, inner = question.type, (question.data or {}).get("inner_type")
    elif not is_creatable(kind, inner):
        abort(400)  # the editor always names its type
    form = QuestionForm()
    prepare_rows(form, str(kind), inner)
    draft, problems = rules.build(fields_of(form, str(kind), inner))
    return preview.render(preview.unsaved(course.id, draft, question_id), problems)


# --- duplicate, move, delete ---------------------------------------------------------------------


@bp.route(f"{BASE}/soal/<int:question_id>/duplikat", methods=["POST"])
@require(*AUTHORS)
def question_duplicate(course_id: int, question_id: int) -> Response:
    course = _course(course_id)
    question = _question(course, question_id)
    if (stale := _stale(question)) is not None:
        return stale
    if not CsrfForm().validate_on_submit():
        abort(400)
    copy = svc.duplicate_question(question, current_user.id)
    db.session.commit()
    flash(_("Salinan soal dibuat. Ubah salinan ini sesuai kebutuhan."), "success")
    return redirect(url_for("quizzes.question_edit", course_id=course.id, question_id=copy.id))


@bp.route(f"{BASE}/soal/<int:question_id>/pindah", methods=["GET", "POST"])
@require(*AUTHORS)
def question_move(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    if (stale := _stale(question)) is not None:
        return stale
    form = MoveForm()
    _categories(form, course)
    if request.method == "GET":
        form.category.data = question.category_id or 0
    elif form.validate_on_submit():
        category = _chosen_category(course, form)
        svc.move_questions([question], category)
        db.session.commit()
        name = category.name if category else _("Tanpa kategori")
        flash(_("Soal dipindahkan ke kategori “%(c)s”.", c=name), "success")
        return redirect(_view_url(question))
    return render_template(
        "quizzes/bank/question_move.html", course=course, question=question, form=form
    ), 422 if request.method == "POST" else 200


@bp.route(f"{BASE}/pindah", methods=["POST"])
@require(*AUTHORS)
def question_bulk_move(course_id: int) -> Response:
    course = _course(course_id)
    form = MoveForm()
    _categories(form, course)
    ids = [i for i in request.form.getlist("soal", type=db_int) if i is not None]
    questions = db.session.scalars(
        select(Question).where(
            Question.course_id == course.id, Question.id.in_(ids), Question.status == "ready"
        )
    ).all()
    if not form.validate_on_submit() or not questions:
        flash(_("Pilih soal yang akan dipindahkan dan kategori tujuannya."), "error")
        return redirect(url_for("quizzes.bank", course_id=course.id))
    category = _chosen_category(course, form)
    moved = svc.move_questions(list(questions), category)
    db.session.commit()
    name = category.name if category else _("Tanpa kategori")
    message = ngettext(
        "%(num)s soal dipindahkan ke “%(c)s”.",
        "%(num)s soal dipindahkan ke “%(c)s”.",
        moved,
        c=name,
    )
    flash(message, "success")
    return redirect(url_for("quizzes.bank", course_id=course.id))


@bp.route(f"{BASE}/soal/<int:question_id>/hapus", methods=["GET", "POST"])
@require(*AUTHORS)
def question_delete(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    if (stale := _stale(question)) is not None:
        return stale
    form, status = CsrfForm(), 200
    # The page itself asks (it says what deleting will do); a POST that did not come from it
    # (no confirm=1) shows it again and changes nothing.
    if form.validate_on_submit() and confirmed():
        try:
            outcome = svc.delete_question(question)
        except svc.BankError as err:
            flash(str(err), "error")
            status = 409
        else:
            db.session.commit()
            flash(_deleted_message(outcome), "success")
            return redirect(url_for("quizzes.bank", course_id=course.id))
    return render_template(
        "quizzes/bank/question_delete.html",
        course=course,
        question=question,
        outcome=svc.deletion(question),
        form=form,
    ), status


def _deleted_message(outcome: svc.DeleteOutcome) -> str:
    if outcome.action == "hide":
        return _(
            "Soal dihapus dari bank soal. Karena sudah dikerjakan di %(n)s percobaan, soal tetap "
            "disimpan agar nilai dan pembahasan percobaan itu tidak berubah.",
            n=outcome.usage.attempts,
        )
    return _("Soal dihapus dari bank soal.")
