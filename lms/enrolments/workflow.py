"""Nominations and approval queues around the enrolment state machine.

The transitions live in ``services`` (with ``approvals`` and ``seats``); this module adds what
the screens need: the rules that decide who may nominate for which course, the queues a
supervisor and HR work through, and the team overview. Read functions
here run a fixed number of queries whatever the amount of data (eager loading, grouped counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from lms.auth.models import User
from lms.courses.models import Course, CourseVersion
from lms.courses.queries import ENROLMENT_COLUMNS, RULE_COLUMNS
from lms.enrolments import approvals, services
from lms.enrolments.models import Approval, Enrolment
from lms.enrolments.seats import OPEN_STATES
from lms.extensions import WatchedGeneration, db
from lms.indonesian import local_today
from lms.org.models import Employee, Unit, display_name

PAGE_SIZE = 25


def _changes_nominations(obj: object) -> bool:
    """Whether a write of ``obj`` may change a list of nominations. A nomination enters one
    with its approval steps and leaves it by a decision, both written as approvals (every one
    counts); the one move an enrolment makes alone is a withdrawal while waiting (and a
    deletion). An enrolment's progress, completion, or a place given without approval (new
    rows start as "nominated" before they are placed) never count."""
    if isinstance(obj, Approval):
        return True
    state = sa_inspect(obj)
    if state.deleted or state.was_deleted:
        return True
    history = state.attrs.status.history
    # an old value not loaded: it may have been "nominated"
    return "withdrawn" in history.added and (not history.deleted or "nominated" in history.deleted)


#: Starts anew after a committed write (any process) of a nomination's state: its approval
#: steps and decisions, a nomination withdrawn. A few times a day per supervisor (lessons,
#: completions and places given pass it by): the supervisor's kept dashboard sections name it,
#: so a nomination of their report and their own decision show at once.
NOMINATIONS = WatchedGeneration(
    "enrolments:nominations", (Approval, Enrolment), counts=_changes_nominations
)


# --- nominations -------------------------------------------------------------------------------


def open_courses() -> list[Course]:
    """Published courses a nomination or a bulk enrolment may target, by title."""
    return list(
        db.session.scalars(
            select(Course)
            .join(Course.published_version)
            .options(contains_eager(Course.published_version))
            .where(Course.archived.is_(False))
            .order_by(CourseVersion.title, Course.code)
        )
    )


def nominable_courses(
    people: list[Employee], today: date | None = None
) -> tuple[list[Course], dict[int, set[int]]]:
    """What the "Usulkan" form offers ``people`` (the user and their direct reports).

    Open courses that need approval (others are enrolled on their page, or by BKPSDM) and whose
    deadline has not passed, with, per course, the ids of those among ``people`` who may not be
    nominated for it because they are already nominated, enrolled, waiting, or done. A course
    none of them may take is left out.
    """
    today = today or local_today()
    courses = list(
        db.session.scalars(
            select(Course)
            .join(Course.published_version)
            .options(contains_eager(Course.published_version))
            .where(
                Course.archived.is_(False),
                Course.approval_steps != "",
                or_(Course.enrol_deadline.is_(None), Course.enrol_deadline >= today),
            )
            .order_by(CourseVersion.title, Course.code)
        )
    )
    taken: dict[int, set[int]] = {}
    if courses and people:
        rows = db.session.execute(
            select(Enrolment.course_id, Enrolment.employee_id).where(
                Enrolment.employee_id.in_([p.id for p in people]),
                Enrolment.course_id.in_([c.id for c in courses]),
                Enrolment.status.in_((*OPEN_STATES, "completed")),
            )
        ).all()
        for course_id, employee_id in rows:
            taken.setdefault(course_id, set()).add(employee_id)
    everyone = {p.id for p in people}
    offered = [c for c in courses if taken.get(c.id, set()) != everyone]
    return offered, taken


def course_label(course: Course) -> str:
    title = course.published_version.title if course.published_version else course.code
    return f"{title} ({course.code})"


def nominate(
    actor: User, employee: Employee, course: Course, today: date | None = None
) -> Enrolment:
    """A nomination from the "Usulkan" page.

    Two refusals are added to the state machine's: an employee does not nominate themselves for
    an open course (they simply enrol on its page), and nobody nominates for a course that only
    BKPSDM enrols, because the supervisor's automatic approval would bypass HR.
    """
    if course.published_version_id is None or course.archived:
        raise services.EnrolmentError(_("Pelatihan ini belum atau tidak lagi dibuka."))
    if not course.self_enrol and not course.approval_steps:
        raise services.EnrolmentError(_("Pendaftaran pelatihan ini dilakukan oleh BKPSDM."))
    if actor.employee_id == employee.id and not course.approval_steps:
        raise services.EnrolmentError(
            _(
                "Pelatihan ini tidak memerlukan persetujuan: daftarlah langsung di halaman "
                "pelatihannya."
            )
        )
    return services.nominate(actor, employee, course, today)


def step_label(step: str) -> str:
    return approvals.step_label(step)


def step_title(step: str) -> str:
    """The step's name at the start of a line (``step_label`` continues a sentence)."""
    return {"supervisor": _("Atasan langsung"), "hr": _("BKPSDM / Admin OPD")}.get(step, step)


