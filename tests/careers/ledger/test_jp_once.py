"""JP counted once across a programme with four courses (25 JP) and its own JP (PKP, 830): the
ledger, the learning record, the dashboard card, the JP compliance and completions reports and
the SIASN export all count 830 once (never 855 nor 50), and SIASN gets exactly one row.

A participant who fails or withdraws keeps their four courses (25 JP, four riwayat kursus rows)
and gets no programme JP, no programme row and no STTPP.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.careers.ledger import queries as ledger
from lms.careers.records import queries as records
from lms.certificates.models import Certificate
from lms.completion import consumers
from lms.completion.models import Completion
from lms.extensions import db
from lms.integrations import siasn
from lms.org.models import Employee
from lms.reports.definitions import REPORTS
from lms.reports.filters import Scope, parse
from tests.completion.programmes import (
    YEAR,
    cohort_of,
    complete_course_on,
    complete_programme,
    in_cohort_days,
    join,
    programme_with_four_courses,
)
from tests.conftest import login

EMPTY = {"total": Decimal(0), "teknis": Decimal(0), "manajerial": Decimal(0)}


def _siasn_rows(employee_nip: str) -> list[dict[str, str]]:
    data = siasn.export_bytes(siasn.Scope(YEAR), "csv").decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(data)) if r["nipBaru"] == employee_nip]


def _four_courses(employee, courses, cohort) -> None:
    for course, day in zip(courses, in_cohort_days(), strict=True):
        complete_course_on(employee, course, day, cohort=cohort)


@pytest.fixture
def pkp(app, world):
    """PKP with four courses; pegawai passes (a programme completion), atasan fails."""
    with app.app_context():
        programme, courses = programme_with_four_courses()
        cohort = cohort_of(programme)
        passed = db.session.get(Employee, world.employees["pegawai"].id)
        failed = db.session.get(Employee, world.employees["atasan"].id)
        join(cohort, passed, status="completed", result="passed", score="91.50")
        join(cohort, failed, status="completed", result="failed", score="55.00")
        _four_courses(passed, courses, cohort)
        _four_courses(failed, courses, cohort)
        complete_programme(passed, cohort)  # none for the failed participant
        db.session.commit()
        consumers.dispatch()
        yield {"passed": passed.id, "failed": failed.id, "programme": programme.id}
        db.session.rollback()


def test_the_ledger_counts_the_programme_once(app, pkp) -> None:
    with app.app_context():
        assert sum(c.jp for c in db.session.scalars(select(Completion))) == 830 + 25 + 25
        mine = ledger.jp_of(pkp["passed"], YEAR)
        assert mine["total"] == 830  # not 855 (programme + courses) nor 50 (courses twice)
        assert mine["manajerial"] == 830 and mine["teknis"] == 0
        assert ledger.jp_by_year(pkp["passed"], [YEAR]) == {YEAR: Decimal(830)}
        # failed: no programme JP, the courses' own 25
        assert ledger.jp_of(pkp["failed"], YEAR)["total"] == 25


def test_the_learning_record_keeps_the_courses_marked_part_of_the_programme(
    app, client, pkp
) -> None:
    with app.app_context():
        rows = records.records_of(pkp["passed"])
        assert len(rows) == 5
        parts = [r for r in rows if r.part_of is not None]
        assert len(parts) == 4
        assert {r.part_of.programme_title for r in parts} == {"Pelatihan Kepemimpinan Pengawas"}
        assert sum(r.counted_jp for r in rows) == 830 == ledger.jp_of(pkp["passed"], YEAR)["total"]
        failed_rows = records.records_of(pkp["failed"])
        assert [r.part_of for r in failed_rows] == [None] * 4
    login(client, "pegawai")
    page = client.get("/riwayat").get_data(as_text=True)
    assert page.count("Bagian dari Pelatihan Kepemimpinan Pengawas") == 4
    assert "JP dihitung dalam programnya" in page


def test_siasn_has_exactly_one_row_for_the_programme(app, world, pkp) -> None:
    with app.app_context():
        rows = _siasn_rows(world.employees["pegawai"].nip)
        assert len(rows) == 1
        (row,) = rows
        number = db.session.scalar(
            select(Certificate.number)
            .join(Completion, Completion.id == Certificate.completion_id)
            .where(Completion.programme_id == pkp["programme"])
        )
        assert row["jenisRiwayat"] == "diklat"
        assert row["latihanStrukturalId"] == "2"  # PKP: SEPALA/ADUM/DIKLAT PIM TK.IV
        assert row["latihanStrukturalNama"] == "SEPALA/ADUM/DIKLAT PIM TK.IV"
        assert row["nomor"] == number and "STTPP-PKP" in number
        assert (row["tanggal"], row["tanggalSelesai"], row["tahun"]) == (
            "03-02-2025",
            "27-06-2025",
            "2025",
        )
        assert row["jumlahJam"] == "830"
        assert row["institusiPenyelenggara"] == "BKPSDM Kota Palembang"
        # failed: four riwayat kursus rows, one per course, with their own JP
        failed = _siasn_rows(world.employees["atasan"].nip)
        assert sorted(int(r["jumlahJam"]) for r in failed) == [4, 6, 7, 8]
        assert {r["jenisRiwayat"] for r in failed} == {"kursus"}
        counts = siasn.status_counts(siasn.Scope(YEAR))
        assert counts["not_sent"] == 5


def test_reports_sum_the_programme_once(app, world, pkp) -> None:
    with app.app_context():
        scope = Scope.all()
        report = REPORTS["completions"]
        totals = dict(report.totals(scope, parse({"tahun": str(YEAR)}, scope)))
        assert totals["Jumlah JP"] == Decimal("855.00")  # 830 once + the failed one's 25
        jp_report = REPORTS["jp-compliance"]
        f = parse({"tahun": str(YEAR)}, scope, default_year=YEAR)
        rows = {
            r["nama"]: r["jp"] for r in db.session.execute(jp_report.select(scope, f)).mappings()
        }
        assert Decimal(rows["Siti Aminah"]) == 830
        assert Decimal(rows["Rahmat Hidayat"]) == 25


def test_the_dashboard_reads_the_same_ledger(app, client, pkp) -> None:
    login(client, "pegawai")
    page = client.get("/dasbor").get_data(as_text=True)
    # the JP-per-year chart's table row for the programme's year: 830, not 855
    assert re.search(rf"<th scope=\"row\">{YEAR}</th><td>830</td>", page), "JP per year"
    assert "855" not in page


def test_while_the_cohort_runs_its_courses_add_nothing_yet(app, world) -> None:
    with app.app_context():
        programme, courses = programme_with_four_courses(code="PKP-RUN")
        cohort = cohort_of(programme)
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        join(cohort, employee)
        _four_courses(employee, courses, cohort)
        db.session.commit()
        consumers.dispatch()
        assert ledger.jp_of(employee.id, YEAR)["total"] == 0
        assert _siasn_rows(employee.nip) == []
        assert all(r.part_of.result is None for r in records.records_of(employee.id))
        # withdrawing gives the courses back their own JP and rows, without rewriting anything
        member = cohort.members[0]
        member.status = "withdrawn"
        db.session.commit()
        assert ledger.jp_of(employee.id, YEAR)["total"] == 25
        assert len(_siasn_rows(employee.nip)) == 4


def test_a_course_done_before_the_cohort_is_learning_of_its_own(app, world) -> None:
    with app.app_context():
        programme, courses = programme_with_four_courses(code="PKP-PRE")
        cohort = cohort_of(programme)
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        join(cohort, employee, status="completed", result="passed")
        complete_course_on(employee, courses[3], date(2025, 1, 20))  # before 3 February
        for course, day in zip(courses[:3], in_cohort_days()[:3], strict=True):
            complete_course_on(employee, course, day, cohort=cohort)
        complete_programme(employee, cohort)
        db.session.commit()
        consumers.dispatch()
        assert ledger.jp_of(employee.id, YEAR)["total"] == 830 + 8
        assert len(_siasn_rows(employee.nip)) == 2
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 5
