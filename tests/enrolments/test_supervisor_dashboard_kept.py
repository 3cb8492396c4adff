"""The supervisor's kept dashboard sections (lms.dashboard, ``keep=``; issue 19): the nominations
waiting for them, their team's enrolments, the team's JP with the plans waiting, the cohort
nominations. Kept, they show what a fresh render shows after every write a supervisor must see
at once (a report's nomination, their own decision, a plan submitted and decided, a cohort
nomination), here and in another worker; the team's figures, written by every lesson seen, are
kept for a window of ``DASHBOARD_TEAM_SECONDS`` and say as of when. A repeat visit sends no
statement, with a team of 10 as with 200."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import lms.dashboard
from lms.auth.demo import DEMO_PASSWORD
from lms.extensions import db
from tests.conftest import login
from tests.main.test_dashboard_kept import KEPT, _commit, _page, _same, demo  # noqa: F401 (a fixture)
from tests.test_query_counts import _team, count_queries

TEAM = 60
# 10:05:20 WIB (03:05:20 UTC) on a fixed day: the window began at 10:05 WIB
NOW = datetime(2026, 12, 7, 3, 5, 20, tzinfo=UTC).timestamp()


@pytest.fixture
def clock(app, monkeypatch) -> list[float]:
    """The dashboard's clock (``lms.dashboard.period``), stopped at ``NOW``; the team figures
    kept for windows of ``TEAM`` seconds."""
    now = [NOW]
    monkeypatch.setattr(lms.dashboard, "time", SimpleNamespace(time=lambda: now[0]))
    monkeypatch.setitem(app.config, "DASHBOARD_TEAM_SECONDS", TEAM)
    return now


def _user(username: str):
    from lms.auth.models import User

    return db.session.scalar(select(User).where(User.username == username))


def _nominate_self() -> None:
    """pegawai (in atasan's team) asks for the demo course that needs their approval."""
    from lms.courses.models import Course
    from lms.enrolments import services
    from lms.enrolments.demo import DEMO_APPROVAL_COURSE

    pegawai = _user("pegawai")
    course = db.session.scalar(select(Course).where(Course.code == DEMO_APPROVAL_COURSE))
    services.nominate(pegawai, pegawai.employee, course)


def _decide() -> None:
    """atasan approves the oldest nomination waiting for them (the demo one)."""
    from lms.enrolments import services, workflow

    atasan = _user("atasan")
    item = workflow.supervisor_queue(atasan, limit=1)[0]
    services.decide(atasan, item.approval, True)


def _withdraw() -> None:
    """pegawai withdraws their nomination: only the enrolment's state moves, no approval."""
    from lms.enrolments import services
    from lms.enrolments.models import Enrolment

    pegawai = _user("pegawai")
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.employee_id == pegawai.employee_id, Enrolment.status == "nominated"
        )
    )
    services.withdraw(pegawai, enrolment)


def _submit_plan() -> None:
    from lms.careers.plans import services as plans
    from lms.careers.plans.models import PlanActivity
    from lms.indonesian import local_today

    plan = plans.ensure_plan(_user("pegawai").employee, local_today().year)
    plan.activities.append(
        PlanActivity(kind="other", other_text="Magang di Dinas Kominfo", target_jp=Decimal(10))
    )
    db.session.flush()
    plans.submit_plan(plan)


def _agree_plan() -> None:
    from lms.careers.plans import services as plans
    from lms.careers.plans.models import DevelopmentPlan

    plan = db.session.scalar(select(DevelopmentPlan).where(DevelopmentPlan.status == "submitted"))
    plans.decide_plan(plan, _user("atasan"), True)


def _nominate_for_cohort() -> None:
    from lms.enrolments.cohorts import services as cohorts
    from tests.enrolments.cohorts.builders import make_cohort, make_programme

    cohort = make_cohort(make_programme("PKS", ("PKS-101",)), code="PKS-2026-I")
    pegawai = _user("pegawai")
    cohorts.nominate(pegawai, cohort, pegawai.employee)


