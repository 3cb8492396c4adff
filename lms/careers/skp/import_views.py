"""HR's appraisal import: upload a table of annual SKP results, preview it, confirm it."""

from __future__ import annotations

import re

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.skp import appraisal_import
from lms.careers.skp import services as skp
from lms.careers.skp.forms import (
    ImportConfirmForm,
    ImportUploadForm,
)
from lms.extensions import db
from lms.imports import store_pending
from lms.permissions import Capability, require
from lms.storage import get_storage

C = Capability
_KEY_RE = re.compile(r"^imports/[0-9a-f]{32}\.(csv|xlsx)$")
SESSION_KEY = "skp_import_key"
SESSION_NAME = "skp_import_name"


@bp.route("/kelola/kinerja/impor", methods=["GET", "POST"])
@require(C.MANAGE_APPRAISALS)
def skp_import():  # noqa: ANN201
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        if len(data) > current_app.config["IMPORT_MAX_BYTES"]:
            abort(413)
        suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
        checked = appraisal_import.preview(current_user, upload.filename, data)
        confirm = None
        if checked.ok:
            key = store_pending("imports", suffix, data, replacing=session.get(SESSION_KEY))
            session[SESSION_KEY] = key
            session[SESSION_NAME] = upload.filename[:200]
            confirm = ImportConfirmForm(key=key)
        db.session.rollback()
        return render_template(
            "careers/skp/import_preview.html",
            preview=checked,
            confirm=confirm,
            filename=upload.filename,
            columns=appraisal_import.COLUMNS,
        ), (200 if checked.ok else 422)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "careers/skp/import.html",
        form=form,
        columns=appraisal_import.COLUMNS,
        required=appraisal_import.REQUIRED,
    ), status


@bp.route("/kelola/kinerja/impor/konfirmasi", methods=["POST"])
@require(C.MANAGE_APPRAISALS)
def skp_import_confirm():  # noqa: ANN201
    form = ImportConfirmForm()
    key = form.key.data or ""
    stale = _("Pratinjau impor sudah tidak berlaku. Unggah ulang berkasnya.")
    if not form.validate_on_submit() or key != session.get(SESSION_KEY) or not _KEY_RE.match(key):
        flash(stale, "error")
        return redirect(url_for("careers.skp_import"))
    storage = get_storage()
    if not storage.exists(key):
        flash(stale, "error")
        return redirect(url_for("careers.skp_import"))
    filename = session.get(SESSION_NAME, "")
    checked = appraisal_import.preview(current_user, key, storage.read(key))
    try:
        count = appraisal_import.apply(current_user, checked)
    except skp.CareerError as exc:
        db.session.rollback()
        storage.delete(key)  # this upload can no longer be confirmed
        session.pop(SESSION_KEY, None)
        flash(str(exc), "error")
        return render_template(
            "careers/skp/import_preview.html",
            preview=checked,
            confirm=None,
            filename=filename,
            columns=appraisal_import.COLUMNS,
        ), 422
    db.session.commit()
    storage.delete(key)
    session.pop(SESSION_KEY, None)
    session.pop(SESSION_NAME, None)
    flash(_("Impor selesai: %(n)s evaluasi tahunan tersimpan.", n=count), "success")
    return redirect(url_for("careers.skp_distribution"))
