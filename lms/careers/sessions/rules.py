"""How a non-classroom session earns JP: the rules per form, kept as data, and the pure function.

The rules live in ``content/reference/nonclassroom_rules.yaml`` (one entry per SIASN jenis
diklat code of a non-classroom form): minutes per JP, the rounding step, a cap per day and a cap
per year, who may confirm, whether a coach and an evidence file are needed. ``parse_rules`` turns
that data into ``FormRule`` values and names the entry and field it refuses.

``recognise`` is the rule itself, on plain values (pure, tested without a database):

1. the session's minutes become JP at the form's rate (``minutes / minutes_per_jp``);
2. rounded **down** to the form's step (0.5 JP by default): the ledger never credits more
   learning time than was logged, and a half-JP step lets a 30-minute conversation count
   (0.5 JP) without pretending to a precision that durations people round to the quarter hour
   do not have. Each session is rounded on its own, so a confirmed session's JP never changes
   later (it is a learning record, perhaps already sent to SIASN);
3. cut to what is left under the cap per day (the same form, employee and date) and the cap per
   year (the same form, employee and year), counting the JP already recognised for sessions
   confirmed before it; never below 0, and rounded down to the step again (a cap that is not a
   multiple of the step is never exceeded).

The JP are fixed when the session is confirmed (``LearningSession.recognised_jp``): a later change
of the rules never rewrites a confirmed session, as a changed predikat matrix never rewrites an
evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import current_app

from config import BASE_DIR

RULES_FILE = BASE_DIR / "content" / "reference" / "nonclassroom_rules.yaml"
CONFIRMERS = ("supervisor", "coach", "hr", "moderator")
COACH_NEEDS = ("required", "optional", "none")
EVIDENCE_NEEDS = ("required", "optional")
ZERO = Decimal(0)


@dataclass(frozen=True)
class FormRule:
    """One non-classroom form's recognition rule."""

    code: int
    name: str
    minutes_per_jp: int = 45
    step: Decimal = Decimal("0.5")
    cap_per_day: Decimal | None = None
    cap_per_year: Decimal | None = None
    confirm_by: tuple[str, ...] = ("supervisor",)
    coach: str = "optional"
    evidence: str = "required"

    @property
    def needs_coach(self) -> bool:
        return self.coach == "required"

    @property
    def takes_coach(self) -> bool:
        return self.coach != "none"

    @property
    def needs_evidence(self) -> bool:
        return self.evidence == "required"


@dataclass(frozen=True)
class Recognition:
    """The JP a session earns, what it would have earned without the caps, and which cap cut it
    (``"day"``, ``"year"`` or None)."""

    jp: Decimal
    uncapped: Decimal
    limited_by: str | None = None


# --- the pure rule -------------------------------------------------------------------------------


def floor_to_step(value: Fraction | Decimal, step: Decimal) -> Decimal:
    """``value`` rounded down to a multiple of ``step`` (exact: no binary fractions)."""
    step_f = Fraction(step)
    steps = math.floor(Fraction(value) / step_f)
    return Decimal(steps) * step


def uncapped_jp(minutes: int, rule: FormRule) -> Decimal:
    """The JP of ``minutes`` at the form's rate, rounded down to its step, before any cap."""
    return floor_to_step(Fraction(max(minutes, 0), rule.minutes_per_jp), rule.step)


def recognise(
    minutes: int,
    rule: FormRule,
    day_so_far: Decimal = ZERO,
    year_so_far: Decimal = ZERO,
) -> Recognition:
    """The JP a session of ``minutes`` earns under ``rule``, given the JP already recognised for
    the same employee and form on the session's day (``day_so_far``) and in its year
    (``year_so_far``). Pure: see the module docstring for the steps and the rounding."""
    raw = uncapped_jp(minutes, rule)
    jp, limited_by = raw, None
    for cap, so_far, name in (
        (rule.cap_per_day, day_so_far, "day"),
        (rule.cap_per_year, year_so_far, "year"),
    ):
        if cap is None:
            continue
        room = max(Decimal(cap) - Decimal(so_far), ZERO)
        if room < jp:
            jp, limited_by = room, name
    jp = floor_to_step(jp, rule.step)
    return Recognition(jp=jp, uncapped=raw, limited_by=limited_by)


