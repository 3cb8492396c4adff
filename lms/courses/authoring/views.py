"""Authoring in the browser: trainers write courses, BKPSDM reviews, publishes and sets enrolment.

Every route loads its object (404), checks it (``services.can_author``: a trainer only their own
courses, BKPSDM any; 403), validates a form, calls one service and commits once. Content changes
only ever touch the draft version, so learners keep the published one until BKPSDM publishes
the next.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from lms.courses import bp, queries, services
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.courses.authoring.forms import (
    FILE_KIND_LABELS,
    KIND_LABELS,
    MODE_LABELS,
    STEP_LABELS,
    VERSION_STATUS_LABELS,
    MetaForm,
    ModuleForm,
    MoveForm,
    NewCourseForm,
    UploadForm,
)
from lms.courses.models import Course, CourseVersion, Lesson, Module
from lms.courses.services import CourseError
from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import CsrfForm
from lms.org.models import JenisDiklat
from lms.permissions import Capability, can, partner_scope, require

C = Capability
AUTHORS = (C.AUTHOR_COURSES, C.PUBLISH_COURSES)


# --- loading and checking --------------------------------------------------------------------


def _course(course_id: int) -> Course:
    return services.authored_course(current_user, course_id)


def _draft(course: Course) -> CourseVersion | None:
    latest = course.latest_version
    return latest if latest.status == "draft" else None


def _to_course(course: Course, anchor: str | None = None) -> Response:
    return redirect(url_for("courses.author_course", course_id=course.id, _anchor=anchor))


def _not_editable(course: Course) -> Response:
    latest = course.latest_version
    if latest.status == "in_review":
        flash(
            _(
                "Versi %(n)s sedang ditelaah BKPSDM. Tunggu keputusannya sebelum mengubah pelatihan.",
                n=latest.number,
            ),
            "error",
        )
    else:
        flash(
            _(
                "Versi yang terbit tidak diubah langsung. Klik “Buat draf baru” untuk mengubah pelatihan ini."
            ),
            "error",
        )
    return _to_course(course)


def _module(course: Course, module_id: int) -> Module:
    module = db.get_or_404(Module, module_id)
    if module.version.course_id != course.id:
        abort(404)
    return module


def _lesson(course: Course, lesson_id: int) -> Lesson:
    lesson = db.get_or_404(Lesson, lesson_id)
    if lesson.module.version.course_id != course.id:
        abort(404)
    return lesson


def _upload(storage: FileStorage | None, kind: str) -> files.CheckedFile | None:
    """The checked upload, or None when no file was chosen. Raises FileRefused."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    limit = files.image_limit() if kind == "image" else files.attachment_limit()
    return files.check_upload(kind, storage.filename, files.read_limited(storage.stream, limit))


def _category_choices() -> list[tuple[str, str]]:
    names = [c.name for c in queries.categories()]
    names += [n for n in services.DEFAULT_CATEGORIES if n not in names]
    return [(n, n) for n in names]


def _meta_choices(form: MetaForm) -> None:
    form.jenis_diklat_code.choices = [("", _("— pilih —"))] + [
        (str(j.code), f"{j.code} · {j.name}")
        for j in db.session.scalars(select(JenisDiklat).order_by(JenisDiklat.code))
    ]


def _jp_text(jp: Decimal) -> str:
    return format(jp.normalize(), "f").replace(".", ",")


def _fill_meta(form: MetaForm, version: CourseVersion) -> None:
    form.title.data = version.title
    form.summary.data = version.summary
    form.objectives.data = "\n".join(version.objectives or [])
    form.competency_kind.data = version.competency_kind
    form.jenis_diklat_code.data = str(version.jenis_diklat_code or "")
    form.jp.data = _jp_text(version.jp)
    form.delivery_mode.data = version.delivery_mode
    form.organiser.data = version.organiser
    form.tags.data = ", ".join(version.tags or [])


def _field_error(form: Any, exc: CourseError, default: str) -> None:
    field = getattr(form, exc.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, str(exc)]


def _labels() -> dict[str, Any]:
    return {
        "status_labels": VERSION_STATUS_LABELS,
        "kinds": KIND_LABELS,
        "modes": MODE_LABELS,
        "steps": STEP_LABELS,
        "file_kinds": FILE_KIND_LABELS,
    }


# --- lists -----------------------------------------------------------------------------------