def outcome_message(enrolment: Enrolment) -> str:
    """What the person who acted sees after a nomination or an approval."""
    course = enrolment.course or db.session.get(Course, enrolment.course_id)
    employee = enrolment.employee or db.session.get(Employee, enrolment.employee_id)
    title = course.published_version.title if course.published_version else course.code
    name = employee.display_name
    if enrolment.status == "nominated":
        step = approvals.pending_step(enrolment)
        return _(
            "Usulan %(t)s untuk %(n)s menunggu persetujuan %(s)s.",
            t=title,
            n=name,
            s=step_label(step.step) if step else "",
        )
    if enrolment.status == "active":
        return _("%(n)s terdaftar di pelatihan %(t)s.", n=name, t=title)
    if enrolment.status == "waitlisted":
        return _("%(n)s masuk daftar tunggu pelatihan %(t)s.", n=name, t=title)
    if enrolment.status == "rejected":
        return _("Usulan %(t)s untuk %(n)s ditolak.", t=title, n=name)
    return services.status_label(enrolment.status)


def decision_message(approval: Approval) -> str:
    prefix = _("Disetujui.") if approval.decision == "approved" else _("Ditolak.")
    return f"{prefix} {outcome_message(approval.enrolment)}"  # type: ignore[arg-type]


def my_nominations(user: User, limit: int = 20) -> list[Enrolment]:
    """Nominations the user made or that were made for them, newest first."""
    who = Enrolment.nominated_by_id == user.id
    if user.employee_id is not None:
        who = or_(who, Enrolment.employee_id == user.employee_id)
    return list(
        db.session.scalars(
            select(Enrolment)
            .options(
                joinedload(Enrolment.employee),
                joinedload(Enrolment.course).joinedload(Course.published_version),
                selectinload(Enrolment.approvals),
            )
            .where(who, Enrolment.source == "nomination")
            .order_by(Enrolment.requested_at.desc(), Enrolment.id.desc())
            .limit(limit)
        ).unique()
    )


# --- approval queues ------------------------------------------------------------------------------


def _is_current_step() -> ColumnElement[bool]:
    """The approval is pending and every earlier step of the same nomination is approved."""
    earlier = aliased(Approval)
    return and_(
        Approval.decision == "pending",
        Enrolment.status == "nominated",
        ~exists(
            select(earlier.id).where(
                earlier.enrolment_id == Approval.enrolment_id,
                earlier.position < Approval.position,
                earlier.decision != "approved",
            )
        ),
    )


def _queue(*where: ColumnElement[bool]):
    nominator = aliased(User)
    return (
        select(Approval, nominator.employee_id)
        .join(Approval.enrolment)
        .join(Enrolment.employee)
        .join(Employee.unit)
        .outerjoin(nominator, nominator.id == Enrolment.nominated_by_id)
        .where(Approval.enrolment_id.is_not(None), _is_current_step(), *where)
    )


def _queue_options(stmt):
    nomination = contains_eager(Approval.enrolment)
    return stmt.options(
        nomination.contains_eager(Enrolment.employee).contains_eager(Employee.unit),
        nomination.joinedload(Enrolment.course).joinedload(Course.published_version),
        nomination.selectinload(Enrolment.approvals),
    )


@dataclass(frozen=True)
class QueueItem:
    approval: Approval
    by_self: bool  # nominated by the employee (else by their supervisor or HR)

    @property
    def enrolment(self) -> Enrolment:
        return self.approval.enrolment  # type: ignore[return-value]


