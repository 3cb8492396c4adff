"""HR's appraisal import: upload a table of annual SKP results, preview it, confirm it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.skp import appraisal_import
from lms.careers.skp import services as skp
from lms.careers.skp.forms import (
    ImportConfirmForm,
    ImportUploadForm,
)
from lms.errors import flash_error
from lms.extensions import db
from lms.imports import STALE, PendingImport, preview_status, read_upload, table_suffix
from lms.permissions import Capability, require

C = Capability
_PENDING = PendingImport("skp_import")


@bp.route("/kelola/kinerja/impor", methods=["GET", "POST"])
@require(C.MANAGE_APPRAISALS)
def skp_import():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = read_upload(upload)
        checked = appraisal_import.preview(current_user, upload.filename, data)
        confirm = None
        if checked.ok:
            name = upload.filename[:200]
            key = _PENDING.keep(data, table_suffix(upload.filename), name=name)
            confirm = ImportConfirmForm(key=key)
        db.session.rollback()
        return render_template(
            "careers/skp/import_preview.html",
            preview=checked,
            confirm=confirm,
            filename=upload.filename,
            columns=appraisal_import.COLUMNS,
        ), preview_status(checked.ok)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "careers/skp/import.html",
        form=form,
        columns=appraisal_import.COLUMNS,
        required=appraisal_import.REQUIRED,
    ), status


@bp.route("/kelola/kinerja/impor/konfirmasi", methods=["POST"])
@require(C.MANAGE_APPRAISALS)
def skp_import_confirm():
    form = ImportConfirmForm()
    kept = _PENDING.take(form.key.data) if form.validate_on_submit() else None
    if kept is None:
        flash(str(STALE), "error")
        return redirect(url_for("careers.skp_import"))
    entry, data = kept
    checked = appraisal_import.preview(current_user, entry["key"], data)
    try:
        count = appraisal_import.apply(current_user, checked)
    except skp.CareerError as exc:
        flash_error(exc)
        _PENDING.drop()  # this upload can no longer be confirmed
        return render_template(
            "careers/skp/import_preview.html",
            preview=checked,
            confirm=None,
            filename=entry.get("name", ""),
            columns=appraisal_import.COLUMNS,
        ), preview_status(False)
    db.session.commit()
    _PENDING.drop()
    flash(_("Impor selesai: %(n)s evaluasi tahunan tersimpan.", n=count), "success")
    return redirect(url_for("careers.skp_distribution"))
