"""Authoring the outline of a draft: modules and lessons, added, renamed, moved and deleted."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from lms.courses import bp, services
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.courses.authoring.forms import (
    LessonForm,
    ModuleForm,
    MoveForm,
)
from lms.courses.authoring.views import (
    AUTHORS,
    _course,
    _course_page,
    _draft,
    _field_error,
    _lesson,
    _module,
    _not_editable,
    _to_course,
    _upload,
)
from lms.courses.models import Course, Lesson, Module
from lms.courses.rendering import render_markdown
from lms.courses.services import CourseError
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.permissions import require


@bp.route("/kelola/pelatihan/<int:course_id>/modul", methods=["POST"])
@require(*AUTHORS)
def author_module_add(course_id: int):
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
def author_module_edit(course_id: int, module_id: int):
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
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Judul modul tersimpan."), "success")
    return _to_course(course, f"modul-{module.id}")


@bp.route("/kelola/pelatihan/<int:course_id>/modul/<int:module_id>/pindah", methods=["POST"])
@require(*AUTHORS)
def author_module_move(course_id: int, module_id: int):
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
def author_module_delete(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    if module.version.status != "draft":
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    title, lessons = module.title, len(module.lessons)
    if not confirmed():
        return ask(
            Confirmation(
                _("Hapus modul “%(t)s”?", t=title),
                [
                    _(
                        "Modul ini dan %(n)s pelajarannya, beserta isinya, dihapus dari draf.",
                        n=lessons,
                    ),
                    _("Versi yang sedang terbit tidak berubah sampai draf ini diterbitkan."),
                    _("Penghapusan tidak dapat dibatalkan; isi yang dihapus harus ditulis ulang."),
                ],
                _("Ya, hapus modul"),
                url_for("courses.author_course", course_id=course.id, _anchor=f"modul-{module.id}"),
            )
        )
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
def author_lesson_new(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    if module.version.status != "draft":
        return _not_editable(course)
    return _save_lesson(course, module, None)


@bp.route("/kelola/pelatihan/<int:course_id>/pelajaran/<int:lesson_id>", methods=["GET", "POST"])
@require(*AUTHORS)
def author_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if lesson.module.version.status != "draft":
        return _not_editable(course)
    return _save_lesson(course, lesson.module, lesson)


@bp.route("/kelola/pelatihan/<int:course_id>/pelajaran/<int:lesson_id>/pindah", methods=["POST"])
@require(*AUTHORS)
def author_lesson_move(course_id: int, lesson_id: int):
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
def author_lesson_delete(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if lesson.module.version.status != "draft":
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    title, module_id = lesson.title, lesson.module_id
    if not confirmed():
        return ask(
            Confirmation(
                _("Hapus pelajaran “%(t)s”?", t=title),
                [
                    _("Pelajaran ini beserta isinya dihapus dari draf."),
                    _("Versi yang sedang terbit tidak berubah sampai draf ini diterbitkan."),
                    _("Penghapusan tidak dapat dibatalkan; isi yang dihapus harus ditulis ulang."),
                ],
                _("Ya, hapus pelajaran"),
                url_for(
                    "courses.author_course", course_id=course.id, _anchor=f"pelajaran-{lesson.id}"
                ),
            )
        )
    authoring.delete_lesson(lesson)
    db.session.commit()
    flash(_("Pelajaran “%(t)s” dihapus dari draf.", t=title), "success")
    return _to_course(course, f"modul-{module_id}")
