"""The JP ledger: verified JP per employee and year, split by competency kind.

Read from ``learning_records`` (verified only), in the year the learning ended, each piece of
learning once: a course completed as part of a programme's cohort adds 0 JP, its programme's own
JP count instead (the rule: ``lms.completion.counting``). Other features (dashboards, reports, the
supervisor's team table) join ``jp_totals(year)`` rather than summing on their own, so every
screen agrees.

The yearly target (and a bound, where the rules set one) depends on the employee's kind: PNS
and CPNS aim for the instansi's target (``JP_TARGET``, 20 by default); PPPK development is
bounded at 24 JP a year (PP 49/2018 art. 39). The rules are data in
``content/reference/jp_rules.yaml``; ``rule_of(kind)`` reads them and ``target_expr`` puts the
per-employee target into a query.

The tables built on it are here too: JP per year for one employee, the supervisor's team, HR's
JP per OPD and the employees under target; each is one query (or a fixed few) whatever the
number of employees or records.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import aliased, contains_eager, joinedload

from config import BASE_DIR
from lms.auth.models import User
from lms.careers.plans.models import DevelopmentPlan
from lms.careers.records.models import LearningRecord
from lms.careers.scope import PAGE_SIZE, scope_path, scoped
from lms.careers.summary.models import EmployeeYearSummary as YearSummary
from lms.completion.counting import counts_once
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeCourse
from lms.extensions import PersonalGeneration, db
from lms.indonesian import local_zone
from lms.org import queries as org_queries
from lms.org.models import Employee, Unit
from lms.org.services import opd_of

#: The state of one employee's JP (``jp_years``, the dashboard's kept JP card and section): their
#: learning records, completions and cohort places (a course completion inside a programme counts
#: 0 JP), and, for everybody, the programmes, their courses and cohorts.
JP = PersonalGeneration(
    "careers:jp",
    (LearningRecord, Completion, CohortMember, Cohort, Programme, ProgrammeCourse),
    person="employee_id",
)

ZERO = Decimal(0)
HISTORY_YEARS = 5  # how many past years the JP history and the year choices show
RULES_FILE = BASE_DIR / "content" / "reference" / "jp_rules.yaml"


@dataclass(frozen=True)
class JpRule:
    """The JP an employee of one kind should reach in a year, and the most allowed (or None)."""

    kind: str
    target: int
    cap: int | None = None
    basis: str = ""

    def shortfall(self, total: Decimal) -> Decimal:
        return max(Decimal(self.target) - Decimal(total), Decimal(0))

    def above_cap(self, total: Decimal) -> Decimal:
        """JP beyond the bound (0 without a bound)."""
        if self.cap is None:
            return Decimal(0)
        return max(Decimal(total) - Decimal(self.cap), Decimal(0))


def jp_rule(kind: str | None, rules: Mapping[str, Any], default_target: int) -> JpRule:
    """Pure: the rule for ``kind`` from the rules data; an unknown kind or a null target takes
    the general target, so a missing row never turns into a target of 0."""
    kind = kind or "pns"
    row = rules.get(kind) or {}
    target = row.get("target")
    cap = row.get("cap")
    return JpRule(
        kind=kind,
        target=int(target) if target is not None else int(default_target),
        cap=int(cap) if cap is not None else None,
        basis=str(row.get("basis") or ""),
    )


@lru_cache(maxsize=4)
def _read_rules(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of employee kind to rule")
    return data


def rules() -> dict[str, Any]:
    return _read_rules(Path(current_app.config.get("JP_RULES_FILE") or RULES_FILE))


@lru_cache(maxsize=32)
def _rule_in(path: str, kind: str | None, default_target: int) -> JpRule:
    return jp_rule(kind, _read_rules(Path(path)), default_target)


def target(kind: str | None = None) -> int:
    """The yearly JP target of an employee of ``kind`` (PNS when not given)."""
    return rule_of(kind).target


def rule_of(kind: str | None) -> JpRule:
    """The rule of ``kind`` (remembered per rules file and general target: a dashboard asks for
    it some ten times)."""
    config = current_app.config
    return _rule_in(
        str(config.get("JP_RULES_FILE") or RULES_FILE), kind, int(config.get("JP_TARGET", 20))
    )


def _targets() -> tuple[int, tuple[tuple[str, int], ...]]:
    """The general target and the kinds whose target differs from it (hashable: a key)."""
    default = target()
    return default, tuple(
        (kind, rule_of(kind).target) for kind in rules() if rule_of(kind).target != default
    )


def _target_case(
    kind_column: ColumnElement[str], targets: tuple[int, tuple[tuple[str, int], ...]]
) -> ColumnElement[int]:
    default, others = targets
    whens = [(kind_column == kind, goal) for kind, goal in others]
    return case(*whens, else_=default) if whens else literal(default)


def target_expr(kind_column: ColumnElement[str]) -> ColumnElement[int]:
    """SQL: each employee's target by their kind (one CASE; the general target otherwise)."""
    return _target_case(kind_column, _targets())


