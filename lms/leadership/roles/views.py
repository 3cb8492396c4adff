"""The assessors' queue (coach, mentor, examiner), the organiser's overview of a cohort's projects
and its role assignments, and the dashboard cards of all of them and of the participant."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import inspect, select

from lms.auth.models import User
from lms.dashboard import LEARNING, section
from lms.enrolments.cohorts import queries as cohort_queries
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeKind
from lms.errors import flash_error
from lms.extensions import WatchedGeneration, cache, db
from lms.leadership import bp
from lms.leadership.projects import logbook, page, queries, stages
from lms.leadership.projects.models import Project
from lms.leadership.roles import services as roles
from lms.leadership.roles.access import PARTICIPANT_STATES
from lms.leadership.roles.forms import CoachAllForm, RolesForm
from lms.leadership.roles.models import CohortRole
from lms.org.models import Employee
from lms.org.nip import normalise_nip
from lms.permissions import Capability, can, organises_cohort, partner_scope, refuse, require

C = Capability
ASSESSOR_CAPS = (C.COACH_PROJECTS, C.MENTOR_PROJECTS, C.EXAMINE_PROJECTS)


@bp.route("/proyek/tugas")
@require(*ASSESSOR_CAPS)
def queue():
    """Everyone the account coaches, mentors or examines, per cohort, with what waits."""
    found = queries.queue(current_user)
    progress = {i.member.id: logbook.progress(i.project) for i in found.items if i.project}
    return render_template("leadership/queue.html", queue=found, progress=progress, **page.labels())


@bp.route("/proyek/angkatan")
@require(C.ORGANISE_COHORTS)
def cohorts():
    """The cohorts the account organises (BKPSDM: all) whose programme requires a project."""
    scope = _organiser_scope(current_user)
    rows = queries.project_cohorts(scope) if scope is not False else []
    return render_template("leadership/cohorts.html", rows=rows, **page.labels())


def _organiser_scope(user: Any) -> int | None | bool:
    """Which cohorts the account organises: None for every one (BKPSDM), a partner
    institution's id for its staff, False for none."""
    if can(user, C.MANAGE_COHORTS):
        return None
    partner = partner_scope(user)
    return partner if partner is not None and can(user, C.ORGANISE_COHORTS) else False


def _cohort(cohort_code: str):
    """The cohort in the URL, when its programme requires a project and the account organises
    it (another partner's cohort answers like a missing one)."""
    cohort = cohort_queries.cohort_by_code(cohort_code)
    if cohort is None or cohort.programme.kind is None or cohort.programme.kind.project is None:
        abort(404)
    if not organises_cohort(current_user, cohort):
        refuse(cohort)
    return cohort


@bp.route("/proyek/angkatan/<cohort_code>")
@require(C.ORGANISE_COHORTS)
def cohort_overview(cohort_code: str):
    cohort = _cohort(cohort_code)
    rows = queries.cohort_rows(cohort)
    people = queries.names(
        [u for r in rows for u in (r.who.coach_id, r.who.mentor_id, *r.who.examiner_ids)]
    )
    return render_template(
        "leadership/cohort_overview.html",
        cohort=cohort,
        rows=rows,
        people=people,
        steps=stages.STEPS,
        step_of=stages.STEP_OF,
        progress={r.member.id: logbook.progress(r.project) for r in rows if r.project},
        **page.labels(),
    )


def _trainer_choices() -> list[tuple[str, str]]:
    return [("", _("— belum ditetapkan —"))] + [
        (str(u.id), u.name) for u in queries.trainer_accounts()
    ]


@bp.route("/proyek/angkatan/<cohort_code>/peran")
@require(C.ORGANISE_COHORTS)
def cohort_roles(cohort_code: str):
    cohort = _cohort(cohort_code)
    rows = queries.cohort_rows(cohort)
    choices = _trainer_choices()
    accounts = queries.accounts([u for r in rows for u in (r.who.coach_id, r.who.mentor_id)])
    forms = {}
    for row in rows:
        form = RolesForm(prefix=f"m{row.member.id}")
        form.coach.choices = choices
        form.coach.data = str(row.who.coach_id or "")
        if not row.who.mentor_is_default:
            mentor = accounts.get(row.who.mentor_id or 0)
            form.mentor_nip.data = mentor.employee.nip if mentor and mentor.employee else ""
        forms[row.member.id] = form
    coach_all = CoachAllForm()
    coach_all.coach.choices = choices
    people = {i: u.name for i, u in accounts.items()}
    return render_template(
        "leadership/cohort_roles.html",
        cohort=cohort,
        rows=rows,
        forms=forms,
        coach_all=coach_all,
        people=people,
    )


def _account(user_id: str | None) -> User | None:
    return db.session.get(User, int(user_id)) if (user_id or "").isdigit() else None


def _mentor_by_nip(nip: str | None) -> User | None:
    """The account of the employee with this NIP; raises when there is none."""
    if not (nip or "").strip():
        return None
    employee = db.session.scalar(select(Employee).where(Employee.nip == normalise_nip(nip)))
    user = employee and db.session.scalar(select(User).where(User.employee_id == employee.id))
    if user is None:
        raise roles.RolesError(_("Tidak ada akun pegawai dengan NIP %(n)s.", n=nip.strip()))
    return user