# --- the rules as data ---------------------------------------------------------------------------


class RulesInvalid(ValueError):
    """The rules file holds something the rule cannot use; the message names entry and field."""


def _positive(value: Any, where: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None and allow_none:
        return None
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:
        raise RulesInvalid(f"{where}: expected a number, got {value!r}") from exc
    if not number.is_finite() or number <= 0:
        raise RulesInvalid(f"{where}: must be greater than 0, got {value!r}")
    return number


def _rule(code: Any, row: Any, defaults: Mapping[str, Any]) -> FormRule:
    where = f"forms.{code}"
    if isinstance(code, bool) or not isinstance(code, int) or not 14 <= code <= 25:
        raise RulesInvalid(f"{where}: a non-classroom jenis diklat code (14-25) is expected")
    if not isinstance(row, Mapping):
        raise RulesInvalid(f"{where}: expected a mapping of settings")
    merged = {**defaults, **row}
    name = str(merged.get("name") or "").strip()
    if not name:
        raise RulesInvalid(f"{where}.name: missing")
    minutes = merged.get("minutes_per_jp", 45)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise RulesInvalid(f"{where}.minutes_per_jp: a whole number above 0, got {minutes!r}")
    step = _positive(merged.get("step", "0.5"), f"{where}.step")
    confirm_by = merged.get("confirm_by") or []
    if isinstance(confirm_by, str):
        confirm_by = [confirm_by]
    if not confirm_by or any(c not in CONFIRMERS for c in confirm_by):
        raise RulesInvalid(
            f"{where}.confirm_by: one or more of {', '.join(CONFIRMERS)}, got {confirm_by!r}"
        )
    coach = merged.get("coach", "optional")
    if coach not in COACH_NEEDS:
        raise RulesInvalid(f"{where}.coach: one of {', '.join(COACH_NEEDS)}, got {coach!r}")
    if "coach" in confirm_by and coach == "none":
        raise RulesInvalid(f"{where}.confirm_by: a coach confirms, but the form takes no coach")
    evidence = merged.get("evidence", "required")
    if evidence not in EVIDENCE_NEEDS:
        raise RulesInvalid(
            f"{where}.evidence: one of {', '.join(EVIDENCE_NEEDS)}, got {evidence!r}"
        )
    assert step is not None
    return FormRule(
        code=code,
        name=name,
        minutes_per_jp=minutes,
        step=step,
        cap_per_day=_positive(merged.get("cap_per_day"), f"{where}.cap_per_day", allow_none=True),
        cap_per_year=_positive(
            merged.get("cap_per_year"), f"{where}.cap_per_year", allow_none=True
        ),
        confirm_by=tuple(dict.fromkeys(confirm_by)),
        coach=coach,
        evidence=evidence,
    )


def parse_rules(data: Any) -> dict[int, FormRule]:
    """Pure: the rules file's content → code → ``FormRule``; ``RulesInvalid`` names what is wrong."""
    if not isinstance(data, Mapping) or not isinstance(data.get("forms"), Mapping):
        raise RulesInvalid("expected a mapping with 'forms' (code → rule)")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise RulesInvalid("defaults: expected a mapping")
    out: dict[int, FormRule] = {}
    for code, row in data["forms"].items():
        rule = _rule(code, row, defaults)
        out[rule.code] = rule
    return out


@lru_cache(maxsize=4)
def _read(path: Path) -> dict[int, FormRule]:
    with open(path, encoding="utf-8") as fh:
        return parse_rules(yaml.safe_load(fh))


def rules() -> dict[int, FormRule]:
    """The rules in force (``NONCLASSROOM_RULES_FILE`` overrides the file, for tests)."""
    return _read(Path(current_app.config.get("NONCLASSROOM_RULES_FILE") or RULES_FILE))


def rule_for(code: int | None) -> FormRule | None:
    return rules().get(code) if code is not None else None


def codes_confirmed_by(who: str) -> list[int]:
    """The forms whose sessions ``who`` (supervisor, coach, hr) may confirm."""
    return sorted(code for code, rule in rules().items() if who in rule.confirm_by)
