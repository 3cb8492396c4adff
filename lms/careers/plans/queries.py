"""Read side of development plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, select

from lms.careers.plans.models import DevelopmentPlan
from lms.courses.models import Course, CourseVersion
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import WatchedGeneration, db
from lms.org.models import Employee, display_name

#: Starts anew after a committed write (any process) of a development plan: submitted,
#: approved, returned, edited. A few a year per employee: the supervisor's kept dashboard section
#: of plans waiting for them names it, so a submitted plan and their own decision show at once.
PLANS = WatchedGeneration("careers:plans", (DevelopmentPlan,))


class WaitingPlan(NamedTuple):
    """A plan waiting for the supervisor as the dashboard lists it: its id and year and the
    employee's name with titles (the columns shown, no model)."""

    id: int
    year: int
    front_title: str | None
    full_name: str
    back_title: str | None

    @property
    def display_name(self) -> str:
        return display_name(self.front_title, self.full_name, self.back_title)


@lru_cache(maxsize=4)
def _plans_waiting_stmt(limit: int) -> Select:
    return (
        select(
            DevelopmentPlan.id,
            DevelopmentPlan.year,
            Employee.front_title,
            Employee.full_name,
            Employee.back_title,
        )
        .join(Employee, Employee.id == DevelopmentPlan.employee_id)
        .where(
            Employee.supervisor_id == bindparam("supervisor_id"),
            DevelopmentPlan.status == "submitted",
        )
        .order_by(DevelopmentPlan.submitted_at, DevelopmentPlan.id)
        .limit(limit)
    )


def plans_waiting(supervisor_id: int, limit: int = 10) -> list[WaitingPlan]:
    """Plans of the supervisor's direct reports waiting for them, oldest first: the columns
    shown (statement built once: the supervisor's dashboard reads it on every visit)."""
    return [
        WaitingPlan(*row)
        for row in db.session.execute(_plans_waiting_stmt(limit), {"supervisor_id": supervisor_id})
    ]


def course_choices() -> list[tuple[int, str, Decimal]]:
    """Published, unarchived courses a plan may name: (id, title, JP), by title."""
    rows = db.session.execute(
        select(Course.id, CourseVersion.title, CourseVersion.jp)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
        .order_by(CourseVersion.title, Course.id)
    ).all()
    return [(cid, title, jp) for cid, title, jp in rows]


def open_cohorts(today: date) -> list[tuple[int, str]]:
    """Cohorts that have not ended yet: (id, name), by start."""
    rows = db.session.execute(
        select(Cohort.id, Cohort.name)
        .where(Cohort.ends_on >= today)
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    return [(cid, name) for cid, name in rows]
