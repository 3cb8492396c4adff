"""Programmes and cohorts (angkatan): eligibility, membership, approvals, course enrolment.

A cohort member goes through the same states as an enrolment (nominated → active | waitlisted;
withdrawn and rejected end it). Becoming active enrols the member in every course of the
programme through ``lms.enrolments.services``, so course capacity, notifications and the
learner's course pages behave as for any other enrolment. Seats are decided with the cohort row
locked (``SELECT ... FOR UPDATE`` on PostgreSQL), so concurrent additions cannot overfill the
quota. Services flush, never commit; validation never writes, so the content loader can check a
whole file before it touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, format_number
from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from lms.auth.models import User
from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments import services as enrolments
from lms.enrolments.models import (
    Approval,
    Cohort,
    CohortMember,
    CohortPhase,
    Enrolment,
    Programme,
    ProgrammeCourse,
)
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Golongan, JabatanType, JenisDiklat
from lms.permissions import Capability, can

SEAT_STATES = ("active", "completed")
OPEN_STATES = ("nominated", "waitlisted", "active")
APPROVAL_CHOICES = ("supervisor,hr", "supervisor", "hr", "")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


#: More seats than any city has employees: a bigger number is a typo (and past the column's range).
MAX_QUOTA = 100_000


class CohortError(ValueError):
    """A refused change; ``field`` names the form field (``phases-1``, ``courses-0``) if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- eligibility (pure) ---------------------------------------------------------------------


def eligibility_problems(
    employee: Any, cohort: Any, type_names: Mapping[str, str] | None = None
) -> list[str]:
    """Why ``employee`` may not join ``cohort`` (empty when eligible).

    Pure: it reads only the objects given. The cohort's rule stores the minimum grade's rank
    (``min_grade_rank``) next to its code, so no lookup is needed to compare grades.
    """
    rule = getattr(cohort, "eligibility", None) or {}
    names = type_names or {}
    problems: list[str] = []
    if not getattr(employee, "is_active", True):
        problems.append(_("Pegawai berstatus nonaktif."))
    allowed = list(rule.get("position_types") or [])
    if allowed:
        allowed_text = ", ".join(names.get(code, code) for code in allowed)
        code = getattr(employee, "jabatan_type_code", None)
        if not code:
            problems.append(
                _(
                    "Jenis jabatan belum tercatat, sedangkan angkatan ini khusus untuk: "
                    "%(allowed)s.",
                    allowed=allowed_text,
                )
            )
        elif code not in allowed:
            problems.append(
                _(
                    "Jenis jabatan %(has)s tidak memenuhi syarat; angkatan ini khusus untuk: "
                    "%(allowed)s.",
                    has=names.get(code, code),
                    allowed=allowed_text,
                )
            )
    min_code = rule.get("min_grade")
    min_rank = rule.get("min_grade_rank")
    if min_code and min_rank is not None:
        grade = getattr(employee, "golongan", None)
        if grade is None:
            problems.append(
                _(
                    "Pangkat/golongan belum tercatat; syarat minimal golongan %(min)s.",
                    min=min_code,
                )
            )
        elif grade.rank < int(min_rank):
            problems.append(
                _(
                    "Golongan %(has)s di bawah syarat minimal golongan %(min)s.",
                    has=grade.code,
                    min=min_code,
                )
            )
    return problems


def jabatan_type_names() -> dict[str, str]:
    return dict(db.session.execute(select(JabatanType.code, JabatanType.name)).all())


def build_eligibility(position_types: Iterable[str], min_grade: str | None) -> dict[str, Any]:
    """Check the codes against the reference data and return the stored rule."""
    types = [t.strip() for t in position_types if t and t.strip()]
    known = set(db.session.scalars(select(JabatanType.code)))
    unknown = [t for t in types if t not in known]
    if unknown:
        raise CohortError(
            _("Jenis jabatan tidak dikenal: %(codes)s.", codes=", ".join(unknown)),
            "position_types",
        )
    rule: dict[str, Any] = {}
    if types:
        rule["position_types"] = list(dict.fromkeys(types))
    if min_grade:
        grade = db.session.get(Golongan, min_grade.strip())
        if grade is None:
            raise CohortError(
                _("Golongan minimal tidak dikenal: %(code)s.", code=min_grade), "min_grade"
            )
        rule["min_grade"] = grade.code
        rule["min_grade_rank"] = grade.rank
    return rule


