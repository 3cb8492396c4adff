"""The assessor's dashboard card: "nobody to assess" kept per account (roles.views.ASSESSED), so
the many supervisors who mentor nobody send no project query on their next visit; any committed
write of a role, a member, a cohort, a programme or an employee shows on the very next visit, in
this worker and in another one."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from tests.conftest import login
from tests.leadership.builders import project_world
from tests.test_query_counts import count_queries

CARD = "dash-project-queue"  # the card's class (the menu names the queue too)


@pytest.fixture(autouse=True)
def _kept(app, monkeypatch) -> None:
    """On, as everywhere but in the tests (off there for stable query counts)."""
    monkeypatch.setitem(app.config, "DASHBOARD_ASSESSOR_SECONDS", 300)


def _project_queries(app, client) -> int:
    with count_queries(app) as counter:
        assert client.get("/dasbor").status_code == 200
    return sum("cohort_roles" in sql for sql in counter["sql"])


def _cohort(app, world) -> int:
    with app.app_context():
        pw = project_world(world)
        db.session.commit()
        db.session.remove()
    return pw.member_id


def test_nobody_to_assess_is_kept_and_a_new_cohort_shows_at_once(app, world) -> None:
    client = app.test_client()
    login(client, "atasan")
    assert CARD not in client.get("/dasbor").text
    assert _project_queries(app, client) == 0  # kept: nobody
    _cohort(app, world)  # his reports join a project programme: he mentors them
    assert CARD in client.get("/dasbor").text
    assert _project_queries(app, client) > 0  # someone to assess: always read afresh


def test_a_member_leaving_and_coming_back_shows_at_once(app, world) -> None:
    member_id = _cohort(app, world)
    client = app.test_client()
    login(client, "pengajar")  # coaches pegawai only
    assert CARD in client.get("/dasbor").text

    def status(value: str) -> None:
        with app.app_context():
            db.session.execute(
                update(CohortMember).where(CohortMember.id == member_id).values(status=value)
            )
            db.session.commit()
            db.session.remove()

    status("withdrawn")
    assert CARD not in client.get("/dasbor").text
    assert _project_queries(app, client) == 0
    status("active")
    assert CARD in client.get("/dasbor").text


def test_another_worker_sees_a_new_cohort(app, world, worker_app) -> None:
    other = worker_app(DASHBOARD_ASSESSOR_SECONDS=300)
    browser = other.test_client()
    login(browser, "atasan")
    assert CARD not in browser.get("/dasbor").text  # kept there: nobody
    _cohort(app, world)
    assert CARD in browser.get("/dasbor").text


def test_each_account_keeps_its_own_answer(app, world) -> None:
    _cohort(app, world)
    coach, nobody = app.test_client(), app.test_client()
    login(coach, "pengajar")
    login(nobody, "pengajar2")  # made by the cohort: coaches Budi
    login_other = app.test_client()
    login(login_other, "penguji")  # an examiner of nothing yet
    for _ in range(2):
        assert CARD in coach.get("/dasbor").text
        assert CARD in nobody.get("/dasbor").text
        assert CARD not in login_other.get("/dasbor").text
