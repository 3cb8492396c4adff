"""The JP ledger: verified JP per employee and year, split by competency kind.

Read from ``learning_records`` (verified only), in the year the learning ended. Other features
(dashboards, reports, the supervisor's team table) join ``jp_totals(year)`` rather than summing
on their own, so every screen agrees.

The yearly target (and a bound, where the rules set one) depends on the employee's kind: PNS
and CPNS aim for the instansi's target (``JP_TARGET``, 20 by default); PPPK development is
bounded at 24 JP a year (PP 49/2018 art. 39). The rules are data in
``content/reference/jp_rules.yaml``; ``rule_of(kind)`` reads them and ``target_expr`` puts the
per-employee target into a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from sqlalchemy import ColumnElement, Subquery, case, func, literal, select

from config import BASE_DIR
from lms.careers.records.models import LearningRecord
from lms.extensions import db

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


def target(kind: str | None = None) -> int:
    """The yearly JP target of an employee of ``kind`` (PNS when not given)."""
    return rule_of(kind).target


def rule_of(kind: str | None) -> JpRule:
    return jp_rule(kind, rules(), int(current_app.config.get("JP_TARGET", 20)))


def target_expr(kind_column: ColumnElement[str]) -> ColumnElement[int]:
    """SQL: each employee's target by their kind (one CASE; the general target otherwise)."""
    default = target()
    whens = [
        (kind_column == kind, rule_of(kind).target)
        for kind in rules()
        if rule_of(kind).target != default
    ]
    return case(*whens, else_=default) if whens else literal(default)


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
