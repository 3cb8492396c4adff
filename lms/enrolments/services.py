"""The enrolment state machine: self-enrolment, nomination and approval, capacity and waitlist.

States: nominated → (approvals) → active | waitlisted → completed; withdrawn and rejected end it.
Every transition is a function here that refuses an illegal move with a clear message
(``EnrolmentError``). Services flush, never commit. Capacity is checked with the course row
locked (``SELECT ... FOR UPDATE`` on PostgreSQL), so concurrent enrolments cannot oversell seats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments.models import Approval, Enrolment
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.services import notify_employee
from lms.org.models import Employee
from lms.permissions import Capability, can, unit_in_scope

SEAT_STATES = ("active", "completed")
OPEN_STATES = ("nominated", "waitlisted", "active")


class EnrolmentError(ValueError):
    """A refused enrolment move; the message says why, in the user's language."""


@dataclass(frozen=True)
class EnrolCheck:
    """Whether an employee may enrol now, and if not, why (shown next to the button)."""

    allowed: bool
    reason: str = ""
    needs_approval: bool = False
    will_waitlist: bool = False


def seats_taken(course: Course) -> int:
    return (
        db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.course_id == course.id, Enrolment.status.in_(SEAT_STATES)
            )
        )
        or 0
    )


def seats_left(course: Course) -> int | None:
    if course.capacity is None:
        return None
    return max(course.capacity - seats_taken(course), 0)


def find(course: Course, employee: Employee) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course.id, Enrolment.employee_id == employee.id
        )
    )


def check_self_enrol(
    course: Course,
    employee: Employee | None,
    today: date | None = None,
    existing: Enrolment | None = None,
    left: int | None = -1,
) -> EnrolCheck:
    """Why the enrol button is enabled or not. ``existing``/``left`` may be passed pre-loaded."""
    today = today or local_today()
    if employee is None:
        return EnrolCheck(False, _("Hanya pegawai yang dapat mendaftar pelatihan."))
    if course.published_version_id is None or course.archived:
        return EnrolCheck(False, _("Pelatihan ini belum atau tidak lagi dibuka."))
    if existing is None:
        existing = find(course, employee)
    if existing is not None and existing.status in (*OPEN_STATES, "completed"):
        labels = {
            "nominated": _("Usulan Anda sedang menunggu persetujuan."),
            "waitlisted": _("Anda berada di daftar tunggu."),
            "active": _("Anda sudah terdaftar di pelatihan ini."),
            "completed": _("Anda sudah menyelesaikan pelatihan ini."),
        }
        return EnrolCheck(False, labels[existing.status])
    if course.enrol_deadline is not None and today > course.enrol_deadline:
        return EnrolCheck(False, _("Batas waktu pendaftaran sudah lewat."))
    if not course.self_enrol and not course.approval_steps:
        return EnrolCheck(False, _("Pendaftaran pelatihan ini dilakukan oleh BKPSDM."))
    if course.approval_steps:
        return EnrolCheck(True, needs_approval=True)
    if left == -1:
        left = seats_left(course)
    return EnrolCheck(True, will_waitlist=left == 0)


def _lock_course(course: Course) -> None:
    """Serialise seat decisions for one course (a no-op lock on SQLite, which locks the file)."""
    db.session.execute(select(Course.id).where(Course.id == course.id).with_for_update())


def _place(enrolment: Enrolment, course: Course) -> None:
    """Give a seat if one is free, else put on the waitlist."""
    _lock_course(course)
    left = seats_left(course)
    if left is None or left > 0:
        enrolment.status = "active"
        enrolment.activated_at = utcnow()
    else:
        enrolment.status = "waitlisted"
    db.session.flush()


def _reopen_or_create(
    course: Course, employee: Employee, source: str, actor: User | None
) -> Enrolment:
    # Lock before looking and inserting: a concurrent duplicate then finds this row instead of
    # failing on the unique key, and no transaction holds the FK's share lock on the course
    # while waiting to upgrade it (a deadlock on PostgreSQL).
    _lock_course(course)
    enrolment = find(course, employee)
    if enrolment is None:
        enrolment = Enrolment(course_id=course.id, employee_id=employee.id, status="nominated")
        db.session.add(enrolment)
    elif enrolment.status in (*OPEN_STATES, "completed"):
        raise EnrolmentError(
            _(
                "%(name)s sudah terdaftar di pelatihan ini (%(status)s).",
                name=employee.display_name,
                status=status_label(enrolment.status),
            )
        )
    enrolment.source = source
    enrolment.nominated_by_id = actor.id if actor is not None else None
    enrolment.requested_at = utcnow()
    enrolment.ended_at = None
    enrolment.end_reason = ""
    enrolment.approvals = []
    db.session.flush()  # delete the old steps before new ones reuse (enrolment_id, step)
    return enrolment


def enrol_self(user: User, course: Course, today: date | None = None) -> Enrolment:
    employee = user.employee
    check = check_self_enrol(course, employee, today)
    if not check.allowed:
        raise EnrolmentError(check.reason)
    enrolment = _reopen_or_create(course, employee, "self", user)
    if course.approval_steps:
        _start_approvals(enrolment, course.approval_steps, user)
    else:
        _place(enrolment, course)
    db.session.flush()
    _notify_enrolment(enrolment)
    return enrolment


