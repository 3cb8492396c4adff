"""Package pages: the partner uploads and follows its packages; BKPSDM reviews them.

Partner staff see only their own partner's packages: another partner's package answers 404,
exactly like a missing id.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lms.courses import queries as course_queries
from lms.courses import services as courses
from lms.errors import DomainError, flash_error
from lms.extensions import db
from lms.packages import bp, review, services
from lms.packages.forms import ApproveForm, ReturnForm, UploadForm
from lms.packages.models import Package, PackageVersion
from lms.permissions import Capability, can, refuse, require
from lms.security import allow_large_upload

C = Capability
allow_large_upload("packages.upload", "PACKAGE_MAX_UPLOAD")
EITHER = (C.UPLOAD_PACKAGES, C.REVIEW_PACKAGES)


def _reviewer() -> bool:
    return can(current_user, C.REVIEW_PACKAGES)


def _package(package_id: int) -> Package:
    package = db.get_or_404(Package, package_id)
    if not services.may_see(current_user, package, _reviewer()):
        refuse(package)
    return package


@bp.get("/paket")
@require(*EITHER)
def index():
    packages = db.session.scalars(services.visible_packages(current_user, _reviewer())).all()
    queue = [p for p in packages if p.latest_version and p.latest_version.status == "in_review"]
    return render_template(
        "packages/index.html", packages=packages, queue=queue, reviewer=_reviewer()
    )


@bp.route("/paket/unggah", methods=["GET", "POST"])
@require(C.UPLOAD_PACKAGES)
def upload():
    if current_user.partner is None:
        refuse(status=403)  # a package belongs to a partner institution
    form = UploadForm()
    problems: list = []
    if form.validate_on_submit():
        try:
            version = services.import_package(
                form.file.data.stream, current_user.partner, current_user, form.code.data or None
            )
            _commit_or_discard(version.storage_key)
        except services.PackageRefused as refused:
            db.session.rollback()
            problems = refused.problems
        except services.PackageConflict as conflict:
            db.session.rollback()
            flash(conflict.message(), "error")
            return render_template("packages/upload.html", form=form, problems=[]), 409
        else:
            flash(_("Paket diterima dan menunggu telaah BKPSDM."), "success")
            target = url_for("packages.version", package_version_id=version.id)
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                return jsonify(location=target)  # the script goes there: the flash waits
            return redirect(target)
    status = 422 if problems or form.errors else 200
    return render_template("packages/upload.html", form=form, problems=problems), status


def _commit_or_discard(storage_key: str) -> None:
    """Commit the new version; when the commit fails its folder goes too, then the error (a
    conflict with a simultaneous upload of the same code as ``PackageConflict``)."""
    try:
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        services.discard_files(storage_key)
        if isinstance(error, IntegrityError):  # two uploads of one code at once
            raise services.PackageConflict() from error
        raise


@bp.get("/paket/<int:package_id>")
@require(*EITHER)
def package(package_id: int):
    return render_template("packages/package.html", package=_package(package_id))


@bp.get("/paket/versi/<int:package_version_id>")
@require(*EITHER)
def version(package_version_id: int):
    version = db.get_or_404(PackageVersion, package_version_id)
    _package(version.package_id)
    return _version_page(version, ApproveForm(course_code=version.package.code[:40].upper()))


def _version_page(version: PackageVersion, approve_form: ApproveForm, status: int = 200):
    shown = _reviewer() and version.status == "in_review"
    if shown and approve_form.course_id.choices is None:  # the form is shown: its choices
        _approve_choices(approve_form)
    page = render_template(
        "packages/version.html",
        version=version,
        items=services.outline_items(version),
        reviewer=_reviewer(),
        approve_form=approve_form,
        return_form=ReturnForm(),
    )
    return page, status


def _approve_choices(form: ApproveForm) -> None:
    names = [c.name for c in course_queries.categories()]
    names += [n for n in courses.DEFAULT_CATEGORIES if n not in names]
    form.category.choices = [(n, n) for n in names]
    form.course_id.choices = [("", _("— pilih pelatihan —"))] + [
        (str(c.id), f"{c.code} · {c.published_version.title}")
        for c in review.manageable_courses(current_user)
    ]


@bp.post("/paket/versi/<int:package_version_id>/setujui")
@require(C.REVIEW_PACKAGES)
def approve(package_version_id: int):
    version = db.get_or_404(PackageVersion, package_version_id)
    form = ApproveForm()
    _approve_choices(form)
    if not form.validate_on_submit():
        return _version_page(version, form, 422)
    try:
        if form.placement.data == "module":
            course = review.approve_as_module(current_user, version, form.course_id.data)
            done = _("Paket disetujui sebagai modul pelatihan %(c)s.", c=course.code)
        else:
            data = form.data
            fields = ("course_code", "jp", "competency_kind", "category")
            review.approve(current_user, version, *(data[k] for k in fields))
            done = _("Paket disetujui dan menjadi pelatihan.")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        field = getattr(form, exc.field or "", None)
        if field is None:
            flash(str(exc), "error")
        else:
            field.errors = [str(exc)]
        return _version_page(version, form, 422)
    flash(done, "success")
    return redirect(url_for("packages.version", package_version_id=version.id))


@bp.post("/paket/versi/<int:package_version_id>/kembalikan")
@require(C.REVIEW_PACKAGES)
def send_back(package_version_id: int):
    version = db.get_or_404(PackageVersion, package_version_id)
    form = ReturnForm()
    try:
        if not form.validate_on_submit():
            raise review.ReviewError(_("Tuliskan catatan perbaikan."), "notes")
        review.return_version(current_user, version, form.notes.data)
        db.session.commit()
    except DomainError as exc:
        flash_error(exc)
    else:
        flash(_("Paket dikembalikan ke mitra dengan catatan."), "success")
    return redirect(url_for("packages.version", package_version_id=version.id))
