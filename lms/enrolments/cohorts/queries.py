"""Reading programmes and cohorts: lists, pages, progress, dashboards and approval queues.

Each function runs a fixed number of queries whatever the amount of data (eager loading,
grouped counts). Seat counts per cohort are ``seats.counts(seats.COHORT, ...)``; HR's
dashboard reads them with its rows (``running_cohorts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, inspect, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments.cohorts.models import (
    Cohort,
    CohortMember,
    CohortPhase,
    Programme,
    ProgrammeCourse,
)
from lms.enrolments.models import Approval
from lms.enrolments.seats import SEAT_STATES
from lms.extensions import PersonalGeneration, WatchedGeneration, db, kept
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.permissions import Capability, can


def course_title(course: Course) -> str:
    version = course.published_version or (course.versions[-1] if course.versions else None)
    return version.title if version is not None else course.code


def own_jp(programme: Programme, cohort: Cohort | None = None) -> Decimal:
    """A programme's JP, counted once: its own figure; else the sum of the cohort's phases; else
    (an older programme without either) the sum of its published courses'."""
    if programme.jp:
        return Decimal(programme.jp)
    phases = sum((p.jp or 0 for p in cohort.phases), 0) if cohort is not None else 0
    if phases:
        return Decimal(phases)
    return sum(
        (pc.course.published_version.jp for pc in programme.courses if pc.course.published_version),
        Decimal(0),
    )


def programmes_query() -> Select:
    return select(Programme).options(
        joinedload(Programme.kind),
        selectinload(Programme.courses)
        .joinedload(ProgrammeCourse.course)
        .options(joinedload(Course.published_version), selectinload(Course.versions)),
        selectinload(Programme.cohorts),
    )


def programme_by_code(code: str) -> Programme | None:
    return db.session.scalar(programmes_query().where(Programme.code == code))


def cohort_by_code(code: str) -> Cohort | None:
    return db.session.scalar(
        select(Cohort)
        .options(
            joinedload(Cohort.programme).joinedload(Programme.kind),
            joinedload(Cohort.organiser_partner),
            selectinload(Cohort.phases),
        )
        .where(Cohort.code == code)
    )


def cohort_members(cohort: Cohort) -> list[CohortMember]:
    return list(
        db.session.scalars(
            select(CohortMember)
            .options(
                joinedload(CohortMember.employee).options(
                    joinedload(Employee.unit),
                    joinedload(Employee.golongan),
                    joinedload(Employee.jabatan_type),
                ),
                selectinload(CohortMember.approvals),
            )
            .where(CohortMember.cohort_id == cohort.id)
            .order_by(CohortMember.created_at, CohortMember.id)
        )
    )


def current_phase(cohort: Cohort, today: date | None = None) -> CohortPhase | None:
    today = today or local_today()
    return next(
        (
            p
            for p in cohort.phases
            if p.starts_on and p.ends_on and p.starts_on <= today <= p.ends_on
        ),
        None,
    )


class RunningCohort(NamedTuple):
    """A cohort as HR's dashboard lists it: the columns shown and its members per kind of seat
    (read without the models)."""

    code: str
    name: str
    programme_title: str
    starts_on: date
    ends_on: date
    quota: int | None
    taken: int  # seats held: active or completed
    waiting: int  # nominated or waitlisted


def _members_in(*states: str):
    return (
        select(func.count(CohortMember.id))
        .where(CohortMember.cohort_id == Cohort.id, CohortMember.status.in_(states))
        .scalar_subquery()
    )


@lru_cache(maxsize=1)
def _running_stmt() -> Select:
    """``running_cohorts``' statement (``:today``, ``:limit``), built once: the dashboard reads it
    on every visit of HR."""
    return (
        select(
            Cohort.code,
            Cohort.name,
            Programme.title,
            Cohort.starts_on,
            Cohort.ends_on,
            Cohort.quota,
            _members_in(*SEAT_STATES),
            _members_in("nominated", "waitlisted"),
        )
        .join_from(Cohort, Programme, Programme.id == Cohort.programme_id)
        .where(Cohort.ends_on >= bindparam("today", type_=Cohort.ends_on.type))
        .order_by(Cohort.starts_on, Cohort.id)
        .limit(bindparam("limit", type_=Integer))
    )