# --- seats and reading ----------------------------------------------------------------------


def member_counts(cohort_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Members per cohort and status, in one grouped query."""
    out: dict[int, dict[str, int]] = {cid: {} for cid in cohort_ids}
    if not cohort_ids:
        return out
    rows = db.session.execute(
        select(CohortMember.cohort_id, CohortMember.status, func.count(CohortMember.id))
        .where(CohortMember.cohort_id.in_(list(cohort_ids)))
        .group_by(CohortMember.cohort_id, CohortMember.status)
    ).all()
    for cohort_id, status, n in rows:
        out[cohort_id][status] = n
    return out


def seats_used(counts: Mapping[str, int]) -> int:
    return sum(counts.get(s, 0) for s in SEAT_STATES)


def seats_taken(cohort: Cohort) -> int:
    return (
        db.session.scalar(
            select(func.count(CohortMember.id)).where(
                CohortMember.cohort_id == cohort.id, CohortMember.status.in_(SEAT_STATES)
            )
        )
        or 0
    )


def seats_left(cohort: Cohort, taken: int | None = None) -> int | None:
    if cohort.quota is None:
        return None
    return max(cohort.quota - (seats_taken(cohort) if taken is None else taken), 0)


def find_member(cohort: Cohort, employee: Employee) -> CohortMember | None:
    return db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.employee_id == employee.id
        )
    )


def course_title(course: Course) -> str:
    version = course.published_version or (course.versions[-1] if course.versions else None)
    return version.title if version is not None else course.code


def programmes_query() -> Select:
    return select(Programme).options(
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
        .options(joinedload(Cohort.programme), selectinload(Cohort.phases))
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


def members_progress(cohort: Cohort, employee_ids: Sequence[int]) -> dict[int, int]:
    """Average progress over the programme's courses per member (reused enrolments included)."""
    if not employee_ids:
        return {}
    course_ids = select(ProgrammeCourse.course_id).where(
        ProgrammeCourse.programme_id == cohort.programme_id
    )
    rows = db.session.execute(
        select(Enrolment.employee_id, func.avg(Enrolment.progress))
        .where(
            Enrolment.employee_id.in_(list(employee_ids)),
            Enrolment.course_id.in_(course_ids),
            Enrolment.status.in_(("active", "completed")),
        )
        .group_by(Enrolment.employee_id)
    ).all()
    return {emp_id: round(float(avg or 0)) for emp_id, avg in rows}


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


def running_cohorts(today: date | None = None, limit: int = 8) -> list[Cohort]:
    """Cohorts that have not ended yet, soonest first (for HR's dashboard)."""
    today = today or local_today()
    return list(
        db.session.scalars(
            select(Cohort)
            .options(joinedload(Cohort.programme))
            .where(Cohort.ends_on >= today)
            .order_by(Cohort.starts_on, Cohort.id)
            .limit(limit)
        )
    )


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


def pending_approvals_for(user: User) -> list[Approval]:
    """Cohort approvals waiting for ``user``: the first pending step of a nominated member."""
    earlier = aliased(Approval)
    first_pending = ~exists().where(
        and_(
            earlier.cohort_member_id == Approval.cohort_member_id,
            earlier.decision == "pending",
            earlier.position < Approval.position,
        )
    )
    stmt = (
        select(Approval)
        .join(Approval.cohort_member)
        .join(CohortMember.employee)
        .options(
            joinedload(Approval.cohort_member).options(
                joinedload(CohortMember.employee).options(
                    joinedload(Employee.unit), joinedload(Employee.golongan)
                ),
                joinedload(CohortMember.cohort).joinedload(Cohort.programme),
            )
        )
        .where(
            Approval.cohort_member_id.is_not(None),
            Approval.decision == "pending",
            CohortMember.status == "nominated",
            first_pending,
        )
        .order_by(CohortMember.created_at, Approval.id)
    )
    steps = []
    if user.employee_id is not None:
        steps.append(
            and_(Approval.step == "supervisor", Employee.supervisor_id == user.employee_id)
        )
    if can(user, Capability.MANAGE_COHORTS):
        steps.append(Approval.step == "hr")
    if not steps:
        return []
    return list(db.session.scalars(stmt.where(or_(*steps))).unique())


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


def _steps(cohort: Cohort) -> list[str]:
    return [s for s in (cohort.approval_steps or "").split(",") if s]


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
    left = seats_left(cohort, taken)
    return JoinCheck(True, needs_approval=bool(_steps(cohort)), will_waitlist=left == 0)


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


def _lock_cohort(cohort: Cohort) -> None:
    """Serialise membership decisions for one cohort (a no-op on SQLite, which locks the file).

    Taken before looking for an existing member and before any course row is locked, so a
    concurrent duplicate finds the first row instead of failing on the unique key, and the
    order of locks is always cohort, then courses.
    """
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())


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
    user_id = db.session.scalar(select(User.id).where(User.employee_id == member.employee_id))
    if user_id is None:
        return
    cohort = member.cohort
    title = f"{cohort.programme.title}, {cohort.name}"
    messages = {
        "nominated": _("Usulan mengikuti %(t)s menunggu persetujuan.", t=title),
        "waitlisted": _("Anda masuk daftar tunggu %(t)s.", t=title),
        "active": _("Anda terdaftar sebagai peserta %(t)s.", t=title),
        "rejected": _("Usulan mengikuti %(t)s ditolak.", t=title),
        "withdrawn": _("Keikutsertaan Anda di %(t)s dibatalkan.", t=title),
    }
    if member.status in messages:
        enrolments.notify(user_id, messages[member.status], f"/program/{cohort.programme.code}")


