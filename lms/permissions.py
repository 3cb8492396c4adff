"""Roles, capabilities and the one table between them, plus object-level checks.

A view asks ``can(user, Capability.X)`` (or uses ``@require``) after it has loaded the object;
object checks (own department, own team) are the functions at the bottom of this module.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, NoReturn

from flask import abort, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.extensions import login_manager

if TYPE_CHECKING:
    from lms.auth.models import User
    from lms.org.models import Employee, Unit


class Role(enum.StrEnum):
    PEGAWAI = "pegawai"
    ATASAN = "atasan"
    PENGAJAR = "pengajar"
    ADMIN_BKPSDM = "admin_bkpsdm"
    ADMIN_OPD = "admin_opd"
    MITRA = "mitra"
    ADMIN_SISTEM = "admin_sistem"


ROLE_LABELS = {
    Role.PEGAWAI: _l("Pegawai"),
    Role.ATASAN: _l("Atasan langsung"),
    Role.PENGAJAR: _l("Pengajar"),
    Role.ADMIN_BKPSDM: _l("Admin BKPSDM"),
    Role.ADMIN_OPD: _l("Admin OPD"),
    Role.MITRA: _l("Mitra"),
    Role.ADMIN_SISTEM: _l("Admin sistem"),
}

# Roles stored on an account. Pegawai and Atasan are derived from the organisation.
ASSIGNABLE_ROLES = (
    Role.PENGAJAR,
    Role.ADMIN_BKPSDM,
    Role.ADMIN_OPD,
    Role.MITRA,
    Role.ADMIN_SISTEM,
)


class Capability(enum.StrEnum):
    LEARN = "learn"  # enrol, learn, take quizzes, own certificates and record
    VIEW_TEAM = "view_team"  # a supervisor's direct reports
    AUTHOR_COURSES = "author_courses"
    PUBLISH_COURSES = "publish_courses"
    VIEW_EMPLOYEES = "view_employees"
    EDIT_EMPLOYEES = "edit_employees"
    IMPORT_EMPLOYEES = "import_employees"
    MANAGE_UNITS = "manage_units"
    ENROL_OTHERS = "enrol_others"
    VIEW_REPORTS = "view_reports"
    UPLOAD_PACKAGES = "upload_packages"
    REVIEW_PACKAGES = "review_packages"  # BKPSDM: approve or return partners' module packages
    MANAGE_USERS = "manage_users"
    RESET_PASSWORDS = "reset_passwords"
    MANAGE_API_TOKENS = "manage_api_tokens"
    APPROVE_ENROLMENTS = "approve_enrolments"  # the HR step of a nomination
    MANAGE_COHORTS = "manage_cohorts"
    # A cohort's organiser (penyelenggara): phase marks and closing, and the organiser's part of
    # the workplace projects (coach, mentor and examiners, the seminar, the participants' stages).
    # BKPSDM for every cohort, a partner's staff for the cohorts their institution organises
    # (organises_cohort).
    ORGANISE_COHORTS = "organise_cohorts"
    RECORD_COMPLETIONS = "record_completions"  # classroom attendance → completion (own scope)
    MANAGE_CERTIFICATES = "manage_certificates"  # revoke, re-issue, series and signatory
    VERIFY_RECORDS = "verify_records"  # outside learning records (own scope)
    MANAGE_APPRAISALS = "manage_appraisals"  # SKP import, predikat distribution, career rules
    EXPORT_SIASN = "export_siasn"
    MANAGE_WEBHOOKS = "manage_webhooks"
    # The webhook pages read-only: endpoints, delivery log and dead letters (never a secret).
    # HR follows whether completions reach the systems downstream without administering them.
    VIEW_WEBHOOK_DELIVERIES = "view_webhook_deliveries"
    SCHEDULE_REPORTS = "schedule_reports"
    # The reports of one partner institution's courses only (lms.reports.filters.Scope.partner_id)
    VIEW_PARTNER_REPORTS = "view_partner_reports"
    MANAGE_PARTNERS = "manage_partners"  # partner institutions' profiles and staff accounts
    # A partner's staff read their own institution's profile (lms.partners.views.own)
    VIEW_OWN_PARTNER = "view_own_partner"
    # Communities of practice and discussion forums (lms.community): take part in the forums one
    # is in scope of (a community's, an own course's or cohort's); start a community (its owner
    # then names moderators); BKPSDM oversees every community and moderates every forum.
    DISCUSS = "discuss"
    START_COMMUNITIES = "start_communities"
    MANAGE_COMMUNITIES = "manage_communities"
    # A cohort participant's workplace project (aktualisasi / aksi perubahan, issue 17): each
    # holder acts only on the participants assigned to them (lms.leadership.roles.access): a coach
    # on the participants they coach, a mentor on their own staff (or those assigned to them), an
    # examiner on the seminars they examine. The cohort's organiser (ORGANISE_COHORTS, scoped by
    # organises_cohort) assigns them.
    COACH_PROJECTS = "coach_projects"  # review the proposal, score on the rubric
    MENTOR_PROJECTS = "mentor_projects"  # review the proposal, confirm the logbook, score
    EXAMINE_PROJECTS = "examine_projects"  # examine the seminar, score on the rubric
    # Named as coach or mentor of non-classroom learning (issue 18): log sessions for coachees
    # and confirm them where the form's rule lets the coach (lms.careers.sessions.rules).
    COACH = "coach"
    # The needs analysis and yearly development plan (AKPK): an Admin OPD sees their OPD's needs
    # and proposes plan items for it; BKPSDM sees every OPD, builds the plan, accepts or declines
    # the proposals and approves the plan (lms.careers.akpk).
    PROPOSE_DEVELOPMENT = "propose_development"
    PLAN_DEVELOPMENT = "plan_development"


C = Capability

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.PEGAWAI: frozenset({C.LEARN, C.DISCUSS, C.COACH}),
    # A mentor is normally the participant's direct supervisor (DOMAIN.md), so Atasan mentors.
    Role.ATASAN: frozenset({C.LEARN, C.VIEW_TEAM, C.VIEW_REPORTS, C.DISCUSS, C.MENTOR_PROJECTS}),
    # Coaches and examiners (penguji) are widyaiswara / trainers.
    Role.PENGAJAR: frozenset(
        {
            C.AUTHOR_COURSES,
            C.DISCUSS,
            C.START_COMMUNITIES,
            C.COACH_PROJECTS,
            C.EXAMINE_PROJECTS,
            C.COACH,
        }
    ),
    Role.ADMIN_BKPSDM: frozenset(
        {
            C.PUBLISH_COURSES,
            C.VIEW_EMPLOYEES,
            C.EDIT_EMPLOYEES,
            C.IMPORT_EMPLOYEES,
            C.MANAGE_UNITS,
            C.ENROL_OTHERS,
            C.VIEW_REPORTS,
            C.RESET_PASSWORDS,
            C.APPROVE_ENROLMENTS,
            C.MANAGE_COHORTS,
            C.ORGANISE_COHORTS,
            C.RECORD_COMPLETIONS,
            C.MANAGE_CERTIFICATES,
            C.VERIFY_RECORDS,
            C.MANAGE_APPRAISALS,
            C.EXPORT_SIASN,
            C.SCHEDULE_REPORTS,
            C.VIEW_WEBHOOK_DELIVERIES,
            C.REVIEW_PACKAGES,
            C.MANAGE_PARTNERS,
            C.DISCUSS,
            C.START_COMMUNITIES,
            C.MANAGE_COMMUNITIES,
            C.PROPOSE_DEVELOPMENT,
            C.PLAN_DEVELOPMENT,
        }
    ),
    Role.ADMIN_OPD: frozenset(
        {
            C.VIEW_EMPLOYEES,
            C.EDIT_EMPLOYEES,
            C.ENROL_OTHERS,
            C.VIEW_REPORTS,
            C.APPROVE_ENROLMENTS,
            C.RECORD_COMPLETIONS,
            C.VERIFY_RECORDS,
            C.DISCUSS,
            C.PROPOSE_DEVELOPMENT,
        }
    ),
    # Partner staff author like trainers and read reports, both scoped to their institution's
    # courses (courses.services.can_author, reports.filters.Scope), and organise the cohorts
    # their institution runs (organises_cohort).
    Role.MITRA: frozenset(
        {
            C.UPLOAD_PACKAGES,
            C.AUTHOR_COURSES,
            C.VIEW_PARTNER_REPORTS,
            C.VIEW_OWN_PARTNER,
            C.DISCUSS,
            C.ORGANISE_COHORTS,
        }
    ),
    Role.ADMIN_SISTEM: frozenset(
        {
            C.MANAGE_USERS,
            C.RESET_PASSWORDS,
            C.MANAGE_API_TOKENS,
            C.VIEW_EMPLOYEES,
            C.MANAGE_WEBHOOKS,
            C.VIEW_WEBHOOK_DELIVERIES,
            C.MANAGE_PARTNERS,
        }
    ),
}


def capabilities_of(roles: Iterable[Role]) -> frozenset[Capability]:
    return _capabilities_of(frozenset(roles))


@lru_cache(maxsize=256)
def _capabilities_of(roles: frozenset[Role]) -> frozenset[Capability]:
    caps: set[Capability] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def roles_key(user: Any) -> str:
    """The account's roles (derived ones too) as one string, sorted: the part of a cache key
    that keeps what one role set sees apart from another's."""
    return ",".join(sorted(r.value for r in user.roles))


