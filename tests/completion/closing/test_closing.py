"""Closing a cohort (issue 17): only closing completes a programme, never before the cohort's end
date, with the programme's own JP; what was missing is written for those who fail; a second
closing does nothing more; a closed cohort refuses changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.auth.models import AuditLog, PartnerInstitution, User
from lms.completion.models import Completion
from lms.completion.programmes import closing, progress
from lms.completion.services import CompletionError
from lms.enrolments.cohorts import editing, marks, services
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.cohorts.rules import CohortError
from lms.extensions import db
from lms.org.models import Employee
from lms.reports.definitions import cohort as cohort_report
from lms.reports.filters import Filters, Scope
from tests.completion.closing.builders import (
    LOW,
    PASSED,
    TODAY,
    complete_courses,
    fake_outcomes,
    make_pkp,
)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _cohort(code: str = "PKP-UJI-I") -> Cohort:
    return db.session.scalar(select(Cohort).where(Cohort.code == code))


def _hr() -> User:
    return db.session.scalar(select(User).where(User.username == "bkpsdm"))


def _programme_completions() -> list[Completion]:
    return list(db.session.scalars(select(Completion).where(Completion.programme_id.is_not(None))))


def _stage(world, monkeypatch, **over):
    built = make_pkp(world, **over)
    complete_courses(world, "pegawai", [80, 90])
    complete_courses(world, "atasan", [70])  # one of two courses
    complete_courses(world, "disdik", [75, 85])
    # Classroom attendance: pegawai and disdik; atasan missed it.
    marks.set_marks(
        _hr(),
        _cohort(built.cohort_code),
        built.phases["classroom"],
        [built.members["pegawai"], built.members["disdik"]],
    )
    fake_outcomes(
        monkeypatch,
        {
            built.members["pegawai"]: PASSED,
            built.members["atasan"]: None,
            built.members["disdik"]: LOW,
        },
    )
    return built


def test_closing_passes_who_met_everything_and_fails_the_rest_with_notes(
    ctx, world, monkeypatch
) -> None:
    built = _stage(world, monkeypatch)
    assert _programme_completions() == []  # every course done completes nothing yet
    done = closing.close_cohort(_hr(), _cohort())
    db.session.flush()
    assert (done.passed, done.failed, done.already) == (1, 2, False)

    cohort = _cohort()
    assert cohort.closed_at is not None and cohort.closed_by_id == _hr().id
    rows = {m.id: m for m in cohort.members}
    passed = rows[built.members["pegawai"]]
    assert (passed.result, passed.status, passed.final_score, passed.qualification) == (
        "passed",
        "completed",
        Decimal("86.50"),
        "Memuaskan",
    )
    assert passed.result_note == ""
    [record] = _programme_completions()
    assert (record.employee_id, record.cohort_id, record.source) == (
        world.employees["pegawai"].id,
        cohort.id,
        "programme",
    )
    # The programme's own JP, counted once (not its courses' sum).
    assert (record.jp, record.score, record.started_on) == (
        Decimal(830),
        Decimal("86.50"),
        cohort.starts_on,
    )
    assert record.organiser == "BKPSDM Kota Palembang"

    missed = rows[built.members["atasan"]]
    assert (missed.result, missed.status) == ("failed", "active")
    assert missed.result_note.splitlines() == [
        "Fase Tahap self_study belum selesai",
        "Fase Tahap distance belum selesai",
        "Fase Tahap classroom belum selesai",
        "Aksi perubahan belum dimulai",
    ]
    low = rows[built.members["disdik"]]
    assert (low.result, low.final_score, low.qualification) == (
        "failed",
        Decimal("64.00"),
        "Kurang Memuaskan",
    )
    assert low.result_note == "Aksi perubahan: Kurang Memuaskan"
    # The withdrawn participant is left as they were.
    assert rows[built.members["hr"]].result is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.object_type == "Cohort")
        )
        == 1
    )

    # HR's cohort report shows the closing's results and what was missing.
    report = {
        r.nama: r for r in db.session.execute(cohort_report.REPORT.select(Scope.all(), Filters()))
    }
    assert report["Siti Aminah"].hasil == "lulus"
    assert report["Siti Aminah"].kualifikasi == "Memuaskan"
    assert report["Dewi Lestari"].hasil == "tidak_lulus"
    assert report["Dewi Lestari"].keterangan == "Aksi perubahan: Kurang Memuaskan"
    assert report["Rahmat Hidayat"].keterangan.endswith("Aksi perubahan belum dimulai")


def test_closing_twice_does_nothing_more(ctx, world, monkeypatch) -> None:
    _stage(world, monkeypatch)
    closing.close_cohort(_hr(), _cohort())
    first = {m.id: (m.result, m.result_note, m.final_score) for m in _cohort().members}
    stamp = _cohort().closed_at
    again = closing.close_cohort(None, _cohort())
    assert again.already and again.verdicts == []
    assert len(_programme_completions()) == 1
    assert {m.id: (m.result, m.result_note, m.final_score) for m in _cohort().members} == first
    assert _cohort().closed_at == stamp


def test_never_before_the_end_date(ctx, world, monkeypatch) -> None:
    _stage(world, monkeypatch, ends_on=TODAY + timedelta(days=1))
    with pytest.raises(CompletionError, match="belum dapat ditutup"):
        closing.close_cohort(_hr(), _cohort())
    assert closing.refusal(_cohort(), TODAY + timedelta(days=1)) is None
    assert _cohort().closed_at is None
    assert {m.result for m in _cohort().members} == {None}
    assert _programme_completions() == []


def test_a_programme_without_jp_is_refused(ctx, world, monkeypatch) -> None:
    _stage(world, monkeypatch, kind="INSTANSI", jp=None)
    cohort = _cohort()
    # No own JP: the cohort's phases count; without those, the courses' (an older programme).
    for phase in cohort.phases:
        phase.jp = None
    assert closing.refusal(cohort) is None
    cohort.programme.courses = []
    refused = closing.refusal(cohort)
    assert refused is not None and "jam pelajaran" in refused


def test_without_a_project_the_courses_mean_gives_score_and_band(ctx, world, monkeypatch) -> None:
    built = _stage(world, monkeypatch, kind="INSTANSI", jp=24)
    cohort = _cohort()
    hr = _hr()
    for kind in ("project", "evaluation"):  # the instansi's own: marks decide these phases
        marks.set_marks(hr, cohort, built.phases[kind], [built.members["pegawai"]])
    done = closing.close_cohort(hr, cohort)
    assert (done.passed, done.failed) == (1, 2)
    passed = db.session.get(CohortMember, built.members["pegawai"])
    assert (passed.final_score, passed.qualification) == (Decimal("85.00"), "Memuaskan")
    [record] = _programme_completions()
    assert record.jp == Decimal(24)
    partial = db.session.get(CohortMember, built.members["disdik"])
    assert partial.result_note.splitlines() == [
        "Fase Tahap project belum selesai",
        "Fase Tahap evaluation belum selesai",
    ]


def test_a_partner_organiser_is_the_completion_organiser(ctx, world, monkeypatch) -> None:
    partner = db.session.scalar(
        select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
    )
    _stage(world, monkeypatch, organiser_partner_id=partner.id)
    closing.close_cohort(_hr(), _cohort())
    [record] = _programme_completions()
    assert record.organiser == "BPSDMD Provinsi Sumatera Selatan"


def test_a_closed_cohort_refuses_changes(ctx, world, monkeypatch) -> None:
    built = _stage(world, monkeypatch)
    closing.close_cohort(_hr(), _cohort())
    cohort = _cohort()
    budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
    with pytest.raises(CohortError, match="sudah ditutup"):
        services.add_member(_hr(), cohort, budi)
    with pytest.raises(CohortError, match="sudah ditutup"):
        marks.set_marks(_hr(), cohort, built.phases["classroom"], [])
    with pytest.raises(CohortError, match="sudah ditutup"):
        services.withdraw_member(_hr(), db.session.get(CohortMember, built.members["atasan"]))
    with pytest.raises(CohortError, match="sudah ditutup"):
        editing.save_cohort(
            _hr(),
            cohort.programme,
            cohort,
            {
                "code": cohort.code,
                "name": "Nama lain",
                "starts_on": cohort.starts_on,
                "ends_on": cohort.ends_on,
            },
        )
    # Unchanged content is no change: applying the same values again is accepted.
    same = editing.clean_cohort(
        cohort.programme,
        cohort,
        {
            "code": cohort.code,
            "name": cohort.name,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "approval_steps": cohort.approval_steps,
            "phases": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "jp": p.jp,
                    "starts_on": p.starts_on,
                    "ends_on": p.ends_on,
                }
                for p in cohort.phases
            ],
        },
    )
    assert editing.apply_cohort(cohort.programme, cohort, same) is False
    # The participants' phases stay readable after closing (the record).
    grid = progress.cohort_progress(cohort)
    assert len(grid.rows) == 3
