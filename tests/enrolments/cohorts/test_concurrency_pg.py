"""On PostgreSQL: HR adding many people to a cohort at once never overfills its quota.

Each thread has its own app context (its own session and connection) and commits, as
concurrent requests would. Runs only when LMS_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.auth.models import User
from lms.enrolments.cohorts import editing, rules
from lms.enrolments.cohorts import services as cs
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.conftest import PG_URL, isolated_app
from tests.factories import build_world, make_course, make_employee

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")

THREADS = 12
QUOTA = 4


@pytest.fixture(scope="module")
def race_app(databases, tmp_path_factory) -> Iterator[Flask]:
    with isolated_app(
        databases, tmp_path_factory.mktemp("cohort-race-files"), "cohortrace", THREADS + 5
    ) as app:
        with app.app_context():
            world = build_world()
            for i in range(THREADS):
                make_employee(world.disdik, f"Calon {i:02d}")
            courses = [make_course(f"RACE-10{i}").id for i in range(2)]
            programme = editing.save_programme(
                None, {"code": "RACE", "title": "Program Rebutan"}, courses
            )
            today = local_today()
            for code in ("RACE-I", "RACE-II"):
                editing.save_cohort(
                    None,
                    programme,
                    None,
                    {
                        "code": code,
                        "name": code,
                        "starts_on": today + timedelta(days=10),
                        "ends_on": today + timedelta(days=40),
                        "quota": QUOTA,
                    },
                )
            db.session.commit()
            db.session.remove()
        yield app


def _run_together(app: Flask, cohort_code: str, names: list[str]) -> tuple[list, list[str]]:
    barrier = threading.Barrier(len(names))
    errors: list[BaseException] = []
    refusals: list[str] = []

    def add(name: str) -> None:
        with app.app_context():
            try:
                hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
                cohort = db.session.scalar(select(Cohort).where(Cohort.code == cohort_code))
                person = db.session.scalar(select(Employee).where(Employee.full_name == name))
                _ = (hr.roles, cohort.programme_id, person.golongan)
                db.session.commit()
                barrier.wait(timeout=30)
                cs.add_member(hr, cohort, person)
                db.session.commit()
            except rules.CohortError as exc:
                db.session.rollback()
                refusals.append(str(exc))
            except BaseException as exc:
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=add, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an addition hung"
    return errors, refusals


def _members(app: Flask, cohort_code: str) -> Counter:
    with app.app_context():
        rows = db.session.scalars(
            select(CohortMember.status).join(Cohort).where(Cohort.code == cohort_code)
        ).all()
        db.session.remove()
    return Counter(rows)


def test_many_additions_at_once_fill_exactly_the_quota(race_app: Flask) -> None:
    errors, refusals = _run_together(race_app, "RACE-I", [f"Calon {i:02d}" for i in range(THREADS)])
    assert errors == [] and refusals == []
    assert _members(race_app, "RACE-I") == {"active": QUOTA, "waitlisted": THREADS - QUOTA}
    with race_app.app_context():
        per_course = db.session.execute(
            select(
                Enrolment.course_id, func.count(), func.count(func.distinct(Enrolment.employee_id))
            ).group_by(Enrolment.course_id)
        ).all()
        db.session.remove()
    assert [(n, people) for _c, n, people in per_course] == [(QUOTA, QUOTA), (QUOTA, QUOTA)]


def test_the_same_person_twice_at_once_gets_one_row_and_a_clear_refusal(race_app: Flask) -> None:
    errors, refusals = _run_together(race_app, "RACE-II", ["Calon 00", "Calon 00"])
    assert errors == []
    assert _members(race_app, "RACE-II") == {"active": 1}
    assert len(refusals) == 1 and "sudah terdaftar di angkatan ini" in refusals[0]
