"""Pure rules of a programme cohort: when a phase is met, and what closing decides for one
participant. Free of the database (tested on their own, like ``completion.rules``).

A phase is met
- self-study and distance: by every course of the programme completed (valid completions), or by
  the organiser's mark (learning followed outside the courses);
- classroom: by the organiser's mark (attendance);
- project and evaluation, when the kind requires a workplace project: by the project's
  assessment (``assessed``), never by a mark; without a required project, by a mark.

Closing passes a participant when every phase is met and the required project's assessment
passed; the score and qualification are the project's, or (without a project) the mean of the
courses' scores with its kualifikasi band when that band passes. Everything missing is written
down, one line each, for the participant and HR.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.kualifikasi import Band, band_for
from lms.leadership.projects.outcome import ProjectOutcome

#: Where a project stands, in order, for the progress bar of its phase.
PROJECT_STAGES = (
    "draft",
    "proposal_submitted",
    "returned",
    "approved",
    "implementing",
    "seminar_scheduled",
    "seminar_held",
    "assessed",
)
#: One name per project stage on the grid and the participant's page.
PROJECT_STATE_LABELS = {
    "draft": _l("Usulan masih draf"),
    "proposal_submitted": _l("Usulan diajukan"),
    "returned": _l("Usulan dikembalikan"),
    "approved": _l("Usulan disetujui"),
    "implementing": _l("Implementasi berjalan"),
    "seminar_scheduled": _l("Seminar dijadwalkan"),
    "seminar_held": _l("Seminar selesai, menunggu nilai"),
    "assessed": _l("Sudah dinilai"),
}
#: What met a phase, in words.
SOURCE_LABELS = {
    "courses": _l("pelatihan selesai"),
    "mark": _l("ditandai penyelenggara"),
    "project": _l("proyek dinilai"),
}
#: The stages the closing evaluation (seminar) phase counts, each with its share done.
SEMINAR_PROGRESS = {"seminar_scheduled": 30, "seminar_held": 70, "assessed": 100}
PROJECT_PHASES = ("project", "evaluation")
COURSE_PHASES = ("self_study", "distance")


@dataclass(frozen=True)
class PhaseState:
    """One participant in one phase: met or not, how far (0-100), and what decided it
    (``courses``, ``mark``, ``project``, or "" while nothing has)."""

    phase_id: int
    name: str
    kind: str
    met: bool
    progress: int
    source: str = ""


def phase_state(
    phase_id: int,
    name: str,
    kind: str,
    *,
    project: str | None,
    marked: bool,
    courses_done: int,
    courses_total: int,
    outcome: ProjectOutcome | None,
) -> PhaseState:
    """Whether one phase is met for one participant (``project``: the kind's required project)."""
    if project and kind in PROJECT_PHASES:
        state = outcome.state if outcome is not None else ""
        if kind == "project":
            step = PROJECT_STAGES.index(state) + 1 if state in PROJECT_STAGES else 0
            progress = round(100 * step / len(PROJECT_STAGES))
        else:
            progress = SEMINAR_PROGRESS.get(state, 0)
        # Met by a passing assessment: a project assessed in a failing band is no phase done.
        met = outcome is not None and outcome.assessed and bool(outcome.passed)
        return PhaseState(phase_id, name, kind, met, progress, "project" if met else "")
    if marked:
        return PhaseState(phase_id, name, kind, True, 100, "mark")
    if kind in COURSE_PHASES and courses_total:
        done = min(courses_done, courses_total)
        met = done == courses_total
        return PhaseState(
            phase_id, name, kind, met, round(100 * done / courses_total), "courses" if met else ""
        )
    return PhaseState(phase_id, name, kind, False, 0)


@dataclass(frozen=True)
class Verdict:
    """What closing writes for one participant."""

    passed: bool
    score: Decimal | None
    qualification: str
    notes: tuple[str, ...]

    @property
    def result(self) -> str:
        return "passed" if self.passed else "failed"

    @property
    def note(self) -> str:
        return "\n".join(self.notes)


def verdict(
    states: Sequence[PhaseState],
    *,
    project: str | None,
    project_label: str,
    outcome: ProjectOutcome | None,
    course_scores: Sequence[Decimal],
    bands: tuple[Band, ...],
) -> Verdict:
    """The closing's decision for one participant (``project_label``: "Aksi perubahan")."""
    notes = [
        _("Fase %(p)s belum selesai", p=s.name)
        for s in states
        if not s.met and not (project and s.kind in PROJECT_PHASES)
    ]
    if project:
        if outcome is None:
            notes.append(_("%(p)s belum dimulai", p=project_label))
        elif not outcome.assessed:
            notes.append(_("%(p)s belum dinilai", p=project_label))
        elif not outcome.passed:
            notes.append(f"{project_label}: {outcome.band or _('tidak lulus')}")
        score = outcome.score if outcome is not None and outcome.assessed else None
        qualification = outcome.band if outcome is not None and outcome.assessed else ""
    else:
        score = mean_score(course_scores)
        band = band_for(score, bands)
        qualification = band.name if band is not None and band.passing else ""
    return Verdict(not notes, score, qualification, tuple(notes))


def mean_score(scores: Sequence[Decimal]) -> Decimal | None:
    """The mean of the courses' scores, to two decimals (None without any)."""
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))


def closing_refusal(ends_on: date, today: date) -> str | None:
    """Why a cohort may not be closed yet: never before its end date (the agency's day)."""
    if today < ends_on:
        return _(
            "Angkatan belum dapat ditutup: tanggal selesai angkatan %(d)s belum tiba. Penutupan "
            "dapat dilakukan mulai tanggal itu.",
            d=format_date(ends_on, "long"),
        )
    return None