def _place(member: CohortMember, actor: User | None) -> None:
    """Give a seat if the quota allows, else put on the cohort's waitlist."""
    cohort = member.cohort
    _lock_cohort(cohort)
    left = seats_left(cohort)
    if left is None or left > 0:
        member.status = "active"
        db.session.flush()
        _enrol_courses(member, actor)
    else:
        member.status = "waitlisted"
        db.session.flush()
    _notify_member(member)


def add_member(
    actor: User | None, cohort: Cohort, employee: Employee, today: date | None = None
) -> CohortMember:
    """HR adds a participant directly: no approval steps, but eligibility and quota apply."""
    today = today or local_today()
    _lock_cohort(cohort)
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
    me = actor.employee
    is_self = me is not None and me.id == employee.id
    is_supervisor = me is not None and employee.supervisor_id == me.id
    if not (is_self or is_supervisor):
        raise CohortError(
            _("Anda hanya dapat mengusulkan diri sendiri atau bawahan langsung Anda."), "employee"
        )
    _lock_cohort(cohort)
    existing = find_member(cohort, employee)
    _refuse_unless_joinable(cohort, employee, existing, today)
    steps = _steps(cohort)
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
    for position, step in enumerate(steps):
        approval = Approval(step=step, position=position)
        member.approvals.append(approval)
        if step == "supervisor" and is_supervisor:
            # A supervisor nominating their own staff has already agreed.
            approval.decision = "approved"
            approval.decided_by_id = actor.id
            approval.decided_at = utcnow()
    db.session.flush()
    if pending_step(member) is None:
        _place(member, actor)
    else:
        _notify_member(member)
        _notify_approver(member)
    return member


def _notify_approver(member: CohortMember) -> None:
    step = pending_step(member)
    if step is None or step.step != "supervisor":
        return
    supervisor_user = db.session.scalar(
        select(User.id).where(User.employee_id == member.employee.supervisor_id)
    )
    if supervisor_user is not None:
        enrolments.notify(
            supervisor_user,
            _(
                "%(name)s diusulkan mengikuti %(c)s dan menunggu persetujuan Anda.",
                name=member.employee.display_name,
                c=member.cohort.name,
            ),
            "/angkatan/persetujuan",
        )


def pending_step(member: CohortMember) -> Approval | None:
    return next((a for a in member.approvals if a.decision == "pending"), None)


def can_decide(user: User, approval: Approval) -> bool:
    member = approval.cohort_member
    if member is None:
        return False
    if approval.step == "supervisor":
        return user.employee_id is not None and member.employee.supervisor_id == user.employee_id
    return can(user, Capability.MANAGE_COHORTS)


