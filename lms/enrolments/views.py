"""Nominations, the approval queue, HR bulk enrolment and dashboard sections.

Self-enrolment and withdrawal live on the course page (``lms.courses.views``); these screens
cover the workflows where someone else decides or acts for the employee.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.courses import cache as course_cache
from lms.courses.models import Course
from lms.dashboard import section
from lms.db import db_int
from lms.enrolments import approvals as steps
from lms.enrolments import bp, bulk, seats, services, workflow
from lms.enrolments.forms import (
    BulkConfirmForm,
    BulkForm,
    DecisionForm,
    NominateForm,
)
from lms.errors import flash_error
from lms.extensions import db
from lms.imports import preview_status, read_upload
from lms.org import queries as org_queries
from lms.org.models import Employee, Golongan, JabatanType, Unit
from lms.permissions import Capability, Role, can, refuse, require

C = Capability


#: ``_macros/learner_state.html``'s chip classes per state (others: muted), for the team table
#: that writes the chip out instead of calling the macro on every row.
STATE_CHIP_CLASSES = {"completed": " ok", "missing": " warn", "learning": ""}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"status_label": services.status_label, "step_title": workflow.step_title}


# --- nomination ---------------------------------------------------------------------------------


def _nominee(me: Employee, team: list[Employee]) -> Employee:
    """Whom the form is for: the posted or asked-for (``?pegawai=``) person if they are the
    user or a direct report, else the user."""
    source = request.form if request.method == "POST" else request.args
    wanted = source.get("employee_id" if request.method == "POST" else "pegawai", type=db_int)
    return next((e for e in [me, *team] if e.id == wanted), me)


def _nominate_form(me: Employee, team: list[Employee]) -> NominateForm:
    """The form with the user and their team, and the courses they may be nominated for: a
    course the chosen person is already in or has completed is hidden (nominate.js hides it
    again for whoever is chosen next; without JavaScript the server refuses it by name)."""
    nominee = _nominee(me, team)
    courses, taken = workflow.nominable_courses([me, *team])
    form = NominateForm()
    form.employee_id.choices = [(me.id, _("Saya sendiri (%(n)s)", n=me.display_name))] + [
        (e.id, f"{e.display_name} · {e.position_name}") for e in team
    ]
    choices: list = []
    for c in courses:
        out = taken.get(c.id, set())
        attrs = {"data-taken-by": " ".join(str(i) for i in sorted(out))} if out else {}
        if nominee.id in out:
            attrs.update(disabled=True, hidden=True)
        choices.append((c.id, workflow.course_label(c), attrs))
    any_left = any(nominee.id not in taken.get(c.id, set()) for c in courses)
    first = (
        _("— pilih pelatihan —") if any_left else _("— tidak ada pelatihan yang perlu diusulkan —")
    )
    form.course_id.choices = [(0, first, {})] + choices
    form.course_id.description = _(
        "Hanya pelatihan yang memerlukan persetujuan dan belum diikuti atau diselesaikan "
        "pegawai yang dipilih. Pelatihan lain didaftari langsung di halaman pelatihannya."
    )
    if request.method == "GET":
        form.employee_id.data = nominee.id
        wanted = request.args.get("pelatihan", "")
        form.course_id.data = next(
            (c.id for c in courses if c.code == wanted and nominee.id not in taken.get(c.id, ())),
            0,
        )
    return form


@bp.route("/pendaftaran/usulkan", methods=["GET", "POST"])
@require(C.LEARN)
def nominate():
    me = current_user.employee
    if me is None:
        refuse(status=403)
    team = org_queries.team_of(me)
    form = _nominate_form(me, team)
    if form.validate_on_submit():
        employee = db.session.get(Employee, form.employee_id.data)
        course = db.session.get(Course, form.course_id.data)
        if employee is None or not steps.may_nominate(current_user, employee):
            form.employee_id.errors.append(steps.nominate_refusal())
        elif course is None:
            form.course_id.errors.append(_("Pelatihan tidak ditemukan."))
        else:
            try:
                enrolment = workflow.nominate(current_user, employee, course)
            except services.EnrolmentError as exc:
                db.session.rollback()
                getattr(form, exc.field or "course_id").errors.append(str(exc))
            else:
                message = workflow.outcome_message(enrolment)
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("enrolments.nominate"))
    mine = workflow.my_nominations(current_user)
    return render_template("enrolments/nominate.html", form=form, team=team, error="", mine=mine), (
        422 if form.errors else 200
    )


# --- approvals ----------------------------------------------------------------------------------


@bp.route("/pendaftaran/persetujuan")
@require(C.VIEW_TEAM, C.APPROVE_ENROLMENTS)
def approvals():
    page = max(request.args.get("page", 1, type=db_int), 1)
    mine = workflow.supervisor_queue(current_user)
    hr_items: list[workflow.QueueItem] = []
    hr_total = 0
    is_hr = can(current_user, C.APPROVE_ENROLMENTS)
    if is_hr:
        hr_items, hr_total = workflow.hr_queue(current_user, page)
    courses = {i.enrolment.course.id: i.enrolment.course for i in [*mine, *hr_items]}
    return render_template(
        "enrolments/approvals.html",
        mine=mine,
        hr_items=hr_items,
        hr_total=hr_total,
        is_hr=is_hr,
        is_supervisor=Role.ATASAN in current_user.roles,
        seats=seats.left_many(seats.COURSE, list(courses.values())),
        page=page,
        pages=max((hr_total + workflow.PAGE_SIZE - 1) // workflow.PAGE_SIZE, 1),
    )


@bp.route("/pendaftaran/persetujuan/<int:approval_id>", methods=["GET", "POST"])
@require(C.VIEW_TEAM, C.APPROVE_ENROLMENTS)
def approval(approval_id: int):
    step = workflow.load_approval(approval_id)
    if step is None:
        abort(404)
    if not steps.can_decide(current_user, step):
        refuse(step)
    enrolment = step.enrolment
    form = DecisionForm()
    waiting = enrolment.status == "nominated" and steps.pending_step(enrolment) is step
    if form.validate_on_submit():
        try:
            services.decide(
                current_user, step, approve=bool(form.approve.data), comment=form.comment.data or ""
            )
        except services.EnrolmentError as exc:
            flash_error(exc)
            return redirect(url_for("enrolments.approvals"))
        message = workflow.decision_message(step)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("enrolments.approvals"))
    return render_template(
        "enrolments/approval.html",
        step=step,
        enrolment=enrolment,
        form=form,
        waiting=waiting,
        seats=seats.left_many(seats.COURSE, [enrolment.course]),
        names=workflow.decider_names(enrolment.approvals),
    ), (422 if form.errors else 200)


# --- bulk enrolment -----------------------------------------------------------------------------


def _bulk_choices(form: BulkForm | None) -> list[Course]:
    courses = workflow.open_courses()
    if form is not None:
        form.course_id.choices = [(0, _("— pilih pelatihan —"))] + [
            (c.id, workflow.course_label(c)) for c in courses
        ]
        form.unit_id.choices = [(0, _("— semua unit dalam kewenangan Anda —"))] + [
            (u.id, u.label) for u in org_queries.unit_choices(current_user)
        ]
        form.jabatan.choices = [("", _("— semua jenis jabatan —"))] + [
            (t.code, t.name)
            for t in db.session.scalars(select(JabatanType).order_by(JabatanType.rank))
        ]
        form.golongan.choices = [("", _("— semua golongan —"))] + [
            (g.code, g.label) for g in db.session.scalars(select(Golongan).order_by(Golongan.rank))
        ]
    return courses


def _render_preview(result: bulk.BulkPreview, selection: bulk.Selection, notice: str = ""):
    confirm = None
    if result.ok:
        confirm = BulkConfirmForm(
            formdata=None,
            course_id=str(result.course.id),
            unit_id=str(selection.unit.id) if selection.unit else "",
            jabatan=selection.jabatan,
            golongan=selection.golongan,
            nips=selection.encoded_nips(),
            digest=result.digest,
        )
    return render_template(
        "enrolments/bulk_preview.html",
        result=result,
        selection=selection,
        confirm=confirm,
        notice=notice,
        limit=bulk.PREVIEW_ROWS,
    ), preview_status(result.ok)


def _selection(form: BulkForm) -> bulk.Selection:
    """Who the form picks: filters, or NIPs from a file or pasted text (one of them only)."""
    selection = bulk.Selection(
        unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
        jabatan=form.jabatan.data or "",
        golongan=form.golongan.data or "",
    )
    if form.unit_id.data and selection.unit is None:
        raise bulk.BulkError(_("Unit kerja tidak ditemukan."), "unit_id")
    upload = form.nip_file.data
    text = (form.nip_text.data or "").strip()
    selection.nip_field = "nip_text" if text and not upload else "nip_file"
    if (upload or text) and (selection.unit or selection.jabatan or selection.golongan):
        raise bulk.BulkError(
            _("Gunakan filter atau daftar NIP, tidak keduanya sekaligus."), selection.nip_field
        )
    if upload and text:
        raise bulk.BulkError(
            _("Unggah berkas atau tempel daftar NIP, tidak keduanya sekaligus."),
            "nip_text",
        )
    if upload:
        data = read_upload(upload)
        selection.nips = bulk.read_nip_file(upload.filename or "", data)
    elif text:
        selection.nips = bulk.read_nip_text(text)
    return selection


@bp.route("/pendaftaran/massal", methods=["GET", "POST"])
@require(C.ENROL_OTHERS)
def bulk_enrol():
    form = BulkForm()
    _bulk_choices(form)
    if request.method == "GET":
        wanted = request.args.get("pelatihan", "")
        course = db.session.scalar(select(Course).where(Course.code == wanted)) if wanted else None
        form.course_id.data = course.id if course else 0
    if form.validate_on_submit():
        course = db.session.get(Course, form.course_id.data)
        try:
            if course is None:
                raise bulk.BulkError(_("Pelatihan tidak ditemukan."), "course_id")
            selection = _selection(form)
            result = bulk.preview(current_user, course, selection)
        except bulk.BulkError as exc:
            db.session.rollback()
            _bulk_choices(form)
            getattr(form, exc.field or "course_id").errors.append(str(exc))
        else:
            return _render_preview(result, selection)
    status = 422 if form.errors else 200
    return render_template("enrolments/bulk.html", form=form, max_people=bulk.BULK_MAX), status


def _confirmed(form: BulkConfirmForm) -> tuple[Course, bulk.Selection] | None:
    """The course and selection a preview carried (None when one of them no longer exists)."""
    course = (
        db.session.get(Course, int(form.course_id.data)) if form.course_id.data.isdigit() else None
    )
    unit_id = form.unit_id.data or ""
    unit = db.session.get(Unit, int(unit_id)) if unit_id.isdigit() else None
    if course is None or (unit_id and unit is None):
        return None
    return course, bulk.Selection(
        unit=unit,
        jabatan=form.jabatan.data or "",
        golongan=form.golongan.data or "",
        nips=bulk.decode_nips(form.nips.data or ""),
    )


@bp.route("/pendaftaran/massal/konfirmasi", methods=["POST"])
@require(C.ENROL_OTHERS)
def bulk_confirm():
    form = BulkConfirmForm()
    confirmed = _confirmed(form) if form.validate_on_submit() else None
    if confirmed is None:
        flash(_("Pratinjau sudah tidak berlaku. Pilih peserta lagi."), "error")
        return redirect(url_for("enrolments.bulk_enrol"))
    course, selection = confirmed
    try:
        result = bulk.preview(current_user, course, selection)
        if result.digest != form.digest.data:
            db.session.rollback()
            return _render_preview(
                result,
                selection,
                _("Data berubah sejak pratinjau dibuat. Periksa daftar terbaru lalu simpan lagi."),
            )
        counts = bulk.apply(current_user, result)
    except (bulk.BulkError, services.EnrolmentError) as exc:
        flash_error(exc)
        return redirect(url_for("enrolments.bulk_enrol"))
    title = workflow.course_label(course)
    db.session.commit()
    flash(
        _(
            "%(a)s pegawai didaftarkan ke %(t)s; %(w)s masuk daftar tunggu.",
            a=counts.get("active", 0),
            t=title,
            w=counts.get("waitlisted", 0),
        ),
        "success",
    )
    return redirect(url_for("enrolments.bulk_enrol"))


# --- dashboard sections -------------------------------------------------------------------------


def _waiting_tokens(user: Any) -> tuple | None:
    """What the nominations waiting for a supervisor show: the nominations' state, the
    reports and their names (``PEOPLE``: a report who joins or leaves the team), the courses'
    titles. None for anyone else: their section is empty, at no cost."""
    if Role.ATASAN not in user.roles:
        return None
    return (workflow.NOMINATIONS.token(), org_queries.PEOPLE.token(), course_cache.generation())


@section(14, keep=_waiting_tokens)
def _supervisor_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """The supervisor's first task: the nominations waiting for their decision."""
    if Role.ATASAN not in user.roles:
        return None
    return ("enrolments/_dash_supervisor.html", {"queue": workflow.supervisor_waiting(user, 6)})


