"""Career view: the programmes positions require, what an employee still lacks, HR's gap list.

A ``CareerRequirement`` names a position type (or one level) and a programme code. It is met by
a valid programme completion with that code, or by a verified learning record whose name contains
the programme's name (a programme done before this system, entered as outside learning). The
"next level" is the next position type up the ladder (``JabatanType.rank``: 1 is the most senior).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import contains_eager

from lms import charts
from lms.auth.models import User
from lms.careers.career.models import CareerRequirement
from lms.careers.ledger import queries as ledger
from lms.careers.records import queries
from lms.careers.records.models import LearningRecord
from lms.careers.scope import scope_path
from lms.careers.skp.services import is_hr_for
from lms.completion.models import Completion
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, JabatanLevel, JabatanType, Unit
from lms.org.reference import REFERENCE_DIR
from lms.org.signals import reference_loaded

PAGE_SIZE = 25


class RequirementsInvalid(Exception):
    """The requirements file names an unknown position or lacks a field."""


# --- loading the rules --------------------------------------------------------------------------


def load_requirements(path: Path | None = None) -> int:
    """Upsert the rules of ``content/reference/career_requirements.yaml``; idempotent.

    A rule is identified by (position type or level, programme code); its name and note are
    updated. Rules no longer in the file are left alone (HR may have added their own)."""
    path = path or REFERENCE_DIR / "career_requirements.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    rows = data.get("requirements", []) if isinstance(data, dict) else data
    types = set(db.session.scalars(select(JabatanType.code)))
    levels = set(db.session.scalars(select(JabatanLevel.code)))
    count = 0
    for n, row in enumerate(rows, start=1):
        type_code = row.get("jabatan_type") or None
        level_code = row.get("jabatan_level") or None
        code = str(row.get("programme") or "").strip()
        name = str(row.get("name") or "").strip()
        if (type_code is None) == (level_code is None) or not code or not name:
            raise RequirementsInvalid(
                f"{path.name} rule {n}: give jabatan_type or jabatan_level, programme and name"
            )
        if type_code is not None and type_code not in types:
            raise RequirementsInvalid(f"{path.name} rule {n}: unknown jabatan_type {type_code!r}")
        if level_code is not None and level_code not in levels:
            raise RequirementsInvalid(f"{path.name} rule {n}: unknown jabatan_level {level_code!r}")
        rule = db.session.scalar(
            select(CareerRequirement).where(
                CareerRequirement.jabatan_type_code.is_(None)
                if type_code is None
                else CareerRequirement.jabatan_type_code == type_code,
                CareerRequirement.jabatan_level_code.is_(None)
                if level_code is None
                else CareerRequirement.jabatan_level_code == level_code,
                CareerRequirement.programme_code == code,
            )
        )
        if rule is None:
            rule = CareerRequirement(
                jabatan_type_code=type_code, jabatan_level_code=level_code, programme_code=code
            )
            db.session.add(rule)
        rule.programme_name = name
        rule.note = str(row.get("note") or "")
        count += 1
    db.session.flush()
    return count


@reference_loaded.connect
def _on_reference_loaded(_directory: Path, *, counts: dict[str, int], **_kw: object) -> None:
    """Subscribed to the organisation's signal: the programmes positions require are reference
    data too, loaded with the rest (``flask load-reference``, the demo, the test factories)."""
    counts["career_requirements"] = load_requirements()


def can_view_career(user: User, employee: Employee) -> bool:
    """The employee's direct supervisor, and HR whose scope holds the employee."""
    mine = user.employee_id
    supervisor = mine is not None and employee.supervisor_id == mine
    return supervisor or is_hr_for(user, employee)


# --- one employee -------------------------------------------------------------------------------


def _applies(type_code: str | None, level_code: str | None) -> ColumnElement[bool]:
    parts = []
    if type_code:
        parts.append(CareerRequirement.jabatan_type_code == type_code)
    if level_code:
        parts.append(CareerRequirement.jabatan_level_code == level_code)
    return or_(*parts) if parts else false()


def requirements_for(
    type_code: str | None, level_code: str | None = None
) -> list[CareerRequirement]:
    return list(
        db.session.scalars(
            select(CareerRequirement)
            .where(_applies(type_code, level_code))
            .order_by(CareerRequirement.programme_code, CareerRequirement.id)
        )
    )


def _completion_met(employee_id: Any, code: Any) -> ColumnElement[bool]:
    return exists().where(
        Completion.employee_id == employee_id,
        Completion.status == "valid",
        Completion.programme_id.is_not(None),
        Completion.code == code,
    )


