"""Indonesian month names and dates as official documents print them, whatever the UI locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
# Short month labels for charts and tables ("Jan 2026").
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def tanggal(day: date | None) -> str:
    """A date as printed on Indonesian documents ("28 November 2026"); "" for None."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def local_zone() -> ZoneInfo:
    """The agency's time zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Jakarta for Palembang)."""
    name = "Asia/Jakarta"
    if has_app_context():
        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", name)
    return ZoneInfo(name)


def local_time(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored moment in the agency's time zone. Naive values are UTC (SQLite hands them back
    without a zone; every timestamp is written as UTC). ``zone`` saves the lookup in a loop."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or local_zone())


@overload
def local_date(moment: datetime | date, zone: ZoneInfo | None = None) -> date: ...
@overload
def local_date(moment: None, zone: ZoneInfo | None = None) -> None: ...
def local_date(moment: datetime | date | None, zone: ZoneInfo | None = None) -> date | None:
    """The agency's calendar day of a stored moment: 23:01 UTC on 5 December is 6 December in
    Palembang (06:01 WIB). Every date people read (pages, certificates, the learning record,
    SIASN rows, reports) comes from here, never from ``moment.date()`` on the UTC value. A plain
    date is already a local day and is returned as it is; None stays None."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        return moment
    return local_time(moment, zone).date()


def local_today() -> date:
    """Today where the agency is, not on the server's clock (often UTC: seven hours behind
    Palembang, so from midnight to 07:00 WIB its date is yesterday's, and on 1 January last year's)."""
    return datetime.now(UTC).astimezone(local_zone()).date()
