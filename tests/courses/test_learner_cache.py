"""The shared parts of learner pages come from the cache (lms.courses.cache): the same page with
the cache on or off, changes seen at once, the learner's own state never kept, flat queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.courses import cache as course_cache
from lms.courses import services as courses
from lms.courses.models import Category, Course
from lms.enrolments import services as enrolments
from lms.extensions import cache, db
from tests.conftest import csrf_token, login
from tests.factories import make_course
from tests.learning.test_query_counts import _bulk_courses, _measure


@pytest.fixture
def cache_off(app):
    """The app with Flask-Caching's NullCache (nothing kept), then the in-process cache again."""
    cache.init_app(app, config={"CACHE_TYPE": "NullCache"})
    yield
    cache.init_app(app, config={"CACHE_TYPE": "SimpleCache"})
    with app.app_context():
        cache.clear()


def _course_with_learner(app, world) -> str:
    with app.app_context():
        course = make_course("TIK-301", title="Keamanan Siber Lanjut")
        make_course("KOM-301", title="Komunikasi Krisis", category="Komunikasi")
        enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        key = course.published_version.modules[0].lessons[0].key
        db.session.commit()
    return key


def _pages(client, key: str) -> dict[str, str]:
    urls = (
        "/pelatihan",
        "/pelatihan?q=keamanan&kompetensi=teknis",
        "/pelatihan/TIK-301",
        "/pelatihan/KOM-301",
        f"/belajar/TIK-301/{key}",
    )
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        # CSRF tokens differ per render; everything else must be the same
        pages[url] = re.sub(r'value="[^"]{40,}"', "", response.get_data(as_text=True))
    return pages


def test_pages_are_the_same_with_the_cache_on_and_off(app, client, world, cache_off) -> None:
    key = _course_with_learner(app, world)
    login(client, "pegawai")
    off = _pages(client, key)
    cache.init_app(app, config={"CACHE_TYPE": "SimpleCache"})
    first = _pages(client, key)  # filled
    second = _pages(client, key)  # read back
    assert first == off
    assert second == off
    assert "Keamanan Siber Lanjut" in off["/pelatihan"] and 'data-state="' in off["/pelatihan"]


def test_a_new_published_version_shows_at_once(app, client, world) -> None:
    key = _course_with_learner(app, world)
    login(client, "pegawai")
    assert "Keamanan Siber Lanjut" in client.get("/pelatihan").get_data(as_text=True)
    assert "Pelajaran 3" in client.get("/pelatihan/TIK-301").get_data(as_text=True)
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "TIK-301"))
        draft = courses.draft_for_edit(course)
        draft.title = "Keamanan Siber Terbaru"
        courses.save_lesson(draft.modules[0], None, "Pelajaran Baru", "Isi baru.", 15)
        courses.publish(None, draft)
        db.session.commit()
    catalogue = client.get("/pelatihan").get_data(as_text=True)
    assert "Keamanan Siber Terbaru" in catalogue and "Keamanan Siber Lanjut" not in catalogue
    assert "Pelajaran Baru" in client.get("/pelatihan/TIK-301").get_data(as_text=True)
    assert "Pelajaran Baru" in client.get(f"/belajar/TIK-301/{key}").get_data(as_text=True)


def test_archiving_and_renaming_a_category_show_at_once(app, client, world) -> None:
    _course_with_learner(app, world)
    login(client, "pegawai")
    assert "Komunikasi Krisis" in client.get("/pelatihan").get_data(as_text=True)
    with app.app_context():
        courses.archive(db.session.scalar(select(Course).where(Course.code == "KOM-301")))
        db.session.scalar(
            select(Category).where(Category.name == "Teknologi Informasi")
        ).name = "Teknologi Digital"
        db.session.commit()
    catalogue = client.get("/pelatihan").get_data(as_text=True)
    assert "Komunikasi Krisis" not in catalogue
    assert "Teknologi Digital" in catalogue


def test_the_learners_own_state_is_never_cached(app, client, world) -> None:
    with app.app_context():
        make_course("TIK-401", title="Data Terbuka")
        db.session.commit()
    login(client, "pegawai")
    course_page = client.get("/pelatihan/TIK-401").get_data(as_text=True)
    assert "Mulai belajar" not in course_page
    assert 'data-state="' not in client.get("/pelatihan").get_data(as_text=True)
    client.post("/pelatihan/TIK-401/daftar", data={"csrf_token": csrf_token(client, "/pelatihan")})
    assert "Mulai belajar" in client.get("/pelatihan/TIK-401").get_data(as_text=True)
    assert 'data-state="' in client.get("/pelatihan").get_data(as_text=True)
    # another learner, same cached catalogue, sees no state of the first one
    other = app.test_client()
    login(other, "atasan")
    assert 'data-state="' not in other.get("/pelatihan").get_data(as_text=True)