def running_cohorts(today: date | None = None, limit: int = 8) -> list[RunningCohort]:
    """Cohorts that have not ended yet, soonest first, with their seat counts (for HR's
    dashboard): one statement whatever the number of cohorts and members."""
    found = db.session.connection().execute(
        _running_stmt(), {"today": today or local_today(), "limit": limit}
    )
    return [RunningCohort(*row) for row in found]


#: Starts anew for an employee after a write of one of their memberships (for everybody after a
#: bulk write): whether they are in any cohort is kept under it (:func:`is_member`).
MEMBERS = PersonalGeneration("cohorts:members", (CohortMember,), person="employee_id")


def is_member(employee_id: int) -> bool:
    """Whether the employee is (or was) in any cohort: kept per employee, so the dashboard of
    the many who never were asks nothing about cohorts (two sections otherwise query)."""
    key = f"cohorts:is-member:{MEMBERS.token(employee_id)}:{employee_id}"

    def read() -> bool:
        member = exists().where(CohortMember.employee_id == employee_id)
        return bool(db.session.scalar(select(member)))

    return kept(key, read)


def memberships_of(employee: Employee) -> list[CohortMember]:
    return list(
        db.session.scalars(
            select(CohortMember)
            .options(
                joinedload(CohortMember.cohort).options(
                    joinedload(Cohort.programme), selectinload(Cohort.phases)
                )
            )
            .join(CohortMember.cohort)
            .where(CohortMember.employee_id == employee.id)
            .order_by(Cohort.starts_on.desc(), CohortMember.id)
        ).unique()
    )


@lru_cache(maxsize=4)
def _pending_stmt(supervisor: bool, hr: bool) -> Select:
    """Cohort approvals waiting at the supervisor step of ``:supervisor_id``'s direct reports
    and/or at the HR step (no loading options): built once per kind of reader, as the
    dashboard counts them on every visit of a supervisor."""
    earlier = aliased(Approval)
    first_pending = ~exists().where(
        and_(
            earlier.cohort_member_id == Approval.cohort_member_id,
            earlier.decision == "pending",
            earlier.position < Approval.position,
        )
    )
    steps = []
    if supervisor:
        steps.append(
            and_(
                Approval.step == "supervisor",
                Employee.supervisor_id == bindparam("supervisor_id"),
            )
        )
    if hr:
        steps.append(Approval.step == "hr")
    return (
        select(Approval)
        .join(Approval.cohort_member)
        .join(CohortMember.employee)
        .where(
            Approval.cohort_member_id.is_not(None),
            Approval.decision == "pending",
            CohortMember.status == "nominated",
            first_pending,
            or_(*steps),
        )
    )


def _pending_kind(user: User) -> tuple[tuple[bool, bool], dict[str, int]] | None:
    """Which steps ``user`` decides (supervisor of their reports, HR) and the statement's
    parameters, or None when they decide none."""
    supervisor = user.employee_id is not None
    hr = can(user, Capability.MANAGE_COHORTS)
    if not (supervisor or hr):
        return None
    return (supervisor, hr), ({"supervisor_id": user.employee_id} if supervisor else {})


def pending_approvals_for(user: User) -> list[Approval]:
    """Cohort approvals waiting for ``user``: the first pending step of a nominated member."""
    kind = _pending_kind(user)
    if kind is None:
        return []
    stmt = (
        _pending_stmt(*kind[0])
        .options(
            joinedload(Approval.cohort_member).options(
                joinedload(CohortMember.employee).options(
                    joinedload(Employee.unit), joinedload(Employee.golongan)
                ),
                joinedload(CohortMember.cohort).joinedload(Cohort.programme),
            )
        )
        .order_by(CohortMember.created_at, Approval.id)
    )
    return list(db.session.scalars(stmt, kind[1]).unique())


