"""HR screens for completions: the list, classroom attendance (ticked or uploaded), detail, revoke."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.completion import attendance as roll
from lms.completion import bp, queries
from lms.completion.forms import ConfirmForm, RevokeForm, TickForm, UploadForm
from lms.completion.models import COMPLETION_STATE_LABELS, Completion
from lms.completion.services import CompletionError, revoke
from lms.courses.models import Course
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.forms import Confirmation, ask, confirmed
from lms.imports import PendingImport, preview_status, read_upload, table_suffix
from lms.permissions import Capability, can, refuse, require

C = Capability
_PENDING = PendingImport("attendance_upload")


def _source_labels() -> dict[str, str]:
    return {
        "online": _("Daring (otomatis)"),
        "classroom": _("Klasikal (dicatat admin kepegawaian)"),
        "programme": _("Program"),
        "import": _("Impor"),
    }


def _status_labels() -> dict[str, str]:
    return {state: str(label) for state, label in COMPLETION_STATE_LABELS.items()}


# --- the list -----------------------------------------------------------------------------------


@bp.route("/kelola/kelulusan")
@require(C.RECORD_COMPLETIONS)
def completions():
    filters = queries.CompletionFilters.from_args(request.args)
    result = queries.list_completions(current_user, filters)
    return render_template(
        "completion/list.html",
        result=result,
        filters=filters,
        codes=queries.course_codes_with_completions(current_user),
        courses=queries.attendance_courses(),
        sources=_source_labels(),
        statuses=_status_labels(),
    )


@bp.route("/kelola/kelulusan/absensi")
@require(C.RECORD_COMPLETIONS)
def attendance_choose():
    """The course picker of the list page lands here (a GET form) and goes on to the roster."""
    code = request.args.get("pelatihan", "").strip()
    if code and queries.find_published_course(code) is not None:
        return redirect(url_for("completion.attendance", course_code=code))
    if code:
        flash(_("Pelatihan %(c)s tidak ditemukan atau belum terbit.", c=code[:40]), "error")
    return redirect(url_for("completion.completions"))


# --- attendance -----------------------------------------------------------------------------------


def _course_or_404(course_code: str) -> Course:
    course = queries.find_published_course(course_code)
    if course is None:
        abort(404)
    return course


def _cohort_choices(form: TickForm | UploadForm, cohorts: list[Cohort]) -> None:
    form.cohort_id.choices = [(0, _("— tanpa angkatan —"))] + [
        (c.id, f"{c.name} ({c.code})") for c in cohorts
    ]


def _chosen_cohort(form: TickForm | UploadForm, cohorts: list[Cohort]) -> int | None:
    """The cohort id, or None; a forged id that is not one of this course's cohorts is an error."""
    chosen = form.cohort_id.data or 0
    if not chosen:
        return None
    if chosen not in {c.id for c in cohorts}:
        form.cohort_id.errors.append(_("Angkatan ini tidak memuat pelatihan tersebut."))
        return None
    return chosen


def _render_attendance(
    course: Course,
    tick: TickForm,
    upload: UploadForm,
    check: roll.Check | None = None,
    failure: str = "",
    status: int = 200,
):
    roster = queries.roster(current_user, course)
    done = queries.completed_employee_ids(course, [e.employee_id for e in roster])
    ticked = set(request.form.getlist("hadir")) if request.method == "POST" else set()
    return (
        render_template(
            "completion/attendance.html",
            course=course,
            roster=roster,
            done=done,
            tick=tick,
            upload=upload,
            check=check,
            failure=failure,
            ticked=ticked,
            columns=roll.UPLOAD_COLUMNS,
        ),
        status,
    )


@bp.route("/kelola/kelulusan/<course_code>/absensi", methods=["GET", "POST"])
@require(C.RECORD_COMPLETIONS)
def attendance(course_code: str):
    course = _course_or_404(course_code)
    cohorts = queries.cohorts_for_course(course)
    tick = TickForm()
    upload = UploadForm(prefix="unggah")
    _cohort_choices(tick, cohorts)
    _cohort_choices(upload, cohorts)
    if request.method == "GET":
        return _render_attendance(course, tick, upload)
    check = None
    failure = ""
    if tick.validate_on_submit():
        cohort_id = _chosen_cohort(tick, cohorts)
        if not tick.errors:
            ticked = [
                (i, request.form.get(f"nilai-{i}", "")) for i in request.form.getlist("hadir")
            ]
            check = roll.check_ticked(current_user, course, ticked, tick.completed_on.data)
            if check.ok:
                try:
                    done = roll.record(current_user, course, check.entries, cohort_id)
                except roll.AttendanceError as exc:
                    failure = str(exc)
                else:
                    db.session.commit()
                    return _recorded(course, done)
    db.session.rollback()
    return _render_attendance(course, tick, upload, check, failure, 422)


def _recorded(course: Course, done: list[Completion]):
    """After committing recorded attendance: say how many, and show the course's completions."""
    flash(
        _(
            "%(n)s kelulusan tercatat untuk %(t)s; sertifikat diterbitkan.",
            n=len(done),
            t=course.published_version.title,
        ),
        "success",
    )
    return redirect(url_for("completion.completions", pelatihan=course.code))