def _items(rows) -> list[QueueItem]:
    return [
        QueueItem(approval, nominator_employee_id == approval.enrolment.employee_id)
        for approval, nominator_employee_id in rows
    ]


@lru_cache(maxsize=4)
def _supervisor_queue_stmt(limit: int | None) -> Select:
    """``supervisor_queue``'s statement with the supervisor as a parameter, built once (the
    dashboard reads it on every visit of a supervisor)."""
    stmt = _queue_options(
        _queue(Approval.step == "supervisor", Employee.supervisor_id == bindparam("supervisor_id"))
    ).order_by(Enrolment.requested_at, Approval.id)
    return stmt.limit(limit) if limit is not None else stmt


def supervisor_queue(user: User, limit: int | None = None) -> list[QueueItem]:
    """Nominations of the user's direct reports waiting for the supervisor step."""
    if user.employee_id is None:
        return []
    stmt = _supervisor_queue_stmt(limit)
    return _items(db.session.execute(stmt, {"supervisor_id": user.employee_id}).unique().all())


class WaitingNomination(NamedTuple):
    """A nomination waiting for the supervisor as the dashboard lists it: the approval to open,
    the employee's name with titles, the course's code and published title (None without a
    published version: the code is shown then, as ``course_title`` does)."""

    approval_id: int
    front_title: str | None
    full_name: str
    back_title: str | None
    code: str
    title: str | None

    @property
    def display_name(self) -> str:
        return display_name(self.front_title, self.full_name, self.back_title)

    @property
    def course_title(self) -> str:
        return self.title if self.title is not None else self.code


@lru_cache(maxsize=4)
def _supervisor_waiting_stmt(limit: int) -> Select:
    """``supervisor_waiting``'s statement (the columns shown), built once."""
    return (
        select(
            Approval.id,
            Employee.front_title,
            Employee.full_name,
            Employee.back_title,
            Course.code,
            CourseVersion.title,
        )
        .select_from(Approval)
        .join(Enrolment, Enrolment.id == Approval.enrolment_id)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(
            Approval.enrolment_id.is_not(None),
            Approval.step == "supervisor",
            Employee.supervisor_id == bindparam("supervisor_id"),
            _is_current_step(),
        )
        .order_by(Enrolment.requested_at, Approval.id)
        .limit(limit)
    )


def supervisor_waiting(user: User, limit: int) -> list[WaitingNomination]:
    """The first ``limit`` rows of ``supervisor_queue`` as the dashboard shows them, read as
    columns in one query (no models, no eager loading of every step)."""
    if user.employee_id is None:
        return []
    stmt = _supervisor_waiting_stmt(limit)
    return [
        WaitingNomination(*row)
        for row in db.session.execute(stmt, {"supervisor_id": user.employee_id})
    ]