@lru_cache(maxsize=4)
def _pending_count_stmt(supervisor: bool, hr: bool) -> Select:
    """``pending_approvals_count``'s statement, built once per kind of account: one count per
    step (each from ``ix_approvals_step_decision``), the supervisor's with ``supervisor_id`` as
    a parameter, added up (a row has one step, so the sum is the count of ``_pending_stmt``)."""

    def waiting(step: str) -> Select:
        earlier = aliased(Approval)
        return (
            select(func.count(Approval.id))
            .select_from(Approval)
            .join(Approval.cohort_member)
            .where(
                Approval.step == step,
                Approval.decision == "pending",
                Approval.cohort_member_id.is_not(None),
                CohortMember.status == "nominated",
                ~exists().where(
                    earlier.cohort_member_id == Approval.cohort_member_id,
                    earlier.decision == "pending",
                    earlier.position < Approval.position,
                ),
            )
        )

    counts = []
    if supervisor:
        reports = bindparam("supervisor_id", type_=Integer)
        counts.append(
            waiting("supervisor")
            .join(CohortMember.employee)
            .where(Employee.supervisor_id == reports)
            .scalar_subquery()
        )
    if hr:
        counts.append(waiting("hr").scalar_subquery())
    return select(sum(counts[1:], counts[0]))


def pending_approvals_count(user: User) -> int:
    """How many cohort approvals wait for ``user`` (a count: the dashboard shows the number)."""
    kind = _pending_kind(user)
    if kind is None:
        return 0
    return db.session.scalar(_pending_count_stmt(*kind[0]), kind[1]) or 0


def _changes_hr_card(obj: object) -> bool:
    """Whether a write of ``obj`` may change HR's card: every cohort, programme and member
    does; an approval only of a cohort nomination (those of courses are written all day); an
    employee only by a change of supervisor (the supervisor step's count), or when new or gone."""
    if isinstance(obj, Approval):
        return obj.cohort_member_id is not None
    if isinstance(obj, Employee):
        state = inspect(obj)
        if not state.persistent or state.deleted:
            return True
        return state.attrs.supervisor_id.history.has_changes()
    return True


#: Starts anew after a committed write (any process) of what HR's running cohorts card shows.
HR_CARD = WatchedGeneration(
    "enrolments:cohorts-hr-card",
    (Cohort, Programme, CohortMember, Approval, Employee),
    counts=_changes_hr_card,
)


def hr_card(user: User, today: date) -> tuple[list[RunningCohort], int]:
    """``running_cohorts`` on ``today`` and ``pending_approvals_count`` for ``user``, kept in
    the app cache under ``HR_CARD``'s generation (read before the rows, so a write committed
    meanwhile leaves them under the old token): HR's dashboard reads them on every visit, and
    cohorts change a few times a day."""
    kind = _pending_kind(user)
    key = f"cohorts:hr-card:{HR_CARD.token()}:{today.isoformat()}:{kind!r}"
    return kept(key, lambda: (running_cohorts(today), pending_approvals_count(user)))


def programme_cohorts(programme: Programme, running_on: date | None = None) -> list[Cohort]:
    """The programme's cohorts with their phases, by start; only those not ended by
    ``running_on`` when it is given."""
    cohorts = db.session.scalars(
        select(Cohort)
        .options(selectinload(Cohort.phases), joinedload(Cohort.organiser_partner))
        .where(Cohort.programme_id == programme.id)
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    if running_on is not None:
        return [c for c in cohorts if c.ends_on >= running_on]
    return list(cohorts)


def memberships_in(employee: Employee | None, cohorts: Sequence[Cohort]) -> dict[int, CohortMember]:
    """The employee's membership per cohort among ``cohorts``, in one query."""
    if employee is None or not cohorts:
        return {}
    return {
        m.cohort_id: m
        for m in db.session.scalars(
            select(CohortMember).where(
                CohortMember.employee_id == employee.id,
                CohortMember.cohort_id.in_([c.id for c in cohorts]),
            )
        )
    }


def organised_cohorts(partner_id: int | None, limit: int = 200) -> list[Cohort]:
    """Cohorts a partner institution organises (every cohort for ``None``: BKPSDM), open ones
    first, then the latest."""
    stmt = select(Cohort).options(
        joinedload(Cohort.programme), joinedload(Cohort.organiser_partner)
    )
    if partner_id is not None:
        stmt = stmt.where(Cohort.organiser_partner_id == partner_id)
    return list(
        db.session.scalars(
            stmt.order_by(Cohort.closed_at.is_not(None), Cohort.ends_on.desc(), Cohort.id).limit(
                limit
            )
        )
    )
