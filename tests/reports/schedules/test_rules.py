"""Pure rules: delivery slots, periods, calendar shifts and trends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lms.reports.dashboard import Trend, shift_months, utc_start
from lms.reports.schedules.rules import next_run, period_key, previous_period

WIB = ZoneInfo("Asia/Jakarta")


def test_monthly_slot_is_the_day_at_six_local_time() -> None:
    after = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 07:00 WIB on 1 June: the slot has passed
    assert next_run("monthly", 1, after, WIB) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    before = datetime(2026, 5, 31, 22, 59, tzinfo=UTC)  # 05:59 WIB on 1 June
    assert next_run("monthly", 1, before, WIB) == datetime(2026, 5, 31, 23, 0, tzinfo=UTC)


def test_monthly_slot_rolls_over_the_year() -> None:
    after = datetime(2026, 12, 20, tzinfo=UTC)
    assert next_run("monthly", 15, after, WIB) == datetime(2027, 1, 14, 23, 0, tzinfo=UTC)


def test_weekly_slot_is_the_next_weekday() -> None:
    saturday = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    slot = next_run("weekly", 0, saturday, WIB)  # Monday
    assert slot.astimezone(WIB) == datetime(2026, 11, 30, 6, 0, tzinfo=WIB)
    exactly = next_run("weekly", 0, slot, WIB)  # strictly after: a week later
    assert exactly.astimezone(WIB) == datetime(2026, 12, 7, 6, 0, tzinfo=WIB)


def test_period_keys_and_previous_period() -> None:
    slot = datetime(2026, 5, 31, 23, 0, tzinfo=UTC)  # 1 June 06:00 WIB
    assert period_key("monthly", slot, WIB) == "2026-06"
    assert previous_period("monthly", slot, WIB) == (date(2026, 5, 1), date(2026, 5, 31))
    monday = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday 30 Nov 06:00 WIB
    assert period_key("weekly", monday, WIB) == "2026-W49"
    assert previous_period("weekly", monday, WIB) == (date(2026, 11, 23), date(2026, 11, 29))


def test_shift_months_clamps_to_the_month_end() -> None:
    assert shift_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert shift_months(date(2024, 2, 29), -12) == date(2023, 2, 28)
    assert shift_months(date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert utc_start(date(2026, 6, 1), WIB) == datetime(2026, 5, 31, 17, 0, tzinfo=UTC)


def test_trend_of_counts_and_shares() -> None:
    up = Trend(Decimal(15), Decimal(10))
    assert (up.direction, up.arrow, up.change, up.text) == ("up", "▲", Decimal(50), "50%")
    down = Trend(Decimal(5), Decimal(10))
    assert (down.direction, down.arrow, down.text) == ("down", "▼", "50%")
    assert Trend(Decimal(3), Decimal(0)).change is None
    assert Trend(Decimal(0), Decimal(0)).direction == "flat"
    share = Trend(Decimal("42.5"), Decimal("40.0"), points=True)
    assert share.change == Decimal("2.5")
    assert share.text == "2,5 poin"
