"""Read side of the results pages: a fixed number of queries whatever the number of responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from lms.courses.models import Course, CourseVersion
from lms.evaluations.models import CourseEvaluation
from lms.extensions import db
from lms.indonesian import local_zone
from lms.org.models import Employee, Unit

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    version_id: int | None = None
    since: date | None = None  # local (WIB) calendar days, inclusive
    until: date | None = None
    unit_path: str | None = None  # only participants whose unit is in this subtree (Admin OPD)


def _local_midnight(day: date) -> datetime:
    zone = local_zone()
    return datetime.combine(day, time.min, tzinfo=zone)


def _filtered(query: Select, course: Course, f: Filters) -> Select:
    query = query.where(CourseEvaluation.course_id == course.id)
    if f.version_id:
        query = query.where(CourseEvaluation.version_id == f.version_id)
    if f.since:
        query = query.where(CourseEvaluation.submitted_at >= _local_midnight(f.since))
    if f.until:
        query = query.where(
            CourseEvaluation.submitted_at < _local_midnight(f.until + timedelta(days=1))
        )
    if f.unit_path:
        query = (
            query.join(Employee, Employee.id == CourseEvaluation.employee_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Unit.path.startswith(f.unit_path, autoescape=True))
        )
    return query


def answers(course: Course, f: Filters) -> list[tuple[dict, dict]]:
    """(ratings, comments) of every response in scope, without any identity: one query."""
    query = _filtered(select(CourseEvaluation.ratings, CourseEvaluation.comments), course, f)
    return [(ratings, comments) for ratings, comments in db.session.execute(query)]


@dataclass(frozen=True)
class Response:
    name: str
    nip: str
    unit: str
    version: int | None
    submitted_at: datetime
    ratings: dict
    comments: dict


def responses(course: Course, f: Filters, page: int = 1) -> tuple[list[Response], int]:
    """Individual responses with names (HR only): a count and one page, two queries."""
    total = db.session.scalar(_filtered(select(func.count(CourseEvaluation.id)), course, f)) or 0
    query = (
        select(CourseEvaluation, Employee, Unit.name, CourseVersion.number)
        .join(Employee, Employee.id == CourseEvaluation.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(CourseVersion, CourseVersion.id == CourseEvaluation.version_id)
    )
    # _filtered joins Employee/Unit itself for the unit filter: filter on the joined ones here.
    scoped = Filters(f.version_id, f.since, f.until, None)
    query = _filtered(query, course, scoped)
    if f.unit_path:
        query = query.where(Unit.path.startswith(f.unit_path, autoescape=True))
    query = (
        query.order_by(CourseEvaluation.submitted_at.desc(), CourseEvaluation.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    rows = [
        Response(
            employee.display_name,
            employee.nip_display,
            unit_name,
            number,
            evaluation.submitted_at,
            evaluation.ratings or {},
            evaluation.comments or {},
        )
        for evaluation, employee, unit_name, number in db.session.execute(query)
    ]
    return rows, total


def versions(course: Course) -> list[tuple[int, int]]:
    """(id, number) of the course's versions that were ever published, newest first."""
    rows = db.session.execute(
        select(CourseVersion.id, CourseVersion.number)
        .where(
            CourseVersion.course_id == course.id,
            CourseVersion.status.in_(("published", "archived")),
        )
        .order_by(CourseVersion.number.desc())
    )
    return [(version_id, number) for version_id, number in rows]
