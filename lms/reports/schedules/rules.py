"""Slots and periods of a subscription: pure functions of a rhythm, a moment and a zone."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.db import as_utc

SEND_HOUR = 6  # local time of a scheduled delivery


def next_run(frequency: str, day: int, after: datetime, tz: ZoneInfo) -> datetime:
    """The first slot strictly after ``after``: ``day`` of the month (or weekday ``day``) at
    ``SEND_HOUR`` local time, returned in UTC."""
    local = as_utc(after).astimezone(tz)
    at = time(SEND_HOUR)
    if frequency == "weekly":
        start = local.date() + timedelta(days=(day - local.weekday()) % 7)
        candidates = [start, start + timedelta(days=7)]
    else:
        this_month = date(local.year, local.month, day)
        month_after = date(local.year + local.month // 12, local.month % 12 + 1, day)
        candidates = [this_month, month_after]
    for candidate in candidates:
        slot = datetime.combine(candidate, at, tzinfo=tz)
        if slot > local:
            return slot.astimezone(UTC)
    raise AssertionError("unreachable: the second candidate is always later")


def period_key(frequency: str, slot: datetime, tz: ZoneInfo) -> str:
    local = as_utc(slot).astimezone(tz)
    if frequency == "weekly":
        year, week, _weekday = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local:%Y-%m}"


def previous_period(frequency: str, slot: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """The whole month (or Monday–Sunday week) before the slot's local date."""
    today = as_utc(slot).astimezone(tz).date()
    if frequency == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
