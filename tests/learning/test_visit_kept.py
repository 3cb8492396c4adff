"""The lesson player's enrolment and done lessons, kept per learner under their own generation
(lms.courses.cache.MINE): a repeat view of a lesson sends no statement and writes nothing, and
whatever changes them (a lesson done, a graded post-test, HR withdrawing or reopening, progress
rows removed) shows on the next view, here and in another worker; another learner's writes keep
this learner's entry."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select

from lms.auth.models import User
from lms.completion import services as completion
from lms.completion.models import Completion
from lms.courses import cache as course_cache
from lms.courses.models import Course
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import db
from lms.learning import services
from lms.org.models import Employee
from lms.quizzes.models import Question, Quiz
from tests.completion.builders import course_with_posttest, take_posttest
from tests.conftest import csrf_token, login
from tests.factories import make_course
from tests.test_query_counts import count_queries

CODE = "SIMPAN-101"


def _course(app, world, accounts=("pegawai",), lessons: int = 3) -> list[str]:
    with app.app_context():
        course = make_course(CODE, title="Simpan Uji", lessons=lessons)
        for account in accounts:
            enrolments.enrol_self(db.session.get(User, world.users[account].id), course)
        keys = [lesson.key for lesson in course.published_version.modules[0].lessons]
        db.session.commit()
    return keys


def _token(app, world, account: str = "pegawai") -> str:
    with app.app_context():
        return course_cache.MINE.token(world.employees[account].id)


def _enrolment(account: str, world) -> Enrolment:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.employee_id == world.employees[account].id)
    )


def _done(page: str) -> bool:
    return 'data-done="yes"' in page


def _seen(browser, url: str) -> str:
    """The page after a first view (which notes the last lesson seen) and a second (which
    keeps the enrolment read again after that write)."""
    browser.get(url)
    return browser.get(url).get_data(as_text=True)


def _in_two_workers(app, world, client, worker_app, account: str = "pegawai", lesson: int = 0):
    """A new course's lesson viewed as ``account`` here and in another worker (``worker_app``:
    its own cache, the same database), twice each (:func:`_seen`): the lesson's URL, both
    browsers and the second view of each."""
    url = f"/belajar/{CODE}/{_course(app, world)[lesson]}"
    browsers = (client, worker_app().test_client())
    seen = []
    for browser in browsers:
        login(browser, account)
        browser.get(url)
        seen.append(browser.get(url))
    return url, browsers, seen


def test_a_repeat_view_sends_no_statement_and_writes_nothing(app, client, world, monkeypatch):
    # as in production: the account and the bell's count kept too (TestingConfig turns them off)
    monkeypatch.setitem(app.config, "ACCOUNT_CACHE_SECONDS", 300)
    monkeypatch.setitem(app.config, "NOTIFICATIONS_UNREAD_SECONDS", 60)
    keys = _course(app, world)
    login(client, "pegawai")
    url = f"/belajar/{CODE}/{keys[0]}"
    _seen(client, url)
    before = _token(app, world)
    with count_queries(app) as counter:
        page = client.get(url)
    assert page.status_code == 200 and counter["sql"] == []
    assert _token(app, world) == before  # no write: the learner's generation stays
    client.get(f"/belajar/{CODE}/{keys[1]}")  # another lesson: the last lesson seen written
    assert _token(app, world) != before


def test_a_lesson_done_shows_at_once_here_and_in_another_worker(app, client, world, worker_app):
    url, browsers, seen = _in_two_workers(app, world, client, worker_app)
    assert all(not _done(page.text) and 'value="0"' in page.text for page in seen)
    token = csrf_token(client, url)
    client.post(f"{url}/selesai", headers={"X-CSRFToken": token, "Accept": "application/json"})
    pages = [browser.get(url).text for browser in browsers]
    assert all(_done(page) and 'value="33"' in page for page in pages)


def test_progress_rows_written_without_the_enrolment_show_at_once(app, client, world, worker_app):
    """A lesson done or undone (a reset) that leaves the enrolment row as it was still starts
    a new generation of its learner (the person of a progress row is its enrolment's)."""
    url, browsers, seen = _in_two_workers(app, world, client, worker_app, lesson=1)
    assert not any(_done(page.text) for page in seen)
    with app.app_context():  # the enrolment not loaded: its learner is read in the flush
        enrolment_id = db.session.scalar(select(Enrolment.id))
        db.session.add(LessonProgress(enrolment_id=enrolment_id, lesson_key=url.rsplit("/", 1)[1]))
        db.session.commit()
    assert all(_done(browser.get(url).text) for browser in browsers)
    with app.app_context():
        db.session.delete(db.session.scalar(select(LessonProgress)))  # a reset
        db.session.commit()
    assert not any(_done(browser.get(url).text) for browser in browsers)


def test_another_learners_writes_keep_this_ones_entry(app, client, world) -> None:
    keys = _course(app, world, accounts=("pegawai", "atasan"))
    login(client, "pegawai")
    url = f"/belajar/{CODE}/{keys[0]}"
    _seen(client, url)
    mine, theirs = _token(app, world), _token(app, world, "atasan")
    atasan = app.test_client()
    login(atasan, "atasan")
    token = csrf_token(atasan, url)
    atasan.post(f"{url}/selesai", headers={"X-CSRFToken": token, "Accept": "application/json"})
    with app.app_context():  # a progress row of theirs written on its own too
        db.session.add(LessonProgress(enrolment_id=_enrolment("atasan", world).id, lesson_key="x"))
        db.session.commit()
    assert _token(app, world) == mine and _token(app, world, "atasan") != theirs
    with count_queries(app) as counter:
        page = client.get(url).text
    assert not _done(page)
    assert not [sql for sql in counter["sql"] if "lesson_progress" in sql]


def test_hr_withdrawing_closes_the_player_at_once_everywhere(app, client, world, worker_app):
    url, browsers, seen = _in_two_workers(app, world, client, worker_app)
    assert [page.status_code for page in seen] == [200, 200]
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        enrolments.withdraw(hr, _enrolment("pegawai", world), "Mutasi")
        db.session.commit()
    assert [browser.get(url).status_code for browser in browsers] == [403, 403]


def test_an_enrolment_made_elsewhere_opens_the_player_at_once(app, client, world, worker_app):
    url, browsers, seen = _in_two_workers(app, world, client, worker_app, account="atasan")
    assert [page.status_code for page in seen] == [403, 403]  # none, kept: the second views
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == CODE))
        enrolments.enrol_self(db.session.get(User, world.users["atasan"].id), course)
        db.session.commit()
    assert [browser.get(url).status_code for browser in browsers] == [200, 200]


