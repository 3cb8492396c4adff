"""Read side of non-classroom sessions: the employee's sessions, the coach's coachees, the list
a supervisor, coach or HR reviews (scope enforced in SQL), the accounts one may name as coach.

Each list is a fixed number of queries whatever the number of sessions.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from lms.auth.models import User, UserRole
from lms.careers.scope import PAGE_SIZE, scope_path
from lms.careers.sessions.models import CoachingPlan, LearningSession
from lms.careers.sessions.rules import codes_confirmed_by
from lms.community.models import Community, CommunityMember
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import Capability, Role, can

REVIEW_FILTERS = ("mine", "submitted", "confirmed", "returned", "")


def open_plan_of(employee_id: int) -> CoachingPlan | None:
    return db.session.scalar(
        select(CoachingPlan)
        .options(joinedload(CoachingPlan.coach).joinedload(User.employee))
        .where(CoachingPlan.employee_id == employee_id, CoachingPlan.status == "open")
    )


def coach_accounts(employee: Employee, keep: int | None = None) -> list[tuple[int, str]]:
    """Accounts the employee may name as coach or mentor: their direct supervisor, the coach of
    their open coaching plan, the trainers (and ``keep``, the one already on a session). At
    most four queries."""
    wanted: dict[int, str] = {}
    plan = open_plan_of(employee.id)
    supervisor = None
    if employee.supervisor_id is not None:
        supervisor = db.session.scalar(
            select(User).where(User.employee_id == employee.supervisor_id, User.active.is_(True))
        )
    if supervisor is not None:
        wanted[supervisor.id] = _("%(n)s (atasan langsung)", n=supervisor.name)
    if plan is not None and plan.coach is not None and plan.coach_user_id not in wanted:
        wanted[plan.coach.id] = _("%(n)s (pendamping rencana)", n=plan.coach.name)
    trainers = db.session.scalars(
        select(User)
        .options(joinedload(User.employee))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.PENGAJAR.value, User.active.is_(True))
        .order_by(User.display_name, User.username)
    ).unique()
    for user in trainers:
        if user.id not in wanted and user.employee_id != employee.id:
            wanted[user.id] = _("%(n)s (pengajar)", n=user.name)
    if keep is not None and keep not in wanted:
        kept = db.session.get(User, keep)
        if kept is not None:
            wanted[kept.id] = kept.name
    return list(wanted.items())


def sessions_of(employee_id: int) -> list[LearningSession]:
    """The employee's sessions, newest first (one query)."""
    return list(
        db.session.scalars(
            select(LearningSession)
            .options(
                joinedload(LearningSession.coach).joinedload(User.employee),
                joinedload(LearningSession.record),
            )
            .where(LearningSession.employee_id == employee_id)
            .order_by(LearningSession.held_on.desc(), LearningSession.id.desc())
        )
    )


def sessions_of_plan(plan_id: int) -> list[LearningSession]:
    return list(
        db.session.scalars(
            select(LearningSession)
            .options(joinedload(LearningSession.coach).joinedload(User.employee))
            .where(LearningSession.plan_id == plan_id)
            .order_by(LearningSession.held_on.desc(), LearningSession.id.desc())
        )
    )


def coachees_of(user: User) -> list[Employee]:
    """Whom a coach may log a session for: their direct reports, the employees of the open
    coaching plans they coach, and the employees who named them as coach before."""
    me = user.employee_id
    named = select(LearningSession.employee_id).where(LearningSession.coach_user_id == user.id)
    planned = select(CoachingPlan.employee_id).where(
        CoachingPlan.coach_user_id == user.id, CoachingPlan.status == "open"
    )
    conditions = [Employee.id.in_(named), Employee.id.in_(planned)]
    if me is not None:
        conditions.append(Employee.supervisor_id == me)
    return list(
        db.session.scalars(
            select(Employee)
            .options(joinedload(Employee.unit))
            .where(or_(*conditions), Employee.is_active.is_(True), Employee.id != (me or 0))
            .order_by(Employee.full_name, Employee.id)
        )
    )


# --- the review list -----------------------------------------------------------------------------


def _hr_condition(user: User) -> ColumnElement[bool]:
    if not can(user, Capability.VERIFY_RECORDS):
        return false()
    path = scope_path(user)
    if path is None:
        return false()
    return Unit.path.startswith(path) if path else true()


def _visible(user: User) -> ColumnElement[bool]:
    """Sessions of others the user may see: direct reports', coached or logged by them, HR's."""
    me = user.employee_id
    conditions = [
        LearningSession.coach_user_id == user.id,
        LearningSession.logged_by_id == user.id,
        _hr_condition(user),
        _moderated(user),
    ]
    if me is not None:
        conditions.append(Employee.supervisor_id == me)
    return and_(or_(*conditions), LearningSession.employee_id != (me or 0))


def moderator_accounts(community_id: int) -> set[int]:
    """The accounts that moderate a community: its active moderators and its owner."""
    ids = set(
        db.session.scalars(
            select(CommunityMember.user_id).where(
                CommunityMember.community_id == community_id,
                CommunityMember.role == "moderator",
                CommunityMember.status == "active",
            )
        )
    )
    owner = db.session.scalar(select(Community.owner_id).where(Community.id == community_id))
    return ids | ({owner} if owner is not None else set())


def _moderated(user: User) -> ColumnElement[bool]:
    """SQL: the session names a community ``user`` moderates or owns."""
    members = select(CommunityMember.community_id).where(
        CommunityMember.user_id == user.id,
        CommunityMember.role == "moderator",
        CommunityMember.status == "active",
    )
    owned = select(Community.id).where(Community.owner_id == user.id)
    return or_(LearningSession.community_id.in_(members), LearningSession.community_id.in_(owned))


def confirmable(user: User) -> ColumnElement[bool]:
    """SQL: the submitted sessions ``user`` may decide on now (the forms' rules in SQL)."""
    me = user.employee_id
    conditions = [
        and_(
            LearningSession.coach_user_id == user.id,
            LearningSession.form_code.in_(codes_confirmed_by("coach")),
        ),
        and_(_hr_condition(user), LearningSession.form_code.in_(codes_confirmed_by("hr"))),
        and_(_moderated(user), LearningSession.form_code.in_(codes_confirmed_by("moderator"))),
    ]
    if me is not None:
        conditions.append(
            and_(
                Employee.supervisor_id == me,
                LearningSession.form_code.in_(codes_confirmed_by("supervisor")),
            )
        )
    return and_(
        LearningSession.status == "submitted",
        LearningSession.logged_by_id != user.id,
        LearningSession.employee_id != (me or 0),
        or_(*conditions),
    )


def _base():
    return (
        select(LearningSession)
        .join(Employee, Employee.id == LearningSession.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
    )


def review_list(
    user: User, status: str = "mine", page: int = 1
) -> tuple[list[LearningSession], int]:
    """Sessions of others the user may see; ``mine``: those waiting for the user's decision."""
    stmt = _base().where(_visible(user))
    if status == "mine":
        stmt = stmt.where(confirmable(user))
    elif status:
        stmt = stmt.where(LearningSession.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(
            contains_eager(LearningSession.employee).contains_eager(Employee.unit),
            selectinload(LearningSession.coach).joinedload(User.employee),
        )
        .order_by(LearningSession.held_on.desc(), LearningSession.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def waiting_count(user: User) -> int:
    """How many sessions wait for the user's decision (one query)."""
    return (
        db.session.scalar(
            select(func.count()).select_from(
                _base().where(_visible(user), confirmable(user)).subquery()
            )
        )
        or 0
    )