def decide(user: User, approval: Approval, approve: bool, comment: str = "") -> CohortMember:
    member = approval.cohort_member
    if member is not None:
        _lock_cohort(member.cohort)
        db.session.refresh(member)
    if member is None or member.status != "nominated" or pending_step(member) is not approval:
        raise CohortError(_("Usulan ini tidak sedang menunggu keputusan Anda."))
    if not can_decide(user, approval):
        raise CohortError(_("Anda tidak berwenang memutuskan usulan ini."))
    comment = comment.strip()
    if not approve and not comment:
        raise CohortError(_("Tuliskan alasan penolakan."), "comment")
    approval.decision = "approved" if approve else "rejected"
    approval.decided_by_id = user.id
    approval.decided_at = utcnow()
    approval.comment = comment
    if not approve:
        member.status = "rejected"
        db.session.flush()
        _notify_member(member)
        return member
    db.session.flush()
    if pending_step(member) is None:
        _place(member, user)
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
    _lock_cohort(cohort)  # cohort before courses, as everywhere, so locks never cross
    held_seat = member.status == "active"
    member.status = "withdrawn"
    db.session.flush()
    reason = reason.strip() or _("Mundur dari %(c)s.", c=cohort.name)
    for enrolment in db.session.scalars(
        select(Enrolment).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.employee_id == member.employee_id,
            Enrolment.status.in_(enrolments.OPEN_STATES),
        )
    ).all():
        enrolments.withdraw(actor, enrolment, reason)
    _notify_member(member)
    if held_seat:
        promote_waitlist(cohort, actor)


def promote_waitlist(cohort: Cohort, actor: User | None) -> list[CohortMember]:
    _lock_cohort(cohort)
    promoted = []
    left = seats_left(cohort)
    while left is None or left > 0:
        head = db.session.scalar(
            select(CohortMember)
            .where(CohortMember.cohort_id == cohort.id, CohortMember.status == "waitlisted")
            .order_by(CohortMember.updated_at, CohortMember.id)
            .limit(1)
        )
        if head is None:
            break
        head.status = "active"
        db.session.flush()
        _enrol_courses(head, actor)
        _notify_member(head)
        promoted.append(head)
        left = None if left is None else left - 1
    return promoted


# --- programmes -----------------------------------------------------------------------------


def clean_code(value: str, field: str = "code") -> str:
    code = (value or "").strip().upper()
    if not code:
        raise CohortError(_("Kode wajib diisi."), field)
    if not CODE_RE.match(code):
        raise CohortError(
            _("Kode hanya boleh berisi huruf, angka, dan tanda hubung (maksimal 40)."), field
        )
    return code


def clean_programme(
    programme: Programme | None, values: Mapping[str, Any], courses: Sequence[Course | None]
) -> dict[str, Any]:
    """Validate a programme without writing. ``courses`` are the rows in order (None = blank).

    Returns the cleaned fields and the course list; raises CohortError naming the field or row.
    """
    code = clean_code(values.get("code", ""))
    other = db.session.scalar(select(Programme.id).where(Programme.code == code))
    if other is not None and (programme is None or other != programme.id):
        raise CohortError(_("Kode program %(c)s sudah dipakai.", c=code), "code")
    title = (values.get("title") or "").strip()
    if not title:
        raise CohortError(_("Nama program wajib diisi."), "title")
    if len(title) > 200:
        raise CohortError(_("Nama program maksimal 200 karakter."), "title")
    jenis = values.get("jenis_diklat_code")
    if jenis in ("", None):
        jenis = None
    else:
        try:
            jenis = int(jenis)
        except (TypeError, ValueError):
            raise CohortError(_("Jenis diklat tidak dikenal."), "jenis_diklat") from None
        if db.session.get(JenisDiklat, jenis) is None:
            raise CohortError(_("Jenis diklat %(c)s tidak dikenal.", c=jenis), "jenis_diklat")
    chosen: list[Course] = []
    first_row: dict[int, int] = {}
    for row, course in enumerate(courses):
        if course is None:
            continue
        if course.id in first_row:
            raise CohortError(
                _(
                    "Pelatihan ke-%(n)s (%(c)s) sudah dipilih di baris ke-%(m)s.",
                    n=row + 1,
                    c=course.code,
                    m=first_row[course.id] + 1,
                ),
                f"courses-{row}",
            )
        first_row[course.id] = row
        chosen.append(course)
    if not chosen:
        raise CohortError(_("Pilih minimal satu pelatihan untuk program ini."), "courses-0")
    return {
        "code": code,
        "title": title,
        "summary": (values.get("summary") or "").strip(),
        "jenis_diklat_code": jenis,
        "courses": chosen,
        "eligibility": values.get("eligibility"),
    }


