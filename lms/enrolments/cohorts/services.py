"""Cohort membership (angkatan): joining, approvals, seats, course enrolment, withdrawal.

A cohort member goes through the same states as an enrolment (nominated → active | waitlisted;
withdrawn and rejected end it), with the same approval steps (``lms.enrolments.approvals``) and
the same seat machinery (``lms.enrolments.seats``, the cohort's quota as the limit). Becoming
active enrols the member in every course of the programme through ``lms.enrolments.services``,
so course capacity, notifications and the learner's course pages behave as for any other
enrolment. Seats are decided with the cohort row locked, taken before looking for an existing
member and before any course row is locked: a concurrent duplicate finds the first row instead of
failing on the unique key, and the order of locks is always cohort, then courses. Services flush,
never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import approvals, seats
from lms.enrolments import services as enrolments
from lms.enrolments.cohorts.models import Cohort, CohortMember, ProgrammeCourse
from lms.enrolments.cohorts.rules import (
    CohortError,
    eligibility_problems,
    jabatan_type_names,
    refuse_if_closed,
)
from lms.enrolments.models import Approval, Enrolment
from lms.enrolments.seats import OPEN_STATES
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.models import Employee


def _lock_open(cohort: Cohort) -> None:
    """Lock the cohort row (``seats.lock``'s serialisation) and read whether it was closed
    meanwhile, in one query; a closed cohort refuses every change of membership."""
    db.session.refresh(cohort, ["closed_at"], with_for_update=True)
    refuse_if_closed(cohort)


def find_member(cohort: Cohort, employee: Employee) -> CohortMember | None:
    return db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.employee_id == employee.id
        )
    )


# --- whether someone may join ---------------------------------------------------------------


@dataclass(frozen=True)
class JoinCheck:
    """Whether an employee may join a cohort now and, if not, every reason why."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    needs_approval: bool = False
    will_waitlist: bool = False

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _status_message(member: CohortMember) -> str:
    return {
        "nominated": _("Usulan untuk angkatan ini sedang menunggu persetujuan."),
        "waitlisted": _("Sudah berada di daftar tunggu angkatan ini."),
        "active": _("Sudah menjadi peserta angkatan ini."),
        "completed": _("Sudah menyelesaikan angkatan ini."),
    }.get(member.status, "")


def check_join(
    cohort: Cohort,
    employee: Employee | None,
    *,
    existing: CohortMember | None = None,
    taken: int | None = None,
    today: date | None = None,
    type_names: Mapping[str, str] | None = None,
) -> JoinCheck:
    """Why the join button is enabled or not; pass ``existing``/``taken`` when pre-loaded."""
    today = today or local_today()
    if employee is None:
        return JoinCheck(False, (_("Hanya pegawai yang dapat mengikuti angkatan."),))
    if existing is not None and existing.status in (*OPEN_STATES, "completed"):
        return JoinCheck(False, (_status_message(existing),))
    if cohort.closed_at is not None:
        return JoinCheck(False, (_("Angkatan ini sudah ditutup."),))
    if today > cohort.ends_on:
        return JoinCheck(False, (_("Angkatan ini sudah berakhir."),))
    if cohort.enrol_deadline is not None and today > cohort.enrol_deadline:
        return JoinCheck(
            False,
            (
                _(
                    "Batas waktu pendaftaran angkatan ini (%(d)s) sudah lewat.",
                    d=format_date(cohort.enrol_deadline, "long"),
                ),
            ),
        )
    problems = eligibility_problems(employee, cohort, type_names)
    if problems:
        return JoinCheck(False, tuple(problems))
    left = seats.left(seats.COHORT, cohort, taken)
    return JoinCheck(
        True,
        needs_approval=bool(approvals.steps_of(cohort.approval_steps)),
        will_waitlist=left == 0,
    )


def join_checks(
    cohorts: Sequence[Cohort],
    employee: Employee | None,
    mine: Mapping[int, CohortMember],
    counts: Mapping[int, Mapping[str, int]],
    today: date,
    type_names: Mapping[str, str],
) -> dict[int, JoinCheck]:
    """``check_join`` for every cohort of a page, from pre-loaded memberships and counts."""
    return {
        c.id: check_join(
            c,
            employee,
            existing=mine.get(c.id),
            taken=seats.used(counts[c.id]),
            today=today,
            type_names=type_names,
        )
        for c in cohorts
    }


def _refuse_unless_joinable(
    cohort: Cohort, employee: Employee, existing: CohortMember | None, today: date
) -> None:
    if existing is not None and existing.status in (*OPEN_STATES, "completed"):
        raise CohortError(
            _(
                "%(name)s sudah terdaftar di angkatan ini (%(status)s).",
                name=employee.display_name,
                status=enrolments.status_label(existing.status),
            ),
            "nip",
        )
    check = check_join(
        cohort, employee, existing=existing, taken=0, today=today, type_names=jabatan_type_names()
    )
    if not check.allowed:
        raise CohortError(
            _(
                "%(name)s tidak dapat mengikuti angkatan ini: %(reasons)s",
                name=employee.display_name,
                reasons=check.reason,
            ),
            "nip",
        )


# --- membership transitions -----------------------------------------------------------------


def _reopen_or_create(
    cohort: Cohort,
    employee: Employee,
    existing: CohortMember | None,
    source: str,
    actor: User | None,
) -> CohortMember:
    member = existing
    if member is None:
        member = CohortMember(cohort=cohort, employee=employee, status="nominated")
        db.session.add(member)
    member.status = "nominated"
    member.source = source
    member.nominated_by_id = actor.id if actor is not None else None
    member.approvals = []
    db.session.flush()
    return member


def _enrol_courses(member: CohortMember, actor: User | None) -> list[Enrolment]:
    """Enrol an active member in every course of the programme, exactly once.

    An open or completed enrolment the employee already has in a course is kept as it is
    (their own, not the cohort's), so withdrawing from the cohort leaves it alone.
    """
    cohort = member.cohort
    courses = list(
        db.session.scalars(
            select(Course)
            .join(ProgrammeCourse, ProgrammeCourse.course_id == Course.id)
            .options(joinedload(Course.published_version))
            .where(ProgrammeCourse.programme_id == cohort.programme_id)
            .order_by(ProgrammeCourse.position)
        )
    )
    have = {
        e.course_id: e
        for e in db.session.scalars(
            select(Enrolment).where(
                Enrolment.employee_id == member.employee_id,
                Enrolment.course_id.in_([c.id for c in courses]),
            )
        )
    }
    employee = member.employee
    created = []
    for course in courses:
        if course.archived:
            continue
        current = have.get(course.id)
        if current is not None and current.status in (*OPEN_STATES, "completed"):
            continue
        enrolment = enrolments.enrol_by_admin(actor, employee, course, source="cohort")
        enrolment.cohort_id = cohort.id
        created.append(enrolment)
    db.session.flush()
    return created


def _notify_member(member: CohortMember) -> None:
    cohort = member.cohort
    title = f"{cohort.programme.title}, {cohort.name}"
    messages = {
        "nominated": N_("Usulan mengikuti %(t)s menunggu persetujuan.", t=title),
        "waitlisted": N_("Anda masuk daftar tunggu %(t)s.", t=title),
        "active": N_("Anda terdaftar sebagai peserta %(t)s.", t=title),
        "rejected": N_("Usulan mengikuti %(t)s ditolak.", t=title),
        "withdrawn": N_("Keikutsertaan Anda di %(t)s dibatalkan.", t=title),
    }
    if member.status in messages:
        notify_employee(
            member.employee_id,
            messages[member.status],
            "enrolments.programme",
            programme_code=cohort.programme.code,
        )


def _place(member: CohortMember, actor: User | None) -> None:
    """Give a seat if the quota allows (and enrol in the programme's courses), else put on the
    cohort's waitlist."""
    if seats.place(seats.COHORT, member.cohort, member):
        _enrol_courses(member, actor)
    _notify_member(member)


def add_member(
    actor: User | None, cohort: Cohort, employee: Employee, today: date | None = None
) -> CohortMember:
    """HR adds a participant directly: no approval steps, but eligibility and quota apply."""
    today = today or local_today()
    _lock_open(cohort)
    existing = find_member(cohort, employee)
    _refuse_unless_joinable(cohort, employee, existing, today)
    member = _reopen_or_create(cohort, employee, existing, "admin", actor)
    _place(member, actor)
    return member


def nominate(
    actor: User, cohort: Cohort, employee: Employee, today: date | None = None
) -> CohortMember:
    """The employee (or their direct supervisor) asks for a seat; the cohort's steps follow."""
    today = today or local_today()
    if not approvals.may_nominate(actor, employee):
        raise CohortError(approvals.nominate_refusal(), "employee")
    is_self = actor.employee_id == employee.id
    _lock_open(cohort)
    existing = find_member(cohort, employee)
    _refuse_unless_joinable(cohort, employee, existing, today)
    steps = approvals.steps_of(cohort.approval_steps)
    if "supervisor" in steps and employee.supervisor_id is None:
        raise CohortError(
            _(
                "Atasan langsung %(name)s belum tercatat, jadi usulan tidak dapat disetujui. "
                "Hubungi BKPSDM.",
                name=employee.display_name,
            ),
            "employee",
        )
    member = _reopen_or_create(
        cohort, employee, existing, "self" if is_self else "nomination", actor
    )
    approvals.start(member, steps, actor, employee)
    if approvals.pending_step(member) is None:
        _place(member, actor)
    else:
        _notify_member(member)
        _notify_approver(member)
    return member


def _notify_approver(member: CohortMember) -> None:
    step = approvals.pending_step(member)
    if step is None or step.step != "supervisor":
        return
    notify_employee(
        member.employee.supervisor_id,
        N_(
            "%(name)s diusulkan mengikuti %(c)s dan menunggu persetujuan Anda.",
            name=member.employee.display_name,
            c=member.cohort.name,
        ),
        "enrolments.cohort_approvals",
    )


def decide(user: User, approval: Approval, approve: bool, comment: str = "") -> CohortMember:
    member = approval.cohort_member
    if member is not None:
        _lock_open(member.cohort)
        db.session.refresh(member)
    refused = approvals.refusal(user, approval, member, approve, comment)
    if refused is not None:
        raise CohortError(refused.message, refused.field)
    approvals.record(user, approval, approve, comment)
    if not approve:
        member.status = "rejected"
        db.session.flush()
        _notify_member(member)
        return member
    db.session.flush()
    if approvals.pending_step(member) is None:
        _place(member, actor=user)
    return member


def withdraw_member(actor: User, member: CohortMember, reason: str = "") -> None:
    """End an open membership and the cohort's open course enrolments; a freed seat goes to
    the head of the cohort's waitlist."""
    if member.status not in OPEN_STATES:
        raise CohortError(
            _(
                "Keikutsertaan ini tidak dapat dibatalkan (%(s)s).",
                s=enrolments.status_label(member.status),
            )
        )
    cohort = member.cohort
    _lock_open(cohort)  # cohort before courses, as everywhere, so locks never cross
    held_seat = member.status == "active"
    member.status = "withdrawn"
    db.session.flush()
    reason = reason.strip() or _("Mundur dari %(c)s.", c=cohort.name)
    for enrolment in db.session.scalars(
        select(Enrolment).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.employee_id == member.employee_id,
            Enrolment.status.in_(OPEN_STATES),
        )
    ).all():
        enrolments.withdraw(actor, enrolment, reason)
    _notify_member(member)
    if held_seat:
        promote_waitlist(cohort, actor)


def promote_waitlist(cohort: Cohort, actor: User | None) -> list[CohortMember]:
    """Give free seats to the head of the cohort's waitlist, each enrolled in the courses."""

    def seated(member: CohortMember) -> None:
        _enrol_courses(member, actor)
        _notify_member(member)

    return seats.promote(seats.COHORT, cohort, seated)
