"""Catalogue, course page, lesson page and dashboard: same query count with 10 and 500 courses."""

from __future__ import annotations

from sqlalchemy import insert, select

from lms.auth.models import User
from lms.courses.models import Category, Course, CourseVersion, Lesson, Module
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_course
from tests.test_query_counts import count_queries


def _bulk_courses(n: int, start: int, employee_id: int) -> None:
    """Many published courses with a module and two lessons each, enrolled, via bulk inserts."""
    category = db.session.scalar(select(Category).limit(1))
    for i in range(start, start + n):
        course = Course(code=f"MASSAL-{i:04d}", category=category, search_text=f"massal {i}")
        db.session.add(course)
        db.session.flush()
        version = CourseVersion(
            course_id=course.id,
            number=1,
            status="published",
            title=f"Pelatihan Massal {i}",
            competency_kind="teknis",
            jp=2,
            delivery_mode="e-learning",
        )
        db.session.add(version)
        db.session.flush()
        course.published_version_id = version.id
        module = Module(version_id=version.id, title="Modul", position=0)
        db.session.add(module)
        db.session.flush()
        db.session.execute(
            insert(Lesson),
            [
                {
                    "module_id": module.id,
                    "version_id": version.id,
                    "key": f"k{i}x{j}",
                    "position": j,
                    "title": f"Pelajaran {j}",
                    "body_md": "Isi",
                    "body_html": "<p>Isi</p>",
                    "minutes": 10,
                }
                for j in range(2)
            ],
        )
        db.session.add(
            Enrolment(course_id=course.id, employee_id=employee_id, status="active", progress=50)
        )
    db.session.flush()


def _measure(app, client, code: str, key: str) -> dict[str, int]:
    counts = {}
    for url in (
        "/pelatihan",
        "/pelatihan?q=massal&kompetensi=teknis",
        f"/pelatihan/{code}",
        f"/belajar/{code}/{key}",
        "/dasbor",
    ):
        # twice: a first view of a lesson writes the last lesson seen (a new generation of the
        # learner's kept enrolment), the second keeps it, the one counted is a repeat view
        for _ in range(2):
            client.get(url)
        with count_queries(app) as counter:
            assert client.get(url).status_code == 200, url
        counts[url] = counter["n"]
    return counts


def test_flat_query_counts_10_vs_500(app, client, world) -> None:
    with app.app_context():
        pegawai = db.session.get(User, world.users["pegawai"].id)
        course = make_course("UKUR-101", title="Pelatihan Ukur")
        from lms.enrolments import services as enrolments

        enrolments.enrol_self(pegawai, course)
        key = course.published_version.modules[0].lessons[0].key
        _bulk_courses(9, 0, pegawai.employee_id)
        db.session.commit()
    login(client, "pegawai")
    small = _measure(app, client, "UKUR-101", key)
    with app.app_context():
        _bulk_courses(490, 100, db.session.get(User, world.users["pegawai"].id).employee_id)
        db.session.commit()
    large = _measure(app, client, "UKUR-101", key)
    assert large == small
    assert max(large.values()) <= 15, large
