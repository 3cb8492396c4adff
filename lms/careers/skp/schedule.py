"""When an SKP is evaluated: the periodic slots (month, quarter or semester, as the instansi
chooses) and the annual one, and whether a slot may be evaluated yet (pure rules on dates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.careers.skp.models import (
    SkpPeriod,
)
from lms.indonesian import MONTHS, local_today, tanggal
from lms.org.models import EVALUATION_PERIODS, Employee

# Period labels are stored as the regulation's documents write them (Indonesian month names).
ROMAN = ("I", "II", "III", "IV")


# --- evaluation slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One evaluation moment of a period: a month, a quarter (``periodic``) or the year."""

    kind: str
    sequence: int
    label: str
    starts: date
    ends: date


def _month_end(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


EVALUATION_PERIOD_LABELS = {
    "monthly": _l("Bulanan"),
    "quarterly": _l("Triwulanan"),
    "semester": _l("Semesteran"),
}
DEFAULT_EVALUATION_PERIOD = "quarterly"


def evaluation_period_of(employee: Employee) -> str:
    """'monthly', 'quarterly' or 'semester', as the employee's instansi chooses."""
    chosen = employee.unit.instansi.evaluation_period if employee.unit else None
    return chosen if chosen in EVALUATION_PERIODS else DEFAULT_EVALUATION_PERIOD


def periodic_slots(frequency: str, year: int) -> list[Slot]:
    """Pure: the periodic evaluations of a year (ends are exclusive)."""
    if frequency == "monthly":
        return [
            Slot("periodic", m, f"{MONTHS[m - 1]} {year}", date(year, m, 1), _month_end(year, m))
            for m in range(1, 13)
        ]
    if frequency == "semester":
        return [
            Slot("periodic", 1, f"Semester I {year}", date(year, 1, 1), date(year, 7, 1)),
            Slot("periodic", 2, f"Semester II {year}", date(year, 7, 1), date(year + 1, 1, 1)),
        ]
    return [
        Slot(
            "periodic",
            q,
            f"Triwulan {ROMAN[q - 1]} {year}",
            date(year, 3 * q - 2, 1),
            _month_end(year, 3 * q),
        )
        for q in range(1, 5)
    ]


def clip_slots(slots: list[Slot], first_day: date, end: date) -> list[Slot]:
    """Pure: the slots an SKP covering [first_day, end) evaluates, cut to its dates (an SKP
    started by a mid-year change begins inside a slot; one cut short ends inside one)."""
    return [
        Slot(s.kind, s.sequence, s.label, max(s.starts, first_day), min(s.ends, end))
        for s in slots
        if s.starts < end and s.ends > first_day
    ]


def annual_slot(year: int) -> Slot:
    return Slot("annual", 0, f"Tahunan {year}", date(year, 1, 1), date(year + 1, 1, 1))


def period_slots(period: SkpPeriod) -> list[Slot]:
    """The periodic slots of this SKP, within its dates."""
    slots = periodic_slots(evaluation_period_of(period.employee), period.year)
    return clip_slots(slots, period.first_day, period.end)


def period_annual_slot(period: SkpPeriod) -> Slot:
    year = annual_slot(period.year)
    return Slot(year.kind, year.sequence, year.label, period.first_day, period.end)


def slot_of(period: SkpPeriod, kind: str, sequence: int | None) -> Slot | None:
    if kind == "annual":
        return period_annual_slot(period)
    if kind != "periodic":
        return None
    for slot in period_slots(period):
        if slot.sequence == sequence:
            return slot
    return None


def open_slots(period: SkpPeriod, today: date | None = None) -> list[Slot]:
    """Periodic slots that have ended and are not evaluated yet (a period is evaluated after it
    ends)."""
    today = today or local_today()
    done = {e.sequence for e in period.evaluations if e.kind == "periodic"}
    return [s for s in period_slots(period) if s.ends <= today and s.sequence not in done]


def evaluable_slots(period: SkpPeriod) -> list[Slot]:
    """What the supervisor may evaluate now: the open periodic slots, and the annual one unless
    the SKP ended with a change of position or already has its annual evaluation."""
    slots = list(open_slots(period))
    if period.ends_on is None and not any(e.kind == "annual" for e in period.evaluations):
        slots.append(period_annual_slot(period))
    return slots


def default_slot(period: SkpPeriod) -> Slot | None:
    """The slot the evaluation form opens on: the latest open periodic one, else the annual."""
    choices = evaluable_slots(period)
    periodic = [s for s in choices if s.kind == "periodic"]
    if periodic:
        return periodic[-1]
    return choices[-1] if choices else None


def missing_periodic(period: SkpPeriod) -> list[Slot]:
    """Periodic slots of this SKP without an evaluation (the annual one needs none missing)."""
    done = {e.sequence for e in period.evaluations if e.kind == "periodic"}
    return [s for s in period_slots(period) if s.sequence not in done]


def last_day(slot: Slot) -> date:
    return slot.ends - timedelta(days=1)


def timing_problem(period: SkpPeriod, slot: Slot, today: date) -> str | None:
    """Pure rules of PermenPANRB 6/2022 on when an evaluation may be given, or None:
    a periodic evaluation after its period ends; the annual one at the end of the year, after
    the last period has ended and every period of the SKP has been evaluated."""
    if slot.kind == "periodic":
        if slot.ends > today:
            return _(
                "Periode %(l)s belum berakhir; evaluasinya baru dapat diberikan setelah %(d)s.",
                l=slot.label,
                d=tanggal(last_day(slot)),
            )
        return None
    if period.end > today:
        return _(
            "Evaluasi tahunan %(y)s baru dapat diberikan di akhir tahun, setelah periode "
            "terakhir berakhir (%(d)s).",
            y=period.year,
            d=tanggal(period.end - timedelta(days=1)),
        )
    missing = missing_periodic(period)
    if missing:
        return _(
            "Evaluasi tahunan memerlukan semua evaluasi periodik tahun ini. Belum dievaluasi: "
            "%(l)s.",
            l=", ".join(s.label for s in missing),
        )
    return None