@bp.route("/kelola/pelatihan")
@require(*AUTHORS)
def author_courses():
    q = request.args.get("q", "")[:100].strip()
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows, total = authoring.authored_courses(current_user, q, page)
    return render_template(
        "courses/authoring/list.html",
        rows=rows,
        total=total,
        q=q,
        page=page,
        pages=max((total + authoring.PAGE_SIZE - 1) // authoring.PAGE_SIZE, 1),
        all_courses=can(current_user, C.PUBLISH_COURSES),
        partner=current_user.partner if partner_scope(current_user) else None,
        **_labels(),
    )


@bp.route("/kelola/pelatihan/baru", methods=["GET", "POST"])
@require(*AUTHORS)
def author_new():
    form = NewCourseForm()
    form.category.choices = _category_choices()
    _meta_choices(form)
    if request.method == "GET":
        form.organiser.data = "BKPSDM Kota Palembang"
        form.jenis_diklat_code.data = ""
    if form.validate_on_submit():
        try:
            cover = _upload(form.cover.data, "image")
            course = authoring.create_authored_course(
                current_user,
                form.code.data,
                form.category.data,
                form.catalogue_values(),
                cover,
            )
        except files.FileRefused as exc:
            db.session.rollback()
            form.cover.errors = [str(exc)]
        except CourseError as exc:
            db.session.rollback()
            _field_error(form, exc, "title")
        else:
            db.session.commit()
            flash(
                _(
                    "Pelatihan %(c)s dibuat sebagai draf. Tambahkan modul dan pelajaran.",
                    c=course.code,
                ),
                "success",
            )
            return _to_course(course)
    return render_template(
        "courses/authoring/course_form.html", form=form, course=None, version=None
    )


# --- one course ------------------------------------------------------------------------------


def _course_page(course: Course, **forms: Any) -> str:
    version = course.latest_version
    modules = queries.lesson_outline(version.id)
    version_files = authoring.version_files(version.id)
    jenis = (
        db.session.get(JenisDiklat, version.jenis_diklat_code)
        if version.jenis_diklat_code
        else None
    )
    return render_template(
        "courses/authoring/course.html",
        course=course,
        version=version,
        modules=modules,
        files=version_files,
        snippets={f.id: authoring.markdown_snippet(f) for f in version_files},
        jenis=jenis,
        counts=authoring.learner_counts(course.id),
        action=CsrfForm(),
        move=MoveForm(),
        module_form=forms.get("module_form") or ModuleForm(prefix="baru"),
        upload=forms.get("upload") or UploadForm(),
        rename={m.id: ModuleForm(prefix=f"m{m.id}", title=m.title) for m in modules},
        editable=version.status == "draft",
        can_publish=can(current_user, C.PUBLISH_COURSES),
        image_limit=files.megabytes(files.image_limit()),
        attachment_limit=files.megabytes(files.attachment_limit()),
        **_labels(),
    )


@bp.route("/kelola/pelatihan/<int:course_id>")
@require(*AUTHORS)
def author_course(course_id: int):
    return _course_page(_course(course_id))


@bp.route("/kelola/pelatihan/<int:course_id>/info", methods=["GET", "POST"])
@require(*AUTHORS)
def author_meta(course_id: int):
    course = _course(course_id)
    draft = _draft(course)
    if draft is None:
        return _not_editable(course)
    form = MetaForm()
    _meta_choices(form)
    if request.method == "GET":
        _fill_meta(form, draft)
    if form.validate_on_submit():
        try:
            cover = _upload(form.cover.data, "image")
            authoring.save_draft_meta(draft, form.catalogue_values(), cover, form.remove_cover.data)
        except files.FileRefused as exc:
            db.session.rollback()
            form.cover.errors = [str(exc)]
        except CourseError as exc:
            db.session.rollback()
            _field_error(form, exc, "title")
        else:
            db.session.commit()
            flash(
                _("Informasi pelatihan tersimpan di draf versi %(n)s.", n=draft.number), "success"
            )
            return _to_course(course)
    return render_template(
        "courses/authoring/course_form.html", form=form, course=course, version=draft
    )


@bp.route("/kelola/pelatihan/<int:course_id>/draf", methods=["POST"])
@require(*AUTHORS)
def author_draft(course_id: int):
    course = _course(course_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    had_draft = _draft(course) is not None
    try:
        draft = services.draft_for_edit(course)
    except CourseError as exc:
        flash_error(exc)
        return _to_course(course)
    db.session.commit()
    if had_draft:
        flash(_("Anda sedang mengubah draf versi %(n)s.", n=draft.number), "info")
    else:
        flash(
            _(
                "Draf versi %(n)s dibuat. Peserta tetap melihat versi yang terbit sampai BKPSDM "
                "menerbitkan draf ini.",
                n=draft.number,
            ),
            "success",
        )
    return _to_course(course)
