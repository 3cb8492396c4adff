"""BKPSDM's overview of the whole city on the dashboard (issue 19): counted and rendered once per
``DASHBOARD_CITY_SECONDS`` per process and language, saying as of when; a department's counts as
long (``reports.kept``), each department on its own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.extensions import db
from lms.indonesian import local_today
from lms.reports import dashboard
from lms.reports import kept as kept_counts
from tests.conftest import csrf_token, login
from tests.enrolments.cohorts.builders import make_cohort, make_programme

FIGURE = re.compile(r'data-figure="cohorts">\s*<h3>[^<]*</h3>\s*<p><strong>(\d+)</strong>')


@pytest.fixture
def kept(app, monkeypatch):
    """The city's figures kept for a minute, from nothing kept; the clock of their expiry."""
    monkeypatch.setitem(app.config, "DASHBOARD_CITY_SECONDS", 60)
    monkeypatch.setattr(dashboard, "_CITY", {})
    monkeypatch.setattr(dashboard, "_CITY_PARTS", {})
    clock = {"now": 1000.0}
    monkeypatch.setattr(kept_counts, "_DEPARTMENTS", {})
    monkeypatch.setattr(kept_counts, "monotonic", lambda: clock["now"])
    counted = []
    real = dashboard._city_counts
    monkeypatch.setattr(dashboard, "_city_counts", lambda *a: counted.append(1) or real(*a))
    return clock, counted


def _running_cohort(app, code: str) -> None:
    with app.app_context():
        programme = make_programme(code, courses=(f"{code}-1",))
        make_cohort(
            programme,
            code=f"{code}-I",
            starts_on=local_today() - timedelta(days=1),
            ends_on=local_today() + timedelta(days=30),
            enrol_deadline=None,
        )
        db.session.commit()


def test_the_city_overview_is_kept_and_says_as_of_when(app, client, world, kept) -> None:
    clock, counted = kept
    login(client, "bkpsdm")
    first = client.get("/dasbor").get_data(as_text=True)
    assert "Angka per pukul" in first
    assert FIGURE.search(first).group(1) == "0"
    _running_cohort(app, "KEPT")
    again = client.get("/dasbor").get_data(as_text=True)
    assert FIGURE.search(again).group(1) == "0"  # a minute late at most, as it says
    assert counted == [1]
    clock["now"] += 61
    later = client.get("/dasbor").get_data(as_text=True)
    assert FIGURE.search(later).group(1) == "1" and counted == [1, 1]


def test_the_kept_overview_follows_the_language(app, client, world, kept) -> None:
    _clock, counted = kept
    login(client, "bkpsdm")
    assert "Penyelesaian bulan ini" in client.get("/dasbor").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en", "csrf_token": csrf_token(client, "/dasbor")})
    english = client.get("/dasbor").get_data(as_text=True)
    assert "Completions this month" in english and "Penyelesaian bulan ini" not in english
    assert "Figures as of" in english
    assert counted == [1]  # the counts are the same; only their words differ


def test_links_are_per_account_and_a_department_is_kept_on_its_own(
    app, client, world, kept
) -> None:
    clock, counted = kept
    login(client, "bkpsdm")
    assert "/laporan/langganan" in client.get("/dasbor").get_data(as_text=True)
    opd = app.test_client()
    login(opd, "opd.dinkes")
    page = opd.get("/dasbor").get_data(as_text=True)
    assert "Dinas Kesehatan" in page and "/laporan/langganan" not in page
    assert "Angka per pukul" in page  # kept as the city's are, and says so
    assert counted == [1]  # the department's figures are its own statements
    assert FIGURE.search(page).group(1) == "0"
    _running_cohort(app, "DEPT")
    with app.app_context():
        from sqlalchemy import select

        from lms.enrolments.cohorts.models import Cohort, CohortMember
        from lms.org.models import Employee, Unit

        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "DEPT-I"))
        dinkes = db.session.get(Unit, world.units["dinkes"].id)
        person = db.session.scalars(
            select(Employee)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Unit.path.startswith(dinkes.path))
            .order_by(Employee.id)
        ).first()
        db.session.add(
            CohortMember(cohort=cohort, employee=person, status="active", source="admin")
        )
        db.session.commit()
    assert FIGURE.search(opd.get("/dasbor").get_data(as_text=True)).group(1) == "0"
    clock["now"] += 61
    assert FIGURE.search(opd.get("/dasbor").get_data(as_text=True)).group(1) == "1"


def test_without_keeping_the_figures_are_live(app, client, world) -> None:
    login(client, "bkpsdm")
    page = client.get("/dasbor").get_data(as_text=True)
    assert "Angka per pukul" not in page and FIGURE.search(page).group(1) == "0"
    _running_cohort(app, "LIVE")
    assert FIGURE.search(client.get("/dasbor").get_data(as_text=True)).group(1) == "1"
