"""Pure rules of a programme cohort (issue 17): when a phase is met, and what closing decides for
one participant: everything missing is named and fails them, and no cohort closes before its end
date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lms.completion.programmes.rules import (
    PhaseState,
    closing_refusal,
    mean_score,
    phase_state,
    verdict,
)
from lms.kualifikasi import DEFAULT_FILE, load_bands
from lms.leadership.projects.outcome import ProjectOutcome

BANDS = load_bands(DEFAULT_FILE)
AGENDA = [
    (1, "Belajar mandiri", "self_study"),
    (2, "Pembelajaran jarak jauh", "distance"),
    (3, "Klasikal", "classroom"),
    (4, "Aksi perubahan", "project"),
    (5, "Seminar", "evaluation"),
]
ASSESSED = ProjectOutcome("assessed", Decimal("86.50"), "Memuaskan", True)
FAILED = ProjectOutcome("assessed", Decimal("65.00"), "Kurang Memuaskan", False)


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.test_request_context():
        yield


def _states(
    *,
    project: str | None = "aksi_perubahan",
    marked: set[int] = frozenset(),
    done: int = 4,
    total: int = 4,
    outcome: ProjectOutcome | None = ASSESSED,
) -> list[PhaseState]:
    return [
        phase_state(
            pid,
            name,
            kind,
            project=project,
            marked=pid in marked,
            courses_done=done,
            courses_total=total,
            outcome=outcome,
        )
        for pid, name, kind in AGENDA
    ]


def _verdict(states, outcome=ASSESSED, project="aksi_perubahan", scores=()):
    return verdict(
        states,
        project=project,
        project_label="Aksi perubahan",
        outcome=outcome,
        course_scores=list(scores),
        bands=BANDS,
    )


def test_course_phases_are_met_by_every_course_done_or_by_a_mark() -> None:
    half = _states(done=2)
    assert [(s.kind, s.met, s.progress) for s in half[:3]] == [
        ("self_study", False, 50),
        ("distance", False, 50),
        ("classroom", False, 0),
    ]
    full = _states(marked={3})
    assert [(s.met, s.source) for s in full[:3]] == [
        (True, "courses"),
        (True, "courses"),
        (True, "mark"),
    ]
    # Learning followed outside the courses: the organiser's mark meets the phase too.
    assert _states(done=0, marked={2})[1].met
    # A programme without courses: only a mark meets a self-study phase.
    assert not _states(done=0, total=0)[0].met


def test_project_phases_follow_the_assessment_never_a_mark() -> None:
    states = _states(outcome=ProjectOutcome("seminar_held", None, "", None), marked={4, 5})
    assert [(s.met, s.progress) for s in states[3:]] == [(False, 88), (False, 70)]
    assert all(s.met and s.source == "project" for s in _states()[3:])
    # Assessed in a failing band: done to the end, but no phase met (the record says why).
    failed = _states(outcome=FAILED)[3:]
    assert [(s.met, s.progress, s.source) for s in failed] == [(False, 100, ""), (False, 100, "")]
    assert [s.progress for s in _states(outcome=None)[3:]] == [0, 0]
    # Without a required project (the instansi's own programme) a mark meets them.
    plain = _states(project=None, outcome=None, marked={4, 5})
    assert [(s.met, s.source) for s in plain[3:]] == [(True, "mark"), (True, "mark")]


def test_every_phase_met_and_the_project_passed_passes_with_the_projects_score() -> None:
    decided = _verdict(_states(marked={3}))
    assert (decided.result, decided.score, decided.qualification, decided.note) == (
        "passed",
        Decimal("86.50"),
        "Memuaskan",
        "",
    )


def test_what_is_missing_fails_and_is_written_one_line_each() -> None:
    decided = _verdict(_states(done=3, outcome=FAILED), outcome=FAILED)
    assert decided.result == "failed"
    assert decided.notes == (
        "Fase Belajar mandiri belum selesai",
        "Fase Pembelajaran jarak jauh belum selesai",
        "Fase Klasikal belum selesai",
        "Aksi perubahan: Kurang Memuaskan",
    )
    # The assessed score and its band stay on the record of a failed participant.
    assert (decided.score, decided.qualification) == (Decimal("65.00"), "Kurang Memuaskan")


@pytest.mark.parametrize(
    ("outcome", "note"),
    [
        (None, "Aksi perubahan belum dimulai"),
        (ProjectOutcome("implementing", None, "", None), "Aksi perubahan belum dinilai"),
    ],
)
def test_a_project_not_assessed_fails_once_not_per_phase(outcome, note) -> None:
    decided = _verdict(_states(marked={3}, outcome=outcome), outcome=outcome)
    assert decided.notes == (note,)
    assert decided.score is None and decided.qualification == ""


def test_without_a_project_the_courses_mean_and_its_passing_band_are_the_result() -> None:
    states = _states(project=None, outcome=None, marked={3, 4, 5})
    good = _verdict(states, None, None, [Decimal("88"), Decimal("93")])
    assert (good.passed, good.score, good.qualification) == (
        True,
        Decimal("90.50"),
        "Sangat Memuaskan",
    )
    # Every phase met passes; a mean in a non-passing band prints no qualification.
    low = _verdict(states, None, None, [Decimal("55"), Decimal("60")])
    assert (low.passed, low.score, low.qualification) == (True, Decimal("57.50"), "")
    none = _verdict(states, None, None, [])
    assert (none.passed, none.score, none.qualification) == (True, None, "")
    assert mean_score([Decimal("70"), Decimal("71"), Decimal("71")]) == Decimal("70.67")


def test_no_cohort_closes_before_its_end_date() -> None:
    ends = date(2026, 11, 27)
    refused = closing_refusal(ends, date(2026, 11, 26))
    assert refused is not None and "27 November 2026" in refused
    assert closing_refusal(ends, ends) is None
    assert closing_refusal(ends, date(2027, 1, 5)) is None
