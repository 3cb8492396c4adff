"""Whether an employee is in any cohort is kept per employee (cohorts.queries.is_member) under a
PersonalGeneration: the dashboard of someone in no cohort asks nothing about cohorts, and a
membership shows on the very next visit, in this worker and in another one."""

from __future__ import annotations

from sqlalchemy import update

from lms.enrolments.cohorts import queries
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import PersonalGeneration, db
from tests.conftest import login
from tests.enrolments.cohorts.builders import make_cohort, make_programme
from tests.test_query_counts import count_queries


def _cohort_id(app) -> int:
    with app.app_context():
        cohort = make_cohort(make_programme())
        db.session.commit()
        cohort_id = cohort.id
        db.session.remove()
    return cohort_id


def _join(app, cohort_id: int, employee_id: int) -> None:
    with app.app_context():
        db.session.add(
            CohortMember(cohort_id=cohort_id, employee_id=employee_id, status="active", source="hr")
        )
        db.session.commit()
        db.session.remove()


def _cohort_statements(app, client, path: str = "/dasbor") -> int:
    with count_queries(app) as counter:
        assert client.get(path).status_code == 200
    seen = counter["sql"]
    # the membership probe, the memberships and the leadership card's cohorts (other
    # statements only join cohort_members: the JP ledger, the forums)
    probes = (
        "SELECT EXISTS (SELECT * \nFROM cohort_members",
        "SELECT cohort_members",
        "SELECT cohorts",
    )
    return sum(s.startswith(probes) for s in seen)


def test_a_dashboard_outside_every_cohort_asks_nothing_about_cohorts(app, client, world) -> None:
    login(client, "pegawai")
    assert _cohort_statements(app, client) == 1  # the first visit asks once (it was 2)
    assert _cohort_statements(app, client) == 0


def test_a_new_membership_shows_on_the_next_visit_here_and_in_another_worker(
    app, client, world, worker_app
) -> None:
    cohort_id = _cohort_id(app)
    login(client, "pegawai")
    other = worker_app().test_client()
    login(other, "pegawai")
    for browser in (client, other):
        assert "Angkatan saya" not in browser.get("/dasbor").text  # kept: not a member
    _join(app, cohort_id, world.employees["pegawai"].id)
    for browser in (client, other):
        assert "Angkatan saya" in browser.get("/dasbor").text


def test_another_employees_membership_keeps_this_one_kept(app, world) -> None:
    cohort_id = _cohort_id(app)
    pegawai, other = world.employees["pegawai"].id, world.employees["disdik"].id
    with app.app_context():
        mine, theirs = queries.MEMBERS.token(pegawai), queries.MEMBERS.token(other)
    _join(app, cohort_id, other)
    with app.app_context():
        assert queries.MEMBERS.token(pegawai) == mine
        assert queries.MEMBERS.token(other) != theirs


def test_a_membership_moved_to_another_employee_is_new_for_both(app, world) -> None:
    cohort_id = _cohort_id(app)
    pegawai, other = world.employees["pegawai"].id, world.employees["disdik"].id
    _join(app, cohort_id, pegawai)
    with app.app_context():
        before = queries.MEMBERS.token(pegawai), queries.MEMBERS.token(other)
        member = db.session.query(CohortMember).filter_by(employee_id=pegawai).one()
        member.employee_id = other
        db.session.commit()
        after = queries.MEMBERS.token(pegawai), queries.MEMBERS.token(other)
        db.session.remove()
    assert before[0] != after[0] and before[1] != after[1]


def test_a_bulk_write_or_too_many_people_is_new_for_everybody(app, world, monkeypatch) -> None:
    cohort_id = _cohort_id(app)
    pegawai, other = world.employees["pegawai"].id, world.employees["disdik"].id
    _join(app, cohort_id, other)
    with app.app_context():
        before = queries.MEMBERS.token(pegawai)
        db.session.execute(update(CohortMember).values(result_note="x"))
        db.session.commit()
        assert queries.MEMBERS.token(pegawai) != before

        monkeypatch.setattr(PersonalGeneration, "MAX_PEOPLE", 0)
        before = queries.MEMBERS.token(pegawai)
        db.session.query(CohortMember).filter_by(employee_id=other).one().result_note = "y"
        db.session.commit()
        assert queries.MEMBERS.token(pegawai) != before
        db.session.remove()


def test_a_rolled_back_membership_is_nothing_new(app, world) -> None:
    cohort_id = _cohort_id(app)
    pegawai = world.employees["pegawai"].id
    with app.app_context():
        before = queries.MEMBERS.token(pegawai)
        db.session.add(
            CohortMember(cohort_id=cohort_id, employee_id=pegawai, status="active", source="hr")
        )
        db.session.flush()
        db.session.rollback()
        db.session.commit()
        assert queries.MEMBERS.token(pegawai) == before
        assert queries.is_member(pegawai) is False
        db.session.remove()