def _kind_sum(kind: str):
    return func.coalesce(
        func.sum(case((LearningRecord.competency_kind == kind, LearningRecord.jp), else_=0)), 0
    )


def jp_totals(year: int, among: Select | None = None) -> Subquery:
    """A subquery: employee_id, jp_total, jp_teknis, jp_manajerial, jp_sosial_kultural; the
    verified records of ``year`` that count (JP counted once: ``counting.counts_once``).
    ``among`` (a select of employee ids) sums only those employees' records: a team's totals
    then cost the team's records, not the whole city's."""
    stmt = (
        select(
            LearningRecord.employee_id.label("employee_id"),
            func.coalesce(func.sum(LearningRecord.jp), 0).label("jp_total"),
            _kind_sum("teknis").label("jp_teknis"),
            _kind_sum("manajerial").label("jp_manajerial"),
            _kind_sum("sosial_kultural").label("jp_sosial_kultural"),
        )
        .where(
            LearningRecord.year == year,
            LearningRecord.status == "verified",
            counts_once(LearningRecord.completion_id),
        )
        .group_by(LearningRecord.employee_id)
    )
    if among is not None:
        stmt = stmt.where(LearningRecord.employee_id.in_(among))
    return stmt.subquery("jp_totals")


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


def _zero_jp() -> dict[str, Decimal]:
    return {"total": ZERO, "teknis": ZERO, "manajerial": ZERO, "sosial_kultural": ZERO}


@lru_cache(maxsize=8)
def _jp_years_stmt(dialect: str, zone: str) -> Select:
    """The statement of ``jp_years`` with its employee and years as parameters, built once per
    database kind and time zone (the rule ``counts_once`` takes about as long to build as the
    query takes to run, and the dashboard runs it on every visit)."""
    return (
        select(
            LearningRecord.year,
            func.coalesce(func.sum(LearningRecord.jp), 0),
            _kind_sum("teknis"),
            _kind_sum("manajerial"),
            _kind_sum("sosial_kultural"),
        )
        .where(
            LearningRecord.employee_id == bindparam("employee_id"),
            LearningRecord.year.in_(bindparam("years", expanding=True)),
            LearningRecord.status == "verified",
            counts_once(LearningRecord.completion_id),
        )
        .group_by(LearningRecord.year)
    )


def jp_years(employee_id: int, years: list[int]) -> dict[int, dict[str, Decimal]]:
    """Verified JP of one employee for several years, each split like ``jp_of`` (total and per
    competency kind): one grouped query over the records ``jp_totals`` sums."""
    out = {year: _zero_jp() for year in years}
    if not years:
        return out
    stmt = _jp_years_stmt(db.session.get_bind().dialect.name, local_zone().key)
    rows = db.session.execute(stmt, {"employee_id": employee_id, "years": list(years)}).all()
    for year, total, teknis, manajerial, sosial in rows:
        out[int(year)] = {
            "total": Decimal(total),
            "teknis": Decimal(teknis),
            "manajerial": Decimal(manajerial),
            "sosial_kultural": Decimal(sosial),
        }
    return out