def _team_tokens(user: Any) -> tuple | None:
    """The team's enrolments are written by each lesson its members see (their progress): they
    are kept for the current window of the team figures, and anew at once after a nomination's
    move (the supervisor's own decision) or a change of the team or the courses."""
    window = org_queries.team_figures_window()
    waiting = _waiting_tokens(user)
    if window is None or waiting is None:
        return None
    return (window, *waiting)


@section(22, wide=True, keep=_team_tokens)
def _team_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """The team's enrolments with their true state (what each one still lacks)."""
    if Role.ATASAN not in user.roles:
        return None
    return (
        "enrolments/_dash_team.html",
        {
            "team": workflow.team_enrolments(user, limit=21),
            "team_limit": 20,
            "chips": STATE_CHIP_CLASSES,
            "progress_label": _("Kemajuan %(n)s"),  # the pattern: filled in per row
            "as_of": org_queries.team_figures_as_of(),
        },
    )


def _hr_tokens(user: Any) -> tuple | None:
    """What HR's "Persetujuan menunggu" shows: the queue's state, the nominees' names and units
    (the scope of an Admin OPD), the courses' titles, and the account's own department; None
    for an account without the section (it says so at once, nothing to keep)."""
    if not can(user, C.APPROVE_ENROLMENTS):
        return None
    return (
        steps.HR_QUEUE.token(),
        org_queries.PEOPLE.token(),
        course_cache.generation(),
        user.admin_unit_id,
    )


@section(12, keep=_hr_tokens)
def _hr_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if not can(user, C.APPROVE_ENROLMENTS):
        return None
    items, total = workflow.hr_queue(user, per_page=5)
    return ("enrolments/_dash_hr.html", {"pending": items, "total": total})
