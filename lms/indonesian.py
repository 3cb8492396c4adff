"""Indonesian month names and dates as official documents print them, whatever the UI locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def local_today() -> date:
    """Today where the agency is, not on the server's clock (often UTC: seven hours behind
    Palembang, so from midnight to 07:00 WIB its date is yesterday's, and on 1 January last year's)."""
    return datetime.now(UTC).astimezone(local_zone()).date()
