"""Computing the summary rows from the source rows: one statement per table, two uses.

``employee_rows(year, employee_ids)`` and ``unit_rows(where)`` are the only definitions of the
summaries. ``apply_employee_years`` and ``apply_unit_days`` (the incremental path, a few
rows) and ``rebuild`` (whole years) both delete the rows concerned and insert what these
statements return, inside the caller's transaction (services flush, never commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    Subquery,
    bindparam,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    select,
    union,
)

from lms.careers.ledger.queries import target
from lms.careers.plans.models import DevelopmentPlan
from lms.careers.records.models import LearningRecord
from lms.careers.summary.models import EmployeeYearSummary, UnitPeriodSummary
from lms.completion.counting import counts_once, local_day
from lms.completion.models import Completion
from lms.extensions import db
from lms.indonesian import local_date, local_zone

EMPLOYEE_COLUMNS = (
    "employee_id",
    "year",
    "jp_total",
    "jp_teknis",
    "jp_manajerial",
    "jp_sosial_kultural",
    "completions",
    "plan_status",
    "target_reached_on",
)
UNIT_COLUMNS = ("unit_id", "year", "month", "day", "completions", "jp")
CHUNK = 500  # employee ids per statement (well under SQLite's parameter limit)


# --- per employee and year -----------------------------------------------------------------------


def _limit(stmt: Select, column, employee_ids: Any) -> Select:
    return stmt if employee_ids is None else stmt.where(column.in_(employee_ids))


def _year_is(column, year: Any, employee_ids: Any):
    """``column == year``; for a few employees written so that no index on the year can serve
    it: SQLite, without statistics, would read a whole year by the year index (half a million
    completions on the bench) instead of these employees' rows by theirs."""
    return (column + 0 if employee_ids is not None else column) == year


def _kind_sum(kind: str):
    return func.coalesce(
        func.sum(case((LearningRecord.competency_kind == kind, LearningRecord.jp), else_=0)), 0
    )


def _ledger(year: Any, employee_ids: Any) -> Subquery:
    """The ledger's ``jp_totals(year)`` (same filters, same columns) for these employees; the
    tests check it against ``jp_totals`` itself."""
    return _limit(
        select(
            LearningRecord.employee_id.label("employee_id"),
            func.coalesce(func.sum(LearningRecord.jp), 0).label("jp_total"),
            _kind_sum("teknis").label("jp_teknis"),
            _kind_sum("manajerial").label("jp_manajerial"),
            _kind_sum("sosial_kultural").label("jp_sosial_kultural"),
        )
        .where(
            _year_is(LearningRecord.year, year, employee_ids),
            LearningRecord.status == "verified",
            counts_once(LearningRecord.completion_id),
        )
        .group_by(LearningRecord.employee_id),
        LearningRecord.employee_id,
        employee_ids,
    ).subquery("ledger")


def _reached_on(year: int, employee_ids: list[int] | None):
    """employee_id, the first ``ends_on`` by which the ledger's JP reached the general target
    (the dashboard's ``jp_totals_until``: records that ended by a day, summed)."""
    daily = _limit(
        select(
            LearningRecord.employee_id.label("employee_id"),
            LearningRecord.ends_on.label("ends_on"),
            func.sum(LearningRecord.jp).label("jp"),
        ).where(
            _year_is(LearningRecord.year, year, employee_ids),
            LearningRecord.status == "verified",
            counts_once(LearningRecord.completion_id),
        ),
        LearningRecord.employee_id,
        employee_ids,
    ).group_by(LearningRecord.employee_id, LearningRecord.ends_on)
    daily = daily.subquery("daily")
    running = select(
        daily.c.employee_id,
        daily.c.ends_on,
        func.sum(daily.c.jp)
        .over(partition_by=daily.c.employee_id, order_by=daily.c.ends_on)
        .label("cumulative"),
    ).subquery("running")
    return (
        select(running.c.employee_id, func.min(running.c.ends_on).label("reached_on"))
        .where(running.c.cumulative >= target())
        .group_by(running.c.employee_id)
        .subquery("reached")
    )


