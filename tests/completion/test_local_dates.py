"""Dates people read are the agency's local dates (WIB), not the UTC date of a stored moment.

An enrolment activated at 23:01 UTC on 5 December 2026 started at 06:01 WIB on 6 December: the
certificate, the learning record, the SIASN row and the pages all say 6 December.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from lms.careers.records.models import LearningRecord
from lms.certificates.models import Certificate
from lms.completion import consumers
from lms.completion.models import Completion
from lms.completion.services import evaluate
from lms.evaluations.models import CourseEvaluation
from lms.extensions import db
from lms.indonesian import local_date
from lms.integrations import siasn
from lms.org.models import Employee
from tests.completion.builders import course_with_posttest, do_lessons, enrol, take_posttest
from tests.conftest import login

STARTED = datetime(2026, 12, 5, 23, 1, tzinfo=UTC)  # 06:01 WIB on 6 December
FINISHED = datetime(2026, 12, 7, 23, 1, tzinfo=UTC)  # 06:01 WIB on 8 December


def test_local_date_of_a_late_utc_moment(app) -> None:
    with app.app_context():
        assert local_date(STARTED) == date(2026, 12, 6)
        assert local_date(STARTED.replace(tzinfo=None)) == date(2026, 12, 6)  # naive is UTC
        assert local_date(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)
        assert local_date(date(2026, 12, 5)) == date(2026, 12, 5)
        assert local_date(None) is None


def _complete_late_at_night(app, world) -> int:
    """Complete a course enrolled at 06:01 WIB on 6 December; returns the employee id."""
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        employee_id = employee.id
        course, quiz, question = course_with_posttest("WIB-101")
        enrolment = enrol(course, employee)
        enrolment.activated_at = STARTED
        do_lessons(enrolment, course)
        take_posttest(quiz, question, employee)
        db.session.add(
            CourseEvaluation(
                enrolment_id=enrolment.id,
                course_id=course.id,
                employee_id=employee.id,
                ratings={"x": 5},
            )
        )
        db.session.flush()
        assert evaluate(enrolment, now=FINISHED) is not None
        db.session.commit()
        consumers.dispatch()
        db.session.remove()
        return employee_id


def test_certificate_record_and_siasn_row_carry_the_local_start_date(app, world) -> None:
    employee_id = _complete_late_at_night(app, world)
    with app.app_context():
        completion = db.session.scalar(select(Completion))
        assert completion.started_on == date(2026, 12, 6)

        certificate = db.session.scalar(select(Certificate))
        assert certificate.fields["start_date"] == "6 Desember 2026"
        assert certificate.fields["end_date"] == "8 Desember 2026"

        record = db.session.scalar(select(LearningRecord))
        assert (record.starts_on, record.ends_on) == (date(2026, 12, 6), date(2026, 12, 8))

        employee = db.session.get(Employee, employee_id)
        row = dict(zip(siasn.COLUMNS, siasn.row_of(record, employee), strict=True))
        assert row["tanggalKursus"] == "06-12-2026"
        assert row["tanggalSelesaiKursus"] == "08-12-2026"


def test_pages_show_the_local_start_date(app, client, world) -> None:
    _complete_late_at_night(app, world)
    login(client, "pegawai")
    page = client.get("/riwayat").get_data(as_text=True)
    assert "6 Des 2026" in page and "5 Des 2026" not in page


def test_reports_count_and_print_the_local_day(app, world) -> None:
    """A completion at 23:01 UTC on 30 November is December's (06:01 WIB on 1 December): in the
    report's rows (and so its CSV/XLSX/PDF) and in its per-month chart."""
    from lms.completion.services import complete_course
    from lms.reports.definitions import REPORTS
    from lms.reports.filters import Scope, parse

    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        course, _quiz, _question = course_with_posttest("WIB-102")
        complete_course(
            employee,
            course,
            completed_at=datetime(2026, 11, 30, 23, 1, tzinfo=UTC),
            score=90,
            source="online",
        )
        db.session.commit()
        report = REPORTS["completions"]
        f = parse({}, Scope.all(), default_year=None)
        keys = [c.key for c in report.columns()]
        (row,) = list(report.iter_rows(Scope.all(), f))
        assert row[keys.index("tanggal")] == date(2026, 12, 1)
        (chart,) = report.charts(Scope.all(), f)
        assert [r[0] for r in chart.rows] == ["Des 2026"]
