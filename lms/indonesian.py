"""Indonesian month names and dates as official documents print them, whatever the UI locale;
the agency's local dates; numbers as the reader's locale writes them (92,86 in Indonesian); and
where a NIP or a certificate number may wrap in a narrow table column."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, overload
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import current_app, has_app_context, has_request_context
from markupsafe import Markup, escape

from lms.db import as_utc

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


def parse_tanggal(text: str | None) -> date | None:
    """The date ``tanggal`` printed ("28 November 2026"), read back; None for anything else.
    Certificates freeze their dates as printed text: a page in another language reads them
    back to show them in its own (the PDF itself stays Indonesian)."""
    parts = (text or "").split()
    if len(parts) != 3 or parts[1] not in MONTHS or not (parts[0] + parts[2]).isdigit():
        return None
    try:
        return date(int(parts[2]), MONTHS.index(parts[1]) + 1, int(parts[0]))
    except ValueError:
        return None


def local_zone() -> ZoneInfo:
    """The agency's time zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Jakarta for Palembang)."""
    name = "Asia/Jakarta"
    if has_app_context():
        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", name)
    return ZoneInfo(name)


def local_time(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """A stored moment in the agency's time zone. Naive values are UTC (SQLite hands them back
    without a zone; every timestamp is written as UTC). ``zone`` saves the lookup in a loop."""
    return as_utc(moment).astimezone(zone or local_zone())


def zone_abbreviation(moment: datetime | None = None) -> str:
    """What people read after a local time: WIB for Asia/Jakarta, WITA for Asia/Makassar, WIT for
    Asia/Jayapura (the configured zone's own abbreviation; ``LOCAL_ZONE_ABBREVIATION`` overrides
    it). Never written into code or templates, so another region's deployment reads its own."""
    if has_app_context() and current_app.config.get("LOCAL_ZONE_ABBREVIATION"):
        return str(current_app.config["LOCAL_ZONE_ABBREVIATION"])
    zone = local_zone()
    return (moment or datetime.now(UTC)).astimezone(zone).tzname() or zone.key


@overload
def from_local(moment: datetime) -> datetime: ...
@overload
def from_local(moment: None) -> None: ...
def from_local(moment: datetime | None) -> datetime | None:
    """A wall-clock time typed into a form (naive, in the agency's zone) as an aware UTC moment."""
    if moment is None:
        return None
    return moment.replace(tzinfo=local_zone()).astimezone(UTC)


@overload
def local_wall_time(moment: datetime) -> datetime: ...
@overload
def local_wall_time(moment: None) -> None: ...
def local_wall_time(moment: datetime | None) -> datetime | None:
    """A stored moment as the naive local wall-clock time a ``datetime-local`` field shows."""
    if moment is None:
        return None
    return local_time(moment).replace(tzinfo=None)


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


def number(value: Decimal | float | int | None, places: int | None = None, blank: str = "–") -> str:
    """A number as the request's locale writes it: Indonesian 92,86 and 1.234 (decimal comma,
    thousands dot), English 92.86 and 1,234. ``places`` fixes the decimals (scores: 2); without
    it up to two are shown and trailing zeros dropped (2,5 JP; 4 JP). Rounded half up, like the
    rest of the app. None (and NaN) give ``blank``. Outside a request: Indonesian."""
    if value is None:
        return blank
    try:
        return _number(type(value), value, places, blank, _number_locale())
    except TypeError:  # an unhashable value: format it without the memo
        return _formatted(value, places, blank, _number_locale())


@lru_cache(maxsize=4096)
def _number(_kind: type, value: Any, places: int | None, blank: str, locale: str) -> str:
    """``number``'s memo: the same value (of the same type: True is not 1), decimals and locale
    always read the same, and Babel's pattern parsing costs some 40 µs a call (a dashboard
    formats a few dozen figures per visit)."""
    return _formatted(value, places, blank, locale)


def _formatted(value: Any, places: int | None, blank: str, locale: str) -> str:
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not amount.is_finite():
            return blank
        amount = amount.quantize(
            Decimal(1).scaleb(-(2 if places is None else places)), ROUND_HALF_UP
        )
    except InvalidOperation:
        return blank
    pattern = "#,##0" + (
        "." + ("0" * places if places is not None else "##") if places != 0 else ""
    )
    return format_decimal(amount, pattern, locale=locale, decimal_quantization=False)


def _number_locale() -> str:
    if has_request_context():
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None:
            return str(locale)
    return "id"


_NIP = re.compile(r"\d{18}")
_SLASH = re.compile(r"/(?=\S)")


def soft_breaks(value: object) -> Markup:
    """The text, escaped, with line-break opportunities (``<wbr>``) where a reader expects a long
    identifier to wrap: a NIP between its fields (birth date, appointment, sex, sequence, as
    ``19700101 199503 1 001`` is printed) and a certificate number after each slash
    (``0001/STTP/BKPSDM/2026``). A table column may then be as narrow as the longest part, so a
    report of many columns fits a laptop. The characters shown are unchanged, so the value reads,
    copies and is found by the browser's search the same."""
    if value is None:
        return Markup("")
    text = str(value)
    if _NIP.fullmatch(text):
        return Markup("<wbr>").join([text[:8], text[8:14], text[14], text[15:]])
    return Markup("/<wbr>").join(escape(part) for part in _SLASH.split(text))
