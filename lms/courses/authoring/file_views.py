"""Course files: uploads to a draft (images, attachments) and serving them, never rendered
as a page: attachments are always downloaded and every answer carries a sandboxing CSP.
"""

from __future__ import annotations

from flask import abort, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.courses import bp, services
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.courses.authoring.forms import UploadForm
from lms.courses.authoring.views import (
    AUTHORS,
    _course,
    _course_page,
    _draft,
    _not_editable,
    _to_course,
    _upload,
)
from lms.courses.models import Course, CourseFile, CourseVersion
from lms.courses.services import CourseError
from lms.db import db_int
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.permissions import refuse, require
from lms.storage import StorageError, get_storage

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


@bp.route("/kelola/pelatihan/<int:course_id>/berkas", methods=["POST"])
@require(*AUTHORS)
def author_upload(course_id: int):
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
def author_file_delete(course_id: int, file_id: int):
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
    if not confirmed():
        return ask(
            Confirmation(
                _("Hapus berkas %(f)s?", f=name),
                [
                    _(
                        "Berkas ini dihapus dari draf; gambar dan tautan ke berkas ini di pelajaran draf tidak tampil lagi."
                    ),
                    _("Bila berkas ini sampul pelatihan, draf tidak lagi bersampul."),
                    _(
                        "Versi yang sedang terbit tetap memakai berkasnya sampai draf ini diterbitkan."
                    ),
                ],
                _("Ya, hapus berkas"),
                url_for("courses.author_course", course_id=course.id, _anchor="berkas"),
            )
        )
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
def file(file_id: int):
    """A course image (shown inline) or attachment (always downloaded, never rendered)."""
    row = db.get_or_404(CourseFile, file_id)
    if not authoring.file_visible(current_user, row):
        refuse(row)
    return _serve(row, row.storage_key, row.mimetype, row.kind != "image", row.filename)


@bp.route("/berkas/sampul/<int:course_id>")
@login_required
def cover(course_id: int):
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
