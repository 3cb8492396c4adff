"""Nomination approval steps, shared by course enrolments and cohort membership.

A nomination carries its steps as ``Approval`` rows in order, as the course or cohort is set up:
the direct supervisor, then HR (every Admin BKPSDM, or the Admin OPD of the employee's
department for a course; whoever manages cohorts for a cohort). Who may nominate, who may decide
a step and whether a decision may be taken now are answered here; what follows a decision
(a seat, a rejection) belongs to the caller. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, inspect, literal, or_, select
from sqlalchemy.orm import aliased

from lms.auth.models import User, UserRole
from lms.auth.queries import user_id_of_employee
from lms.db import utcnow
from lms.enrolments.models import Approval, Enrolment
from lms.extensions import WatchedGeneration, db
from lms.org.models import Employee, Unit
from lms.permissions import Capability, Role, can, unit_in_scope


@dataclass(frozen=True)
class Refusal:
    """Why a decision may not be taken; ``field`` names the form field, if any."""

    message: str
    field: str | None = None


def steps_of(setting: str | None) -> list[str]:
    """The steps of a course's or cohort's ``approval_steps`` setting, in order."""
    return [s for s in (setting or "").split(",") if s]


def may_nominate(actor: User, employee: Employee) -> bool:
    """An employee nominates themselves or a direct report, nobody else."""
    me = actor.employee_id
    return me is not None and (employee.id == me or employee.supervisor_id == me)


def step_label(step: str) -> str:
    """A step's name inside a sentence ("menunggu persetujuan atasan langsung")."""
    return {"supervisor": _("atasan langsung"), "hr": _("BKPSDM / Admin OPD")}.get(step, step)


def nominate_refusal() -> str:
    return _("Anda hanya dapat mengusulkan diri sendiri atau bawahan langsung Anda.")


def start(subject: Any, steps: Sequence[str], actor: User, employee: Employee) -> None:
    """Give a nomination (an enrolment or a cohort member) its steps, in order.

    A supervisor nominating their own staff has already agreed: that step is approved at once.
    """
    for position, step in enumerate(steps):
        approval = Approval(step=step, position=position)
        subject.approvals.append(approval)
        if (
            step == "supervisor"
            and actor.employee_id
            and employee.supervisor_id == actor.employee_id
        ):
            record(actor, approval, True)
    db.session.flush()


def pending_step(subject: Any) -> Approval | None:
    """The first step still waiting (None when every step is decided)."""
    return next((a for a in subject.approvals if a.decision == "pending"), None)


def can_decide(user: User, approval: Approval) -> bool:
    """The direct supervisor decides the supervisor step; HR within its scope decides the other."""
    enrolment = approval.enrolment
    subject = enrolment or approval.cohort_member
    if subject is None:
        return False
    if approval.step == "supervisor":
        return user.employee_id is not None and subject.employee.supervisor_id == user.employee_id
    if enrolment is None:
        return can(user, Capability.MANAGE_COHORTS)
    return can(user, Capability.APPROVE_ENROLMENTS) and unit_in_scope(user, subject.employee.unit)


def refusal(
    user: User, approval: Approval, subject: Any, approve: bool, comment: str
) -> Refusal | None:
    """Why ``user`` may not decide ``approval`` of ``subject`` now (None when they may)."""
    if subject is None or subject.status != "nominated" or pending_step(subject) is not approval:
        return Refusal(_("Usulan ini tidak sedang menunggu keputusan Anda."))
    if not can_decide(user, approval):
        return Refusal(_("Anda tidak berwenang memutuskan usulan ini."))
    if not approve and not comment.strip():
        return Refusal(_("Tuliskan alasan penolakan."), "comment")
    return None


def record(user: User, approval: Approval, approve: bool, comment: str = "") -> None:
    """Write the decision on the step (after ``refusal`` said nothing)."""
    approval.decision = "approved" if approve else "rejected"
    approval.decided_by_id = user.id
    approval.decided_at = utcnow()
    approval.comment = comment.strip()


# --- who decides a course nomination ---------------------------------------------------------


def decider_ids(approval: Approval) -> list[int]:
    """Accounts that may decide this step of a course nomination: the direct supervisor, or HR
    whose scope covers the employee's unit (every Admin BKPSDM, and the Admin OPD of the
    employee's department)."""
    enrolment = approval.enrolment
    employee = enrolment.employee or db.session.get(Employee, enrolment.employee_id)
    if approval.step == "supervisor":
        if employee.supervisor_id is None:
            return []
        user_id = user_id_of_employee(employee.supervisor_id, active_only=True)
        return [] if user_id is None else [user_id]
    unit = employee.unit or db.session.get(Unit, employee.unit_id)
    admin_unit = aliased(Unit)
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .outerjoin(admin_unit, admin_unit.id == User.admin_unit_id)
            .where(
                User.active.is_(True),
                or_(
                    UserRole.role == Role.ADMIN_BKPSDM.value,
                    and_(
                        UserRole.role == Role.ADMIN_OPD.value,
                        literal(unit.path).startswith(admin_unit.path),
                    ),
                ),
            )
            .distinct()
            .order_by(User.id)
        )
    )


def hr_unit_prefix(user: User) -> str | None:
    """The units whose course nominations this HR account decides, as a prefix of ``Unit.path``:
    ``""`` for every unit (BKPSDM), ``None`` for none (a parameter of a statement built once)."""
    roles = user.roles
    if not can(user, Capability.APPROVE_ENROLMENTS):
        return None
    if Role.ADMIN_BKPSDM in roles:
        return ""
    if Role.ADMIN_OPD in roles and user.admin_unit is not None:
        return user.admin_unit.path
    return None


def _values(obj: object, attr: str) -> tuple | None:
    """The values ``attr`` of ``obj`` had and has in this flush, None when it is not loaded
    (nothing is read from the database inside a flush)."""
    state = inspect(obj)
    if attr in state.unloaded:
        return None
    history = state.attrs[attr].history
    return (*history.added, *history.unchanged, *history.deleted)


def _changes_hr_queue(obj: object) -> bool:
    """Whether a write of ``obj`` may change a course nomination queue: every approval step of a
    course nomination (new, decided, gone); an enrolment only while it is or was nominated (its
    progress and lessons are written all day, a nomination's rarely). Unknown: it may."""
    if isinstance(obj, Approval):
        subject = _values(obj, "cohort_member_id")
        return subject is None or None in subject
    status = _values(obj, "status")
    return status is None or "nominated" in status


#: Starts anew after a committed write (any process) of what the HR queue of course nominations
#: shows besides names and titles (``org.queries.PEOPLE``, the catalogue's generation): the
#: dashboard's "Persetujuan menunggu" is kept under it.
HR_QUEUE = WatchedGeneration("enrolments:hr-queue", (Approval, Enrolment), counts=_changes_hr_queue)
