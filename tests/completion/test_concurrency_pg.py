"""On PostgreSQL: the completing event fired twice at once gives one completion and one
certificate, and certificates issued in parallel get distinct numbers.

Each thread has its own app context (its own session and connection) and commits, as concurrent
requests or workers would. Runs only when LMS_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.completion import services as completion
from lms.completion.models import Completion, OutboxEvent
from lms.courses.models import Course
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.conftest import PG_URL, isolated_app
from tests.factories import build_world, make_course, make_employee

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")

WORKERS = 20
CERTIFICATES = 100


@pytest.fixture(scope="module")
def race_app(databases, tmp_path_factory) -> Iterator[Flask]:
    with isolated_app(
        databases, tmp_path_factory.mktemp("completion-race"), "completion_race", WORKERS + 5
    ) as app:
        with app.app_context():
            world = build_world()
            course = make_course(
                "KEMBAR-1", lessons=2, require_posttest=False, require_evaluation=False
            )
            make_course("KELAS-1", lessons=1)
            make_course("LANGSUNG-1", lessons=1)
            staff = db.session.get(Employee, world.employees["pegawai"].id)
            enrolment = Enrolment(course_id=course.id, employee_id=staff.id, status="active")
            db.session.add(enrolment)
            db.session.flush()
            for module in course.published_version.modules:
                for lesson in module.lessons:  # done, but nobody has judged the rules yet
                    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=lesson.key))
            for i in range(CERTIFICATES):
                make_employee(world.disdik, f"Peserta Kelas {i:03d}")
            db.session.commit()
            db.session.remove()
        yield app


def _together(app: Flask, jobs: list[Callable[[], None]]) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                job()
                db.session.commit()
            except BaseException as exc:
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a completion hung"
    return errors


def _counts(app: Flask, code: str) -> tuple[int, int, int]:
    with app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.code == code))
        completions = db.session.scalar(
            select(func.count()).select_from(Completion).where(Completion.course_id == course_id)
        )
        certificates = db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .join(Completion, Completion.id == Certificate.completion_id)
            .where(Completion.course_id == course_id)
        )
        events = db.session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .join(Completion, Completion.id == OutboxEvent.completion_id)
            .where(Completion.course_id == course_id)
        )
        db.session.remove()
    return completions, certificates, events


def test_the_completing_event_twice_at_once_completes_once(race_app: Flask) -> None:
    def judge() -> None:
        enrolment = db.session.scalar(
            select(Enrolment).join(Course).where(Course.code == "KEMBAR-1")
        )
        assert completion.evaluate(enrolment) is not None

    assert _together(race_app, [judge] * 2) == []
    assert _counts(race_app, "KEMBAR-1") == (1, 1, 1)
    # Ten more at once after it completed: each returns the existing record.
    assert _together(race_app, [judge] * 10) == []
    assert _counts(race_app, "KEMBAR-1") == (1, 1, 1)


def test_records_written_directly_at_once_are_decided_by_the_unique_index(race_app: Flask) -> None:
    """No enrolment row to lock (an import, a classroom record): the partial unique index on
    valid completions lets one insert win; the others return the winner's record."""

    def write() -> None:
        employee = db.session.scalar(select(Employee).where(Employee.full_name == "Siti Aminah"))
        course = db.session.scalar(select(Course).where(Course.code == "LANGSUNG-1"))
        made = completion.complete_course(
            employee, course, completed_at=completion.utcnow(), score=90, source="import"
        )
        assert made is not None and made.id is not None

    assert _together(race_app, [write] * 10) == []
    assert _counts(race_app, "LANGSUNG-1") == (1, 1, 1)


def test_a_hundred_certificates_in_parallel_get_distinct_numbers(race_app: Flask) -> None:
    with race_app.app_context():
        ids = db.session.scalars(
            select(Employee.id)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Employee.full_name.like("Peserta Kelas %"))
        ).all()
        db.session.remove()
    assert len(ids) == CERTIFICATES
    errors: list[BaseException] = []

    def record(employee_id: int) -> None:
        with race_app.app_context():
            try:
                hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
                course = db.session.scalar(select(Course).where(Course.code == "KELAS-1"))
                employee = db.session.get(Employee, employee_id)
                completion.record_classroom(
                    employee, course, completed_on=date(2026, 11, 2), score=80, by=hr
                )
                db.session.commit()
            except BaseException as exc:
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(record, ids))
    assert errors == []
    with race_app.app_context():
        rows = db.session.execute(select(Certificate.number, Certificate.seq)).all()
        seqs = sorted(seq for _n, seq in rows if _n.endswith("/2026"))
        db.session.remove()
    assert len(rows) == len({n for n, _s in rows}) >= CERTIFICATES
    assert seqs[-CERTIFICATES:] == list(
        range(seqs[-CERTIFICATES], seqs[-CERTIFICATES] + CERTIFICATES)
    )
    assert _counts(race_app, "KELAS-1") == (CERTIFICATES, CERTIFICATES, CERTIFICATES)
