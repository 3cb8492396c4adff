"""The JP ledger: verified JP per employee and year, split by competency kind.

Read from ``learning_records`` (verified only), in the year the learning ended. Other features
(dashboards, reports, the supervisor's team table) join ``jp_totals(year)`` rather than summing
on their own, so every screen agrees.
"""

from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import Subquery, case, func, select

from lms.careers.models import LearningRecord
from lms.extensions import db


def target() -> int:
    return int(current_app.config.get("JP_TARGET", 20))


def _kind_sum(kind: str):  # noqa: ANN202
    return func.coalesce(
        func.sum(case((LearningRecord.competency_kind == kind, LearningRecord.jp), else_=0)), 0
    )


def jp_totals(year: int) -> Subquery:
    """A subquery: employee_id, jp_total, jp_teknis, jp_manajerial, jp_sosial_kultural."""
    return (
        select(
            LearningRecord.employee_id.label("employee_id"),
            func.coalesce(func.sum(LearningRecord.jp), 0).label("jp_total"),
            _kind_sum("teknis").label("jp_teknis"),
            _kind_sum("manajerial").label("jp_manajerial"),
            _kind_sum("sosial_kultural").label("jp_sosial_kultural"),
        )
        .where(LearningRecord.year == year, LearningRecord.status == "verified")
        .group_by(LearningRecord.employee_id)
        .subquery("jp_totals")
    )


def jp_of(employee_id: int, year: int) -> dict[str, Decimal]:
    totals = jp_totals(year)
    row = db.session.execute(select(totals).where(totals.c.employee_id == employee_id)).first()
    zero = Decimal(0)
    if row is None:
        return {"total": zero, "teknis": zero, "manajerial": zero, "sosial_kultural": zero}
    return {
        "total": Decimal(row.jp_total),
        "teknis": Decimal(row.jp_teknis),
        "manajerial": Decimal(row.jp_manajerial),
        "sosial_kultural": Decimal(row.jp_sosial_kultural),
    }