@bp.route("/proyek/angkatan/<cohort_code>/peran/<int:member_id>", methods=["POST"])
@require(C.ORGANISE_COHORTS)
def assign_roles(cohort_code: str, member_id: int):
    cohort = _cohort(cohort_code)
    member = db.session.get(CohortMember, member_id)
    if member is None or member.cohort_id != cohort.id or member.status not in PARTICIPANT_STATES:
        abort(404)
    form = RolesForm(prefix=f"m{member.id}")
    back = redirect(url_for("leadership.cohort_roles", cohort_code=cohort.code))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "error")
        return back
    try:
        roles.assign_coach(current_user, member, _account(form.coach.data))
        roles.assign_mentor(current_user, member, _mentor_by_nip(form.mentor_nip.data))
    except roles.RolesError as exc:
        flash_error(exc)
        return back
    db.session.commit()
    flash(_("Coach dan mentor %(n)s tersimpan.", n=member.employee.display_name), "success")
    return back


@bp.route("/proyek/angkatan/<cohort_code>/coach", methods=["POST"])
@require(C.ORGANISE_COHORTS)
def assign_coach_all(cohort_code: str):
    cohort = _cohort(cohort_code)
    form = CoachAllForm()
    coach = _account(form.coach.data) if form.validate_on_submit() else None
    back = redirect(url_for("leadership.cohort_roles", cohort_code=cohort.code))
    if coach is None:
        flash(_("Pilih coach."), "error")
        return back
    try:
        done = roles.assign_coach_to_all(current_user, cohort, coach)
    except roles.RolesError as exc:
        flash_error(exc)
        return back
    db.session.commit()
    flash(_("%(u)s menjadi coach %(n)s peserta.", u=coach.name, n=done), "success")
    return back


# --- dashboard sections ---------------------------------------------------------------------


#: Starts anew after a committed write of anything that decides whom an account coaches,
#: mentors or examines: the roles held, the members and their states, the cohorts, programmes
#: and their kinds (a project or not), the employees (a mentor is the member's supervisor).
ASSESSED = WatchedGeneration(
    "leadership:assessed", (CohortRole, CohortMember, Cohort, Programme, ProgrammeKind, Employee)
)


def _nobody_seconds() -> int:
    """How long "nobody to assess" is kept for an account: ``DASHBOARD_ASSESSOR_SECONDS``,
    default 300; 0 in tests (stable query counts; its own tests switch it on)."""
    return int(current_app.config["DASHBOARD_ASSESSOR_SECONDS"])


@section(17)
def _assessor_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """The assessor's card. Every supervisor may mentor (their reports in a project programme),
    and most have nobody: that answer is kept per account under ``ASSESSED`` (read before the
    rows), so their dashboard asks nothing about projects until one of those rows is written.
    A non-empty queue is always read afresh."""
    caps = "".join("1" if can(user, cap) else "0" for cap in ASSESSOR_CAPS)
    if "1" not in caps:
        return None
    seconds = _nobody_seconds()
    key = (
        f"leadership:nobody:{ASSESSED.token()}:{user.id}:{user.employee_id}:{caps}"
        if seconds
        else ""
    )
    if key and cache.get(key):
        return None
    found = queries.queue(user)
    if not found.items:
        if key:
            cache.set(key, True, timeout=seconds)
        return None
    return "leadership/_dash_queue.html", {"queue": found}


def _dashboard_rows(user: Any):
    """Both cards' rows from one query per request (the organiser's and the participant's)."""
    key = f"_leadership_dashboard_{user.id}"
    if key not in g:
        scope = _organiser_scope(user)
        rows = queries.dashboard_rows(
            user.employee_id, scope is not False, scope if scope is not False else None
        )
        setattr(g, key, rows)
    return getattr(g, key)


def _changes_organised(obj: object) -> bool:
    """Whether a write of ``obj`` may change the organiser's card: a project only when it is
    new, gone or changes state (its proposal and logbook are written all day); every cohort,
    programme, kind and member."""
    if not isinstance(obj, Project):
        return True
    state = inspect(obj)
    if state.pending or state.deleted or obj in (state.session.deleted if state.session else ()):
        return True
    return "state" in state.unloaded or state.attrs.state.history.has_changes()


#: Starts anew after a committed write of what the organiser's card counts: the cohorts whose
#: programme requires a project, their participants and the states of their projects.
ORGANISED = WatchedGeneration(
    "leadership:organised",
    (Cohort, Programme, ProgrammeKind, CohortMember, Project),
    counts=_changes_organised,
)


def _organiser_tokens(user: Any) -> tuple | None:
    if _organiser_scope(user) is False:
        return None
    return (ORGANISED.token(), user.partner_id)


@section(24, keep=_organiser_tokens)
def _organiser_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if _organiser_scope(user) is False:
        return None
    cohorts, _mine = _dashboard_rows(user)
    if not cohorts:
        return None
    return "leadership/_dash_organiser.html", {
        "rows": queries.with_counts(cohorts[:5]),
        "labels": stages.STATE_LABELS,
    }


@section(38, part=LEARNING)
def _participant_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    # Only a cohort's member has a project (kept per employee: an organiser's card is kept, so
    # an organiser who takes part in none asks nothing here either).
    if user.employee_id is None or not cohort_queries.is_member(user.employee_id):
        return None
    _cohorts, rows = _dashboard_rows(user)
    if not rows:
        return None
    return "leadership/_dash_mine.html", {
        "rows": [
            (m, p, stages.percent(p.state if p else None, logbook.progress(p) if p else None))
            for m, p in rows
        ],
        "labels": stages.STATE_LABELS,
        "kinds": stages.KIND_LABELS,
    }
