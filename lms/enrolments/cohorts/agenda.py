"""A cohort's agenda: its phases (kind, name, JP, dates), checked alike for the HR form and the
content loader, and the default agenda a programme kind gives a new cohort.

A phase row may give its length in days instead of dates: it then starts the day after the row
before it ends (the first on the cohort's start) and lasts that many days. So the kind's agenda
(``programme_kinds.yaml``: kind, name, JP, days) becomes real dates from the start date HR types,
and HR may still change any date, name or JP before saving.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from lms.enrolments.cohorts.models import PHASE_KINDS, ProgrammeKind
from lms.enrolments.cohorts.rules import CohortError

#: Longer than any programme runs: a bigger number of days or JP is a typo.
MAX_PHASE_DAYS = 366
MAX_PHASE_JP = 2000


def default_agenda(kind: ProgrammeKind | None) -> list[dict[str, Any]]:
    """The kind's phases as form rows (kind, name, JP, days; no dates yet)."""
    return [
        {
            "kind": row.get("kind") or "self_study",
            "name": str(row.get("name") or ""),
            "jp": row.get("jp"),
            "days": row.get("days"),
        }
        for row in (kind.phases if kind is not None else None) or []
    ]


def as_date(value: Any, message: str, field: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CohortError(message, field)


def _whole(value: Any, top: int, message: str, field: str, low: int = 0) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise CohortError(message, field)  # YAML's "yes" or 2.5 days
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CohortError(message, field) from None
    if not low <= number <= top:
        raise CohortError(message, field)
    return number


def _blank(value: Any) -> bool:
    return value in (None, "")


def clean_phases(
    rows: Sequence[Mapping[str, Any]], starts: date, ends: date
) -> list[dict[str, Any]]:
    """Check the phase rows (blank rows skipped) and return ``{name, kind, jp, starts_on,
    ends_on}`` per phase, dated; CohortError names the row (``phases-<index>``)."""
    out: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        name = (row.get("name") or "").strip()
        start, end, days = row.get("starts_on"), row.get("ends_on"), row.get("days")
        if not name and _blank(start) and _blank(end):
            continue  # a blank row of the form (its kind, JP and days alone mean nothing)
        n = index + 1
        field = f"phases-{index}"
        if not name:
            raise CohortError(_("Tahap ke-%(n)s: nama tahap wajib diisi.", n=n), field)
        kind = row.get("kind") or "self_study"
        if kind not in PHASE_KINDS:
            raise CohortError(
                _("Tahap ke-%(n)s (%(t)s): jenis tahap tidak dikenal.", n=n, t=name), field
            )
        jp = _whole(
            row.get("jp"),
            MAX_PHASE_JP,
            _(
                "Tahap ke-%(n)s (%(t)s): JP harus bilangan bulat 0–%(m)s.",
                n=n,
                t=name,
                m=MAX_PHASE_JP,
            ),
            field,
        )
        days = _whole(
            days,
            MAX_PHASE_DAYS,
            _(
                "Tahap ke-%(n)s (%(t)s): lama tahap harus 1–%(m)s hari.",
                n=n,
                t=name,
                m=MAX_PHASE_DAYS,
            ),
            field,
            low=1,
        )
        if _blank(start) and _blank(end) and days is not None:
            start = out[-1]["ends_on"] + timedelta(days=1) if out else starts
            end = start + timedelta(days=days - 1)
        if _blank(start) or _blank(end):
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s): tanggal mulai dan selesai wajib diisi "
                    "(atau kosongkan keduanya dan isi lama tahap dalam hari).",
                    n=n,
                    t=name,
                ),
                field,
            )
        start = as_date(start, _("Tahap ke-%(n)s: tanggal mulai tidak valid.", n=n), field)
        end = as_date(end, _("Tahap ke-%(n)s: tanggal selesai tidak valid.", n=n), field)
        if end < start:
            raise CohortError(
                _("Tahap ke-%(n)s (%(t)s): tanggal selesai sebelum tanggal mulai.", n=n, t=name),
                field,
            )
        if start < starts or end > ends:
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s) harus berada di dalam tanggal angkatan "
                    "(tahap ini %(a)s – %(b)s).",
                    n=n,
                    t=name,
                    a=format_date(start, "medium"),
                    b=format_date(end, "medium"),
                ),
                field,
            )
        if out and start <= out[-1]["ends_on"]:
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s) tumpang tindih dengan tahap sebelumnya; "
                    "urutkan tahap menurut tanggal.",
                    n=n,
                    t=name,
                ),
                field,
            )
        out.append({"name": name[:200], "kind": kind, "jp": jp, "starts_on": start, "ends_on": end})
    return out


def phase_key(phase: Any) -> tuple[Any, ...]:
    """What identifies a stored or cleaned phase's content (to write only what changed)."""
    if isinstance(phase, Mapping):
        return (phase["name"], phase["kind"], phase["jp"], phase["starts_on"], phase["ends_on"])
    return (phase.name, phase.kind, phase.jp, phase.starts_on, phase.ends_on)