def apply_programme(programme: Programme, clean: Mapping[str, Any]) -> bool:
    """Write cleaned fields onto ``programme``; True when anything changed."""
    changed = False
    for key in ("code", "title", "summary", "jenis_diklat_code"):
        if getattr(programme, key) != clean[key]:
            setattr(programme, key, clean[key])
            changed = True
    if (
        clean.get("eligibility") is not None
        and (programme.eligibility or {}) != clean["eligibility"]
    ):
        programme.eligibility = dict(clean["eligibility"])
        changed = True
    if programme.id is None:
        db.session.add(programme)
        db.session.flush()
    wanted = [c.id for c in clean["courses"]]
    have = [pc.course_id for pc in programme.courses]
    if wanted != have:
        by_course = {pc.course_id: pc for pc in programme.courses}
        rows = []
        for position, course_id in enumerate(wanted):
            row = by_course.pop(course_id, None) or ProgrammeCourse(course_id=course_id)
            row.position = position
            rows.append(row)
        programme.courses = rows
        changed = True
    db.session.flush()
    return changed


def save_programme(
    programme: Programme | None, values: Mapping[str, Any], course_ids: Sequence[str | int | None]
) -> Programme:
    """Create or edit a programme from the form (courses as ids in row order)."""
    wanted: list[int | None] = []
    for row, raw in enumerate(course_ids):
        if raw in (None, ""):
            wanted.append(None)
            continue
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            raise CohortError(
                _("Pelatihan ke-%(n)s tidak dikenal.", n=row + 1), f"courses-{row}"
            ) from None
    found = {
        c.id: c
        for c in db.session.scalars(select(Course).where(Course.id.in_([i for i in wanted if i])))
    }
    courses: list[Course | None] = []
    for row, course_id in enumerate(wanted):
        if course_id is not None and course_id not in found:
            raise CohortError(_("Pelatihan ke-%(n)s tidak dikenal.", n=row + 1), f"courses-{row}")
        courses.append(found.get(course_id) if course_id is not None else None)
    clean = clean_programme(programme, values, courses)
    target = programme or Programme(code=clean["code"], title=clean["title"])
    apply_programme(target, clean)
    return target


# --- cohorts --------------------------------------------------------------------------------


