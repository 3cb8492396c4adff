"""Suggestions that follow the person: from a low SKP predikat and open plan needs, explained,
matched on Indonesian stems; the newest courses only when nothing personal is known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from lms.auth.models import User
from lms.careers.foryou.queries import for_employee
from lms.careers.plans import services as plans
from lms.careers.plans.suggestions import _words, suggest_courses
from lms.careers.records.models import LearningRecord
from lms.courses.models import Course
from lms.enrolments import services as enrolments
from lms.extensions import db
from lms.org.models import Employee
from tests.careers.skp.helpers import YEAR, agreed_period, evaluate_year
from tests.conftest import login
from tests.factories import make_course


def test_words_meet_by_their_stem() -> None:
    assert _words("Pelayanan publik").keys() <= _words("melayani masyarakat publik").keys()
    assert "pimpin" in _words("Kepemimpinan")
    # the word as written is kept for display
    assert _words("Kepemimpinan") == {"pimpin": "kepemimpinan"}


@pytest.fixture
def catalogue(app, world):
    with app.app_context():
        make_course("LAY-101", title="Pelayanan Publik Prima", tags=["pelayanan"])
        make_course("PIM-101", title="Dasar Kepemimpinan Tim")
        make_course("TIK-201", title="Analisis Data Kepegawaian")
        make_course("BARU-999", title="Pelatihan Paling Baru")
        db.session.commit()


def _employee(username: str) -> Employee:
    return db.session.scalar(select(Employee).join(User).where(User.username == username))


def _need(employee: Employee, competency: str) -> None:
    plan = plans.ensure_plan(employee, YEAR)
    plans.add_need(plan, plans.NeedInput(competency, "teknis", 1, 3, "other", ""))
    db.session.flush()


def test_a_stemmed_match_is_suggested(app, catalogue) -> None:
    with app.app_context():
        hits = [s.code for s in suggest_courses("melayani masyarakat")]
        assert hits == ["LAY-101"]
        assert suggest_courses("melayani masyarakat")[0].matched == ["pelayanan"]


def test_open_plan_need_gives_an_explained_suggestion(app, catalogue) -> None:
    with app.app_context():
        employee = _employee("pegawai")
        _need(employee, "Memimpin tim kerja")
        got = for_employee(employee.id, YEAR)
        assert [r.suggestion.code for r in got] == ["PIM-101"]
        assert got[0].reason == "karena rencana pengembangan Anda: Memimpin tim kerja"


def test_enrolled_courses_are_not_suggested(app, catalogue) -> None:
    with app.app_context():
        employee = _employee("pegawai")
        _need(employee, "Memimpin tim kerja")
        user = db.session.scalar(select(User).filter_by(username="pegawai"))
        enrolments.enrol_self(user, db.session.scalar(select(Course).filter_by(code="PIM-101")))
        db.session.flush()
        assert for_employee(employee.id, YEAR) == []


def test_low_skp_comes_first_and_sources_take_turns(app, catalogue) -> None:
    with app.app_context():
        employee = _employee("pegawai")
        supervisor = db.session.scalar(select(User).filter_by(username="atasan"))
        period = agreed_period(employee.id, supervisor.id)
        evaluate_year(period, supervisor, "di_bawah", "sesuai", note="Pelayanan lambat")
        _need(employee, "Memimpin tim kerja")
        got = for_employee(employee.id, YEAR)
        codes = [r.suggestion.code for r in got]
        assert codes[0] in {"LAY-101", "TIK-201"}  # from the SKP notes and weak work results
        assert "PIM-101" in codes  # the plan need gets its turn
        assert got[0].reason.startswith("karena predikat SKP")


def test_dashboard_shows_reasons_or_the_newest(app, client, catalogue) -> None:
    login(client, "pegawai")
    page = client.get("/dasbor").data.decode()
    assert "Pelatihan terbaru" in page and "Saran untuk Anda" not in page
    with app.app_context():
        _need(_employee("pegawai"), "Memimpin tim kerja")
        db.session.commit()
    page = client.get("/dasbor").data.decode()
    assert "Saran untuk Anda" in page
    assert "karena rencana pengembangan Anda: Memimpin tim kerja" in page
    assert "Dasar Kepemimpinan Tim" in page


def _pelaksana(employee: Employee, covered: bool = False) -> None:
    """A pelaksana with no recorded level (the level is the type's only one); with ``covered``, a
    verified record covers the standard's "Pelayanan Publik"."""
    employee.jabatan_type_code, employee.jabatan_level_code = "pelaksana", None
    if covered:
        db.session.add(
            LearningRecord(
                employee_id=employee.id,
                source="outside",
                status="verified",
                name="Bimtek Standar Pelayanan Publik",
                competency_kind="teknis",
                starts_on=date(YEAR, 1, 5),
                ends_on=date(YEAR, 1, 6),
                year=YEAR,
                jp=Decimal(8),
            )
        )
    db.session.flush()


def test_an_uncovered_position_competency_is_suggested_with_its_reason(app, catalogue) -> None:
    with app.app_context():
        employee = _employee("pegawai")
        _pelaksana(employee)
        got = for_employee(employee.id, YEAR)
        assert [r.suggestion.code for r in got] == ["LAY-101"]
        assert got[0].reason == "karena jabatan Anda memerlukan kompetensi Pelayanan Publik"


def test_a_covered_position_competency_is_not_suggested(app, catalogue) -> None:
    with app.app_context():
        employee = _employee("pegawai")
        _pelaksana(employee, covered=True)
        # the record covers "Pelayanan Publik"; nothing in the catalogue meets the next two
        assert for_employee(employee.id, YEAR) == []


def test_sources_in_order_skp_then_plan_then_position(app, catalogue) -> None:
    with app.app_context():
        make_course("DIG-101", title="Literasi Digital bagi ASN")
        employee = _employee("pegawai")
        _pelaksana(employee, covered=True)
        supervisor = db.session.scalar(select(User).filter_by(username="atasan"))
        period = agreed_period(employee.id, supervisor.id)
        evaluate_year(period, supervisor, "di_bawah", "sesuai", note="Pelayanan lambat")
        _need(employee, "Memimpin tim kerja")
        got = for_employee(employee.id, YEAR)
        reasons = [r.reason for r in got]
        assert reasons[0].startswith("karena predikat SKP")
        assert reasons[1] == "karena rencana pengembangan Anda: Memimpin tim kerja"
        assert reasons[2] == "karena jabatan Anda memerlukan kompetensi Literasi Digital"
        assert got[2].suggestion.code == "DIG-101"


def test_at_most_two_position_competencies_are_sources(app, catalogue) -> None:
    with app.app_context():
        make_course("ARS-101", title="Pengelolaan Arsip Dinamis")
        employee = _employee("pegawai")
        _pelaksana(employee, covered=True)
        # the 4th competency of the standard (the 3rd uncovered) is not asked about
        assert for_employee(employee.id, YEAR) == []


def _queries(app, employee_id: int) -> int:
    counter = {"n": 0}

    def before(*_args: object) -> None:
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        for_employee(employee_id, YEAR)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return counter["n"]


def test_query_counts(app, catalogue) -> None:
    with app.app_context():
        employee = _employee("pegawai")
        db.session.commit()
        assert _queries(app, employee.id) == 1  # no SKP, no plan, no position: one query
        employee.jabatan_type_code, employee.jabatan_level_code = "pelaksana", "pelaksana"
        db.session.commit()
        # the position's standard comes with the first query; then the records (1), and for
        # the two uncovered competencies the catalogue without the courses taken, read once
        # for every source (1)
        assert _queries(app, employee.id) == 3
