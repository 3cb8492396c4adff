"""The catalogue's chips come from the learner's enrolments kept under their own generation
(lms.courses.cache.MINE): a learner paging through the catalogue sends no statement, and any
write of one of their enrolments (their own, HR's, another worker's) shows on the next page."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.courses import cache as course_cache
from lms.courses.models import Course
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_course
from tests.test_query_counts import count_queries


def _courses(app) -> None:
    with app.app_context():
        make_course("TIK-601", title="Jaringan Kantor")
        make_course("TIK-602", title="Arsip Digital")
        db.session.commit()


def _enrol(app, username: str, code: str) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username=username))
        enrolments.enrol_self(user, db.session.scalar(select(Course).filter_by(code=code)))
        db.session.commit()
        db.session.remove()


def _states(page: str) -> int:
    return page.count('data-state="')


def test_the_next_catalogue_page_sends_no_statement(app, client, world, monkeypatch) -> None:
    # as in production: the account and the bell's count kept too (TestingConfig turns them off)
    monkeypatch.setitem(app.config, "ACCOUNT_CACHE_SECONDS", 300)
    monkeypatch.setitem(app.config, "NOTIFICATIONS_UNREAD_SECONDS", 60)
    _courses(app)
    _enrol(app, "pegawai", "TIK-601")
    login(client, "pegawai")
    client.get("/pelatihan")
    with count_queries(app) as counter:
        page = client.get("/pelatihan").text
    assert counter["sql"] == [] and _states(page) == 1


def test_an_enrolment_made_elsewhere_shows_here_and_in_another_worker(
    app, client, world, worker_app
) -> None:
    _courses(app)
    login(client, "pegawai")
    other = worker_app().test_client()
    login(other, "pegawai")
    for browser in (client, other):
        assert _states(browser.get("/pelatihan").text) == 0  # kept: no enrolment
    _enrol(app, "pegawai", "TIK-602")  # as HR would, outside this browser
    for browser in (client, other):
        assert _states(browser.get("/pelatihan").text) == 1


def test_progress_changes_the_chip_at_once(app, client, world) -> None:
    _courses(app)
    _enrol(app, "pegawai", "TIK-601")
    login(client, "pegawai")
    before = client.get("/pelatihan").text
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        enrolment.status, enrolment.progress = "withdrawn", 0
        db.session.commit()
    assert _states(before) == 1 and _states(client.get("/pelatihan").text) == 0


def test_another_learners_enrolment_keeps_this_ones_kept(app, world) -> None:
    _courses(app)
    pegawai, atasan = world.employees["pegawai"].id, world.employees["atasan"].id
    with app.app_context():
        mine, theirs = course_cache.MINE.token(pegawai), course_cache.MINE.token(atasan)
    _enrol(app, "atasan", "TIK-601")
    with app.app_context():
        assert course_cache.MINE.token(pegawai) == mine
        assert course_cache.MINE.token(atasan) != theirs


def test_setting_an_enrolment_to_what_it_was_is_nothing_new(app, world) -> None:
    _courses(app)
    _enrol(app, "pegawai", "TIK-601")
    pegawai = world.employees["pegawai"].id
    with app.app_context():
        before = course_cache.MINE.token(pegawai)
        enrolment = db.session.scalar(select(Enrolment))
        enrolment.status = enrolment.status
        db.session.commit()
        assert course_cache.MINE.token(pegawai) == before
        db.session.remove()