def employee_rows(year: int | BindParameter, employee_ids: Any = None) -> Select:
    """The summary rows of ``year`` (only these employees when given), in ``EMPLOYEE_COLUMNS``
    order: every employee with a counted record, a valid completion or a plan that year."""
    ledger = _ledger(year, employee_ids)
    done = _limit(
        select(Completion.employee_id.label("employee_id"), func.count().label("n"))
        .where(_year_is(Completion.year, year, employee_ids), Completion.status == "valid")
        .group_by(Completion.employee_id),
        Completion.employee_id,
        employee_ids,
    ).subquery("done")
    plans = _limit(
        select(
            DevelopmentPlan.employee_id.label("employee_id"),
            DevelopmentPlan.status.label("status"),
        ).where(DevelopmentPlan.year == year),
        DevelopmentPlan.employee_id,
        employee_ids,
    ).subquery("plans")
    reached = _reached_on(year, employee_ids)
    keys = union(
        select(ledger.c.employee_id), select(done.c.employee_id), select(plans.c.employee_id)
    ).subquery("keys")
    return (
        select(
            keys.c.employee_id,
            (year if isinstance(year, BindParameter) else literal(year)).label("year"),
            func.coalesce(ledger.c.jp_total, 0),
            func.coalesce(ledger.c.jp_teknis, 0),
            func.coalesce(ledger.c.jp_manajerial, 0),
            func.coalesce(ledger.c.jp_sosial_kultural, 0),
            func.coalesce(done.c.n, 0),
            plans.c.status,
            reached.c.reached_on,
        )
        .select_from(keys)
        .outerjoin(ledger, ledger.c.employee_id == keys.c.employee_id)
        .outerjoin(done, done.c.employee_id == keys.c.employee_id)
        .outerjoin(plans, plans.c.employee_id == keys.c.employee_id)
        .outerjoin(reached, reached.c.employee_id == keys.c.employee_id)
    )


_CACHE: dict[tuple, Select] = {}


def _cached(kind: str, build: Callable[[], Select]) -> Select:
    """A statement built once per dialect, general target and zone (building one costs more
    than running it for a few rows); the values go in as bound parameters."""
    key = (kind, db.session.get_bind().dialect.name, target(), local_zone().key)
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def _employee_stmt() -> Select:
    return _cached(
        "employee",
        lambda: employee_rows(bindparam("year", type_=Integer), bindparam("ids", expanding=True)),
    )


def _unit_stmt() -> Select:
    return _cached(
        "unit",
        lambda: unit_rows(
            func.coalesce(Completion.unit_id, 0) == bindparam("unit", type_=Integer),
            Completion.completed_at >= bindparam("low"),
            Completion.completed_at < bindparam("high"),
        ),
    )


#: Advisory lock classes (PostgreSQL): one transaction at a time recomputes an employee's or
#: an OPD's rows, so two commits touching the same row neither collide on its key nor write a
#: figure computed before the other's rows were visible (READ COMMITTED: each statement after
#: the lock sees what the previous holder committed). SQLite has one writer at a time anyway.
LOCK_EMPLOYEE = 19001
LOCK_UNIT = 19002


def _lock(kind: int, keys: Iterable[int]) -> None:
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):  # one order everywhere: no deadlock between two settlers
        db.session.execute(
            select(
                func.pg_advisory_xact_lock(
                    cast(literal(kind), Integer), cast(literal(key), Integer)
                )
            )
        )