def _as_date(value: Any, message: str, field: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CohortError(message, field)


def clean_cohort(
    programme: Programme | None, cohort: Cohort | None, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate a cohort of ``programme`` (None while the programme is still being created)
    without writing; CohortError names the field or phase row."""
    code = clean_code(values.get("code", ""))
    other = db.session.scalar(select(Cohort).where(Cohort.code == code))
    if other is not None and (cohort is None or other.id != cohort.id):
        raise CohortError(_("Kode angkatan %(c)s sudah dipakai.", c=code), "code")
    name = (values.get("name") or "").strip()
    if not name:
        raise CohortError(_("Nama angkatan wajib diisi."), "name")
    if len(name) > 200:
        raise CohortError(_("Nama angkatan maksimal 200 karakter."), "name")
    if values.get("starts_on") in (None, ""):
        raise CohortError(_("Tanggal mulai wajib diisi."), "starts_on")
    if values.get("ends_on") in (None, ""):
        raise CohortError(_("Tanggal selesai wajib diisi."), "ends_on")
    starts = _as_date(values["starts_on"], _("Tanggal mulai tidak valid."), "starts_on")
    ends = _as_date(values["ends_on"], _("Tanggal selesai tidak valid."), "ends_on")
    if ends < starts:
        raise CohortError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "ends_on")
    deadline = values.get("enrol_deadline")
    if deadline in (None, ""):
        deadline = None
    else:
        deadline = _as_date(deadline, _("Batas pendaftaran tidak valid."), "enrol_deadline")
        if deadline > ends:
            raise CohortError(
                _("Batas pendaftaran tidak boleh setelah tanggal selesai angkatan."),
                "enrol_deadline",
            )
    quota = values.get("quota")
    if quota in (None, ""):
        quota = None
    else:
        try:
            quota = int(quota)
        except (TypeError, ValueError):
            raise CohortError(_("Kuota harus bilangan bulat."), "quota") from None
        if quota < 1:
            raise CohortError(_("Kuota harus lebih dari 0 (kosongkan bila tanpa batas)."), "quota")
        if quota > MAX_QUOTA:
            raise CohortError(
                _(
                    "Kuota paling banyak %(n)s (kosongkan bila tanpa batas).",
                    n=format_number(MAX_QUOTA),
                ),
                "quota",
            )
        if cohort is not None and cohort.id is not None:
            taken = seats_taken(cohort)
            if quota < taken:
                raise CohortError(
                    _(
                        "Kuota tidak boleh lebih kecil dari jumlah peserta aktif (%(n)s).",
                        n=taken,
                    ),
                    "quota",
                )
    steps = values.get("approval_steps")
    steps = "supervisor,hr" if steps is None else str(steps)
    if steps not in APPROVAL_CHOICES:
        raise CohortError(_("Tahap persetujuan tidak dikenal."), "approval_steps")
    place = (values.get("place") or "").strip()
    if len(place) > 200:
        raise CohortError(_("Tempat maksimal 200 karakter."), "place")
    eligibility = build_eligibility(
        values.get("position_types") or [], values.get("min_grade") or None
    )
    phases = _clean_phases(values.get("phases") or [], starts, ends)
    return {
        "code": code,
        "name": name,
        "starts_on": starts,
        "ends_on": ends,
        "enrol_deadline": deadline,
        "quota": quota,
        "place": place,
        "approval_steps": steps,
        "eligibility": eligibility,
        "phases": phases,
    }


def _clean_phases(
    rows: Sequence[Mapping[str, Any]], starts: date, ends: date
) -> list[tuple[str, date, date]]:
    out: list[tuple[str, date, date]] = []
    for index, row in enumerate(rows):
        name = (row.get("name") or "").strip()
        start, end = row.get("starts_on"), row.get("ends_on")
        if not name and start in (None, "") and end in (None, ""):
            continue  # a blank row of the form
        n = index + 1
        field = f"phases-{index}"
        if not name:
            raise CohortError(_("Tahap ke-%(n)s: nama tahap wajib diisi.", n=n), field)
        if start in (None, "") or end in (None, ""):
            raise CohortError(
                _("Tahap ke-%(n)s (%(t)s): tanggal mulai dan selesai wajib diisi.", n=n, t=name),
                field,
            )
        start = _as_date(start, _("Tahap ke-%(n)s: tanggal mulai tidak valid.", n=n), field)
        end = _as_date(end, _("Tahap ke-%(n)s: tanggal selesai tidak valid.", n=n), field)
        if end < start:
            raise CohortError(
                _("Tahap ke-%(n)s (%(t)s): tanggal selesai sebelum tanggal mulai.", n=n, t=name),
                field,
            )
        if start < starts or end > ends:
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s) harus berada di dalam tanggal angkatan.",
                    n=n,
                    t=name,
                ),
                field,
            )
        if out and start <= out[-1][2]:
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s) tumpang tindih dengan tahap sebelumnya; "
                    "urutkan tahap menurut tanggal.",
                    n=n,
                    t=name,
                ),
                field,
            )
        out.append((name[:200], start, end))
    return out


def apply_cohort(programme: Programme, cohort: Cohort, clean: Mapping[str, Any]) -> bool:
    """Write cleaned fields onto ``cohort``; True when anything changed."""
    changed = False
    if cohort.programme_id != programme.id:
        cohort.programme = programme
        changed = True
    for key in (
        "code",
        "name",
        "starts_on",
        "ends_on",
        "enrol_deadline",
        "quota",
        "place",
        "approval_steps",
    ):
        if getattr(cohort, key) != clean[key]:
            setattr(cohort, key, clean[key])
            changed = True
    if (cohort.eligibility or {}) != clean["eligibility"]:
        cohort.eligibility = dict(clean["eligibility"])
        changed = True
    have = [(p.name, p.starts_on, p.ends_on) for p in cohort.phases]
    if have != list(clean["phases"]):
        cohort.phases = [
            CohortPhase(position=i, name=name, starts_on=start, ends_on=end)
            for i, (name, start, end) in enumerate(clean["phases"])
        ]
        changed = True
    if cohort.id is None:
        db.session.add(cohort)
    db.session.flush()
    return changed


def save_cohort(
    actor: User | None, programme: Programme, cohort: Cohort | None, values: Mapping[str, Any]
) -> Cohort:
    """Create or edit a cohort; a raised quota gives freed seats to the waitlist."""
    clean = clean_cohort(programme, cohort, values)
    target = cohort or Cohort()
    apply_cohort(programme, target, clean)
    if cohort is not None:
        promote_waitlist(target, actor)
    return target
