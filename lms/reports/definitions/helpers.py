"""Query helpers shared by the report definitions: filters, aggregates, histograms,
the person columns, and the evaluation questionnaire's sections."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, case, distinct, func, or_, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.courses.models import COMPETENCY_KIND_LABELS, Course
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.questions import SECTION_OF, SECTIONS
from lms.evaluations.services import MIN_RESPONSES
from lms.extensions import db
from lms.indonesian import local_zone
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import Column
from lms.reports.filters import Filters, Scope

KIND_LABELS = COMPETENCY_KIND_LABELS

SCORE_BINS = [(lo, lo + 10) for lo in range(0, 100, 10)]


def local_month(moment):
    """``YYYY-MM`` of a stored UTC moment in the agency's zone, computed in SQL: a completion at
    23:01 UTC on 30 November counts in December (06:01 WIB on 1 December)."""
    zone = local_zone()
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no zones: shift by the zone's offset now (Indonesia keeps no summer time).
        offset = int(datetime.now(UTC).astimezone(zone).utcoffset().total_seconds())
        return func.strftime("%Y-%m", moment, f"{offset:+d} seconds")
    return func.to_char(func.timezone(zone.key, moment), "YYYY-MM")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filter_period(stmt: Select, f: Filters, moment, year_col=None) -> Select:
    if f.year is not None:
        if year_col is not None:
            stmt = stmt.where(year_col == f.year)
        else:
            stmt = stmt.where(
                moment >= day_start(date(f.year, 1, 1)), moment < day_start(date(f.year + 1, 1, 1))
            )
    if f.date_from is not None:
        stmt = stmt.where(moment >= day_start(f.date_from))
    if f.date_to is not None:
        stmt = stmt.where(moment < day_start(f.date_to + timedelta(days=1)))
    return stmt


def filter_people(stmt: Select, f: Filters, employee, unit, extra_unit=None) -> Select:
    if f.unit_path:
        clause = unit.path.startswith(f.unit_path)
        if extra_unit is not None:
            clause = or_(clause, extra_unit.path.startswith(f.unit_path))
        stmt = stmt.where(clause)
    if f.jabatan:
        stmt = stmt.where(employee.jabatan_type_code == f.jabatan)
    if f.golongan:
        stmt = stmt.where(employee.golongan_code == f.golongan)
    return stmt


def people_joins(scope: Scope, f: Filters) -> bool:
    """Whether a row query needs its employee and unit joins: the scope or a filter reads them
    (everything else only displays them)."""
    return (
        not scope.everything
        and scope.partner_id is None
        or bool(f.unit_path or f.jabatan or f.golongan)
    )


def score_bin(col) -> object:
    """The 0–10, 10–20, … bin index of a score (100 falls in the last bin), portable SQL."""
    whens = [(col < hi, i) for i, (_lo, hi) in enumerate(SCORE_BINS[:-1])]
    return case(*whens, else_=len(SCORE_BINS) - 1)


def score_histogram(title: str, sub, col_name: str) -> charts.Chart:
    col = sub.c[col_name]
    bin_ = score_bin(col).label("bin")
    counts = dict(
        db.session.execute(
            select(bin_, func.count()).select_from(sub).where(col.is_not(None)).group_by(bin_)
        ).all()
    )
    labels = [f"{lo}–{hi}" for lo, hi in SCORE_BINS]
    values = [int(counts.get(i, 0)) for i in range(len(SCORE_BINS))]
    return charts.bar_chart(
        title, labels, values, value_header=_("Jumlah"), label_header=_("Rentang nilai"), height=300
    )


def quantized(value) -> object:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def count_if(col, value: str) -> object:
    """How many rows have ``col == value`` (0, not NULL, when none)."""
    return func.coalesce(func.sum(case((col == value, 1), else_=0)), 0)


def rows_people_mean(sub: Subquery, col_name: str) -> tuple[int, int, object]:
    """Rows, distinct employees and the mean of one column (two decimals) of a subquery."""
    n, people, mean = db.session.execute(
        select(
            func.count(), func.count(distinct(sub.c.employee_id)), func.avg(sub.c[col_name])
        ).select_from(sub)
    ).one()
    return n, people, quantized(mean)


def status_counts(sub: Subquery) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(sub.c.status, func.count()).select_from(sub).group_by(sub.c.status)
        ).all()
    )


def person_columns(*, unit: bool = True, opd: bool = False) -> list[Column]:
    """NIP, name, and the work unit and/or perangkat daerah: the first columns of a person row."""
    return [
        Column("nip", _l("NIP")),
        Column("nama", _l("Nama")),
        *([Column("unit", _l("Unit kerja"))] if unit else []),
        *([Column("opd", _l("Perangkat daerah"))] if opd else []),
    ]


def _partner_of(model: type):
    """The partner institution of the row's course (``model.course_id``), for a partner scope."""
    return select(Course.partner_id).where(Course.id == model.course_id).scalar_subquery()


def evaluations_in_scope(scope: Scope, f: Filters, course_ids: list[int] | None = None) -> Select:
    cur = aliased(Unit)
    stmt = (
        select(CourseEvaluation.course_id, CourseEvaluation.ratings)
        .join(Employee, Employee.id == CourseEvaluation.employee_id)
        .join(cur, cur.id == Employee.unit_id)
        .where(scope.employee_clause(Employee, cur, partner=_partner_of(CourseEvaluation)))
    )
    stmt = filter_period(stmt, f, CourseEvaluation.submitted_at)
    stmt = filter_people(stmt, f, Employee, cur)
    if course_ids is not None:
        stmt = stmt.where(CourseEvaluation.course_id.in_(course_ids))
    return stmt


def per_course(
    scope: Scope,
    f: Filters,
    model: type,
    course_ids: list[int],
    condition,
    moment,
    year_col=None,
) -> dict[int, int]:
    """Rows of ``model`` (enrolments, completions) per course, for learners in scope and filters."""
    cur = aliased(Unit)
    stmt = (
        select(model.course_id, func.count(model.id))
        .join(Employee, Employee.id == model.employee_id)
        .join(cur, cur.id == Employee.unit_id)
        .where(
            model.course_id.in_(course_ids),
            condition,
            scope.employee_clause(Employee, cur),
        )
    )
    stmt = filter_people(filter_period(stmt, f, moment, year_col), f, Employee, cur)
    return dict(db.session.execute(stmt.group_by(model.course_id)).all())


def section_map() -> tuple[list[tuple[str, str]], dict[str, str]]:
    return [(s.key, str(s.title)) for s in SECTIONS], dict(SECTION_OF)


def too_few(responses: dict[int, int]) -> set[int]:
    """Courses with fewer responses (in the reader's scope and filters) than the evaluation
    page needs before it shows figures: their ratings stay out of every mean, total and chart of
    a report, for every reader, because report files travel (downloads, scheduled e-mails) where
    one respondent's answers would be read off a "mean" of one or two."""
    return {course_id for course_id, n in responses.items() if n < MIN_RESPONSES}


def valid_ratings(ratings: dict | None) -> list[tuple[str, int]]:
    out = []
    for key, value in (ratings or {}).items():
        if isinstance(value, int | float) and 1 <= value <= 5:
            out.append((key, value))
    return out
