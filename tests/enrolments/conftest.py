"""Courses for the enrolment workflow tests, built on top of the ``world`` organisation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.enrolments.models import Approval, Enrolment
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.models import Notification
from tests.factories import make_course


@pytest.fixture(autouse=True)
def _many_logins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests log several people in, one after another, from the same address."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")


@pytest.fixture
def courses(app, world) -> dict[str, int]:
    """USUL: supervisor then HR; OPEN: self-enrol with 2 seats; HRONLY: BKPSDM enrols;
    LATE: approval course whose deadline has passed; HRSTEP: HR approval only."""
    with app.app_context():
        made = {
            "USUL": make_course(
                "USUL-1", title="Kepemimpinan Pelayanan", approval_steps="supervisor,hr"
            ),
            "OPEN": make_course("OPEN-1", title="Literasi Digital", capacity=2),
            "HRONLY": make_course("HRONLY-1", title="Diklat Teknis Khusus", self_enrol=False),
            "LATE": make_course(
                "LATE-1",
                title="Pelatihan Terlambat",
                approval_steps="supervisor,hr",
                enrol_deadline=local_today() - timedelta(days=1),
            ),
            "HRSTEP": make_course("HRSTEP-1", title="Manajemen Arsip", approval_steps="hr"),
        }
        db.session.commit()
        ids = {key: course.id for key, course in made.items()}
        db.session.remove()
    return ids


def enrolment_of(app, course_id: int, employee_id: int) -> Enrolment | None:
    """The row as stored now (a fresh session), detached for assertions."""
    with app.app_context():
        row = db.session.scalar(
            select(Enrolment).where(
                Enrolment.course_id == course_id, Enrolment.employee_id == employee_id
            )
        )
        if row is not None:
            _ = [a.decision for a in row.approvals]
            db.session.expunge_all()
        db.session.remove()
    return row


def pending_approval_id(app, course_id: int, employee_id: int) -> int:
    with app.app_context():
        approval_id = db.session.scalar(
            select(Approval.id)
            .join(Enrolment, Enrolment.id == Approval.enrolment_id)
            .where(
                Enrolment.course_id == course_id,
                Enrolment.employee_id == employee_id,
                Approval.decision == "pending",
            )
            .order_by(Approval.position)
            .limit(1)
        )
        db.session.remove()
    assert approval_id is not None
    return approval_id


def notifications_of(app, user_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Notification.message, Notification.link)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def flashes(html: str) -> list[str]:
    return re.findall(r'class="flash flash-\w+">([^<]*)<', html)
