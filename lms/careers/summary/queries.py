"""Reading the summaries: drop-in replacements for the ledger's per-year subqueries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    select,
)

from lms.careers.summary.models import EmployeeYearSummary, UnitPeriodSummary
from lms.org.models import Employee, Unit

S = EmployeeYearSummary


def year_totals(year: int, name: str = "year_summary") -> Subquery:
    """``ledger.queries.jp_totals(year)`` read from the summary: the same columns
    (employee_id, jp_total, jp_teknis, jp_manajerial, jp_sosial_kultural), one row per employee
    with anything that year (outer-join it and coalesce, as with ``jp_totals``)."""
    return (
        select(
            S.employee_id.label("employee_id"),
            S.jp_total.label("jp_total"),
            S.jp_teknis.label("jp_teknis"),
            S.jp_manajerial.label("jp_manajerial"),
            S.jp_sosial_kultural.label("jp_sosial_kultural"),
            S.target_reached_on.label("target_reached_on"),
            S.plan_status.label("plan_status"),
            S.completions.label("completions"),
        )
        .where(S.year == year)
        .subquery(name)
    )


def reached_by(totals: Subquery, until: date) -> ColumnElement[bool]:
    """SQL: the employee's counted JP of the year had reached the general target by ``until``
    (the ledger restricted to records ended by that day, as ``jp_totals_until``)."""
    return and_(totals.c.target_reached_on.is_not(None), totals.c.target_reached_on <= until)


def completions_in_month(year: int, month: int) -> ColumnElement[int]:
    """SQL (a scalar subquery): valid completions of every OPD in one month of the agency's
    calendar, to put beside other figures in one statement."""
    U = UnitPeriodSummary
    return (
        select(func.coalesce(func.sum(U.completions), 0))
        .where(U.year == year, U.month == month)
        .scalar_subquery()
    )


def completions_before_day(day: date) -> ColumnElement[int]:
    """SQL (a scalar subquery): valid completions of every OPD in ``day``'s month before that
    day (local calendar): with the day's own rows from the completions, a month "so far"."""
    U = UnitPeriodSummary
    return (
        select(func.coalesce(func.sum(U.completions), 0))
        .where(U.year == day.year, U.month == day.month, U.day < day.day)
        .scalar_subquery()
    )


def city_counts_statement(months: int) -> Select:
    """One statement (build it once, bind per request) of every OPD's figures that the summaries
    hold, one column each: ``active`` employees (with a unit), ``at_target`` (``year``'s JP at
    or above ``goal``), ``reached_before`` (``prev_year``'s target reached by ``until``),
    ``before_today`` / ``before_day`` (completions in the month of ``today_y/_m`` before day
    ``today_d``, and of ``day_y/_m`` before ``day_d``) and ``month_0`` … (completions in each
    month ``y_k``/``m_k``, from ``first_year`` on). Employee counts read the employee-year
    summary by year; the days are one pass over the (small) OPD-day summary."""
    U = UnitPeriodSummary

    def active():
        return (
            select(func.count())
            .select_from(Employee)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Employee.is_active.is_(True))
        )

    def in_year(param: str):
        return active().join(
            S, and_(S.employee_id == Employee.id, S.year == bindparam(param, type_=Integer))
        )

    def day_sum(k: int):
        return func.coalesce(
            func.sum(
                case(
                    (
                        and_(
                            U.year == bindparam(f"y_{k}", type_=Integer),
                            U.month == bindparam(f"m_{k}", type_=Integer),
                        ),
                        U.completions,
                    ),
                    else_=0,
                )
            ),
            0,
        )

    def before_sum(prefix: str):
        cond = and_(
            U.year == bindparam(f"{prefix}_y", type_=Integer),
            U.month == bindparam(f"{prefix}_m", type_=Integer),
            U.day < bindparam(f"{prefix}_d", type_=Integer),
        )
        return func.coalesce(func.sum(case((cond, U.completions), else_=0)), 0)

    days = (
        select(
            before_sum("today").label("before_today"),
            before_sum("day").label("before_day"),
            *(day_sum(k).label(f"month_{k}") for k in range(months)),
        )
        .where(U.year >= bindparam("first_year", type_=Integer))
        .subquery("days")
    )
    goal = bindparam("goal", type_=Integer)
    return select(
        active().scalar_subquery().label("active"),
        in_year("year").where(S.jp_total >= goal).scalar_subquery().label("at_target"),
        in_year("prev_year")
        .where(reached_by(S.__table__, bindparam("until", type_=Date)))
        .scalar_subquery()
        .label("reached_before"),
        days.c.before_today,
        days.c.before_day,
        *(days.c[f"month_{k}"] for k in range(months)),
    )
