"""The dashboard overview's pure parts: calendar arithmetic in the agency's zone and a figure
with its trend against an earlier moment (``lms.reports.dashboard`` counts and shows them)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from lms.indonesian import number

# --- calendar helpers (pure) ---------------------------------------------------------------------


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (negative: earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def utc_start(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of ``day`` as a UTC moment."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def same_moment(local: datetime, day: date) -> datetime:
    """``local``'s time of day on ``day`` (same zone), as UTC."""
    return datetime.combine(day, local.timetz()).astimezone(UTC)


@dataclass(frozen=True)
class Trend:
    current: Decimal
    previous: Decimal
    points: bool = False  # a share: the change in percentage points, not relative

    @property
    def direction(self) -> str:
        if self.current > self.previous:
            return "up"
        if self.current < self.previous:
            return "down"
        return "flat"

    @property
    def change(self) -> Decimal | None:
        """Percentage points for a share; percent of the previous value for a count (None when
        the previous value was zero, so no percentage exists)."""
        if self.points:
            return _round(self.current - self.previous, "0.1")
        if self.previous == 0:
            return None if self.current else Decimal(0)
        return _round((self.current - self.previous) * 100 / self.previous, "1")

    @property
    def arrow(self) -> str:
        return {"up": "▲", "down": "▼", "flat": "▶"}[self.direction]

    @property
    def text(self) -> str:
        change = self.change
        if change is None:
            return _("baru (sebelumnya 0)")
        number = _num(abs(change))
        if self.points:
            return _("%(n)s poin", n=number)
        return f"{number}%"

    @property
    def spoken(self) -> str:
        return {"up": _("naik"), "down": _("turun"), "flat": _("tetap")}[self.direction]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str
    detail: str
    trend: Trend
    compared_with: str


def _round(value: Decimal | float | int, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _share(ok: int, n: int) -> Decimal:
    return _round(Decimal(ok) * 100 / n, "0.1") if n else Decimal("0.0")


def _num(value: Decimal | int) -> str:
    """As the reader's locale writes it (92,5 in Indonesian, thousands with a dot)."""
    return number(value)
