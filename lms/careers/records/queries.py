"""Read side of careers: the learning record, the verification queue and the JP tables.

Every JP figure is read from ``lms.careers.ledger.jp_totals`` so every screen agrees; each list is
one query (or a fixed few) whatever the number of employees or records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, case, false, func, literal, select, union_all
from sqlalchemy.orm import aliased, contains_eager, joinedload

from lms.auth.models import User
from lms.careers.ledger import queries as ledger
from lms.careers.plans.models import DevelopmentPlan
from lms.careers.records.models import LearningRecord
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.org.models import Employee, JenisDiklat, Unit
from lms.org.services import opd_of
from lms.permissions import Role

PAGE_SIZE = 25
ZERO = Decimal(0)


# --- the employee's record ----------------------------------------------------------------------


@dataclass
class RecordRow:
    record: LearningRecord
    jenis_diklat: str
    certificate_id: int | None


def records_of(employee_id: int) -> list[RecordRow]:
    """The employee's records, newest first, with the form's name and the certificate (one query)."""
    rows = db.session.execute(
        select(LearningRecord, JenisDiklat.name, Certificate.id)
        .outerjoin(JenisDiklat, JenisDiklat.code == LearningRecord.jenis_diklat_code)
        .outerjoin(
            Certificate,
            and_(
                Certificate.completion_id == LearningRecord.completion_id,
                Certificate.status == "issued",
            ),
        )
        .where(LearningRecord.employee_id == employee_id)
        .order_by(LearningRecord.year.desc(), LearningRecord.ends_on.desc(), LearningRecord.id)
    ).all()
    return [RecordRow(record, name or "", cert_id) for record, name, cert_id in rows]


def jp_by_year(employee_id: int, years: list[int]) -> dict[int, Decimal]:
    """Verified JP per year for one employee: one query over the ledger's per-year totals."""
    parts = []
    for year in years:
        totals = ledger.jp_totals(year)
        parts.append(
            select(literal(year).label("year"), totals.c.jp_total).where(
                totals.c.employee_id == employee_id
            )
        )
    found = {}
    if parts:
        found = {int(y): Decimal(t) for y, t in db.session.execute(union_all(*parts)).all()}
    return {year: found.get(year, ZERO) for year in years}


# --- supervisor ---------------------------------------------------------------------------------


@dataclass
class TeamRow:
    employee: Employee
    total: Decimal
    teknis: Decimal
    manajerial: Decimal
    sosial_kultural: Decimal
    shortfall: Decimal
    plan_id: int | None
    plan_status: str | None
    target: int = 0  # this employee's target (PPPK: their own rule)


def team_jp(supervisor_id: int, year: int) -> list[TeamRow]:
    """Direct reports with their JP this year against their kind's target, biggest shortfall
    first (one query)."""
    target = ledger.target_expr(Employee.kind)
    totals = ledger.jp_totals(year)
    total = func.coalesce(totals.c.jp_total, 0)
    shortfall = case((total < target, target - total), else_=0)
    rows = db.session.execute(
        select(
            Employee,
            total,
            func.coalesce(totals.c.jp_teknis, 0),
            func.coalesce(totals.c.jp_manajerial, 0),
            func.coalesce(totals.c.jp_sosial_kultural, 0),
            shortfall,
            DevelopmentPlan.id,
            DevelopmentPlan.status,
            target,
        )
        .outerjoin(totals, totals.c.employee_id == Employee.id)
        .outerjoin(
            DevelopmentPlan,
            and_(DevelopmentPlan.employee_id == Employee.id, DevelopmentPlan.year == year),
        )
        .options(joinedload(Employee.unit))
        .where(Employee.supervisor_id == supervisor_id, Employee.is_active.is_(True))
        .order_by(shortfall.desc(), Employee.full_name, Employee.id)
    ).all()
    return [
        TeamRow(
            e, Decimal(t), Decimal(a), Decimal(b), Decimal(c), Decimal(s), pid, pstatus, int(goal)
        )
        for e, t, a, b, c, s, pid, pstatus, goal in rows
    ]


def plans_waiting(supervisor_id: int, limit: int = 10) -> list[DevelopmentPlan]:
    return list(
        db.session.scalars(
            select(DevelopmentPlan)
            .join(Employee, Employee.id == DevelopmentPlan.employee_id)
            .options(contains_eager(DevelopmentPlan.employee))
            .where(Employee.supervisor_id == supervisor_id, DevelopmentPlan.status == "submitted")
            .order_by(DevelopmentPlan.submitted_at, DevelopmentPlan.id)
            .limit(limit)
        )
    )


# --- HR scope -----------------------------------------------------------------------------------