def _render_preview(
    course: Course,
    check: roll.Check,
    confirm: ConfirmForm | None,
    filename: str,
    failure: str = "",
):
    return render_template(
        "completion/upload_preview.html",
        course=course,
        check=check,
        confirm=confirm,
        filename=filename,
        failure=failure,
        columns=roll.UPLOAD_COLUMNS,
    )


@bp.route("/kelola/kelulusan/<course_code>/absensi/unggah", methods=["POST"])
@require(C.RECORD_COMPLETIONS)
def attendance_upload(course_code: str):
    course = _course_or_404(course_code)
    cohorts = queries.cohorts_for_course(course)
    tick = TickForm(formdata=None)
    upload = UploadForm(prefix="unggah")
    _cohort_choices(tick, cohorts)
    _cohort_choices(upload, cohorts)
    cohort_id = _chosen_cohort(upload, cohorts) if upload.validate_on_submit() else None
    if not upload.is_submitted() or upload.errors:
        db.session.rollback()
        return _render_attendance(course, tick, upload, status=422)
    file = upload.file.data
    data = read_upload(file)
    filename = (file.filename or "")[:200]
    check = roll.check_upload(current_user, course, filename, data, upload.default_date.data)
    confirm = None
    if check.ok:
        key = _PENDING.keep(
            data,
            table_suffix(filename),
            course=course.code,
            date=upload.default_date.data.isoformat(),
            cohort=cohort_id,
            name=filename,
        )
        confirm = ConfirmForm(key=key)
    db.session.rollback()
    return _render_preview(course, check, confirm, filename), preview_status(check.ok)


@bp.route("/kelola/kelulusan/<course_code>/absensi/konfirmasi", methods=["POST"])
@require(C.RECORD_COMPLETIONS)
def attendance_confirm(course_code: str):
    course = _course_or_404(course_code)
    form = ConfirmForm()
    kept = _PENDING.take(form.key.data, course=course.code) if form.validate_on_submit() else None
    if kept is None:
        flash(_("Pratinjau absensi sudah tidak berlaku. Unggah ulang berkasnya."), "error")
        return redirect(url_for("completion.attendance", course_code=course.code))
    pending, data = kept
    cohort_id = roll.kept_cohort(course, pending.get("cohort"))
    check = roll.recheck(current_user, course, pending, data)
    try:
        done = roll.record_checked(current_user, course, check, cohort_id)
    except roll.AttendanceError as exc:
        db.session.rollback()
        _PENDING.drop()  # this upload can no longer be confirmed
        page = _render_preview(course, check, None, pending.get("name", ""), str(exc))
        return page, preview_status(False)
    db.session.commit()
    _PENDING.drop()
    return _recorded(course, done)


# --- one completion -------------------------------------------------------------------------------


def _completion_or_404(completion_id: int) -> Completion:
    completion = db.session.get(Completion, completion_id)
    if completion is None:
        abort(404)
    if not queries.completion_in_scope(current_user, completion):
        refuse(completion)
    return completion


def _render_detail(completion: Completion, form: RevokeForm | None, status: int = 200):
    may_revoke = can(current_user, C.MANAGE_CERTIFICATES) and completion.status == "valid"
    return (
        render_template(
            "completion/detail.html",
            completion=completion,
            form=form if may_revoke else None,
            sources=_source_labels(),
            statuses=_status_labels(),
        ),
        status,
    )


@bp.route("/kelola/kelulusan/<int:completion_id>")
@require(C.RECORD_COMPLETIONS)
def detail(completion_id: int):
    completion = _completion_or_404(completion_id)
    return _render_detail(completion, RevokeForm())


@bp.route("/kelola/kelulusan/<int:completion_id>/cabut", methods=["POST"])
@require(C.MANAGE_CERTIFICATES)
def revoke_completion(completion_id: int):
    completion = _completion_or_404(completion_id)
    form = RevokeForm()
    valid = form.validate_on_submit()
    if valid and completion.status == "valid" and not confirmed():
        details, consequences = queries.revocation_confirmation(completion, form.reason.data)
        question = _("Cabut kelulusan %(n)s?", n=completion.identity.get("name", ""))
        back = url_for("completion.detail", completion_id=completion.id)
        return ask(Confirmation(question, consequences, _("Ya, cabut kelulusan"), back, details))
    if valid:
        try:
            revoke(completion, current_user, form.reason.data)
        except CompletionError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "Kelulusan %(n)s dicabut; sertifikatnya tidak berlaku lagi.",
                    n=completion.identity.get("name", ""),
                ),
                "success",
            )
            return redirect(url_for("completion.detail", completion_id=completion.id))
    if completion.status != "valid":
        flash(_("Kelulusan ini sudah dicabut."), "error")
        return redirect(url_for("completion.detail", completion_id=completion.id))
    return _render_detail(completion, form, 422)
