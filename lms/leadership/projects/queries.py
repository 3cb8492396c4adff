"""Reading projects: one participant's page, the assessors' queues and the organiser's overview.

Each function runs a fixed number of queries whatever the amount of data (eager loading)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.auth.models import User, UserRole
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeKind
from lms.extensions import db
from lms.leadership.projects.logbook import progress
from lms.leadership.projects.models import LogEntry, Project, ProjectSubmission
from lms.leadership.roles.access import (
    COACH,
    EXAMINER,
    MENTOR,
    PARTICIPANT_STATES,
    Assigned,
    from_rows,
)
from lms.leadership.roles.models import CohortRole
from lms.org.models import Employee
from lms.permissions import Capability, can

C = Capability


def _member_options():
    return (
        joinedload(CohortMember.employee).options(
            joinedload(Employee.unit), joinedload(Employee.supervisor)
        ),
        joinedload(CohortMember.cohort).joinedload(Cohort.programme).joinedload(Programme.kind),
    )


def member(member_id: int) -> CohortMember | None:
    return db.session.scalar(
        select(CohortMember).options(*_member_options()).where(CohortMember.id == member_id)
    )


def _project_options():
    return (
        selectinload(Project.milestones),
        selectinload(Project.submissions).selectinload(ProjectSubmission.reviews),
        selectinload(Project.entries).selectinload(LogEntry.files),
        selectinload(Project.seminar),
        selectinload(Project.assessments),
    )


def project_for(member_id: int) -> Project | None:
    return db.session.scalar(
        select(Project).options(*_project_options()).where(Project.member_id == member_id)
    )


def accounts(user_ids: Iterable[int | None]) -> dict[int, User]:
    """Account id → the account with its employee record (one query)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    users = db.session.scalars(
        select(User).options(joinedload(User.employee)).where(User.id.in_(ids))
    )
    return {u.id: u for u in users}