def jp_by_year(employee_id: int, years: list[int]) -> dict[int, Decimal]:
    """Verified JP per year for one employee (one query)."""
    return {year: jp["total"] for year, jp in jp_years(employee_id, years).items()}


def history_years(this: int) -> list[int]:
    """The years the JP history shows, oldest first, ending with ``this``."""
    return list(range(this - HISTORY_YEARS + 1, this + 1))


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


def _team_ids(supervisor_id: Any) -> Select:
    return select(Employee.id).where(
        Employee.supervisor_id == supervisor_id, Employee.is_active.is_(True)
    )


@dataclass(frozen=True)
class TeamMemberJp:
    """One line of the dashboard's team card: the name shown and the JP against the target."""

    employee_id: int
    display_name: str
    total: Decimal
    target: int


@dataclass(frozen=True)
class TeamSummary:
    rows: list[TeamMemberJp]
    total: int  # direct reports
    under: int  # of them below their kind's target


@lru_cache(maxsize=1)
def _team_year_stmt() -> Select:
    """The JP of the year of a supervisor's active reports who have any, from the employee-year
    summary (``careers.summary``: the ledger's figures, kept current in the transaction that
    changes them): the supervisor index and one primary-key read per report, no employee row and
    no learning record read. Built once."""
    return (
        select(YearSummary.employee_id, YearSummary.jp_total)
        .join(Employee, Employee.id == YearSummary.employee_id)
        .where(
            Employee.supervisor_id == bindparam("supervisor_id"),
            Employee.is_active.is_(True),
            YearSummary.year == bindparam("year"),
        )
    )


def team_jp_summary(supervisor_id: int, year: int, limit: int = 5) -> TeamSummary:
    """The dashboard's card of the team's JP: the ``limit`` direct reports furthest below their
    target (as ``team_jp`` orders them: biggest shortfall first, then by name), how many reports
    there are and how many are under target. The reports come from org's kept roster (in name
    order), their JP of the year from the summary in one query; the targets and the order are
    worked out here for the 249 reports of a city supervisor."""
    reports = org_queries.team_roster(supervisor_id)
    if not len(reports):
        return TeamSummary([], 0, 0)
    stmt = _team_year_stmt()
    jp = dict(db.session.execute(stmt, {"supervisor_id": supervisor_id, "year": year}).all())
    default, others = _targets()
    goals = dict(others)
    ranked = []
    under = 0
    for position, (eid, kind) in enumerate(zip(reports.ids, reports.kinds, strict=True)):
        goal = goals.get(kind, default) if goals else default
        found = jp.get(eid)
        if found is None:  # nothing counted this year: the whole target is short (most reports)
            total, shortfall = ZERO, goal
        else:
            total = Decimal(found)
            shortfall = goal - total if total < goal else 0
        if shortfall > 0:
            under += 1
        ranked.append((-shortfall, position, eid, total, goal))
    # biggest shortfall first, then in the roster's (name) order
    shown = [
        TeamMemberJp(eid, reports.names[position], total, int(goal))
        for _s, position, eid, total, goal in heapq.nsmallest(limit, ranked)
    ]
    return TeamSummary(shown, len(reports), under)


def team_jp(supervisor_id: int, year: int) -> list[TeamRow]:
    """Direct reports with their JP this year against their kind's target, biggest shortfall
    first (one query)."""
    target = target_expr(Employee.kind)
    totals = jp_totals(year, among=_team_ids(supervisor_id))
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
    target = target_expr(Employee.kind)
    totals = jp_totals(year)
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
    target = target_expr(Employee.kind)
    totals = jp_totals(year)
    jp = func.coalesce(totals.c.jp_total, 0)
    stmt = scoped(
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
