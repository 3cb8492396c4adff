"""Keeping the summaries current: watch the unit of work, recompute before the commit.

``after_flush`` notes which employee-years and unit-days the flushed rows touch (old and new
values of the columns the summaries read, so a moved record updates both years); the session's
``before_commit`` recomputes them from the source rows with ``services`` (the rebuild's own
statements) inside the same transaction. Whatever path writes a learning record, a completion,
a plan or a cohort fact (the outbox consumer, HR's verification, an import, a confirmed
session, closing a cohort) updates the summaries with it; a rollback drops both together.

Bulk statements that bypass the ORM (``session.execute(update(...))``) are not seen: no path
writes these tables that way today; a bulk loader sets ``session.info[DISABLED] = True`` and
runs ``flask summary rebuild`` afterwards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from lms.careers.plans.models import DevelopmentPlan
from lms.careers.records.models import LearningRecord
from lms.careers.summary import services
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, CohortMember, ProgrammeCourse

MARKS = "summary_marks"
DISABLED = "summary_tracking_off"

# The columns each summary reads; a change of any other column touches nothing.
WATCHED: dict[type, tuple[str, ...]] = {
    LearningRecord: (
        "employee_id",
        "year",
        "status",
        "jp",
        "competency_kind",
        "ends_on",
        "completion_id",
    ),
    Completion: (
        "employee_id",
        "year",
        "status",
        "jp",
        "completed_at",
        "unit_id",
        "course_id",
    ),
    DevelopmentPlan: ("employee_id", "year", "status"),
    CohortMember: ("employee_id", "cohort_id", "status", "result"),
    Cohort: ("programme_id", "starts_on", "ends_on"),
    ProgrammeCourse: ("programme_id", "course_id"),
}


def _marks(session: Session) -> dict[str, set]:
    return session.info.setdefault(
        MARKS,
        {"pairs": set(), "units": set(), "employees": set(), "cohorts": set(), "programmes": set()},
    )


def _values(obj: Any, attr: str) -> tuple[list, bool]:
    """(old and new values of ``attr``, whether it changed in this flush)."""
    history = inspect(obj).attrs[attr].history
    values = [*history.added, *history.unchanged, *history.deleted]
    return [v for v in values if v is not None], bool(history.added or history.deleted)


def _touched(obj: Any, attrs: tuple[str, ...], is_dirty: bool) -> dict[str, list] | None:
    """Each watched attribute's old and new values, or None when a dirty row changed none."""
    found: dict[str, list] = {}
    changed = False
    for attr in attrs:
        values, moved = _values(obj, attr)
        found[attr] = values
        changed = changed or moved
    if is_dirty and not changed:
        return None
    return found


def _note(marks: dict[str, set], obj: Any, values: dict[str, list]) -> None:
    if isinstance(obj, LearningRecord | DevelopmentPlan):
        marks["pairs"].update((e, y) for e in values["employee_id"] for y in values["year"])
    elif isinstance(obj, Completion):
        marks["pairs"].update((e, y) for e in values["employee_id"] for y in values["year"])
        marks["units"].update(
            services.unit_day_of(u, moment)
            for u in (values["unit_id"] or [None])
            for moment in values["completed_at"]
        )
    elif isinstance(obj, CohortMember):
        marks["employees"].update(values["employee_id"])
    elif isinstance(obj, Cohort):
        if obj.id is not None:
            marks["cohorts"].add(obj.id)
    elif isinstance(obj, ProgrammeCourse):
        marks["programmes"].update(values["programme_id"])


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if session.info.get(DISABLED):
        return
    marks = None
    for group, is_dirty in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for obj in group:
            attrs = WATCHED.get(type(obj))
            if attrs is None:
                continue
            values = _touched(obj, attrs, is_dirty)
            if values is None:
                continue
            marks = marks if marks is not None else _marks(session)
            _note(marks, obj, values)


def _employees_of(session: Session, cohorts: set[int], programmes: set[int]) -> set[int]:
    stmt = select(CohortMember.employee_id).join(Cohort, Cohort.id == CohortMember.cohort_id)
    found: set[int] = set()
    if cohorts:
        found.update(session.scalars(stmt.where(Cohort.id.in_(sorted(cohorts)))).all())
    if programmes:
        found.update(session.scalars(stmt.where(Cohort.programme_id.in_(sorted(programmes)))))
    return found


def settle(session: Session) -> None:
    """Recompute everything noted so far (flushing first), until nothing is left."""
    for _round in range(10):
        session.flush()
        marks = session.info.pop(MARKS, None)
        if not marks or not any(marks.values()):
            return
        employees = set(marks["employees"])
        employees |= _employees_of(session, marks["cohorts"], marks["programmes"])
        pairs = set(marks["pairs"])
        units = set(marks["units"])
        if employees:
            pairs |= services.employee_years_of(employees)
            units |= services.unit_days_of(employees)
        services.apply_employee_years(pairs)
        services.apply_unit_days(units)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Only the outermost commit settles (a savepoint's commit fires this too): once per
    transaction, whatever number of savepoints the services open."""
    if session.info.get(DISABLED) or session.in_nested_transaction():
        return
    settle(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """Marks of rolled-back work name rows that never were; recomputing them would be harmless,
    dropping them keeps the next commit cheap."""
    if not session.in_transaction():
        session.info.pop(MARKS, None)
