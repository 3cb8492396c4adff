"""Preview and submission by the trainer; BKPSDM's side: settings, archive, the review queue
with publish and send back, and the dashboard sections of both.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import inspect

from lms.courses import bp, queries, services
from lms.courses import cache as course_cache
from lms.courses.authoring import services as authoring
from lms.courses.authoring.forms import (
    SendBackForm,
    SettingsForm,
)
from lms.courses.authoring.views import (
    AUTHORS,
    C,
    _category_choices,
    _course,
    _draft,
    _field_error,
    _labels,
    _not_editable,
    _to_course,
)
from lms.courses.models import Course, CourseVersion
from lms.courses.services import CourseError
from lms.dashboard import section
from lms.db import db_int
from lms.enrolments.models import Enrolment
from lms.errors import flash_error
from lms.extensions import WatchedGeneration, db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.org.models import JenisDiklat
from lms.permissions import can, refuse, require

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
def author_preview(course_id: int):
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
def author_submit(course_id: int):
    course = _course(course_id)
    draft = _draft(course)
    if draft is None:
        return _not_editable(course)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        services.submit_for_review(draft)
    except CourseError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Versi %(n)s diajukan ke BKPSDM untuk ditelaah.", n=draft.number), "success")
    return _to_course(course)


# --- BKPSDM: settings, archive, review -------------------------------------------------------


SETTINGS_FIELDS = (
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


def _fill_settings(form: SettingsForm, course: Course) -> None:
    form.category.data = course.category.name
    for name in SETTINGS_FIELDS:
        getattr(form, name).data = getattr(course, name)
    form.trainers.data = [t.user_id for t in course.trainers]


@bp.route("/kelola/pelatihan/<int:course_id>/pengaturan", methods=["GET", "POST"])
@require(C.PUBLISH_COURSES)
def author_settings(course_id: int):
    course = _course(course_id)
    form = SettingsForm()
    form.category.choices = _category_choices()
    trainers = authoring.trainer_choices()
    form.trainers.choices = [(u.id, f"{u.name} ({u.username})") for u in trainers]
    if request.method == "GET":
        _fill_settings(form, course)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SETTINGS_FIELDS}
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


def _archive_confirmation(course: Course) -> Confirmation:
    title = course.published_version.title if course.published_version else course.code
    return Confirmation(
        _("Arsipkan pelatihan %(t)s?", t=title),
        [
            _("Pelatihan ini tidak lagi tampil di katalog dan tidak dapat didaftari."),
            _("Kelulusan dan sertifikat yang sudah terbit tetap berlaku."),
            _("Untuk membukanya lagi, versi baru harus ditelaah dan diterbitkan."),
        ],
        _("Ya, arsipkan"),
        url_for("courses.author_course", course_id=course.id),
        [(_("Kode"), course.code)],
    )


@bp.route("/kelola/pelatihan/<int:course_id>/arsipkan", methods=["POST"])
@require(C.PUBLISH_COURSES)
def author_archive(course_id: int):
    course = _course(course_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not course.archived and not confirmed():
        return ask(_archive_confirmation(course))
    services.archive(course)
    db.session.commit()
    flash(
        _("Pelatihan %(c)s diarsipkan dan tidak lagi tampil di katalog.", c=course.code), "success"
    )
    return _to_course(course)


@bp.route("/kelola/pelatihan/telaah")
@require(C.PUBLISH_COURSES)
def review_queue():
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
def review_version(version_id: int):
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
def review_publish(version_id: int):
    version = _version_for_review(version_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        authoring.publish_reviewed(current_user, version)
    except CourseError as exc:
        flash_error(exc)
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
def review_send_back(version_id: int):
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


def _changes_learner_counts(obj: object) -> bool:
    """Whether a write of an enrolment may change a course's learner counts: when it is new, gone
    or changes state (not its progress, written all day)."""
    state = inspect(obj)
    if state.pending or state.deleted or obj in (state.session.deleted if state.session else ()):
        return True
    return "status" in state.unloaded or state.attrs.status.history.has_changes()


#: Starts anew after a committed write of an enrolment's state: the trainer's dashboard table
#: (active and completed learners per course) is kept under it and the catalogue's generation.
LEARNER_COUNTS = WatchedGeneration(
    "courses:learner-counts", (Enrolment,), counts=_changes_learner_counts
)


def _trainer_tokens(user) -> tuple | None:
    if not can(user, C.AUTHOR_COURSES):
        return None  # no section: nothing to keep (the section says so at once)
    return (course_cache.generation(), LEARNER_COUNTS.token(), user.partner_id)


@section(40, wide=True, keep=_trainer_tokens)
def trainer_section(user):
    """The trainer's courses with status and learner counts (one grouped query)."""
    if not can(user, C.AUTHOR_COURSES):
        return None
    rows, total = authoring.trained_courses(user)
    return "courses/authoring/_dash_trainer.html", {"rows": rows, "total": total, **_labels()}


def _review_tokens(user) -> tuple | None:
    if not can(user, C.PUBLISH_COURSES):
        return None
    return (course_cache.generation(),)


@section(10, keep=_review_tokens)
def review_section(user):
    """BKPSDM: how many versions wait in the review queue, kept under the catalogue's generation
    (every write of a course version starts a new one, in every process)."""
    if not can(user, C.PUBLISH_COURSES):
        return None
    count = course_cache.cached("review-count", (), authoring.review_count)
    return "courses/authoring/_dash_review.html", {"count": count}