def test_a_graded_post_test_and_a_revocation_show_at_once(app, client, world) -> None:
    with app.app_context():
        course, quiz, question = course_with_posttest(
            CODE, lessons=1, require_evaluation=False, require_lessons=False
        )
        enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        course_id, key = course.id, course.published_version.modules[0].lessons[0].key
        quiz_id, question_id = quiz.id, question.id
        db.session.commit()

    employee_id = world.employees["pegawai"].id

    def kept_status() -> str:
        with app.test_request_context():
            return services.enrolment_and_done(course_id, employee_id)[0].status

    login(client, "pegawai")
    _seen(client, f"/belajar/{CODE}/{key}")
    assert kept_status() == "active"
    with app.app_context():
        quiz, question = db.session.get(Quiz, quiz_id), db.session.get(Question, question_id)
        take_posttest(quiz, question, db.session.get(Employee, employee_id))
        db.session.commit()
    assert kept_status() == "completed"
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        completion.revoke(db.session.scalar(select(Completion)), hr, "Nilai tidak sah")
        db.session.commit()
    assert kept_status() == "active"


@pytest.mark.parametrize("write", ["insert", "delete"])
def test_a_bulk_write_of_progress_starts_a_new_generation_for_everybody(app, world, write):
    keys = _course(app, world, accounts=("pegawai", "atasan"))
    before = _token(app, world, "atasan")
    with app.app_context():
        if write == "insert":
            enrolment_id = _enrolment("pegawai", world).id
            db.session.execute(
                insert(LessonProgress), [{"enrolment_id": enrolment_id, "lesson_key": keys[0]}]
            )
        else:
            db.session.execute(delete(LessonProgress))
        db.session.commit()
    assert _token(app, world, "atasan") != before


def test_flat_statements_from_10_to_many_lessons(app, client, world) -> None:
    """A first view (one read, one write), a repeat view (the account only: not kept in tests),
    the same for 10 lessons done and for 300."""
    small_keys = _course(app, world, lessons=10)
    with app.app_context():
        big = make_course("SIMPAN-102", title="Simpan Besar", lessons=300)
        enrolment = enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), big)
        big_keys = [lesson.key for lesson in big.published_version.modules[0].lessons]
        small_id = _enrolment_in(CODE, world).id
        for enrolment_id, keys in ((small_id, small_keys), (enrolment.id, big_keys)):
            db.session.execute(
                insert(LessonProgress),
                [{"enrolment_id": enrolment_id, "lesson_key": k} for k in keys],
            )
        db.session.commit()
    login(client, "pegawai")
    counts = []
    for code, keys in ((CODE, small_keys), ("SIMPAN-102", big_keys)):
        url = f"/belajar/{code}/{keys[-1]}"
        views = []
        for _ in range(3):
            with count_queries(app) as counter:
                page = client.get(url).text
            views.append(counter["n"])
        assert page.count("chip ok") == len(keys)
        counts.append(views)
    assert counts[0] == counts[1], counts
    assert counts[0][2] < counts[0][1] < counts[0][0], counts


def _enrolment_in(code: str, world) -> Enrolment:
    course_id = db.session.scalar(select(Course.id).where(Course.code == code))
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course_id, Enrolment.employee_id == world.employees["pegawai"].id
        )
    )
