"""The question bank of a course: list, upload → preview → confirm, and export (single
questions are viewed and edited in :mod:`lms.quizzes.bank.editor`).

Every route loads the course (404) and checks ``can_author`` on it (403): the course's trainers
and BKPSDM. An upload is parsed and shown before anything is stored; the bytes wait in file
storage under a random key that only this session knows, and are parsed again on confirmation,
so the preview cannot be tampered with between the two steps. Confirming starts a task
(:mod:`lms.quizzes.bank.jobs`): the page answers at once and shows the import's progress.
"""

from __future__ import annotations

import re
from collections import Counter

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.courses.models import Course
from lms.courses.services import authored_course
from lms.extensions import db
from lms.imports import STALE, PendingImport, preview_status, read_upload
from lms.permissions import Capability, refuse, require
from lms.quizzes import bp
from lms.quizzes.bank import jobs, services
from lms.quizzes.bank.category_names import clean_category
from lms.quizzes.bank.editor import services as editor
from lms.quizzes.bank.editor.forms import MoveForm
from lms.quizzes.bank.forms import FORMAT_LABELS, TYPE_LABELS, BankConfirmForm, BankImportForm

AUTHORS = (Capability.AUTHOR_COURSES, Capability.PUBLISH_COURSES)
_PENDING = PendingImport("bank_import", folder="question-imports")
# The preview names each question's category as the bank will store it (no "$course$/top/...").
bp.add_app_template_filter(clean_category, "question_category")


def _course(course_id: int) -> Course:
    return authored_course(current_user, course_id)


@bp.route("/kelola/pelatihan/<int:course_id>/bank-soal")
@require(*AUTHORS)
def bank(course_id: int):
    course = _course(course_id)
    questions = services.bank_questions(course)
    groups: dict[str, list] = {}
    for q in questions:
        groups.setdefault(q.category.name if q.category else "", []).append(q)
    move = MoveForm()
    move.category.choices = [(0, _("— tanpa kategori —"))] + [
        (c.id, c.name) for c in editor.categories_of(course)
    ]
    return render_template(
        "quizzes/bank/bank.html",
        course=course,
        groups=groups,
        total=len(questions),
        by_type=Counter(q.type for q in questions),
        types=TYPE_LABELS,
        usage=editor.usage(course.id),
        move=move,
    )


@bp.route("/kelola/pelatihan/<int:course_id>/bank-soal/impor", methods=["GET", "POST"])
@require(*AUTHORS)
def bank_import(course_id: int):
    course = _course(course_id)
    form = BankImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = read_upload(upload)
        result = services.parse_upload(data, form.format.data)
        confirm = None
        if result.questions:
            key = _PENDING.keep(
                data,
                ".txt",
                course_id=course.id,
                format=form.format.data,
                category=(form.category.data or "").strip(),
                filename=(upload.filename or "")[:200],
            )
            confirm = BankConfirmForm(key=key)
        return render_template(
            "quizzes/bank/import_preview.html",
            course=course,
            result=result,
            previews=[services.render_text(q.text, q.text_format) for q in result.questions],
            by_type=result.by_type(),
            confirm=confirm,
            filename=upload.filename,
            fmt=FORMAT_LABELS[form.format.data],
            types=TYPE_LABELS,
        ), preview_status(confirm is not None)
    return render_template("quizzes/bank/import.html", course=course, form=form)


@bp.route("/kelola/pelatihan/<int:course_id>/bank-soal/impor/konfirmasi", methods=["POST"])
@require(*AUTHORS)
def bank_import_confirm(course_id: int) -> Response:
    course = _course(course_id)
    form = BankConfirmForm()
    kept = _PENDING.take(form.key.data, course_id=course.id) if form.validate_on_submit() else None
    if kept is None:
        flash(str(STALE), "error")
        return redirect(url_for("quizzes.bank_import", course_id=course.id))
    pending, _data = kept
    job = jobs.start(course, current_user.id, pending)
    db.session.commit()
    session.pop(_PENDING.name, None)  # the task owns the kept file now (and deletes it)
    return redirect(url_for("quizzes.bank_import_job", course_id=course.id, job_id=job.id))


def _own_job(course_id: int, job_id: int) -> tuple[Course, jobs.QuestionImportJob]:
    """Someone else's import answers like a missing one (404), before the course's own check."""
    job = db.get_or_404(jobs.QuestionImportJob, job_id)
    if job.course_id != course_id or job.owner_id != current_user.id:
        refuse(job)
    return _course(course_id), job


def _job_status(course: Course, job: jobs.QuestionImportJob) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "imported": job.imported,
        "skipped": job.skipped,
        "bank_url": url_for("quizzes.bank", course_id=course.id),
    }


@bp.route("/kelola/pelatihan/<int:course_id>/bank-soal/impor/<int:job_id>")
@require(*AUTHORS)
def bank_import_job(course_id: int, job_id: int):
    """The import's progress; once done, the bank with what was imported."""
    course, job = _own_job(course_id, job_id)
    if job.status == "done":
        flash(
            _(
                "%(n)s soal diimpor ke bank soal; %(e)s soal dilewati karena bermasalah.",
                n=job.imported,
                e=job.skipped,
            ),
            "success",
        )
        return redirect(url_for("quizzes.bank", course_id=course.id))
    return render_template(
        "quizzes/bank/import_job.html", course=course, job=job, status=_job_status(course, job)
    )


@bp.route("/kelola/pelatihan/<int:course_id>/bank-soal/impor/<int:job_id>/status")
@require(*AUTHORS)
def bank_import_status(course_id: int, job_id: int):
    response = jsonify(_job_status(*_own_job(course_id, job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/kelola/pelatihan/<int:course_id>/bank-soal/ekspor")
@require(*AUTHORS)
def bank_export(course_id: int) -> Response:
    course = _course(course_id)
    fmt = request.args.get("format", "gift")
    if fmt not in services.FORMATS:
        abort(404)
    text = services.export_questions(course, fmt)
    suffix = services.FORMATS[fmt][2]
    filename = f"bank-soal-{re.sub(r'[^A-Za-z0-9_-]', '-', course.code)}{suffix}"
    return Response(
        text,
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
