"""Helpers for the post-training evaluation tests: completions fed through the real outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.completion import consumers
from lms.completion import services as completion
from lms.courses.models import Course
from lms.evaluations.followup.models import Followup
from lms.evaluations.followup.rules import add_months
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.factories import make_course
from tests.notifications.conftest import smtp_server

__all__ = ["smtp_server"]

COURSE = "PASCA-101"


def noon(day: date) -> datetime:
    """12:00 UTC: 19:00 WIB on the same day."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def complete(
    employee_id: int, *, code: str = COURSE, on: datetime | None = None, trainer=None
) -> int | None:
    """Complete ``code`` for the employee (inside an app context), commit, and feed the outbox
    consumers; returns the follow-up's id (None when none was scheduled)."""
    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is None:
        course = make_course(code, title=f"Pelatihan {code}", trainer=trainer)
    employee = db.session.get(Employee, employee_id)
    done = completion.complete_course(
        employee, course, completed_at=on or noon(local_today()), score=88, source="online"
    )
    db.session.commit()
    consumers.dispatch()
    return db.session.scalar(select(Followup.id).where(Followup.completion_id == done.id))


def months_ago(months: int, today: date | None = None) -> datetime:
    """A completion moment whose follow-up (after ``months``) is open today."""
    return noon(add_months(today or local_today(), -months))


@pytest.fixture
def open_followup(app, world) -> int:
    """pegawai (Siti, whose direct supervisor is atasan) completed PASCA-101 three months ago:
    her follow-up is open today. Its trainer is `pengajar`."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        followup_id = complete(world.employees["pegawai"].id, on=months_ago(3), trainer=trainer)
        db.session.remove()
    assert followup_id is not None
    return followup_id


ALUMNUS_FORM = {
    "applied": "4",
    "routine": "4",
    "performance": "5",
    "support": "3",
    "text_changed": "Surat dinas kini selesai dalam satu hari.",
    "text_obstacles": "Printer unit sering rusak.",
}
SUPERVISOR_FORM = {
    "applied": "5",
    "performance": "4",
    "sharing": "4",
    "opportunity": "5",
    "text_changed": "Siti menyusun SOP baru untuk loket.",
    "text_obstacles": "",
}