def test_only_course_writes_change_the_generation(app, world) -> None:
    with app.test_request_context():
        course = make_course("TIK-501")
        db.session.commit()
        before = course_cache.generation()
        enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        db.session.commit()  # an enrolment: learner traffic keeps the cache
        assert course_cache.generation() == before
        course.capacity = 30
        db.session.rollback()  # nothing written
        assert course_cache.generation() == before
        course = db.session.scalar(select(Course).where(Course.code == "TIK-501"))
        course.capacity = 30
        db.session.commit()
        assert course_cache.generation() != before


def test_query_counts_stay_flat_without_the_cache(app, client, world, cache_off) -> None:
    """With nothing cached every shared part is built per request, still in flat queries."""
    with app.app_context():
        pegawai = db.session.get(User, world.users["pegawai"].id)
        course = make_course("UKUR-101", title="Pelatihan Ukur")
        enrolments.enrol_self(pegawai, course)
        key = course.published_version.modules[0].lessons[0].key
        _bulk_courses(9, 0, pegawai.employee_id)
        db.session.commit()
    login(client, "pegawai")
    small = _measure(app, client, "UKUR-101", key)
    with app.app_context():
        _bulk_courses(990, 100, db.session.get(User, world.users["pegawai"].id).employee_id)
        db.session.commit()
    large = _measure(app, client, "UKUR-101", key)
    assert large == small


def test_quizzes_and_packages_of_a_course_show_at_once(app, client, world) -> None:
    """Kept per course like the outline: quizzes and packages start a new generation
    (``course_cache.watch``), so one added, renamed or placed is on the next page."""
    from lms.packages.models import Package, PackageVersion
    from lms.quizzes.models import Quiz

    key = _course_with_learner(app, world)
    login(client, "pegawai")
    lesson_url = f"/belajar/TIK-301/{key}"
    assert "Kuis dan ujian" not in client.get("/pelatihan/TIK-301").get_data(as_text=True)
    assert "Kuis dan ujian" not in client.get(lesson_url).get_data(as_text=True)
    with app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.code == "TIK-301"))
        db.session.add(Quiz(course_id=course_id, kind="post_test", title="Post-test Siber"))
        db.session.commit()
    assert "Post-test Siber" in client.get("/pelatihan/TIK-301").get_data(as_text=True)
    assert "Post-test Siber" in client.get(lesson_url).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(Quiz).where(Quiz.title == "Post-test Siber")).title = "Ujian Siber"
        package = Package(code="PKT-1", title="Paket Simulasi Siber", kind="scorm12")
        db.session.add(package)
        db.session.flush()
        db.session.add(
            PackageVersion(
                package_id=package.id,
                version=1,
                status="approved",
                storage_key="packages/x/1",
                uploaded_by_id=world.users["pegawai"].id,
                course_id=course_id,
                manifest={},
                report={},
            )
        )
        db.session.commit()
    page = client.get("/pelatihan/TIK-301").get_data(as_text=True)
    assert "Ujian Siber" in page and "Post-test Siber" not in page
    assert "Paket Simulasi Siber" in page
    assert "Paket Simulasi Siber" in client.get(lesson_url).get_data(as_text=True)
    with app.app_context():
        db.session.scalar(select(PackageVersion)).course_id = None  # taken out of the course
        db.session.commit()
    assert "Paket Simulasi Siber" not in client.get("/pelatihan/TIK-301").get_data(as_text=True)


def test_course_and_lesson_pages_ask_only_for_the_learners_own_state(
    app, client, world, monkeypatch
) -> None:
    """With the shared parts kept, the course page of a course one is not enrolled in reads the
    account, the course and the (absent) enrolment; the lesson player the account and the
    enrolment with its done lessons, in one query; the bell's count is kept too."""
    monkeypatch.setitem(app.config, "NOTIFICATIONS_UNREAD_SECONDS", 30)  # off in TestingConfig
    from tests.test_query_counts import count_queries

    key = _course_with_learner(app, world)
    login(client, "pegawai")
    for url, most in (("/pelatihan/KOM-301", 3), (f"/belajar/TIK-301/{key}", 2)):
        client.get(url)  # fill the cache (and note the visit)
        with count_queries(app) as counter:
            assert client.get(url).status_code == 200
        assert counter["n"] <= most, (url, counter["n"])
