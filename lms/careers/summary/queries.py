"""Reading the summaries: drop-in replacements for the ledger's per-year subqueries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Subquery, and_, func, select

from lms.careers.summary.models import EmployeeYearSummary, UnitPeriodSummary

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