@lru_cache(maxsize=2)
def _hr_queue_stmts(scoped: bool) -> tuple[Select, Select]:
    """``hr_queue``'s count and page, built once (the dashboard reads them on every visit of
    HR), with the unit prefix, limit and offset as parameters. The count reads only the pending
    HR steps (``ix_approvals_step_decision``) and their nominations, plus the employees and
    units when the account sees one department: no eager loading, no nominator."""
    in_scope = [Unit.path.startswith(bindparam("unit_path", type_=String))] if scoped else []
    count = (
        select(func.count(Approval.id))
        .select_from(Approval)
        .join(Approval.enrolment)
        .where(Approval.enrolment_id.is_not(None), Approval.step == "hr", _is_current_step())
    )
    if scoped:
        count = count.join(Enrolment.employee).join(Employee.unit).where(*in_scope)
    rows = (
        _queue_options(_queue(Approval.step == "hr", *in_scope))
        .order_by(Enrolment.requested_at, Approval.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    return count, rows


def hr_queue(user: User, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[QueueItem], int]:
    """Nominations waiting for the HR step within the user's scope, oldest first."""
    prefix = approvals.hr_unit_prefix(user)
    if prefix is None:
        return [], 0
    count, rows = _hr_queue_stmts(bool(prefix))
    params = {"unit_path": prefix} if prefix else {}
    total = db.session.scalar(count, params) or 0
    if total == 0:
        return [], 0  # the rows query is the expensive one on a large enrolment table
    params.update(limit=per_page, offset=(max(page, 1) - 1) * per_page)
    return _items(db.session.execute(rows, params).unique().all()), total


def load_approval(approval_id: int) -> Approval | None:
    """An approval of a course nomination, with the nomination, its steps and their deciders."""
    approval = db.session.scalar(
        select(Approval)
        .where(Approval.id == approval_id, Approval.enrolment_id.is_not(None))
        .options(
            joinedload(Approval.enrolment).joinedload(Enrolment.employee).joinedload(Employee.unit),
            joinedload(Approval.enrolment)
            .joinedload(Enrolment.course)
            .joinedload(Course.published_version),
            joinedload(Approval.enrolment).selectinload(Enrolment.approvals),
        )
    )
    return approval


def decider_names(approvals: list[Approval]) -> dict[int, str]:
    ids = {a.decided_by_id for a in approvals if a.decided_by_id}
    if not ids:
        return {}
    users = db.session.scalars(
        select(User).where(User.id.in_(ids)).options(joinedload(User.employee))
    )
    return {u.id: u.name for u in users}


# --- the supervisor's team -----------------------------------------------------------------------


@lru_cache(maxsize=4)
def _team_enrolments_stmt(limit: int) -> Select:
    """``team_enrolments``'s statement, built once per ``limit``.

    Rows are ordered by the employee's name (each person's newest first). The first ``limit``
    reports with such an enrolment (``firsts``, walked in name order on
    ``ix_employees_supervisor_active_name``) are the only ones whose rows can be among the first
    ``limit`` (each gives at least one); of them, only those with fewer than ``limit`` rows
    before theirs (a running sum of the counts, read from the covering
    ``ix_enrolments_employee_status``) can, so only their enrolments are read and sorted:
    usually one or two people's, not twenty people's."""
    states = (*OPEN_STATES, "completed")

    def in_states() -> Select:
        return select(Enrolment.id).where(
            Enrolment.employee_id == Employee.id, Enrolment.status.in_(states)
        )

    counted = (
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.employee_id == Employee.id, Enrolment.status.in_(states))
        .scalar_subquery()
    )
    firsts = (
        select(Employee.id, Employee.full_name, counted.label("n"))
        .where(
            Employee.supervisor_id == bindparam("supervisor_id"),
            Employee.is_active.is_(True),
            in_states().exists(),
        )
        .order_by(Employee.full_name, Employee.id)
        .limit(limit)
        .subquery("firsts")
    )
    before = (
        func.sum(firsts.c.n).over(order_by=(firsts.c.full_name, firsts.c.id), rows=(None, 0))
        - firsts.c.n
    )
    needed = select(firsts.c.id, before.label("before")).subquery("needed")
    return (
        select(
            *ENROLMENT_COLUMNS,
            Course.code,
            *RULE_COLUMNS,
            CourseVersion.title,
            Employee.front_title,
            Employee.full_name,
            Employee.back_title,
        )
        .join(Employee, Employee.id == Enrolment.employee_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(
            Employee.id.in_(select(needed.c.id).where(needed.c.before < limit)),
            Enrolment.status.in_(states),
        )
        .order_by(Employee.full_name, Employee.id, Enrolment.requested_at.desc(), Enrolment.id)
        .limit(limit)
    )


class TeamEnrolment(NamedTuple):
    """One row of the supervisor's team table: the enrolment's columns, its course's code and
    completion rules (``completion.states`` judges the row with them), the published version's
    title (None without one) and the employee's name with titles."""

    id: int
    course_id: int
    employee_id: int
    status: str
    progress: int
    code: str
    require_lessons: bool
    require_posttest: bool
    require_evaluation: bool
    title: str | None
    front_title: str | None
    full_name: str
    back_title: str | None

    @property
    def display_name(self) -> str:
        return display_name(self.front_title, self.full_name, self.back_title)


def team_enrolments(user: User, limit: int = 20) -> list[TeamEnrolment]:
    """The team's current and finished enrolments with progress, by the employee's name (each
    person's newest first), in one query (its statement built once): only the enrolments of the
    reports whose rows can be among the first ``limit`` are read and sorted (see
    ``_team_enrolments_stmt``), so a supervisor of 250 people reads some 20 enrolments to show
    20, not 5,000."""
    if user.employee_id is None:
        return []
    stmt = _team_enrolments_stmt(limit)
    return [
        TeamEnrolment(*row) for row in db.session.execute(stmt, {"supervisor_id": user.employee_id})
    ]
