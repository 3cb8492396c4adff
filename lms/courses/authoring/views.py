"""Authoring in the browser: trainers write courses, BKPSDM reviews, publishes and sets enrolment.

Every route loads its object (404), checks it (``services.can_author``: a trainer only their own
courses, BKPSDM any; 403), validates a form, calls one service and commits once. Content changes
only ever touch the draft version, so learners keep the published one until BKPSDM publishes
the next.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
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
    LessonForm,
    MetaForm,
    ModuleForm,
    MoveForm,
    NewCourseForm,
    SendBackForm,
    SettingsForm,
    UploadForm,
)
from lms.courses.models import Course, CourseFile, CourseVersion, Lesson, Module
from lms.courses.rendering import render_markdown
from lms.courses.services import CourseError
from lms.db import db_int
from lms.extensions import db
from lms.forms import CsrfForm
from lms.main.dashboard import section
from lms.org.models import JenisDiklat
from lms.permissions import Capability, can, refuse, require
from lms.storage import StorageError, get_storage

C = Capability
AUTHORS = (C.AUTHOR_COURSES, C.PUBLISH_COURSES)
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


# --- loading and checking --------------------------------------------------------------------


def _course(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    if not services.can_author(current_user, course):
        refuse(course, 403)  # courses are listed in the catalogue
    return course


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
def author_courses():  # noqa: ANN201
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
        **_labels(),
    )


@bp.route("/kelola/pelatihan/baru", methods=["GET", "POST"])
@require(*AUTHORS)
def author_new():  # noqa: ANN201
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
def author_course(course_id: int):  # noqa: ANN201
    return _course_page(_course(course_id))


@bp.route("/kelola/pelatihan/<int:course_id>/info", methods=["GET", "POST"])
@require(*AUTHORS)
def author_meta(course_id: int):  # noqa: ANN201
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
def author_draft(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    had_draft = _draft(course) is not None
    try:
        draft = services.draft_for_edit(course)
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
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


@bp.route("/kelola/pelatihan/<int:course_id>/modul", methods=["POST"])
@require(*AUTHORS)
def author_module_add(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    draft = _draft(course)
    if draft is None:
        return _not_editable(course)
    form = ModuleForm(prefix="baru")
    if form.validate_on_submit():
        try:
            module = services.add_module(draft, form.title.data)
        except CourseError as exc:
            db.session.rollback()
            form.title.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Modul “%(t)s” ditambahkan.", t=module.title), "success")
            return _to_course(course, f"modul-{module.id}")
    return _course_page(course, module_form=form)


@bp.route("/kelola/pelatihan/<int:course_id>/modul/<int:module_id>", methods=["POST"])
@require(*AUTHORS)
def author_module_edit(course_id: int, module_id: int):  # noqa: ANN201
    course = _course(course_id)
    module = _module(course, module_id)
    if module.version.status != "draft":
        return _not_editable(course)
    form = ModuleForm(prefix=f"m{module.id}")
    if not form.validate_on_submit():
        flash(_("Judul modul wajib diisi."), "error")
        return _to_course(course, f"modul-{module.id}")
    try:
        authoring.rename_module(module, form.title.data)
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Judul modul tersimpan."), "success")
    return _to_course(course, f"modul-{module.id}")


@bp.route("/kelola/pelatihan/<int:course_id>/modul/<int:module_id>/pindah", methods=["POST"])
@require(*AUTHORS)
def author_module_move(course_id: int, module_id: int):  # noqa: ANN201
    course = _course(course_id)
    module = _module(course, module_id)
    if module.version.status != "draft":
        return _not_editable(course)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    authoring.move_module(module, -1 if form.arah.data == "naik" else 1)
    db.session.commit()
    return _to_course(course, f"modul-{module.id}")


@bp.route("/kelola/pelatihan/<int:course_id>/modul/<int:module_id>/hapus", methods=["POST"])
@require(*AUTHORS)
def author_module_delete(course_id: int, module_id: int):  # noqa: ANN201
    course = _course(course_id)
    module = _module(course, module_id)
    if module.version.status != "draft":
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    title, lessons = module.title, len(module.lessons)
    authoring.delete_module(module)
    db.session.commit()
    flash(
        _("Modul “%(t)s” dan %(n)s pelajarannya dihapus dari draf.", t=title, n=lessons), "success"
    )
    return _to_course(course, "modul")


# --- lessons ---------------------------------------------------------------------------------


def _lesson_page(
    course: Course, module: Module, lesson: Lesson | None, form: LessonForm, preview: str | None
) -> str:
    version = module.version
    version_files = authoring.version_files(version.id)
    return render_template(
        "courses/authoring/lesson_form.html",
        course=course,
        version=version,
        module=module,
        lesson=lesson,
        form=form,
        preview=preview,
        files=version_files,
        snippets={f.id: authoring.markdown_snippet(f) for f in version_files},
        image_limit=files.megabytes(files.image_limit()),
    )


def _save_lesson(course: Course, module: Module, lesson: Lesson | None) -> Response | str:
    form = LessonForm()
    if request.method == "GET":
        if lesson is not None:
            form.title.data = lesson.title
            form.body_md.data = lesson.body_md
            form.minutes.data = lesson.minutes
        return _lesson_page(course, module, lesson, form, None)
    if request.form.get("action") == "preview":
        form.validate_on_submit()  # show missing fields, but preview anyway; nothing is saved
        if form.image.data and getattr(form.image.data, "filename", ""):
            flash(
                _("Pratinjau tidak mengunggah gambar. Pilih gambarnya lagi saat menyimpan."), "info"
            )
        return _lesson_page(course, module, lesson, form, render_markdown(form.body_md.data or ""))
    if form.validate_on_submit():
        try:
            image = _upload(form.image.data, "image")
            saved = authoring.save_lesson_with_image(
                module,
                lesson,
                form.title.data,
                form.body_md.data or "",
                form.minutes.data,
                image,
                form.image_alt.data or "",
            )
        except files.FileRefused as exc:
            db.session.rollback()
            form.image.errors = [str(exc)]
        except CourseError as exc:
            db.session.rollback()
            _field_error(form, exc, "title")
        else:
            db.session.commit()
            flash(_("Pelajaran “%(t)s” tersimpan.", t=saved.title), "success")
            return redirect(
                url_for("courses.author_lesson", course_id=course.id, lesson_id=saved.id)
            )
    return _lesson_page(course, module, lesson, form, None)


@bp.route(
    "/kelola/pelatihan/<int:course_id>/modul/<int:module_id>/pelajaran/baru",
    methods=["GET", "POST"],
)
@require(*AUTHORS)
def author_lesson_new(course_id: int, module_id: int):  # noqa: ANN201
    course = _course(course_id)
    module = _module(course, module_id)
    if module.version.status != "draft":
        return _not_editable(course)
    return _save_lesson(course, module, None)


@bp.route("/kelola/pelatihan/<int:course_id>/pelajaran/<int:lesson_id>", methods=["GET", "POST"])
@require(*AUTHORS)
def author_lesson(course_id: int, lesson_id: int):  # noqa: ANN201
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if lesson.module.version.status != "draft":
        return _not_editable(course)
    return _save_lesson(course, lesson.module, lesson)


@bp.route("/kelola/pelatihan/<int:course_id>/pelajaran/<int:lesson_id>/pindah", methods=["POST"])
@require(*AUTHORS)
def author_lesson_move(course_id: int, lesson_id: int):  # noqa: ANN201
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if lesson.module.version.status != "draft":
        return _not_editable(course)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    authoring.move_lesson(lesson, -1 if form.arah.data == "naik" else 1)
    db.session.commit()
    return _to_course(course, f"pelajaran-{lesson.id}")


@bp.route("/kelola/pelatihan/<int:course_id>/pelajaran/<int:lesson_id>/hapus", methods=["POST"])
@require(*AUTHORS)
def author_lesson_delete(course_id: int, lesson_id: int):  # noqa: ANN201
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if lesson.module.version.status != "draft":
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    title, module_id = lesson.title, lesson.module_id
    authoring.delete_lesson(lesson)
    db.session.commit()
    flash(_("Pelajaran “%(t)s” dihapus dari draf.", t=title), "success")
    return _to_course(course, f"modul-{module_id}")


# --- files -----------------------------------------------------------------------------------


@bp.route("/kelola/pelatihan/<int:course_id>/berkas", methods=["POST"])
@require(*AUTHORS)
def author_upload(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    draft = _draft(course)
    if draft is None:
        return _not_editable(course)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            checked = _upload(form.file.data, form.kind.data)
            if checked is None:
                raise files.FileRefused(_("Pilih berkas untuk diunggah."))
            row = authoring.attach_file(draft, checked)
        except files.FileRefused as exc:
            db.session.rollback()
            form.file.errors = [str(exc)]
        except CourseError as exc:
            db.session.rollback()
            form.file.errors = [str(exc)]
        else:
            db.session.commit()
            flash(
                _("Berkas %(f)s diunggah. Salin alamatnya ke isi pelajaran.", f=row.filename),
                "success",
            )
            return _to_course(course, "berkas")
    return _course_page(course, upload=form)


@bp.route("/kelola/pelatihan/<int:course_id>/berkas/<int:file_id>/hapus", methods=["POST"])
@require(*AUTHORS)
def author_file_delete(course_id: int, file_id: int):  # noqa: ANN201
    course = _course(course_id)
    row = db.get_or_404(CourseFile, file_id)
    version = db.session.get(CourseVersion, row.version_id)
    if version is None or version.course_id != course.id:
        abort(404)
    if version.status != "draft":
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    name = row.filename
    authoring.delete_file(row)
    db.session.commit()
    flash(_("Berkas %(f)s dihapus dari draf.", f=name), "success")
    return _to_course(course, "berkas")


def _serve(
    row: CourseFile | None, key: str, mimetype: str, as_attachment: bool, name: str
) -> Response:
    storage = get_storage()
    try:
        path = storage.path(key)
    except StorageError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=name,
        conditional=True,
        etag=row.sha256 if row is not None else True,
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.cache_control.private = True
    response.cache_control.public = False
    return response


@bp.route("/berkas/<int:file_id>")
@login_required
def file(file_id: int):  # noqa: ANN201
    """A course image (shown inline) or attachment (always downloaded, never rendered)."""
    row = db.get_or_404(CourseFile, file_id)
    if not authoring.file_visible(current_user, row):
        refuse(row)
    return _serve(row, row.storage_key, row.mimetype, row.kind != "image", row.filename)


@bp.route("/berkas/sampul/<int:course_id>")
@login_required
def cover(course_id: int):  # noqa: ANN201
    """The cover of the published version; ``?versi=N`` shows another version to its authors."""
    course = db.get_or_404(Course, course_id)
    number = request.args.get("versi", type=db_int)
    if number is None and course.published_version is not None:
        version = course.published_version
    else:
        if not services.can_author(current_user, course):
            refuse(course, 404 if number is None else 403)
        version = (
            next((v for v in course.versions if v.number == number), None)
            if number
            else course.latest_version
        )
    if version is None or not version.cover_key:
        abort(404)
    row = authoring.cover_file(version)
    mimetype = row.mimetype if row is not None else "application/octet-stream"
    return _serve(row, version.cover_key, mimetype, False, row.filename if row else "sampul")


# --- preview and submit ----------------------------------------------------------------------


def _preview(course: Course, version: CourseVersion, template: str, **extra: Any) -> str:
    jenis = (
        db.session.get(JenisDiklat, version.jenis_diklat_code)
        if version.jenis_diklat_code
        else None
    )
    return render_template(
        template,
        course=course,
        version=version,
        modules=queries.lesson_outline(version.id),
        jenis=jenis,
        **_labels(),
        **extra,
    )


@bp.route("/kelola/pelatihan/<int:course_id>/pratinjau")
@require(*AUTHORS)
def author_preview(course_id: int):  # noqa: ANN201
    """The version as a learner will read it: every lesson, read-only, on one page."""
    course = _course(course_id)
    number = request.args.get("versi", type=db_int)
    version = (
        next((v for v in course.versions if v.number == number), None)
        if number
        else course.latest_version
    )
    if version is None:
        abort(404)
    return _preview(course, version, "courses/authoring/preview.html", review=None)


@bp.route("/kelola/pelatihan/<int:course_id>/ajukan", methods=["POST"])
@require(*AUTHORS)
def author_submit(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    draft = _draft(course)
    if draft is None:
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        services.submit_for_review(draft)
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Versi %(n)s diajukan ke BKPSDM untuk ditelaah.", n=draft.number), "success")
    return _to_course(course)


# --- BKPSDM: settings, archive, review -------------------------------------------------------


@bp.route("/kelola/pelatihan/<int:course_id>/pengaturan", methods=["GET", "POST"])
@require(C.PUBLISH_COURSES)
def author_settings(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    form = SettingsForm()
    form.category.choices = _category_choices()
    trainers = authoring.trainer_choices()
    form.trainers.choices = [(u.id, f"{u.name} ({u.username})") for u in trainers]
    if request.method == "GET":
        form.category.data = course.category.name
        form.self_enrol.data = course.self_enrol
        form.approval_steps.data = course.approval_steps
        form.capacity.data = course.capacity
        form.enrol_deadline.data = course.enrol_deadline
        form.starts_on.data = course.starts_on
        form.ends_on.data = course.ends_on
        form.trainers.data = [t.user_id for t in course.trainers]
        form.require_lessons.data = course.require_lessons
        form.require_posttest.data = course.require_posttest
        form.require_evaluation.data = course.require_evaluation
    if form.validate_on_submit():
        values = {
            name: getattr(form, name).data
            for name in (
                "self_enrol",
                "approval_steps",
                "capacity",
                "enrol_deadline",
                "starts_on",
                "ends_on",
                "require_lessons",
                "require_posttest",
                "require_evaluation",
            )
        }
        try:
            promoted = authoring.update_settings(
                course,
                form.category.data,
                values,
                form.trainers.data or [],
            )
        except CourseError as exc:
            db.session.rollback()
            _field_error(form, exc, "capacity")
        else:
            db.session.commit()
            flash(_("Pengaturan pelatihan %(c)s tersimpan.", c=course.code), "success")
            if promoted:
                flash(_("%(n)s peserta dari daftar tunggu mendapat kursi.", n=promoted), "info")
            return _to_course(course)
    return render_template(
        "courses/authoring/settings.html", form=form, course=course, version=course.latest_version
    )


@bp.route("/kelola/pelatihan/<int:course_id>/arsipkan", methods=["POST"])
@require(C.PUBLISH_COURSES)
def author_archive(course_id: int):  # noqa: ANN201
    course = _course(course_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    services.archive(course)
    db.session.commit()
    flash(
        _("Pelatihan %(c)s diarsipkan dan tidak lagi tampil di katalog.", c=course.code), "success"
    )
    return _to_course(course)


@bp.route("/kelola/pelatihan/telaah")
@require(C.PUBLISH_COURSES)
def review_queue():  # noqa: ANN201
    return render_template(
        "courses/authoring/review_queue.html", rows=authoring.review_queue(), **_labels()
    )


def _version_for_review(version_id: int) -> CourseVersion:
    version = db.get_or_404(CourseVersion, version_id)
    if not services.can_author(current_user, version.course):
        refuse(version, 403)
    return version


@bp.route("/kelola/pelatihan/telaah/<int:version_id>")
@require(C.PUBLISH_COURSES)
def review_version(version_id: int):  # noqa: ANN201
    version = _version_for_review(version_id)
    return _preview(
        version.course,
        version,
        "courses/authoring/preview.html",
        review=SendBackForm(),
        action=CsrfForm(),
    )


@bp.route("/kelola/pelatihan/telaah/<int:version_id>/terbitkan", methods=["POST"])
@require(C.PUBLISH_COURSES)
def review_publish(version_id: int):  # noqa: ANN201
    version = _version_for_review(version_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        authoring.publish_reviewed(current_user, version)
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("courses.review_version", version_id=version.id))
    db.session.commit()
    flash(
        _(
            "Versi %(n)s pelatihan %(c)s terbit dan tampil di katalog.",
            n=version.number,
            c=version.course.code,
        ),
        "success",
    )
    return redirect(url_for("courses.review_queue"))


@bp.route("/kelola/pelatihan/telaah/<int:version_id>/kembalikan", methods=["POST"])
@require(C.PUBLISH_COURSES)
def review_send_back(version_id: int):  # noqa: ANN201
    version = _version_for_review(version_id)
    form = SendBackForm()
    if form.validate_on_submit():
        try:
            services.send_back(current_user, version, form.comment.data)
        except CourseError as exc:
            db.session.rollback()
            if exc.field == "comment":
                form.comment.errors = [str(exc)]
            else:
                flash(str(exc), "error")
                return redirect(url_for("courses.review_version", version_id=version.id))
        else:
            db.session.commit()
            flash(
                _("Versi %(n)s dikembalikan ke pengajar dengan catatan.", n=version.number),
                "success",
            )
            return redirect(url_for("courses.review_queue"))
    return _preview(
        version.course, version, "courses/authoring/preview.html", review=form, action=CsrfForm()
    )


# --- dashboard sections ----------------------------------------------------------------------


@section(30)
def trainer_section(user):  # noqa: ANN001, ANN201
    """The trainer's courses with status and learner counts (one grouped query)."""
    if not can(user, C.AUTHOR_COURSES):
        return None
    rows, total = authoring.trained_courses(user)
    return "courses/authoring/_dash_trainer.html", {"rows": rows, "total": total, **_labels()}


@section(60)
def review_section(user):  # noqa: ANN001, ANN201
    """BKPSDM: how many versions wait in the review queue."""
    if not can(user, C.PUBLISH_COURSES):
        return None
    return "courses/authoring/_dash_review.html", {"count": authoring.review_count()}
