"""Who someone is to a cohort participant's project, and so what they may see and do.

A role counts only when the capability table gives it to the account (``lms.permissions``) AND
the assignment names the account: a trainer sees only the participants they coach, a supervisor
only their own staff's projects (or those assigned to them as mentor), an examiner only the
seminars assigned to them. The organiser is whoever organises the participant's cohort
(``permissions.organises_cohort``): BKPSDM for every cohort, a partner institution's staff for
the cohorts their institution organises.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from lms.leadership.roles.models import CohortRole
from lms.org.models import Employee
from lms.permissions import Capability, can, organises_cohort

C = Capability
#: Members whose project is alive: a withdrawn or rejected member has none to work on.
PARTICIPANT_STATES = ("active", "completed")

PARTICIPANT = "participant"
COACH = "coach"
MENTOR = "mentor"
EXAMINER = "examiner"
ORGANISER = "organiser"
#: The roles as a sentence names them (lazy: a notification is read in the reader's language).
ROLE_NAMES = {COACH: _l("coach"), MENTOR: _l("mentor"), EXAMINER: _l("penguji")}


@dataclass(frozen=True)
class Assigned:
    """A participant's coach, mentor and examiners (accounts; None when not set)."""

    coach_id: int | None
    #: The explicit mentor, else the direct supervisor's account (None: no one yet).
    mentor_id: int | None
    mentor_is_default: bool
    examiner_ids: tuple[int, ...]


def supervisor_account(employee: Employee) -> int | None:
    if employee.supervisor_id is None:
        return None
    return db.session.scalar(
        select(User.id).where(User.employee_id == employee.supervisor_id, User.active.is_(True))
    )


def from_rows(rows: Iterable[CohortRole], supervisor_id: int | None) -> Assigned:
    """The assignments from a participant's CohortRole rows and their supervisor's account."""
    coach = mentor = None
    examiners = []
    for row in rows:
        if row.role == COACH:
            coach = row.user_id
        elif row.role == MENTOR:
            mentor = row.user_id
        else:
            examiners.append(row.user_id)
    if mentor is None:
        return Assigned(coach, supervisor_id, True, tuple(sorted(examiners)))
    return Assigned(coach, mentor, False, tuple(sorted(examiners)))


def assigned(member: CohortMember) -> Assigned:
    """The participant's coach, mentor and examiners (two queries)."""
    rows = list(db.session.scalars(select(CohortRole).where(CohortRole.member_id == member.id)))
    default = None if any(r.role == MENTOR for r in rows) else supervisor_account(member.employee)
    return from_rows(rows, default)


def roles_of(user: User, member: CohortMember, who: Assigned | None = None) -> frozenset[str]:
    """What ``user`` is to this participant's project (empty: nothing, refuse as missing)."""
    roles = set()
    own = user.employee_id is not None and member.employee_id == user.employee_id
    if own and member.status in PARTICIPANT_STATES and can(user, C.LEARN):
        roles.add(PARTICIPANT)
    if organises_cohort(user, member.cohort):
        roles.add(ORGANISER)
    if member.status not in PARTICIPANT_STATES:
        return frozenset(roles)
    who = who or assigned(member)
    if who.coach_id == user.id and can(user, C.COACH_PROJECTS):
        roles.add(COACH)
    if who.mentor_id == user.id and can(user, C.MENTOR_PROJECTS):
        roles.add(MENTOR)
    if user.id in who.examiner_ids and can(user, C.EXAMINE_PROJECTS):
        roles.add(EXAMINER)
    return frozenset(roles)


def assessor_role(roles: frozenset[str]) -> str | None:
    """The one assessor role someone holds (assignments keep the three people distinct)."""
    return next((r for r in (COACH, MENTOR, EXAMINER) if r in roles), None)
