"""Loading programmes and cohorts from content/programmes/*.yaml."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from config import BASE_DIR
from lms.enrolments.cohorts.loader import load_programmes
from lms.enrolments.cohorts.models import Cohort, CohortPhase, Programme, ProgrammeCourse
from tests.factories import make_course

PKP_FILE = BASE_DIR / "content" / "programmes" / "pkp-2026.yaml"
PKP_COURSES = ("KPM-101", "KOM-101", "MWK-101", "MPP-101")


def _counts(db) -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Programme, ProgrammeCourse, Cohort, CohortPhase)
    )


def _pkp_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "programmes"
    folder.mkdir()
    shutil.copy(PKP_FILE, folder / PKP_FILE.name)
    return folder


def test_pkp_programme_loads_and_second_run_changes_nothing(db, world, tmp_path) -> None:
    for code in PKP_COURSES:
        make_course(code, title=f"Pelatihan {code}")
    folder = _pkp_dir(tmp_path)

    first = load_programmes(folder)
    db.session.commit()
    assert first == {"created": 2, "updated": 0, "errors": []}
    pkp = db.session.scalar(select(Programme).where(Programme.code == "PKP"))
    assert pkp.title == "Pelatihan Kepemimpinan Pengawas"
    assert pkp.jenis_diklat_code == 1
    assert (pkp.kind_code, pkp.jp) == ("PKP", 830)
    assert [pc.course.code for pc in pkp.courses] == list(PKP_COURSES)
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKP-2026-I"))
    assert cohort.programme_id == pkp.id
    assert (cohort.starts_on, cohort.ends_on, cohort.quota) == (
        date(2026, 7, 20),
        date(2026, 11, 27),
        40,
    )
    # The organiser is registered from the file when the partner is not known yet.
    assert cohort.organiser_partner.code == "BPSDMD-SUMSEL"
    assert [(p.kind, p.name, p.jp) for p in cohort.phases] == [
        ("self_study", "Belajar mandiri", 120),
        ("distance", "Pembelajaran jarak jauh", 190),
        ("classroom", "Pembelajaran klasikal", 210),
        ("project", "Aksi perubahan (implementasi)", 280),
        ("evaluation", "Seminar aksi perubahan dan evaluasi", 30),
    ]
    assert sum(p.jp for p in cohort.phases) == pkp.jp  # the kind's 830 JP, split per phase
    assert cohort.eligibility == {
        "position_types": ["pengawas"],
        "min_grade": "III/b",
        "min_grade_rank": 10,
    }
    stamp = (pkp.updated_at, cohort.updated_at)
    before = _counts(db)

    second = load_programmes(folder)
    db.session.commit()
    assert second == {"created": 0, "updated": 0, "errors": []}
    assert _counts(db) == before
    db.session.expire_all()
    assert (pkp.updated_at, cohort.updated_at) == stamp

    # The content root works too, and a changed file updates only what changed.
    path = folder / PKP_FILE.name
    path.write_text(path.read_text(encoding="utf-8").replace("quota: 40", "quota: 45"), "utf-8")
    third = load_programmes(tmp_path)
    db.session.commit()
    assert third == {"created": 0, "updated": 1, "errors": []}
    assert db.session.get(Cohort, cohort.id).quota == 45
    assert _counts(db) == before


def test_unknown_course_code_is_reported_and_nothing_from_the_file_is_written(
    db,
    world,
    tmp_path,
) -> None:
    for code in ("KPM-101", "KOM-101", "MWK-101"):  # MPP-101 is missing
        make_course(code)
    folder = _pkp_dir(tmp_path)
    before = _counts(db)

    result = load_programmes(folder)
    db.session.commit()
    assert result["created"] == 0 and result["updated"] == 0
    assert len(result["errors"]) == 1
    error = result["errors"][0]
    assert error["file"].endswith("pkp-2026.yaml")
    assert "MPP-101" in error["message"]
    assert _counts(db) == before


def test_bad_cohort_rejects_the_whole_file_and_good_files_still_load(
    db,
    world,
    tmp_path,
) -> None:
    make_course("UJI-101")
    folder = tmp_path / "programmes"
    folder.mkdir()
    (folder / "a-baik.yaml").write_text(
        "code: LATSAR\ntitle: Pelatihan Dasar CPNS\ncourses: [UJI-101]\n"
        "cohorts:\n  - {code: LATSAR-2026-I, name: Angkatan I, start: 2026-03-01,"
        " end: 2026-05-30, quota: 30, place: Palembang}\n",
        "utf-8",
    )
    (folder / "b-salah.yaml").write_text(
        "code: PKA\ntitle: Pelatihan Kepemimpinan Administrator\ncourses: [UJI-101]\n"
        "eligibility: {position_types: [administrator], min_grade: III/c}\n"
        "cohorts:\n"
        "  - {code: PKA-2026-I, name: Angkatan I, start: 2026-03-01, end: 2026-05-30, quota: 30}\n"
        "  - {code: PKA-2026-II, name: Angkatan II, start: 2026-09-01, end: 2026-08-01, quota: 30}\n",
        "utf-8",
    )
    (folder / "c-rusak.yaml").write_text("code: [tidak, valid\n", "utf-8")
    (folder / "d-golongan.yaml").write_text(
        "code: PKN\ntitle: PKN\ncourses: [UJI-101]\neligibility: {min_grade: V/z}\n", "utf-8"
    )

    result = load_programmes(folder)
    db.session.commit()
    assert result["created"] == 2  # LATSAR and its cohort
    files = {Path(e["file"]).name: e["message"] for e in result["errors"]}
    assert set(files) == {"b-salah.yaml", "c-rusak.yaml", "d-golongan.yaml"}
    assert "PKA-2026-II" in files["b-salah.yaml"]
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai" in files["b-salah.yaml"]
    assert "V/z" in files["d-golongan.yaml"]
    codes = set(db.session.scalars(select(Programme.code)))
    assert codes == {"LATSAR"}
    assert set(db.session.scalars(select(Cohort.code))) == {"LATSAR-2026-I"}


def test_cohort_code_of_another_programme_is_refused(db, world, tmp_path) -> None:
    make_course("UJI-101")
    folder = tmp_path / "programmes"
    folder.mkdir()
    cohort = "cohorts:\n  - {code: SAMA-I, name: Angkatan I, start: 2026-03-01, end: 2026-05-30}\n"
    (folder / "a.yaml").write_text(f"code: AAA\ntitle: A\ncourses: [UJI-101]\n{cohort}", "utf-8")
    (folder / "b.yaml").write_text(f"code: BBB\ntitle: B\ncourses: [UJI-101]\n{cohort}", "utf-8")
    result = load_programmes(folder)
    db.session.commit()
    assert result["created"] == 2
    assert [Path(e["file"]).name for e in result["errors"]] == ["b.yaml"]
    assert "SAMA-I" in result["errors"][0]["message"]
    # Loading again, with the database now holding SAMA-I for AAA, still refuses b.yaml.
    again = load_programmes(folder)
    assert again["created"] == 0 and again["updated"] == 0
    assert [Path(e["file"]).name for e in again["errors"]] == ["b.yaml"]


def test_content_load_brings_the_pkp_programme_from_the_real_content(db, world) -> None:
    from lms.content import load_content

    first = load_content(BASE_DIR / "content")
    db.session.commit()
    assert first.errors == []
    pkp = db.session.scalar(select(Programme).where(Programme.code == "PKP"))
    assert [pc.course.code for pc in pkp.courses] == list(PKP_COURSES)
    assert [c.code for c in pkp.cohorts] == ["PKP-2026-I"]
    latsar = db.session.scalar(select(Programme).where(Programme.code == "LATSAR"))
    assert (latsar.kind_code, latsar.jp) == ("LATSAR", 561)
    [cohort] = latsar.cohorts
    assert (cohort.code, cohort.name, cohort.organiser_partner_id) == (
        "LATSAR-2026-I",
        "Angkatan I Tahun 2026",
        None,
    )
    # Both demo cohorts end in late November / early December 2026, so they may be closed.
    assert date(2026, 11, 20) <= cohort.ends_on <= date(2026, 12, 5)
    assert date(2026, 11, 20) <= pkp.cohorts[0].ends_on <= date(2026, 12, 5)
    assert [p.kind for p in cohort.phases] == [
        "self_study",
        "distance",
        "classroom",
        "project",
        "evaluation",
    ]
    assert sum(p.jp for p in cohort.phases) == latsar.jp
    again = load_content(BASE_DIR / "content")
    assert (again.created, again.updated, again.errors) == (0, 0, [])
