"""Kept dashboard sections (lms.dashboard, ``keep=``) show exactly what a fresh render shows: for
every demo account on the demo data, and after each write of a mix that changes what they show
(an enrolment, a lesson done, a completion with its JP and certificate, a forum post, a low SKP
predikat), for the learner and in another worker. A kept section also costs no statement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.auth.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.extensions import db
from tests.conftest import login
from tests.test_query_counts import count_queries

KEPT = 300
_VARYING = re.compile(r'(name="csrf-token" content=|name="csrf_token" type="hidden" value=)"[^"]*"')


@pytest.fixture
def demo(app) -> Iterator[None]:
    """The demo organisation, courses, a certificate, a nomination and projects (as `demo load`)."""
    from lms.certificates.demo import load_demo_completion
    from lms.content import load_content
    from lms.enrolments.demo import load_demo_nomination
    from lms.leadership.demo import load_demo_projects
    from lms.org.demo import load_demo
    from lms.tasks import run_ready
    from tests.browser.conftest import CONTENT

    with app.app_context():
        load_demo()
        load_content(CONTENT)
        load_demo_completion()
        load_demo_nomination()
        load_demo_projects()
        db.session.commit()
        run_ready()
        db.session.remove()
    yield
    app.config["DASHBOARD_KEPT_SECONDS"] = 0


def _page(app, client, seconds: int) -> str:
    app.config["DASHBOARD_KEPT_SECONDS"] = seconds
    response = client.get("/dasbor")
    assert response.status_code == 200
    return _VARYING.sub(r'\1""', response.get_data(as_text=True))


def _same(app, client, who: str) -> None:
    """Fresh, then kept (after a write the entry may be cold or warm), then kept again."""
    fresh = _page(app, client, 0)
    assert _page(app, client, KEPT) == fresh, who
    assert _page(app, client, KEPT) == fresh, who


def test_every_demo_account_sees_the_same_page_kept_and_fresh(app, demo) -> None:
    for username, _roles, _display in DEMO_ACCOUNTS:
        client = app.test_client()
        login(client, username, DEMO_PASSWORD)
        _same(app, client, username)


def _employee_of(app, username: str) -> int:
    from lms.auth.models import User

    with app.app_context():
        employee_id = db.session.scalar(select(User.employee_id).where(User.username == username))
        db.session.remove()
    assert employee_id is not None
    return employee_id


def _commit(app, change) -> None:
    with app.app_context():
        change()
        db.session.commit()
        from lms.tasks import run_ready

        run_ready()
        db.session.remove()


def test_writes_show_at_once_kept_here_and_in_another_worker(app, demo, worker_app) -> None:
    from lms.careers.records.models import LearningRecord
    from lms.community.models import ForumThread
    from lms.courses.models import Course
    from lms.enrolments import services as enrolments
    from lms.org.models import Employee

    other_app = worker_app()
    learner, elsewhere = app.test_client(), other_app.test_client()
    login(learner, "pegawai", DEMO_PASSWORD)
    login(elsewhere, "pegawai", DEMO_PASSWORD)
    employee_id = _employee_of(app, "pegawai")
    for app_, client in ((app, learner), (other_app, elsewhere)):
        _same(app_, client, "before")

    def enrol() -> None:
        from lms.auth.models import User
        from lms.enrolments.models import Enrolment

        hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        enrolled = select(Enrolment.course_id).where(Enrolment.employee_id == employee_id)
        course = db.session.scalars(
            select(Course)
            .where(Course.published_version_id.is_not(None), Course.id.not_in(enrolled))
            .order_by(Course.id)
        ).first()
        enrolments.enrol_by_admin(hr, db.session.get(Employee, employee_id), course)

    def record() -> None:
        today = datetime.now(UTC).date()
        db.session.add(
            LearningRecord(
                employee_id=employee_id,
                source="outside",
                status="verified",
                name="Seminar Pelayanan Publik",
                starts_on=today,
                ends_on=today,
                year=today.year,
                jp=7,
            )
        )

    def post() -> None:
        from lms.auth.models import User
        from lms.community.access import Place
        from lms.community.forums import services as forums
        from lms.enrolments.models import Enrolment

        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        course = db.session.scalars(
            select(Course)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Enrolment.employee_id == employee_id)
            .order_by(Enrolment.id.desc())
        ).first()
        forums.start_thread(
            trainer, Place("course", course=course), "Tanya jawab modul 1", "Silakan."
        )

    def rename() -> None:
        thread = db.session.scalars(select(ForumThread)).first()
        thread.title = "Tanya jawab modul 1 dan 2"

    for change in (enrol, record, post, rename):
        _commit(app, change)
        for app_, client in ((app, learner), (other_app, elsewhere)):
            _same(app_, client, change.__name__)


def test_a_kept_learner_dashboard_sends_no_statement_for_its_kept_sections(app, demo) -> None:
    client = app.test_client()
    login(client, "pegawai", DEMO_PASSWORD)
    app.config["DASHBOARD_KEPT_SECONDS"] = 0
    with count_queries(app) as fresh:
        client.get("/dasbor")
    app.config["DASHBOARD_KEPT_SECONDS"] = KEPT
    client.get("/dasbor")
    with count_queries(app) as kept:
        client.get("/dasbor")
    assert kept["n"] < fresh["n"], (kept["sql"], fresh["sql"])