def apply_employee_years(pairs: Iterable[tuple[int, int]]) -> int:
    """Recompute these (employee_id, year) rows from the source rows; returns rows written."""
    by_year: dict[int, set[int]] = {}
    for employee_id, year in pairs:
        by_year.setdefault(int(year), set()).add(int(employee_id))
    _lock(LOCK_EMPLOYEE, (e for ids in by_year.values() for e in ids))
    table = EmployeeYearSummary.__table__
    written = 0
    for year, ids in sorted(by_year.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            db.session.execute(
                delete(table).where(table.c.year == year, table.c.employee_id.in_(chunk))
            )
            result = db.session.execute(
                insert(table).from_select(EMPLOYEE_COLUMNS, _employee_stmt()),
                {"year": year, "ids": chunk},
            )
            written += max(result.rowcount or 0, 0)
    return written


# --- per unit and day ----------------------------------------------------------------------------


def local_ymd(moment) -> tuple:
    """SQL: (year, month, day) of a stored UTC moment in the agency's calendar."""
    day = local_day(moment)
    if db.session.get_bind().dialect.name == "sqlite":
        return tuple(
            cast(func.substr(day, start, length), Integer)
            for start, length in ((1, 4), (6, 2), (9, 2))
        )
    return tuple(cast(extract(part, day), Integer) for part in ("year", "month", "day"))


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[local midnight starting ``first``, local midnight after ``last``) as UTC moments (the
    dashboard's ``utc_start``)."""
    zone = local_zone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def unit_rows(*where) -> Select:
    """The unit-day rows of the valid completions matching ``where``, ``UNIT_COLUMNS`` order."""
    year, month, day = local_ymd(Completion.completed_at)
    unit = func.coalesce(Completion.unit_id, 0)
    counted = case((counts_once(Completion.id), Completion.jp), else_=0)
    return (
        select(
            unit.label("unit_id"),
            year.label("year"),
            month.label("month"),
            day.label("day"),
            func.count().label("completions"),
            func.coalesce(func.sum(counted), 0).label("jp"),
        )
        .where(Completion.status == "valid", *where)
        .group_by(unit, year, month, day)
    )


def unit_day_of(unit_id: int | None, completed_at: datetime) -> tuple[int, int, int, int]:
    day = local_date(completed_at)
    return (unit_id or 0, day.year, day.month, day.day)


def apply_unit_days(buckets: Iterable[tuple[int, int, int, int]]) -> int:
    """Recompute these (unit_id, year, month, day) rows from the completions; rows written."""
    table = UnitPeriodSummary.__table__
    written = 0
    buckets = sorted(set(buckets))
    _lock(LOCK_UNIT, (b[0] for b in buckets))
    for unit_id, year, month, day in buckets:
        low, high = day_bounds(date(year, month, day), date(year, month, day))
        db.session.execute(
            delete(table).where(
                table.c.unit_id == unit_id,
                table.c.year == year,
                table.c.month == month,
                table.c.day == day,
            )
        )
        result = db.session.execute(
            insert(table).from_select(UNIT_COLUMNS, _unit_stmt()),
            {"unit": unit_id, "low": low, "high": high},
        )
        written += max(result.rowcount or 0, 0)
    return written


# --- rebuild -------------------------------------------------------------------------------------


def summary_years() -> list[int]:
    """Every year a source row names (records, completions, plans)."""
    stmt = union(select(LearningRecord.year), select(Completion.year), select(DevelopmentPlan.year))
    return sorted(int(y) for (y,) in db.session.execute(stmt).all())


def rebuild(year: int | None = None) -> dict[str, int]:
    """Recompute every summary row (of ``year`` only, when given) from the source rows."""
    years = [year] if year is not None else summary_years()
    employees = EmployeeYearSummary.__table__
    units = UnitPeriodSummary.__table__
    written = {"employee_year": 0, "unit_period": 0}
    if year is None:
        db.session.execute(delete(employees))
        db.session.execute(delete(units))
    for y in years:
        if year is not None:
            db.session.execute(delete(employees).where(employees.c.year == y))
        result = db.session.execute(
            insert(employees).from_select(EMPLOYEE_COLUMNS, employee_rows(y))
        )
        written["employee_year"] += max(result.rowcount or 0, 0)
    if year is None:
        stmt = unit_rows()
    else:
        low, high = day_bounds(date(year, 1, 1), date(year, 12, 31))  # the local year
        db.session.execute(delete(units).where(units.c.year == year))
        stmt = unit_rows(Completion.completed_at >= low, Completion.completed_at < high)
    result = db.session.execute(insert(units).from_select(UNIT_COLUMNS, stmt))
    written["unit_period"] = max(result.rowcount or 0, 0)
    db.session.flush()
    return written


def employee_years_of(employee_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Every (employee, year) whose JP-once counting a change of these employees' cohort places
    can move: the years of their completion-fed records."""
    ids = sorted(set(employee_ids))
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        pairs.update(
            (int(e), int(y))
            for e, y in db.session.execute(
                select(LearningRecord.employee_id, LearningRecord.year)
                .where(
                    LearningRecord.employee_id.in_(chunk),
                    LearningRecord.completion_id.is_not(None),
                )
                .distinct()
            ).all()
        )
    return pairs


def unit_days_of(employee_ids: Iterable[int]) -> set[tuple[int, int, int, int]]:
    """Every unit-day holding a valid course completion of these employees (their counted JP
    moves with their cohort places)."""
    ids = sorted(set(employee_ids))
    found: set[tuple[int, int, int, int]] = set()
    year, month, day = local_ymd(Completion.completed_at)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(
            (int(u), int(y), int(m), int(d))
            for u, y, m, d in db.session.execute(
                select(func.coalesce(Completion.unit_id, 0), year, month, day)
                .where(
                    Completion.employee_id.in_(chunk),
                    Completion.course_id.is_not(None),
                    Completion.status == "valid",
                )
                .distinct()
            ).all()
        )
    return found