def names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Account id → the name people read."""
    return {i: u.name for i, u in accounts(user_ids).items()}


# --- the assessors' queue -------------------------------------------------------------------


@dataclass
class Mine:
    """A participant someone coaches, mentors or examines, with what waits for them."""

    member: CohortMember
    roles: set[str]
    project: Project | None
    review: bool = False  # a proposal waits for their decision
    confirm: int = 0  # logbook entries wait for their confirmation (mentor)
    assess: bool = False  # the seminar was held and their score is missing
    seminar: bool = False  # a seminar they examine is scheduled


@dataclass
class Queue:
    items: list[Mine] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(int(i.review) + i.confirm + int(i.assess) for i in self.items)

    def cohorts(self) -> list[tuple[Cohort, list[Mine]]]:
        out: dict[int, tuple[Cohort, list[Mine]]] = {}
        for item in self.items:
            out.setdefault(item.member.cohort_id, (item.member.cohort, []))[1].append(item)
        return list(out.values())


@lru_cache(maxsize=1)
def _roles_held_stmt() -> Select:
    return select(CohortRole.member_id, CohortRole.role).where(
        CohortRole.user_id == bindparam("user_id"),
        CohortRole.role.in_(bindparam("roles", expanding=True)),
    )


@lru_cache(maxsize=1)
def _mentored_stmt() -> Select:
    """Members in project programmes whom ``:supervisor_id`` mentors as their supervisor (no
    mentor named for them)."""
    overridden = select(CohortRole.member_id).where(CohortRole.role == MENTOR)
    return (
        select(CohortMember.id)
        .join(Employee, Employee.id == CohortMember.employee_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .join(ProgrammeKind, ProgrammeKind.code == Programme.kind_code)
        .where(
            Employee.supervisor_id == bindparam("supervisor_id"),
            ProgrammeKind.project.is_not(None),
            CohortMember.id.not_in(overridden),
        )
    )


def _assigned_members(user: User) -> dict[int, set[str]]:
    """member id → the roles ``user`` holds there (capabilities from the table); the statements
    are built once (a supervisor's dashboard asks on every visit)."""
    wanted = [
        r
        for r, cap in (
            (COACH, C.COACH_PROJECTS),
            (EXAMINER, C.EXAMINE_PROJECTS),
            (MENTOR, C.MENTOR_PROJECTS),
        )
        if can(user, cap)
    ]
    if not wanted:
        return {}
    found: dict[int, set[str]] = {}
    for member_id, role in db.session.execute(
        _roles_held_stmt(), {"user_id": user.id, "roles": wanted}
    ):
        found.setdefault(member_id, set()).add(role)
    if MENTOR in wanted and user.employee_id is not None:
        for (member_id,) in db.session.execute(
            _mentored_stmt(), {"supervisor_id": user.employee_id}
        ):
            found.setdefault(member_id, set()).add(MENTOR)
    return found


def queue(user: User) -> Queue:
    """Everyone ``user`` coaches, mentors or examines (active participants), newest cohort first,
    with what waits for them."""
    found = _assigned_members(user)
    if not found:
        return Queue()
    members = db.session.scalars(
        select(CohortMember)
        .options(*_member_options())
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(Employee, Employee.id == CohortMember.employee_id)
        .where(CohortMember.id.in_(found), CohortMember.status.in_(PARTICIPANT_STATES))
        .order_by(Cohort.starts_on.desc(), Cohort.id, Employee.full_name, CohortMember.id)
    ).all()
    projects = {
        p.member_id: p
        for p in db.session.scalars(
            select(Project)
            .options(*_project_options())
            .where(Project.member_id.in_([m.id for m in members]))
        )
    }
    items = []
    for m in members:
        item = Mine(m, found[m.id], projects.get(m.id))
        project = item.project
        if project is not None:
            _what_waits(item, project, user)
        items.append(item)
    return Queue(items)


def _what_waits(item: Mine, project: Project, user: User) -> None:
    if project.state == "proposal_submitted":
        current = next((s for s in project.submissions if s.round == project.round), None)
        decided = {r.role for r in current.reviews} if current else set()
        item.review = bool(item.roles & {COACH, MENTOR} - decided)
    if MENTOR in item.roles:
        item.confirm = sum(1 for e in project.entries if e.state == "submitted")
    if project.state == "seminar_held":
        mine = {a.role for a in project.assessments if a.assessor_id == user.id}
        item.assess = bool(item.roles - mine)
    item.seminar = project.state == "seminar_scheduled" and EXAMINER in item.roles


# --- the organiser's overview ---------------------------------------------------------------


def project_cohorts(partner_id: int | None = None) -> list[tuple[Cohort, dict[str, int], int]]:
    """Cohorts whose programme requires a project (those the partner institution organises,
    every one for None: BKPSDM), with their projects per state and the number of
    participants."""
    stmt = (
        select(Cohort)
        .options(joinedload(Cohort.programme).joinedload(Programme.kind))
        .join(Programme, Programme.id == Cohort.programme_id)
        .join(ProgrammeKind, ProgrammeKind.code == Programme.kind_code)
        .where(ProgrammeKind.project.is_not(None))
        .order_by(Cohort.starts_on.desc(), Cohort.id)
    )
    if partner_id is not None:
        stmt = stmt.where(Cohort.organiser_partner_id == partner_id)
    return with_counts(db.session.scalars(stmt).all())


def with_counts(cohorts: Sequence[Cohort]) -> list[tuple[Cohort, dict[str, int], int]]:
    """Each cohort with its participants' projects per state ("" for none yet) and the number
    of participants (one query)."""
    ids = [c.id for c in cohorts]
    states: dict[int, dict[str, int]] = {i: {} for i in ids}
    members = dict.fromkeys(ids, 0)
    if ids:
        for cohort_id, state, count in db.session.execute(
            select(CohortMember.cohort_id, Project.state, func.count(CohortMember.id))
            .outerjoin(Project, Project.member_id == CohortMember.id)
            .where(CohortMember.cohort_id.in_(ids), CohortMember.status.in_(PARTICIPANT_STATES))
            .group_by(CohortMember.cohort_id, Project.state)
        ):
            states[cohort_id][state or ""] = count
            members[cohort_id] += count
    return [(c, states[c.id], members[c.id]) for c in cohorts]


@lru_cache(maxsize=4)
def _dashboard_stmt(organiser: bool, by_partner: bool) -> Select:
    """``dashboard_rows``'s statement with the employee and the partner as parameters, built
    once per kind of reader (the dashboard reads it on every visit)."""
    stmt = (
        select(Cohort, CohortMember, Project)
        .options(
            joinedload(Cohort.programme).joinedload(Programme.kind),
            selectinload(Project.milestones),
            selectinload(Project.entries),
        )
        .join(Programme, Programme.id == Cohort.programme_id)
        .join(ProgrammeKind, ProgrammeKind.code == Programme.kind_code)
        .outerjoin(
            CohortMember,
            and_(
                CohortMember.cohort_id == Cohort.id,
                CohortMember.employee_id == bindparam("employee_id"),
                CohortMember.status.in_(PARTICIPANT_STATES),
            ),
        )
        .outerjoin(Project, Project.member_id == CohortMember.id)
        .where(ProgrammeKind.project.is_not(None))
        .order_by(Cohort.starts_on.desc(), Cohort.id)
    )
    if not organiser:
        stmt = stmt.where(CohortMember.id.is_not(None))
    elif by_partner:
        stmt = stmt.where(
            or_(
                CohortMember.id.is_not(None),
                Cohort.organiser_partner_id == bindparam("partner_id"),
            )
        )
    return stmt


def dashboard_rows(
    employee_id: int | None, organiser: bool, partner_id: int | None = None
) -> tuple[list[Cohort], list[tuple[CohortMember, Project | None]]]:
    """For the dashboard, in one query: the cohorts whose programme requires a project (for an
    organiser every one, or only those ``partner_id`` organises; else those the employee takes
    part in) and the employee's own memberships in them with their projects."""
    by_partner = organiser and partner_id is not None
    params: dict[str, int | None] = {"employee_id": employee_id}
    if by_partner:
        params["partner_id"] = partner_id
    stmt = _dashboard_stmt(organiser, by_partner)
    rows = db.session.execute(stmt, params).all()
    cohorts = [
        cohort
        for cohort, _m, _p in rows
        if organiser and (partner_id is None or cohort.organiser_partner_id == partner_id)
    ]
    return cohorts, [(member, project) for _c, member, project in rows if member is not None]


@dataclass
class Row:
    member: CohortMember
    project: Project | None
    who: Assigned


def cohort_rows(cohort: Cohort) -> list[Row]:
    """Every active participant of a cohort with their project and assignments."""
    members = db.session.scalars(
        select(CohortMember)
        .options(*_member_options())
        .join(Employee, Employee.id == CohortMember.employee_id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.status.in_(PARTICIPANT_STATES))
        .order_by(Employee.full_name, CohortMember.id)
    ).all()
    ids = [m.id for m in members]
    projects = {
        p.member_id: p
        for p in db.session.scalars(
            select(Project).options(*_project_options()).where(Project.member_id.in_(ids))
        )
    }
    rows: dict[int, list[CohortRole]] = {i: [] for i in ids}
    for role in db.session.scalars(select(CohortRole).where(CohortRole.member_id.in_(ids))):
        rows[role.member_id].append(role)
    supervisors = _supervisor_accounts([m.employee.supervisor_id for m in members])
    return [
        Row(m, projects.get(m.id), from_rows(rows[m.id], supervisors.get(m.employee.supervisor_id)))
        for m in members
    ]


def _supervisor_accounts(employee_ids: Sequence[int | None]) -> dict[int | None, int]:
    ids = {i for i in employee_ids if i is not None}
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(User.employee_id, User.id).where(
                User.employee_id.in_(ids), User.active.is_(True)
            )
        ).all()
    )


def logbook_progress(project: Project | None):
    return progress(project) if project is not None else None


def trainer_accounts() -> list[User]:
    """Active accounts holding the Pengajar role: the coaches and examiners to choose from."""
    return list(
        db.session.scalars(
            select(User)
            .options(joinedload(User.employee))
            .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "pengajar"))
            .where(User.active.is_(True))
            .order_by(User.display_name, User.username)
        )
    )


def my_projects(employee_id: int) -> list[tuple[CohortMember, Project | None]]:
    """The employee's active memberships whose programme requires a project, with the project."""
    rows = db.session.execute(
        select(CohortMember, Project)
        .options(
            joinedload(CohortMember.cohort).joinedload(Cohort.programme).joinedload(Programme.kind),
            selectinload(Project.milestones),
            selectinload(Project.entries),
        )
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .join(ProgrammeKind, ProgrammeKind.code == Programme.kind_code)
        .outerjoin(Project, Project.member_id == CohortMember.id)
        .where(
            CohortMember.employee_id == employee_id,
            CohortMember.status.in_(PARTICIPANT_STATES),
            ProgrammeKind.project.is_not(None),
        )
        .order_by(Cohort.starts_on.desc(), CohortMember.id)
    ).all()
    return [(member, project) for member, project in rows]