def can(user: Any, capability: Capability) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if capability in getattr(user, "certain_capabilities", ()):
        return True  # granted by stored roles alone: no need to derive Atasan
    return capability in user.capabilities


def require(*capabilities: Capability, proven_by: Callable | None = None) -> Callable:
    """Route decorator: log in first, then 403 unless the user has one of the capabilities.

    ``proven_by(*args, **kwargs)`` may answer first, without loading the account, when it proves
    in its own query that the signed-in account may act (the quiz autosave: the account owns the
    open attempt, so it has an employee record, so it is a Pegawai, who may LEARN). It returns
    None when it cannot, and the usual checks and view follow.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if proven_by is not None and (answer := proven_by(*args, **kwargs)) is not None:
                return answer
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not any(can(current_user, cap) for cap in capabilities):
                refuse(status=403)
            return view(*args, **kwargs)

        wrapped.required_capabilities = capabilities  # type: ignore[attr-defined]
        return wrapped

    return decorator


# --- refusals ------------------------------------------------------------------------------

access_log = logging.getLogger("lms.access")


def refuse(obj: object = None, status: int = 404) -> NoReturn:
    """Refuse the signed-in user, log it, and stop the request.

    An object-level refusal answers 404 by default, exactly like a missing id, so a learner who
    edits an id in the address (another employee's enrolment, attempt, plan, record) learns
    nothing, not even that it exists. 403 stays for refusals that reveal nothing: a capability
    the role lacks, or an object that is no secret (a course in the catalogue).
    """
    log_refusal(obj, status)
    abort(status)


def log_refusal(obj: object = None, status: int | str = 404) -> None:
    """One warning per refused access: who, which route, which object (for audits and alerts)."""
    user_id = getattr(current_user, "id", None) if has_request_context() else None
    what = "-" if obj is None else f"{type(obj).__name__}#{getattr(obj, 'id', '?')}"
    access_log.warning(
        "access refused: user=%s status=%s route=%s %s %s object=%s",
        user_id,
        status,
        request.endpoint if has_request_context() else "-",
        request.method if has_request_context() else "-",
        request.path if has_request_context() else "-",
        what,
    )


# --- object-level checks -------------------------------------------------------------------


def unit_in_scope(user: User, unit: Unit | None) -> bool:
    """BKPSDM and system admins see every unit; an Admin OPD only their department's subtree."""
    if unit is None:
        return False
    roles = user.roles
    if Role.ADMIN_BKPSDM in roles or Role.ADMIN_SISTEM in roles:
        return True
    if Role.ADMIN_OPD in roles and user.admin_unit is not None:
        return unit.path.startswith(user.admin_unit.path)
    return False


def employee_in_scope(user: User, employee: Employee) -> bool:
    if unit_in_scope(user, employee.unit):
        return True
    me = user.employee
    return me is not None and (employee.id == me.id or employee.supervisor_id == me.id)


def can_edit_employee(user: User, employee: Employee) -> bool:
    return can(user, C.EDIT_EMPLOYEES) and unit_in_scope(user, employee.unit)


def partner_scope(user: User) -> int | None:
    """The partner institution whose courses alone a Mitra account sees, or None for everyone
    else (a Mitra account always has one: lms.auth.services.account_rule_problems)."""
    roles = user.roles
    if Role.MITRA in roles and Role.ADMIN_BKPSDM not in roles and user.partner_id is not None:
        return user.partner_id
    return None


def organises_cohort(user: User, cohort: Any) -> bool:
    """Whether ``user`` acts as the cohort's organiser (phase marks, closing): BKPSDM runs every
    cohort; a partner's staff only the cohorts their institution organises."""
    if can(user, C.MANAGE_COHORTS):
        return True
    partner = partner_scope(user)
    return (
        can(user, C.ORGANISE_COHORTS)
        and partner is not None
        and partner == getattr(cohort, "organiser_partner_id", None)
    )
