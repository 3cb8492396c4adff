"""Pure tests of JP recognition for non-classroom sessions: minutes per JP, rounding, caps per
day and per year, and the rules data itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from lms.careers.sessions.rules import (
    RULES_FILE,
    FormRule,
    RulesInvalid,
    floor_to_step,
    parse_rules,
    recognise,
    uncapped_jp,
)
from lms.org.reference import REFERENCE_DIR

D = Decimal
MENTORING = FormRule(code=15, name="Mentoring", cap_per_day=D(2), cap_per_year=D(12))
NO_CAPS = FormRule(code=25, name="Lainnya")


# --- minutes per JP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "per_jp", "jp"),
    [
        (45, 45, "1"),  # 1 JP = 45 minutes
        (90, 45, "2"),
        (135, 45, "3"),
        (90, 60, "1.5"),  # a form the instansi counts at 60 minutes per JP
        (60, 60, "1"),
        (240, 30, "8"),
    ],
)
def test_minutes_per_jp(minutes: int, per_jp: int, jp: str) -> None:
    rule = FormRule(code=25, name="x", minutes_per_jp=per_jp)
    assert uncapped_jp(minutes, rule) == D(jp)
    assert recognise(minutes, rule).jp == D(jp)


# --- rounding: down to the step (0.5 JP by default) ---------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "jp"),
    [
        (80, "1.5"),  # 1.78 JP
        (60, "1"),  # 1.33 JP
        (30, "0.5"),  # 0.67 JP: a short conversation still counts
        (23, "0.5"),  # 0.51 JP
        (22, "0"),  # 0.49 JP: less than half a JP earns nothing
        (67, "1"),  # 1.49 JP: just under 1.5 stays 1
        (68, "1.5"),  # 1.51 JP
        (89, "1.5"),  # 1.98 JP never rounds up to 2
        (1, "0"),
    ],
)
def test_rounding_is_down_to_half_a_jp(minutes: int, jp: str) -> None:
    result = recognise(minutes, NO_CAPS)
    assert result.jp == D(jp)
    assert result.limited_by is None
    # Never more learning time credited than logged.
    assert result.jp * 45 <= minutes


@pytest.mark.parametrize(("step", "jp"), [("1", "1"), ("0.25", "1.75"), ("0.1", "1.7")])
def test_the_step_is_data(step: str, jp: str) -> None:
    rule = FormRule(code=25, name="x", step=D(step))
    assert recognise(80, rule).jp == D(jp)  # 80 minutes = 1.777… JP


def test_floor_to_step_is_exact() -> None:
    # 0.1 has no exact binary form; the steps are counted in fractions, not floats.
    assert floor_to_step(D("0.3"), D("0.1")) == D("0.3")
    assert floor_to_step(D("1.99"), D("0.5")) == D("1.5")
    assert floor_to_step(D(2), D("0.5")) == D(2)


def test_no_minutes_no_jp() -> None:
    assert recognise(0, NO_CAPS).jp == 0
    assert recognise(-30, NO_CAPS).jp == 0


# --- cap per day ---------------------------------------------------------------------------------


def test_cap_per_day() -> None:
    # 3 hours in one sitting is 4 JP; mentoring counts at most 2 JP a day.
    result = recognise(180, MENTORING)
    assert (result.jp, result.uncapped, result.limited_by) == (D(2), D(4), "day")


def test_cap_per_day_counts_what_that_day_already_earned() -> None:
    assert recognise(90, MENTORING, day_so_far=D("1.5")).jp == D("0.5")
    full = recognise(90, MENTORING, day_so_far=D(2))
    assert (full.jp, full.limited_by) == (D(0), "day")
    # More than the cap already (rules changed since): nothing, never negative.
    assert recognise(90, MENTORING, day_so_far=D(3)).jp == 0


def test_a_session_within_the_caps_is_not_marked_limited() -> None:
    result = recognise(60, MENTORING, day_so_far=D(1), year_so_far=D(5))
    assert (result.jp, result.limited_by) == (D(1), None)


# --- cap per year --------------------------------------------------------------------------------


def test_cap_per_year() -> None:
    result = recognise(90, MENTORING, year_so_far=D(11))
    assert (result.jp, result.uncapped, result.limited_by) == (D(1), D(2), "year")
    assert recognise(90, MENTORING, year_so_far=D(12)).jp == 0


def test_the_tighter_cap_wins() -> None:
    day_room_1 = recognise(90, MENTORING, day_so_far=D(1), year_so_far=D("11.5"))
    assert (day_room_1.jp, day_room_1.limited_by) == (D("0.5"), "year")
    year_room_2 = recognise(90, MENTORING, day_so_far=D("1.5"), year_so_far=D(10))
    assert (year_room_2.jp, year_room_2.limited_by) == (D("0.5"), "day")


def test_a_cap_that_is_no_multiple_of_the_step_is_never_exceeded() -> None:
    rule = FormRule(code=25, name="x", cap_per_day=D("1.2"))
    assert recognise(180, rule).jp == D(1)


def test_a_year_of_sessions_adds_up_to_the_cap_exactly() -> None:
    """Twelve weekly 80-minute sessions, each confirmed in turn: 1.5 JP each until the 12 JP a
    year are used, then the rest, then nothing."""
    total = D(0)
    earned = []
    for _week in range(12):
        jp = recognise(80, MENTORING, day_so_far=D(0), year_so_far=total).jp
        earned.append(jp)
        total += jp
    assert total == D(12)
    assert earned[:8] == [D("1.5")] * 8 and set(earned[8:]) == {D(0)}


# --- the rules as data ---------------------------------------------------------------------------


def test_the_shipped_rules_parse_and_name_non_classroom_codes() -> None:
    with open(RULES_FILE, encoding="utf-8") as fh:
        rules = parse_rules(yaml.safe_load(fh))
    with open(REFERENCE_DIR / "jenis_diklat.yaml", encoding="utf-8") as fh:
        groups = {row["code"]: row["group"] for row in yaml.safe_load(fh)}
    assert set(rules) == {14, 15, 18, 19, 20, 21, 22, 23, 24, 25}
    assert all(groups[code] == "nonklasikal" for code in rules)
    assert rules[15].minutes_per_jp == 45 and rules[15].step == D("0.5")
    assert rules[15].confirm_by == ("supervisor", "coach") and rules[15].needs_coach
    assert rules[18].needs_evidence and "hr" in rules[18].confirm_by


def _rules(**row: object) -> dict:
    base = {"name": "Coaching", "confirm_by": ["supervisor"]}
    base.update(row)
    return {"defaults": {"minutes_per_jp": 45, "step": 0.5}, "forms": {14: base}}


def test_defaults_apply_and_a_form_overrides_them() -> None:
    rules = parse_rules(_rules(minutes_per_jp=60, cap_per_day=3))
    assert rules[14].minutes_per_jp == 60 and rules[14].step == D("0.5")
    assert rules[14].cap_per_day == D(3) and rules[14].cap_per_year is None


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"forms": {3: {"name": "Teknis", "confirm_by": ["hr"]}}}, "forms.3"),
        (_rules(confirm_by=["boss"]), "forms.14.confirm_by"),
        (_rules(confirm_by=[]), "forms.14.confirm_by"),
        (_rules(confirm_by=["coach"], coach="none"), "forms.14.confirm_by"),
        (_rules(minutes_per_jp=0), "forms.14.minutes_per_jp"),
        (_rules(minutes_per_jp="45"), "forms.14.minutes_per_jp"),
        (_rules(cap_per_day=-1), "forms.14.cap_per_day"),
        (_rules(cap_per_year="banyak"), "forms.14.cap_per_year"),
        (_rules(step=0), "forms.14.step"),
        (_rules(name=""), "forms.14.name"),
        (_rules(coach="maybe"), "forms.14.coach"),
        (_rules(evidence="never"), "forms.14.evidence"),
        ([1, 2], "forms"),
    ],
)
def test_bad_rules_name_the_entry_and_field(data: object, where: str) -> None:
    with pytest.raises(RulesInvalid, match=where.replace(".", r"\.")):
        parse_rules(data)
