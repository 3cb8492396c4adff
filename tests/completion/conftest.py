"""A classroom course with enrolled participants in two departments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from lms.enrolments.cohorts.models import Cohort, Programme, ProgrammeCourse
from lms.enrolments.models import Enrolment
from lms.extensions import db as _db
from tests.factories import make_course


@dataclass(frozen=True)
class Classroom:
    code: str
    course_id: int
    other_code: str
    cohort_id: int
    other_cohort_id: int


@pytest.fixture
def classroom(app, world):
    """KLAS-101 (classroom): pegawai, atasan (Dinkes) and disdik (Dinas Pendidikan) enrolled.

    A programme holds KLAS-101 and a second course, with one cohort; another cohort belongs to a
    programme without KLAS-101.
    """
    with app.app_context():
        course = make_course("KLAS-101", title="Pelatihan Pelayanan Prima", lessons=1)
        course.published_version.delivery_mode = "classroom"
        other = make_course("KLAS-102", title="Pelatihan Kearsipan", lessons=1)
        for key in ("pegawai", "atasan", "disdik"):
            _db.session.add(
                Enrolment(course_id=course.id, employee_id=world.employees[key].id, status="active")
            )
        programme = Programme(code="PROG-1", title="Program Pelayanan")
        lonely = Programme(code="PROG-2", title="Program Lain")
        _db.session.add_all([programme, lonely])
        _db.session.flush()
        _db.session.add_all(
            [
                ProgrammeCourse(programme_id=programme.id, course_id=course.id, position=0),
                ProgrammeCourse(programme_id=programme.id, course_id=other.id, position=1),
            ]
        )
        cohort = Cohort(
            programme_id=programme.id,
            code="ANGK-1",
            name="Angkatan I",
            starts_on=date(2024, 1, 8),
            ends_on=date(2024, 1, 12),
        )
        stranger = Cohort(
            programme_id=lonely.id,
            code="ANGK-X",
            name="Angkatan X",
            starts_on=date(2024, 1, 8),
            ends_on=date(2024, 1, 12),
        )
        _db.session.add_all([cohort, stranger])
        _db.session.commit()
        result = Classroom(course.code, course.id, other.code, cohort.id, stranger.id)
        _db.session.remove()
    return result
