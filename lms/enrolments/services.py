"""The enrolment state machine: self-enrolment, nomination and approval, capacity and waitlist.

States: nominated → (approvals) → active | waitlisted → completed; withdrawn and rejected end it.
Every transition is a function here that refuses an illegal move with a clear message
(``EnrolmentError``). Services flush, never commit. The approval steps are ``approvals``' and
the seats ``seats``' (the same machinery cohorts use): capacity is checked with the course row
locked, so concurrent enrolments cannot oversell seats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments import approvals, seats
from lms.enrolments.models import Approval, Enrolment
from lms.enrolments.seats import OPEN_STATES
from lms.errors import DomainError
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify, notify_employee
from lms.org.models import Employee


class EnrolmentError(DomainError):
    """A refused enrolment move; the message says why, in the user's language."""


@dataclass(frozen=True)
class EnrolCheck:
    """Whether an employee may enrol now, and if not, why (shown next to the button)."""

    allowed: bool
    reason: str = ""
    needs_approval: bool = False
    will_waitlist: bool = False


def seats_left(course: Course) -> int | None:
    return seats.left(seats.COURSE, course)


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
    existing_known: bool = False,
) -> EnrolCheck:
    """Why the enrol button is enabled or not. ``existing``/``left`` may be passed pre-loaded
    (``existing_known``: ``existing`` was looked up, so None means not enrolled)."""
    today = today or local_today()
    if employee is None:
        return EnrolCheck(False, _("Hanya pegawai yang dapat mendaftar pelatihan."))
    if course.published_version_id is None or course.archived:
        return EnrolCheck(False, _("Pelatihan ini belum atau tidak lagi dibuka."))
    if existing is None and not existing_known:
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


def _place(enrolment: Enrolment, course: Course) -> None:
    """Give a seat if one is free, else put on the waitlist."""
    seats.place(seats.COURSE, course, enrolment)


def _reopen_or_create(
    course: Course, employee: Employee, source: str, actor: User | None
) -> Enrolment:
    # Lock before looking and inserting: a concurrent duplicate then finds this row instead of
    # failing on the unique key, and no transaction holds the FK's share lock on the course
    # while waiting to upgrade it (a deadlock on PostgreSQL).
    seats.lock(seats.COURSE, course)
    enrolment = find(course, employee)
    if enrolment is None:
        enrolment = Enrolment(course_id=course.id, employee_id=employee.id, status="nominated")
        db.session.add(enrolment)
    elif enrolment.status == "completed":
        raise EnrolmentError(
            _("%(name)s sudah menyelesaikan pelatihan ini.", name=employee.display_name)
        )
    elif enrolment.status in OPEN_STATES:
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
    if not approvals.may_nominate(actor, employee):
        raise EnrolmentError(approvals.nominate_refusal())
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
    employee = enrolment.employee or db.session.get(Employee, enrolment.employee_id)
    approvals.start(enrolment, approvals.steps_of(steps), actor, employee)
    _advance(enrolment)


def decide(user: User, approval: Approval, approve: bool, comment: str = "") -> Enrolment:
    enrolment = approval.enrolment
    refused = approvals.refusal(user, approval, enrolment, approve, comment)
    if refused is not None:
        raise EnrolmentError(refused.message)
    approvals.record(user, approval, approve, comment)
    if not approve:
        enrolment.status = "rejected"
        enrolment.ended_at = utcnow()
        enrolment.end_reason = comment.strip()
        db.session.flush()
        _notify_enrolment(enrolment)
        return enrolment
    _advance(enrolment)
    _notify_enrolment(enrolment, decided=approval)
    return enrolment


def _advance(enrolment: Enrolment) -> None:
    if approvals.pending_step(enrolment) is None and enrolment.status == "nominated":
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
    """Give free seats to the head of the course's waitlist, telling each one promoted."""
    return seats.promote(seats.COURSE, course, _notify_enrolment)


def status_label(status: str) -> str:
    return {
        "nominated": _("menunggu persetujuan"),
        "waitlisted": _("daftar tunggu"),
        "active": _("aktif"),
        "completed": _("selesai"),
        "withdrawn": _("dibatalkan"),
        "rejected": _("ditolak"),
    }.get(status, status)


def _notify_enrolment(enrolment: Enrolment, decided: Approval | None = None) -> None:
    """Tell the employee what just happened (and the next decider, while steps remain).

    One notification per event, each saying something new: an approved step that leaves
    another one waiting is told as that approval, not as the nomination again (which the
    employee was told when it was made).
    """
    if enrolment.status == "nominated":
        notify_deciders(enrolment)
    course = enrolment.course or db.session.get(Course, enrolment.course_id)
    title = course.published_version.title if course.published_version else course.code
    messages = {
        "nominated": N_("Usulan pelatihan %(t)s menunggu persetujuan.", t=title),
        "waitlisted": N_("Anda masuk daftar tunggu pelatihan %(t)s.", t=title),
        "active": N_("Anda terdaftar di pelatihan %(t)s.", t=title),
        "rejected": N_("Usulan pelatihan %(t)s ditolak.", t=title),
    }
    waiting = approvals.pending_step(enrolment)
    if decided is not None and enrolment.status == "nominated" and waiting is not None:
        messages["nominated"] = _(
            "Usulan pelatihan %(t)s disetujui %(d)s dan kini menunggu persetujuan %(s)s.",
            t=title,
            d=approvals.step_label(decided.step),
            s=approvals.step_label(waiting.step),
        )
    if enrolment.status in messages:
        notify_employee(
            enrolment.employee_id, messages[enrolment.status], "courses.course", code=course.code
        )


def notify_deciders(enrolment: Enrolment) -> None:
    """Tell whoever decides the pending step that a nomination waits for them."""
    step = approvals.pending_step(enrolment)
    if step is None or enrolment.status != "nominated":
        return
    course = enrolment.course or db.session.get(Course, enrolment.course_id)
    employee = enrolment.employee or db.session.get(Employee, enrolment.employee_id)
    title = course.published_version.title if course.published_version else course.code
    message = N_(
        "Usulan pelatihan %(t)s untuk %(n)s menunggu persetujuan Anda.",
        t=title,
        n=employee.display_name,
    )
    for user_id in approvals.decider_ids(step):
        notify(user_id, message, "enrolments.approval", approval_id=step.id)
