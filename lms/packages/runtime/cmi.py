"""The server's side of the SCORM data model: what a commit may store, checked again here.

The browser runs scorm-again, which enforces the full data model (access rules, vocabularies,
ranges, error codes) while the SCO talks to it. The server still checks every value it keeps,
because a commit arrives from a page the package's scripts can reach: a forged message must not
store a status outside the vocabulary, an oversized suspend_data or a nonsense time.

Time arithmetic: a SCO reports the time of the current session (1.2 ``HHHH:MM:SS.SS``, 2004 an
ISO 8601 duration ``P[nY][nM][nD][T[nH][nM][n.nS]]``); the LMS adds each finished session into
total time. Kept in centiseconds, the finest unit either format has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

SCORM12 = "scorm12"
SCORM2004 = "scorm2004"

LESSON_STATUSES = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
COMPLETION_STATUSES = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_STATUSES = ("passed", "failed", "unknown")
EXIT_12 = ("time-out", "suspend", "logout", "")
EXIT_2004 = ("time-out", "suspend", "logout", "normal", "")

#: The spec's limits (SCORM 1.2 RTE 3.4; SCORM 2004 4th ed. RTE 4.2, smallest permitted maximum).
LIMITS = {
    SCORM12: {"location": 255, "suspend_data": 4096},
    SCORM2004: {"location": 1000, "suspend_data": 64000},
}
#: Interactions and objectives are kept as data, whole; bounded so one attempt stays small.
MAX_EXTRA_BYTES = 256 * 1024
MAX_ELEMENTS = 5000

_TIMESPAN_12 = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(\.\d{1,2})?$")
_DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$"
)


class CmiError(ValueError):
    """A committed value outside the data model: ``element`` names it."""

    def __init__(self, element: str, message: Any) -> None:
        super().__init__(f"{element}: {message}")
        self.element = element
        self.message = message


def parse_timespan_12(value: str) -> int:
    """SCORM 1.2 CMITimespan ``HHHH:MM:SS.SS`` to centiseconds."""
    match = _TIMESPAN_12.match(value)
    if not match:
        raise CmiError("cmi.core.session_time", _l("format HHHH:MM:SS.SS"))
    hours, minutes, seconds, fraction = match.groups()
    cs = int(round(float(fraction or "0") * 100))
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 100 + cs


def format_timespan_12(cs: int) -> str:
    """Centiseconds to ``HHHH:MM:SS.SS`` (hours capped at 9999, the format's largest)."""
    seconds, cs = divmod(max(cs, 0), 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours > 9999:
        return "9999:59:59.99"
    return f"{hours:04d}:{minutes:02d}:{seconds:02d}.{cs:02d}"


def parse_duration(value: str) -> int:
    """ISO 8601 duration (SCORM 2004 timeinterval) to centiseconds.

    Years and months have no fixed length: as scorm-again and the ADL test suite do, a year is
    365 days and a month 30 days. ``P`` alone and a trailing ``T`` are not durations."""
    match = _DURATION.match(value)
    if not match or value in ("P", "PT") or value.endswith("T"):
        raise CmiError("cmi.session_time", _l("format durasi ISO 8601, mis. PT1H2M3.5S"))
    years, months, days, hours, minutes, seconds = match.groups()
    total_days = int(years or 0) * 365 + int(months or 0) * 30 + int(days or 0)
    whole = ((total_days * 24 + int(hours or 0)) * 60 + int(minutes or 0)) * 60
    return whole * 100 + int(round(float(seconds or "0") * 100))


def format_duration(cs: int) -> str:
    """Centiseconds to an ISO 8601 duration with hours, minutes and seconds (``PT0S`` for 0)."""
    seconds, cs = divmod(max(cs, 0), 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    parts = "PT"
    if hours:
        parts += f"{hours}H"
    if minutes:
        parts += f"{minutes}M"
    if seconds or cs or parts == "PT":
        parts += f"{seconds}.{cs:02d}S".replace(".00S", "S")
    return parts


def parse_session_time(standard: str, value: str) -> int:
    return parse_timespan_12(value) if standard == SCORM12 else parse_duration(value)


def format_total_time(standard: str, cs: int) -> str:
    return format_timespan_12(cs) if standard == SCORM12 else format_duration(cs)


@dataclass
class Tracked:
    """What one commit stores: the columns of a ScoAttempt plus the rest as data."""

    lesson_status: str | None = None
    completion_status: str | None = None
    success_status: str | None = None
    score_raw: Decimal | None = None
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    score_scaled: Decimal | None = None
    location: str = ""
    suspend_data: str = ""
    exit: str = ""
    session_cs: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def _decimal(element: str, value: str, low: float | None = None, high: float | None = None):
    if value == "":
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CmiError(element, _l("harus berupa angka")) from None
    if not number.is_finite():
        raise CmiError(element, _l("harus berupa angka"))
    if (low is not None and number < Decimal(str(low))) or (
        high is not None and number > Decimal(str(high))
    ):
        raise CmiError(element, _l("harus di antara %(low)s dan %(high)s", low=low, high=high))
    return number


def _choice(element: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CmiError(element, _l("nilai tidak dikenal"))
    return value


def _text(element: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise CmiError(element, _l("paling banyak %(n)s karakter", n=limit))
    return value


#: Elements kept as data beyond the columns (interactions, objectives, comments, preferences).
_EXTRA_PREFIXES = (
    "cmi.interactions.",
    "cmi.objectives.",
    "cmi.comments",
    "cmi.student_preference.",
    "cmi.learner_preference.",
    "cmi.student_data.",
    "cmi.progress_measure",
    "adl.nav.request",
)


def read_commit(standard: str, flat: dict[str, Any]) -> Tracked:
    """Check a flattened CMI commit (``{"cmi.core.lesson_status": "passed", ...}``)."""
    if not isinstance(flat, dict):
        raise CmiError("cmi", _l("harus berupa objek JSON"))
    if len(flat) > MAX_ELEMENTS:
        raise CmiError("cmi", _l("paling banyak %(n)s elemen", n=MAX_ELEMENTS))
    values: dict[str, str] = {}
    for key, value in flat.items():
        if not isinstance(key, str) or not isinstance(value, str | int | float | type(None)):
            raise CmiError(str(key)[:80], _l("nilai harus berupa teks"))
        values[key] = "" if value is None else str(value)
    get = values.get
    limits = LIMITS[standard]
    out = Tracked()
    if standard == SCORM12:
        status = get("cmi.core.lesson_status", "")
        if status:
            out.lesson_status = _choice("cmi.core.lesson_status", status, LESSON_STATUSES)
        prefix = "cmi.core.score."
        out.score_raw = _decimal(prefix + "raw", get(prefix + "raw", ""), 0, 100)
        out.score_min = _decimal(prefix + "min", get(prefix + "min", ""), 0, 100)
        out.score_max = _decimal(prefix + "max", get(prefix + "max", ""), 0, 100)
        location_key, exit_key, time_key = (
            "cmi.core.lesson_location",
            "cmi.core.exit",
            "cmi.core.session_time",
        )
        out.exit = _choice(exit_key, get(exit_key, ""), EXIT_12)
    else:
        completion = get("cmi.completion_status", "") or "unknown"
        out.completion_status = _choice("cmi.completion_status", completion, COMPLETION_STATUSES)
        success = get("cmi.success_status", "") or "unknown"
        out.success_status = _choice("cmi.success_status", success, SUCCESS_STATUSES)
        prefix = "cmi.score."
        out.score_scaled = _decimal(prefix + "scaled", get(prefix + "scaled", ""), -1, 1)
        out.score_raw = _decimal(prefix + "raw", get(prefix + "raw", ""))
        out.score_min = _decimal(prefix + "min", get(prefix + "min", ""))
        out.score_max = _decimal(prefix + "max", get(prefix + "max", ""))
        location_key, exit_key, time_key = "cmi.location", "cmi.exit", "cmi.session_time"
        out.exit = _choice(exit_key, get(exit_key, ""), EXIT_2004)
    out.location = _text(location_key, get(location_key, ""), limits["location"])
    out.suspend_data = _text(
        "cmi.suspend_data", get("cmi.suspend_data", ""), limits["suspend_data"]
    )
    session = get(time_key, "")
    out.session_cs = parse_session_time(standard, session) if session else 0
    out.extra = {k: v for k, v in values.items() if k.startswith(_EXTRA_PREFIXES)}
    if sum(len(k) + len(v) for k, v in out.extra.items()) > MAX_EXTRA_BYTES:
        raise CmiError("cmi.interactions", _l("data interaksi dan tujuan terlalu besar"))
    return out


_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def percent_score(
    raw: Decimal | None,
    low: Decimal | None,
    high: Decimal | None,
    scaled: Decimal | None,
) -> Decimal | None:
    """A SCO's score as a percentage 0-100 (two decimals), or None when it reported none.

    ``score.scaled`` (2004, -1..1) times 100 when present; else ``score.raw`` placed between
    ``score.min`` and ``score.max`` (missing: 0 and 100, SCORM 1.2's convention), or raw itself
    when max is not above min; always clamped to 0-100 (a negative scaled score is 0)."""
    if scaled is not None:
        value = Decimal(scaled) * _HUNDRED
    elif raw is not None:
        bottom = Decimal(low) if low is not None else Decimal(0)
        top = Decimal(high) if high is not None else _HUNDRED
        raw = Decimal(raw)
        value = raw if top <= bottom else (raw - bottom) / (top - bottom) * _HUNDRED
    else:
        return None
    return min(max(value, Decimal(0)), _HUNDRED).quantize(_CENT)
