"""The plan against what happened: per accepted item, the enrolments and completions of its
course (in the plan's year) or of its cohort, of its OPD's employees (at completion: the OPD the
completion recorded) and, when participants are named, of them only.

An employee counts as enrolled when they enrolled in the year (still nominated, waitlisted,
learning or done) or completed in it; completed when a valid completion exists; the realised JP
are the completions' own. An item not linked to a course or cohort yet (a new one) has nothing
to count. Three queries for the whole plan; the matching is pure (``progress_of``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.careers.akpk.models import AgencyPlanItem
from lms.careers.akpk.services import QUARTERS, quarter_label
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.indonesian import from_local, local_date
from lms.org.models import Employee, Unit

#: Enrolment and member states that mean taking part (not withdrawn or rejected).
TAKING_PART = ("nominated", "waitlisted", "active", "completed")


@dataclass(frozen=True)
class Done:
    """A valid completion of a planned course or cohort."""

    course_id: int | None
    cohort_id: int | None
    employee_id: int
    path: str  # the OPD's path at completion ("" when unknown)
    jp: Decimal
    day: date


@dataclass(frozen=True)
class Joined:
    """An enrolment in a planned course (this year) or a place in a planned cohort."""

    course_id: int | None
    cohort_id: int | None
    employee_id: int
    path: str  # the employee's unit path


@dataclass(frozen=True)
class Spec:
    """What one item counts: its course or cohort, its OPD's path ('' for every OPD) and the
    named participants (empty: anyone)."""

    course_id: int | None
    cohort_id: int | None
    path: str
    named: frozenset[int] = frozenset()


@dataclass
class Progress:
    item: AgencyPlanItem
    enrolled: int = 0
    completed: int = 0
    jp: Decimal = Decimal(0)
    days: list[date] = field(default_factory=list)

    @property
    def percent(self) -> int:
        """Completed participants against the target, in whole percent (may pass 100)."""
        target = self.item.target_count
        return round(100 * self.completed / target) if target else 0

    @property
    def bar(self) -> int:
        return min(self.percent, 100)


def _mine(
    spec: Spec, course_id: int | None, cohort_id: int | None, employee: int, path: str
) -> bool:
    if spec.course_id is not None:
        if course_id != spec.course_id:
            return False
    elif spec.cohort_id is None or cohort_id != spec.cohort_id:
        return False
    if spec.named:
        return employee in spec.named
    return path.startswith(spec.path)


def progress_of(
    spec: Spec, done: Iterable[Done], joined: Iterable[Joined]
) -> tuple[set, set, Decimal, list[date]]:
    """Pure: (employees enrolled, employees completed, realised JP, completion days)."""
    completed: dict[int, Done] = {}
    for d in done:
        if _mine(spec, d.course_id, d.cohort_id, d.employee_id, d.path):
            completed.setdefault(d.employee_id, d)
    enrolled = {
        j.employee_id
        for j in joined
        if _mine(spec, j.course_id, j.cohort_id, j.employee_id, j.path)
    }
    jp = sum((d.jp for d in completed.values()), Decimal(0))
    return enrolled | set(completed), set(completed), jp, [d.day for d in completed.values()]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))


def _rows(items: Sequence[AgencyPlanItem], year: int) -> tuple[list[Done], list[Joined]]:
    courses = {i.course_id for i in items if i.course_id is not None}
    cohorts = {i.cohort_id for i in items if i.cohort_id is not None}
    if not courses and not cohorts:
        return [], []
    opd = aliased(Unit)
    done = [
        Done(c, h, e, path or "", jp, local_date(at))
        for c, h, e, path, jp, at in db.session.execute(
            select(
                Completion.course_id,
                Completion.cohort_id,
                Completion.employee_id,
                opd.path,
                Completion.jp,
                Completion.completed_at,
            )
            .outerjoin(opd, opd.id == Completion.unit_id)
            .where(
                Completion.status == "valid",
                or_(
                    and_(Completion.course_id.in_(courses), Completion.year == year),
                    Completion.cohort_id.in_(cohorts),
                ),
            )
        )
    ]
    start, end = _year_bounds(year)
    joined = [
        Joined(c, None, e, p)
        for c, e, p in db.session.execute(
            select(Enrolment.course_id, Enrolment.employee_id, Unit.path)
            .join(Employee, Employee.id == Enrolment.employee_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(
                Enrolment.course_id.in_(courses),
                Enrolment.status.in_(TAKING_PART),
                Enrolment.requested_at >= start,
                Enrolment.requested_at < end,
            )
        )
    ]
    joined += [
        Joined(None, h, e, p)
        for h, e, p in db.session.execute(
            select(CohortMember.cohort_id, CohortMember.employee_id, Unit.path)
            .join(Employee, Employee.id == CohortMember.employee_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(CohortMember.cohort_id.in_(cohorts), CohortMember.status.in_(TAKING_PART))
        )
    ]
    return done, joined


def spec_of(item: AgencyPlanItem) -> Spec:
    return Spec(
        item.course_id,
        item.cohort_id,
        item.unit.path if item.unit is not None else "",
        frozenset(p.employee_id for p in item.participants),
    )


def realisation(items: Sequence[AgencyPlanItem], year: int) -> list[Progress]:
    """The progress of every item given (the accepted ones of a plan), in their order."""
    done, joined = _rows(items, year)
    out = []
    for item in items:
        if item.is_new:
            out.append(Progress(item))
            continue
        enrolled, completed, jp, days = progress_of(spec_of(item), done, joined)
        out.append(Progress(item, len(enrolled), len(completed), jp, days))
    return out


@dataclass
class Totals:
    items: int = 0
    target: int = 0
    enrolled: int = 0
    completed: int = 0
    planned_jp: Decimal = Decimal(0)
    jp: Decimal = Decimal(0)
    budget: Decimal = Decimal(0)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.target) if self.target else 0


def totals(progress: Iterable[Progress]) -> Totals:
    t = Totals()
    for p in progress:
        t.items += 1
        t.target += p.item.target_count
        t.enrolled += p.enrolled
        t.completed += p.completed
        t.planned_jp += p.item.total_jp
        t.jp += p.jp
        t.budget += p.item.budget
    return t


def _quarter(day: date, year: int) -> int:
    if day.year < year:
        return 1
    if day.year > year:
        return 4
    return (day.month - 1) // 3 + 1


def quarter_chart(progress: Sequence[Progress], year: int) -> charts.Chart:
    """Participants planned and completed, added up quarter by quarter."""
    planned = [0] * 4
    completed = [0] * 4
    for p in progress:
        planned[p.item.quarter - 1] += p.item.target_count
        for day in p.days:
            completed[_quarter(day, year) - 1] += 1
    running_plan = [sum(planned[: q + 1]) for q in range(4)]
    running_done = [sum(completed[: q + 1]) for q in range(4)]
    return charts.line_chart(
        _("Peserta direncanakan dan selesai %(y)s (kumulatif)", y=year),
        [quarter_label(q + 1) for q in range(len(QUARTERS))],
        {_("Direncanakan"): running_plan, _("Selesai"): running_done},
        label_header=_("Triwulan"),
    )