def nominate(
    actor: User, employee: Employee, course: Course, today: date | None = None
) -> Enrolment:
    """The employee or their supervisor nominates; approval steps follow the course setting."""
    today = today or local_today()
    me = actor.employee
    if not (me is not None and (me.id == employee.id or employee.supervisor_id == me.id)):
        raise EnrolmentError(
            _("Anda hanya dapat mengusulkan diri sendiri atau bawahan langsung Anda.")
        )
    if course.published_version_id is None or course.archived:
        raise EnrolmentError(_("Pelatihan ini belum atau tidak lagi dibuka."))
    if course.enrol_deadline is not None and today > course.enrol_deadline:
        raise EnrolmentError(_("Batas waktu pendaftaran sudah lewat."))
    enrolment = _reopen_or_create(course, employee, "nomination", actor)
    _start_approvals(enrolment, course.approval_steps or "supervisor", actor)
    db.session.flush()
    _notify_enrolment(enrolment)
    return enrolment


def _start_approvals(enrolment: Enrolment, steps: str, actor: User) -> None:
    enrolment.status = "nominated"
    for position, step in enumerate(s for s in steps.split(",") if s):
        approval = Approval(step=step, position=position)
        enrolment.approvals.append(approval)
        # A supervisor nominating their own staff has already agreed.
        employee = enrolment.employee or db.session.get(Employee, enrolment.employee_id)
        if (
            step == "supervisor"
            and actor.employee_id
            and employee.supervisor_id == actor.employee_id
        ):
            approval.decision = "approved"
            approval.decided_by_id = actor.id
            approval.decided_at = utcnow()
    db.session.flush()
    _advance(enrolment)


def pending_step(enrolment: Enrolment) -> Approval | None:
    return next((a for a in enrolment.approvals if a.decision == "pending"), None)


def can_decide(user: User, approval: Approval) -> bool:
    enrolment = approval.enrolment
    employee = enrolment.employee
    if approval.step == "supervisor":
        return user.employee_id is not None and employee.supervisor_id == user.employee_id
    return can(user, Capability.APPROVE_ENROLMENTS) and unit_in_scope(user, employee.unit)


def decide(user: User, approval: Approval, approve: bool, comment: str = "") -> Enrolment:
    enrolment = approval.enrolment
    if enrolment.status != "nominated" or pending_step(enrolment) is not approval:
        raise EnrolmentError(_("Usulan ini tidak sedang menunggu keputusan Anda."))
    if not can_decide(user, approval):
        raise EnrolmentError(_("Anda tidak berwenang memutuskan usulan ini."))
    if not approve and not comment.strip():
        raise EnrolmentError(_("Tuliskan alasan penolakan."))
    approval.decision = "approved" if approve else "rejected"
    approval.decided_by_id = user.id
    approval.decided_at = utcnow()
    approval.comment = comment.strip()
    if not approve:
        enrolment.status = "rejected"
        enrolment.ended_at = utcnow()
        enrolment.end_reason = comment.strip()
        db.session.flush()
        _notify_enrolment(enrolment)
        return enrolment
    _advance(enrolment)
    _notify_enrolment(enrolment)
    return enrolment


def _advance(enrolment: Enrolment) -> None:
    if pending_step(enrolment) is None and enrolment.status == "nominated":
        _place(enrolment, enrolment.course or db.session.get(Course, enrolment.course_id))


def enrol_by_admin(
    actor: User, employee: Employee, course: Course, source: str = "bulk"
) -> Enrolment:
    """HR enrols someone directly (bulk enrolment, cohorts): no approval, capacity still applies."""
    enrolment = _reopen_or_create(course, employee, source, actor)
    _place(enrolment, course)
    _notify_enrolment(enrolment)
    return enrolment


def withdraw(user: User, enrolment: Enrolment, reason: str = "") -> None:
    """End an open enrolment; a freed seat goes to the head of the waitlist."""
    if enrolment.status not in OPEN_STATES:
        raise EnrolmentError(
            _("Pendaftaran ini tidak dapat dibatalkan (%(s)s).", s=status_label(enrolment.status))
        )
    held_seat = enrolment.status == "active"
    enrolment.status = "withdrawn"
    enrolment.ended_at = utcnow()
    enrolment.end_reason = reason
    db.session.flush()
    if held_seat:
        promote_waitlist(enrolment.course or db.session.get(Course, enrolment.course_id))


def promote_waitlist(course: Course) -> list[Enrolment]:
    _lock_course(course)
    promoted = []
    left = seats_left(course)
    while left is None or left > 0:
        head = db.session.scalar(
            select(Enrolment)
            .where(Enrolment.course_id == course.id, Enrolment.status == "waitlisted")
            .order_by(Enrolment.requested_at, Enrolment.id)
            .limit(1)
        )
        if head is None:
            break
        head.status = "active"
        head.activated_at = utcnow()
        db.session.flush()
        promoted.append(head)
        _notify_enrolment(head)
        left = None if left is None else left - 1
    return promoted


def status_label(status: str) -> str:
    return {
        "nominated": _("menunggu persetujuan"),
        "waitlisted": _("daftar tunggu"),
        "active": _("aktif"),
        "completed": _("selesai"),
        "withdrawn": _("dibatalkan"),
        "rejected": _("ditolak"),
    }.get(status, status)


def _notify_enrolment(enrolment: Enrolment) -> None:
    if enrolment.status == "nominated":
        from lms.enrolments.workflow import notify_deciders  # whoever decides the next step

        notify_deciders(enrolment)
    course = enrolment.course or db.session.get(Course, enrolment.course_id)
    title = course.published_version.title if course.published_version else course.code
    messages = {
        "nominated": _("Usulan pelatihan %(t)s menunggu persetujuan.", t=title),
        "waitlisted": _("Anda masuk daftar tunggu pelatihan %(t)s.", t=title),
        "active": _("Anda terdaftar di pelatihan %(t)s.", t=title),
        "rejected": _("Usulan pelatihan %(t)s ditolak.", t=title),
    }
    if enrolment.status in messages:
        notify_employee(
            enrolment.employee_id, messages[enrolment.status], "courses.course", code=course.code
        )