def _record_met(employee_id: Any, name: Any) -> ColumnElement[bool]:
    return exists().where(
        LearningRecord.employee_id == employee_id,
        LearningRecord.status == "verified",
        func.lower(LearningRecord.name).contains(func.lower(name)),
    )


def met_ids(employee_id: int, rules: list[CareerRequirement]) -> set[int]:
    """The rules the employee meets (one query)."""
    if not rules:
        return set()
    return set(
        db.session.scalars(
            select(CareerRequirement.id).where(
                CareerRequirement.id.in_([r.id for r in rules]),
                or_(
                    _completion_met(employee_id, CareerRequirement.programme_code),
                    _record_met(employee_id, CareerRequirement.programme_name),
                ),
            )
        )
    )


def next_type(type_code: str | None) -> JabatanType | None:
    """The next position type up (the greatest rank below the current one), None at the top."""
    if not type_code:
        return None
    current = db.session.get(JabatanType, type_code)
    if current is None:
        return None
    return db.session.scalar(
        select(JabatanType)
        .where(JabatanType.rank < current.rank)
        .order_by(JabatanType.rank.desc())
        .limit(1)
    )


@dataclass
class RuleState:
    rule: CareerRequirement
    met: bool


@dataclass
class CareerStatus:
    current_type: JabatanType | None
    current: list[RuleState] = field(default_factory=list)
    next_type: JabatanType | None = None
    next: list[RuleState] = field(default_factory=list)

    @property
    def missing_now(self) -> list[CareerRequirement]:
        return [s.rule for s in self.current if not s.met]

    @property
    def missing_next(self) -> list[CareerRequirement]:
        return [s.rule for s in self.next if not s.met]


def career_status(employee: Employee) -> CareerStatus:
    """What the current position requires and what the next level up would require."""
    current_type = (
        db.session.get(JabatanType, employee.jabatan_type_code)
        if employee.jabatan_type_code
        else None
    )
    up = next_type(employee.jabatan_type_code)
    now_rules = requirements_for(employee.jabatan_type_code, employee.jabatan_level_code)
    next_rules = requirements_for(up.code, None) if up else []
    met = met_ids(employee.id, now_rules + next_rules)
    return CareerStatus(
        current_type,
        [RuleState(r, r.id in met) for r in now_rules],
        up,
        [RuleState(r, r.id in met) for r in next_rules],
    )


def career_view(employee: Employee) -> dict[str, Any]:
    """Everything the career page shows: history, JP per year (chart), requirements."""
    this = local_today().year
    years = list(range(this - ledger.HISTORY_YEARS + 1, this + 1))
    per_year = ledger.jp_by_year(employee.id, years)
    target = ledger.target(employee.kind)
    chart = charts.bar_chart(
        _("JP terverifikasi per tahun"),
        [str(y) for y in years],
        [float(per_year[y]) for y in years],
        value_header=_("JP"),
        label_header=_("Tahun"),
        target=float(target),
        height=300,
    )
    records = queries.records_of(employee.id)
    return {
        "employee": employee,
        "records": records,
        "certificates": sum(1 for r in records if r.certificate_id),
        "jp_chart": chart,
        "jp_now": per_year[this],
        "target": target,
        "year": this,
        "status": career_status(employee),
    }


# --- HR: who lacks a required programme ---------------------------------------------------------


@dataclass
class GapRow:
    employee: Employee
    rule: CareerRequirement


def gaps(user: User, unit: Unit | None, page: int = 1) -> tuple[list[GapRow], int]:
    """Active employees (in the user's scope, under ``unit`` when given) who lack a programme
    their current position requires; one row per missing programme. Two queries."""
    path = scope_path(user)
    if path is None:
        return [], 0
    stmt = (
        select(Employee, CareerRequirement)
        .join(Unit, Unit.id == Employee.unit_id)
        .join(
            CareerRequirement,
            or_(
                and_(
                    CareerRequirement.jabatan_type_code.is_not(None),
                    CareerRequirement.jabatan_type_code == Employee.jabatan_type_code,
                ),
                and_(
                    CareerRequirement.jabatan_level_code.is_not(None),
                    CareerRequirement.jabatan_level_code == Employee.jabatan_level_code,
                ),
            ),
        )
        .where(
            Employee.is_active.is_(True),
            ~_completion_met(Employee.id, CareerRequirement.programme_code),
            ~_record_met(Employee.id, CareerRequirement.programme_name),
        )
    )
    if path:
        stmt = stmt.where(Unit.path.startswith(path))
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.execute(
        stmt.options(contains_eager(Employee.unit))
        .order_by(Unit.path, Employee.full_name, Employee.id, CareerRequirement.programme_code)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [GapRow(e, r) for e, r in rows], total
