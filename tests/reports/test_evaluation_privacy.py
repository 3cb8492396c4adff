"""Small groups stay anonymous in the evaluation reports (issue 13, point 7): below the
evaluation page's minimum of responses, no mean, total or chart carries their ratings, in the
page, CSV, XLSX and PDF alike."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import CourseTrainer
from lms.enrolments.models import Enrolment
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.services import MIN_RESPONSES
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.reports.definitions import REPORTS
from lms.reports.filters import Scope, parse
from tests.conftest import login
from tests.factories import make_course, make_employee, make_nip

assert MIN_RESPONSES == 3  # the figures below are chosen for three


@pytest.fixture
def evaluated(app, world):
    """SEPI-1: two respondents (5s and 1s); RAMAI-1: three (all 4s); one trainer for both."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        unit = db.session.get(Unit, world.units["dinkes_seksi"].id)
        people = [db.session.get(Employee, world.employees[k].id) for k in ("pegawai", "atasan")]
        people += [make_employee(unit, f"Peserta {i}", nip=make_nip(str(i))) for i in range(3)]
        for code, who, score in (("SEPI-1", people[:2], (5, 1)), ("RAMAI-1", people[2:], (4,))):
            course = make_course(code, title=f"Pelatihan {code}", lessons=1)
            db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
            for i, emp in enumerate(who):
                enrolment = Enrolment(course_id=course.id, employee_id=emp.id, status="completed")
                db.session.add(enrolment)
                db.session.flush()
                value = score[i % len(score)]
                db.session.add(
                    CourseEvaluation(
                        enrolment_id=enrolment.id,
                        course_id=course.id,
                        employee_id=emp.id,
                        ratings={"course_relevance": value, "course_clarity": value},
                    )
                )
        db.session.commit()


def _csv(client, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _by_code(rows: list[list]) -> dict[str, list]:
    return {str(row[0]): row for row in rows}


def test_evaluation_export_withholds_the_means_of_fewer_than_three_respondents(
    app, client, world, evaluated
) -> None:
    login(client, "bkpsdm")
    rows = _by_code(_csv(client, "/laporan/evaluations.csv?dialek=standar")[1:])
    small, large = rows["SEPI-1"], rows["RAMAI-1"]
    assert small[2] == "2" and large[2] == "3"  # the respondent count stays
    assert all(cell == "" for cell in small[3:]), small  # no mean of one or two people
    assert large[-1] not in ("", None)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/laporan/evaluations.xlsx").data))
    sheet = _by_code([list(r) for r in book.active.iter_rows(min_row=2, values_only=True)])
    assert all(cell in (None, "") for cell in sheet["SEPI-1"][3:])
    assert float(sheet["RAMAI-1"][-1]) == 4.0
    assert client.get("/laporan/evaluations.pdf").status_code == 200
    with app.app_context():
        report = REPORTS["evaluations"]
        f = parse({}, Scope.all())
        totals = dict(report.totals(Scope.all(), f))
        assert [str(v) for v in totals.values()] == ["2", "5", "4.00"]  # pooled: RAMAI-1 only
        chart = report.charts(Scope.all(), f)[0]
        assert [row[-1] for row in chart.rows if row[-1] is not None] == [4.0]


def test_trainer_report_means_leave_out_courses_below_the_threshold(app, world, evaluated) -> None:
    with app.app_context():
        report = REPORTS["trainers"]
        rows = report.build(Scope.all(), parse({}, Scope.all()))
        (row,) = rows
        assert str(row[-1]) == "4.00"  # SEPI-1's 5s and 1s would make it 3.60


def test_a_scope_that_narrows_a_course_to_one_person_withholds_it_too(
    app, world, evaluated
) -> None:
    with app.app_context():
        path = db.session.scalar(select(Unit.path).where(Unit.id == world.units["dinkes"].id))
        scope = Scope(path=path)
        rows = _by_code(REPORTS["evaluations"].build(scope, parse({}, scope)))
        assert rows["RAMAI-1"][-1] is not None
        # A supervisor's team of one (pegawai): the row keeps its count, not the person's ratings.
        team = Scope(supervisor_id=world.employees["atasan"].id)
        rows = _by_code(REPORTS["evaluations"].build(team, parse({}, team)))
        assert rows["SEPI-1"][2] == 1 and rows["SEPI-1"][3:] == [None] * (len(rows["SEPI-1"]) - 3)