@pytest.mark.usefixtures("demo")
def test_the_supervisor_sees_the_same_page_kept_and_fresh_after_each_write(
    app, clock, worker_app
) -> None:
    other = worker_app(DASHBOARD_TEAM_SECONDS=TEAM)
    here, elsewhere = app.test_client(), other.test_client()
    login(here, "atasan", DEMO_PASSWORD)
    login(elsewhere, "atasan", DEMO_PASSWORD)
    clients = ((app, here), (other, elsewhere))
    for app_, client in clients:
        _same(app_, client, "before")
    page = _page(app, here, KEPT)
    assert "Angka per pukul 10:05 WIB" in page  # the team's figures say as of when
    assert page.count("Angka per pukul") == 2  # the enrolments and the JP, not the rest
    changes = (_nominate_self, _decide, _withdraw, _submit_plan, _agree_plan, _nominate_for_cohort)
    for change in changes:
        _commit(app, change)
        for app_, client in clients:
            _same(app_, client, change.__name__)
    page = _page(app, here, KEPT)
    assert "Usulan angkatan" in page and "Program PKS" not in page  # the count shows


def _progress(app, client) -> str:
    page = _page(app, client, KEPT)
    return page[page.index("Pendaftaran tim saya") :]


@pytest.mark.usefixtures("demo")
def test_the_team_figures_are_kept_for_their_window_and_say_as_of_when(app, clock) -> None:
    from lms.enrolments import workflow
    from lms.enrolments.models import Enrolment
    from lms.org.models import Employee

    client = app.test_client()
    login(client, "atasan", DEMO_PASSWORD)
    before = _progress(app, client)
    assert "Angka per pukul 10:05 WIB" in before

    def lesson_seen() -> None:
        atasan = _user("atasan")
        enrolment = db.session.scalars(
            select(Enrolment)
            .join(Employee, Employee.id == Enrolment.employee_id)
            .where(Employee.supervisor_id == atasan.employee_id)
            .order_by(Enrolment.id)
        ).first()
        enrolment.progress = 77  # the progress alone: no nomination moved

    def enrolled_by_hr() -> None:
        from lms.courses.models import Course
        from lms.enrolments import services

        pegawai = _user("pegawai")
        taken = select(Enrolment.course_id).where(Enrolment.employee_id == pegawai.employee_id)
        course = db.session.scalars(
            select(Course)
            .where(Course.published_version_id.is_not(None), Course.id.not_in(taken))
            .order_by(Course.id)
        ).first()
        services.enrol_by_admin(_user("bkpsdm"), pegawai.employee, course)

    with app.app_context():
        nominations = workflow.NOMINATIONS.token()
    _commit(app, lesson_seen)
    _commit(app, enrolled_by_hr)
    with app.app_context():  # a lesson seen, a place given: no nomination moved
        assert workflow.NOMINATIONS.token() == nominations
    assert _progress(app, client) == before  # a report's lesson: within the window, as it was
    clock[0] += TEAM  # the next window
    after = _progress(app, client)
    assert "77%" in after and "Angka per pukul 10:06 WIB" in after
    app.config["DASHBOARD_KEPT_SECONDS"] = 0
    assert _progress(app, client) == after  # what a fresh render shows now


def _all_kept(app, monkeypatch) -> None:
    for name in (
        "DASHBOARD_KEPT_SECONDS",
        "DASHBOARD_PEOPLE_SECONDS",
        "DASHBOARD_ASSESSOR_SECONDS",
        "ACCOUNT_CACHE_SECONDS",
        "NOTIFICATIONS_UNREAD_SECONDS",
    ):
        monkeypatch.setitem(app.config, name, KEPT)


def _repeat_visit(app) -> int:
    """The statements of a repeat visit, after checking the kept page against a fresh one."""
    client = app.test_client()
    login(client, "atasan")
    _same(app, client, "world")
    with count_queries(app) as counter:
        assert client.get("/dasbor").status_code == 200
    assert counter["n"] == 0, counter["sql"]
    return counter["n"]


def test_a_repeat_visit_of_the_supervisor_sends_no_statement_with_10_or_200_reports(
    app, world, clock, monkeypatch
) -> None:
    from tests.factories import make_course

    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    _all_kept(app, monkeypatch)
    with app.app_context():
        course_id = make_course("DASH-101", title="Pelatihan Dasbor").id
        db.session.commit()
    _team(app, world, 0, 10, course_id)  # with nominations waiting (all shown) and JP records
    small = _repeat_visit(app)
    _team(app, world, 10, 200, course_id)
    assert _repeat_visit(app) == small == 0