def is_hr(user: User) -> bool:
    roles = user.roles
    return Role.ADMIN_BKPSDM in roles or (Role.ADMIN_OPD in roles and user.admin_unit is not None)


def scope_path(user: User) -> str | None:
    """'' for all units (BKPSDM), the admin unit's path for an Admin OPD, None for no scope."""
    roles = user.roles
    if Role.ADMIN_BKPSDM in roles or Role.ADMIN_SISTEM in roles:
        return ""
    if Role.ADMIN_OPD in roles and user.admin_unit is not None:
        return user.admin_unit.path
    return None


def _scoped(stmt: Select, user: User) -> Select:
    path = scope_path(user)
    if path is None:
        return stmt.where(false())
    if path:
        return stmt.where(Unit.path.startswith(path))
    return stmt


# --- verification queue -------------------------------------------------------------------------


def verification_queue(
    user: User,
    status: str = "pending",
    unit_id: int | None = None,
    year: int | None = None,
    page: int = 1,
) -> tuple[list[LearningRecord], int]:
    """Outside records in the reviewer's scope (enforced here, in SQL)."""
    stmt = _scoped(
        select(LearningRecord)
        .join(Employee, Employee.id == LearningRecord.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(LearningRecord.source == "outside"),
        user,
    )
    if status:
        stmt = stmt.where(LearningRecord.status == status)
    if year:
        stmt = stmt.where(LearningRecord.year == year)
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        stmt = stmt.where(Unit.path.startswith(unit.path)) if unit else stmt.where(false())
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(contains_eager(LearningRecord.employee).contains_eager(Employee.unit))
        .order_by(LearningRecord.created_at, LearningRecord.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def scoped_unit_choices(user: User) -> list[Unit]:
    return list(db.session.scalars(_scoped(select(Unit), user).order_by(Unit.path)))


# --- HR: JP per OPD -----------------------------------------------------------------------------


@dataclass
class OpdRow:
    unit_id: int
    name: str
    employees: int
    at_target: int
    average: Decimal

    @property
    def percent(self) -> int:
        return round(self.at_target * 100 / self.employees) if self.employees else 0


def opd_jp_table(user: User, year: int) -> list[OpdRow]:
    """Per OPD: active employees, how many reach their kind's target, average JP (one query)."""
    path = scope_path(user)
    if path is None:
        return []
    target = ledger.target_expr(Employee.kind)
    totals = ledger.jp_totals(year)
    opd = aliased(Unit)
    jp = func.coalesce(totals.c.jp_total, 0)
    unit_join = Unit.path.startswith(opd.path)
    if path:
        unit_join = and_(unit_join, Unit.path.startswith(path))
    stmt = (
        select(
            opd.id,
            opd.name,
            func.count(Employee.id),
            func.coalesce(
                func.sum(case((and_(Employee.id.is_not(None), jp >= target), 1), else_=0)), 0
            ),
            func.avg(case((Employee.id.is_not(None), jp))),
        )
        .select_from(opd)
        .outerjoin(Unit, unit_join)
        .outerjoin(Employee, and_(Employee.unit_id == Unit.id, Employee.is_active.is_(True)))
        .outerjoin(totals, totals.c.employee_id == Employee.id)
        .where(opd.parent_id.is_(None))
        .group_by(opd.id, opd.name)
        .order_by(opd.name)
    )
    if path:
        stmt = stmt.where(opd.id == opd_of(user.admin_unit).id)
    return [
        OpdRow(uid, name, n, int(at), Decimal(str(avg or 0)).quantize(Decimal("0.1")))
        for uid, name, n, at, avg in db.session.execute(stmt).all()
    ]


@dataclass
class EmployeeJp:
    employee: Employee
    total: Decimal
    shortfall: Decimal
    target: int = 0


def opd_under_target(
    user: User, opd: Unit, year: int, page: int = 1
) -> tuple[list[EmployeeJp], int]:
    """Active employees of an OPD (within the user's scope) under their kind's target, least JP
    first."""
    target = ledger.target_expr(Employee.kind)
    totals = ledger.jp_totals(year)
    jp = func.coalesce(totals.c.jp_total, 0)
    stmt = _scoped(
        select(Employee, jp, target)
        .join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(totals, totals.c.employee_id == Employee.id)
        .options(contains_eager(Employee.unit))
        .where(
            Employee.is_active.is_(True),
            Unit.path.startswith(opd.path),
            jp < target,
        ),
        user,
    )
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.execute(
        stmt.order_by(jp, Employee.full_name, Employee.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [
        EmployeeJp(e, Decimal(t), Decimal(goal) - Decimal(t), int(goal)) for e, t, goal in rows
    ], total
