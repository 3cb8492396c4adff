"""Confirming a previewed attendance upload, as services (no HTTP): the kept cohort, the recheck
and the refusal to record data that changed since its preview."""

from __future__ import annotations

from datetime import date

import pytest

from lms.auth.models import User
from lms.completion import attendance as roll
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.extensions import db


def test_kept_cohort_must_still_belong_to_the_course(app, classroom) -> None:
    with app.test_request_context():
        course = db.session.get(Course, classroom.course_id)
        assert roll.kept_cohort(course, classroom.cohort_id) == classroom.cohort_id
        assert roll.kept_cohort(course, classroom.other_cohort_id) is None
        assert roll.kept_cohort(course, None) is None


def _csv(*nips: str) -> bytes:
    return ("nip,nilai\n" + "".join(f"{n},80\n" for n in nips)).encode()


def test_recheck_uses_the_preview_date_and_records(app, world, classroom) -> None:
    with app.test_request_context():
        course = db.session.get(Course, classroom.course_id)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        pending = {"key": "absen.csv", "date": "2024-01-10", "cohort": classroom.cohort_id}
        check = roll.recheck(hr, course, pending, _csv(world.employees["pegawai"].nip))
        assert check.ok and [e.completed_on for e in check.entries] == [date(2024, 1, 10)]
        done = roll.record_checked(hr, course, check, classroom.cohort_id)
        assert [(c.employee_id, c.cohort_id, c.year) for c in done] == [
            (world.employees["pegawai"].id, classroom.cohort_id, 2024)
        ]


def test_changed_data_is_refused_and_nothing_recorded(app, world, classroom) -> None:
    with app.test_request_context():
        course = db.session.get(Course, classroom.course_id)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        pending = {"key": "absen.csv", "date": "2024-01-10"}
        check = roll.recheck(hr, course, pending, _csv("199001012015031999"))
        assert not check.ok
        with pytest.raises(roll.AttendanceError, match="Data berubah sejak pratinjau dibuat."):
            roll.record_checked(hr, course, check)
        assert db.session.scalar(db.select(Completion)) is None
