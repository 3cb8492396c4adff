"""Read side of SKP: the supervisor's team, HR's predikat distribution, an employee's
evaluations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from lms.auth.models import User
from lms.careers import scope
from lms.careers.skp.models import (
    SkpEvaluation,
    SkpPeriod,
)
from lms.careers.skp.predikat import Predikat
from lms.extensions import db
from lms.org.models import Employee, Instansi, Unit
from lms.org.services import opd_of

# --- lists --------------------------------------------------------------------------------------


@dataclass
class TeamRow:
    employee: Employee
    period: SkpPeriod | None


def team_periods(supervisor_id: int, year: int) -> list[TeamRow]:
    """The supervisor's active direct reports and their SKP of the year (fixed query count)."""
    rows = db.session.execute(
        select(Employee, SkpPeriod)
        .outerjoin(
            SkpPeriod,
            and_(
                SkpPeriod.employee_id == Employee.id,
                SkpPeriod.year == year,
                SkpPeriod.ends_on.is_(None),  # the current SKP, not one closed by a change
            ),
        )
        .options(selectinload(SkpPeriod.evaluations))
        .where(Employee.supervisor_id == supervisor_id, Employee.is_active.is_(True))
        .order_by(Employee.full_name, Employee.id)
    ).all()
    return [TeamRow(e, p) for e, p in rows]


@dataclass
class DistributionRow:
    unit_id: int
    name: str
    employees: int
    counts: dict[str, int]

    @property
    def evaluated(self) -> int:
        return sum(self.counts.values())

    @property
    def not_evaluated(self) -> int:
        return max(self.employees - self.evaluated, 0)


def predikat_distribution(user: User, year: int) -> list[DistributionRow]:
    """Per OPD: active employees and their annual predikat counts for the year (one query).
    BKPSDM sees every OPD; an Admin OPD only theirs."""
    path = scope.scope_path(user)
    if path is None:
        return []
    opd = aliased(Unit)
    unit_join = Unit.path.startswith(opd.path)
    if path:
        unit_join = and_(unit_join, Unit.path.startswith(path))
    counts = [
        func.coalesce(func.sum(case((SkpEvaluation.predikat == p.value, 1), else_=0)), 0)
        for p in Predikat
    ]
    stmt = (
        select(opd.id, opd.name, func.count(Employee.id), *counts)
        .select_from(opd)
        .outerjoin(Unit, unit_join)
        .outerjoin(Employee, and_(Employee.unit_id == Unit.id, Employee.is_active.is_(True)))
        .outerjoin(
            SkpPeriod,
            and_(
                SkpPeriod.employee_id == Employee.id,
                SkpPeriod.year == year,
                SkpPeriod.ends_on.is_(None),  # one row per employee: the year's last SKP
            ),
        )
        .outerjoin(
            SkpEvaluation,
            and_(SkpEvaluation.period_id == SkpPeriod.id, SkpEvaluation.kind == "annual"),
        )
        .where(opd.parent_id.is_(None))
        .group_by(opd.id, opd.name)
        .order_by(opd.name)
    )
    if path:
        stmt = stmt.where(opd.id == opd_of(user.admin_unit).id)
    out = []
    for uid, name, n, *values in db.session.execute(stmt).all():
        out.append(
            DistributionRow(
                uid, name, int(n), {p.value: int(v) for p, v in zip(Predikat, values, strict=True)}
            )
        )
    return out


def evaluations_of(employee_id: int) -> list[SkpEvaluation]:
    """The employee's evaluations over the years, newest first (one query)."""
    return list(
        db.session.scalars(
            select(SkpEvaluation)
            .join(SkpPeriod, SkpPeriod.id == SkpEvaluation.period_id)
            .options(contains_eager(SkpEvaluation.period))
            .where(SkpPeriod.employee_id == employee_id)
            .order_by(SkpPeriod.year.desc(), SkpEvaluation.kind, SkpEvaluation.sequence.desc())
        )
    )


def all_instansi() -> list[Instansi]:
    """Every instansi, by name (BKPSDM sets each one's SKP evaluation period)."""
    return list(db.session.scalars(select(Instansi).order_by(Instansi.name)))
