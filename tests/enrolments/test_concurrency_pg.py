"""On PostgreSQL: simultaneous enrolments never oversell seats, duplicate, or fail.

Each thread has its own app context (so its own session and connection) and commits, as
concurrent requests would. The service locks the course row (SELECT ... FOR UPDATE), so seat
decisions for one course happen one at a time. Runs only when LMS_TEST_DATABASE_URL is set:
SQLite locks the whole file and cannot show the race.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import services
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests.conftest import PG_URL, isolated_app
from tests.factories import build_world, make_course, make_employee, make_user

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")

THREADS = 20
SEATS = 5


@pytest.fixture(scope="module")
def race_app(databases, tmp_path_factory) -> Iterator[Flask]:
    """An app on a database of its own with a pool large enough for every thread at once."""
    with isolated_app(databases, tmp_path_factory.mktemp("race-files"), "race", THREADS + 5) as app:
        with app.app_context():
            world = build_world()
            for i in range(THREADS):
                emp = make_employee(world.disdik, f"Peserta {i:02d}")
                make_user(f"peserta{i:02d}", employee=emp)
            make_course("REBUTAN-1", title="Kursi Terbatas", capacity=SEATS)
            make_course("KLIK-2X", title="Klik Dua Kali")
            db.session.commit()
            db.session.remove()
        yield app


def _run_together(app: Flask, jobs: list[tuple[str, str]]) -> list[BaseException]:
    """Start every (username, course code) enrolment at the same moment; return the errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    refusals: list[str] = []

    def enrol(username: str, code: str) -> None:
        with app.app_context():
            try:
                user = db.session.scalar(select(User).where(User.username == username))
                course = db.session.scalar(select(Course).where(Course.code == code))
                _ = (user.employee.id, course.published_version_id)
                db.session.commit()  # start the race without an open transaction
                barrier.wait(timeout=30)
                services.enrol_self(user, course)
                db.session.commit()
            except services.EnrolmentError as exc:
                db.session.rollback()
                refusals.append(str(exc))
            except BaseException as exc:
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=enrol, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an enrolment hung"
    app.extensions.setdefault("race_refusals", []).extend(refusals)
    return errors


def _states(app: Flask, code: str) -> tuple[Counter, int, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Enrolment.employee_id, Enrolment.status)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Course.code == code)
        ).all()
        db.session.remove()
    return Counter(status for _e, status in rows), len(rows), len({e for e, _s in rows})


def test_twenty_simultaneous_enrolments_into_five_seats(race_app: Flask) -> None:
    assert race_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    errors = _run_together(race_app, [(f"peserta{i:02d}", "REBUTAN-1") for i in range(THREADS)])
    assert errors == []
    states, rows, people = _states(race_app, "REBUTAN-1")
    assert states == {"active": SEATS, "waitlisted": THREADS - SEATS}
    assert rows == people == THREADS  # no duplicates


def test_the_same_employee_twice_at_once_gets_one_row_and_a_clear_refusal(race_app: Flask) -> None:
    race_app.extensions["race_refusals"] = []
    errors = _run_together(race_app, [("peserta00", "KLIK-2X"), ("peserta00", "KLIK-2X")])
    assert errors == []
    states, rows, _people = _states(race_app, "KLIK-2X")
    assert rows == 1 and states == {"active": 1}
    refusals = race_app.extensions["race_refusals"]
    assert len(refusals) == 1 and "sudah terdaftar di pelatihan ini" in refusals[0]
