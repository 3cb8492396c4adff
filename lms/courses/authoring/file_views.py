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
    row: CourseFile | None,
    key: str,
    mimetype: str,
    as_attachment: bool,
    name: str,
    max_age: int = 300,
    immutable: bool = False,
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
        max_age=max_age,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.cache_control.private = True  # behind a login: never in a shared cache
    response.cache_control.public = False
    if max_age == 0:
        response.cache_control.no_cache = True  # ask again each time (a 304 when unchanged)
    response.cache_control.immutable = immutable
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
    """A course's cover: that of the published version for anyone signed in (the catalogue and
    the course page), ``?versi=N`` of a version ever published likewise, and of a draft or a
    version in review only for its authors and BKPSDM.

    A published version never changes, so its URL with ``versi`` is cached for a day; a draft's
    cover can be replaced under the same URL, so the browser asks again each time (ETag, 304)."""
    course = db.get_or_404(Course, course_id)
    number = request.args.get("versi", type=db_int)
    if number is None:
        version = course.published_version or course.latest_version
    else:
        version = next((v for v in course.versions if v.number == number), None)
        if version is None:
            abort(404)
    if version.published_at is None and not services.can_author(current_user, course):
        refuse(course, 404 if number is None else 403)
    if not version.cover_key:
        abort(404)
    row = authoring.cover_file(version)
    mimetype = row.mimetype if row is not None else "application/octet-stream"
    name = row.filename if row is not None else "sampul"
    if number is not None and version.published_at is not None:
        return _serve(row, version.cover_key, mimetype, False, name, 86_400, immutable=True)
    return _serve(row, version.cover_key, mimetype, False, name, 0 if number else 300)
