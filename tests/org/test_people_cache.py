"""The dashboard's profile and team roster kept per employee (lms.org.queries.PEOPLE): no
profile or roster query on a supervisor's next visit, and every committed write of an employee,
a unit or a golongan shows on the very next visit, in this worker and in another one; one
person's cards are never shown to another."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import update

from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.conftest import login
from tests.factories import make_employee
from tests.test_query_counts import count_queries


@pytest.fixture(autouse=True)
def _kept_people(app, monkeypatch) -> None:
    """On, as everywhere but in the tests (off there for stable query counts)."""
    monkeypatch.setitem(app.config, "DASHBOARD_PEOPLE_SECONDS", 300)


@contextmanager
def statements(app) -> Iterator[list[str]]:
    with count_queries(app) as counter:
        yield counter["sql"]


def _people_queries(seen: list[str]) -> int:
    """The profile's statement (golongan's pangkat) and the roster's (reports' kinds)."""
    return sum(
        "golongan.pangkat" in s or ("employees.position_name" in s and "employees.kind" in s)
        for s in seen
    )


def _team_card(page: str) -> str:
    card = page.split("<h2>Tim saya</h2>")[1].split("</article>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))


def _profile(page: str) -> str:
    return page.split("Profil kepegawaian")[1].split("</article>")[0]


def _commit(app, change) -> None:
    with app.app_context():
        change()
        db.session.commit()
        db.session.remove()


def test_a_kept_roster_and_profile_cost_no_query(app, client, world) -> None:
    login(client, "atasan")
    first = client.get("/dasbor").text
    with statements(app) as seen:
        again = client.get("/dasbor").text
    assert _people_queries(seen) == 0
    assert _team_card(again) == _team_card(first)
    assert "2 pegawai melapor langsung kepada Anda." in _team_card(again)
    assert "Siti Aminah" in _team_card(again) and "Budi Santoso" in _team_card(again)
    assert "Seksi Pelayanan Kesehatan" in _profile(again)


def test_the_cache_off_reads_them_every_time(app, client, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "DASHBOARD_PEOPLE_SECONDS", 0)
    login(client, "atasan")
    client.get("/dasbor")
    with statements(app) as seen:
        client.get("/dasbor")
    assert _people_queries(seen) == 3  # the profile; the roster for the team and the JP cards


def test_a_renamed_report_shows_on_the_next_visit(app, client, world) -> None:
    login(client, "atasan")
    assert "Siti Aminah" in _team_card(client.get("/dasbor").text)
    eid = world.employees["pegawai"].id
    _commit(app, lambda: setattr(db.session.get(Employee, eid), "full_name", "Siti Rahma"))
    page = client.get("/dasbor").text
    assert "Siti Rahma" in _team_card(page) and "Siti Aminah" not in _team_card(page)
    # the team's JP card reads the same roster
    jp = page.split("<h2>JP tim saya")[1].split("</article>")[0]
    assert "Siti Rahma" in jp and "Siti Aminah" not in jp


def test_a_new_and_a_deactivated_report_show_on_the_next_visit(app, client, world) -> None:
    login(client, "atasan")
    assert "2 pegawai melapor" in _team_card(client.get("/dasbor").text)

    def hire() -> None:
        boss = db.session.get(Employee, world.employees["atasan"].id)
        make_employee(db.session.get(Unit, world.units["dinkes_seksi"].id), "Wati Baru", boss)

    _commit(app, hire)
    card = _team_card(client.get("/dasbor").text)
    assert "3 pegawai melapor" in card and "Wati Baru" in card
    eid = world.employees["pegawai"].id
    _commit(app, lambda: setattr(db.session.get(Employee, eid), "is_active", False))
    card = _team_card(client.get("/dasbor").text)
    assert "2 pegawai melapor" in card and "Siti Aminah" not in card


def test_a_renamed_unit_shows_in_the_profile(app, client, world) -> None:
    login(client, "atasan")
    assert "Seksi Pelayanan Kesehatan" in _profile(client.get("/dasbor").text)
    uid = world.units["dinkes_seksi"].id
    _commit(app, lambda: setattr(db.session.get(Unit, uid), "name", "Seksi Yankes Primer"))
    assert "Seksi Yankes Primer" in _profile(client.get("/dasbor").text)


def test_a_bulk_update_through_the_session_counts(app, client, world) -> None:
    login(client, "atasan")
    client.get("/dasbor")
    eid = world.employees["pegawai"].id
    _commit(
        app,
        lambda: db.session.execute(
            update(Employee).where(Employee.id == eid).values(position_name="Analis Baru")
        ),
    )
    assert "Analis Baru" in _team_card(client.get("/dasbor").text)


def test_another_worker_sees_a_change_made_here(app, client, world, worker_app) -> None:
    other = worker_app(DASHBOARD_PEOPLE_SECONDS=300)
    browser = other.test_client()
    login(browser, "atasan")
    assert "Siti Aminah" in _team_card(browser.get("/dasbor").text)  # kept there now
    eid = world.employees["pegawai"].id
    _commit(app, lambda: setattr(db.session.get(Employee, eid), "full_name", "Siti Rahma"))
    card = _team_card(browser.get("/dasbor").text)
    assert "Siti Rahma" in card and "Siti Aminah" not in card


def test_each_supervisor_sees_only_their_own_team(app, world) -> None:
    # Andi (the bkpsdm account's employee) supervises Dewi: a second supervisor.
    boss, report = world.employees["hr"].id, world.employees["disdik"].id
    _commit(app, lambda: setattr(db.session.get(Employee, report), "supervisor_id", boss))
    atasan, andi = app.test_client(), app.test_client()
    login(atasan, "atasan")
    login(andi, "bkpsdm")
    for _ in range(2):  # the second time from the kept entries
        mine, theirs = _team_card(atasan.get("/dasbor").text), _team_card(andi.get("/dasbor").text)
        assert "Siti Aminah" in mine and "Dewi Lestari" not in mine
        assert "Dewi Lestari" in theirs and "Siti Aminah" not in theirs
        assert "1 pegawai melapor" in theirs
        assert "Dinas Pendidikan" in _profile(andi.get("/dasbor").text)
