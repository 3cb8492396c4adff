"""Telling the people of a project what happened: each notification links to the project page."""

from __future__ import annotations

from lms.enrolments.cohorts.models import CohortMember
from lms.notifications.messages import Deferred
from lms.notifications.services import notify, notify_employee

ENDPOINT = "leadership.project"


def tell_member(member: CohortMember, message: Deferred) -> None:
    """The participant (through their employee record's account)."""
    notify_employee(member.employee_id, message, ENDPOINT, member_id=member.id)


def tell_user(user_id: int | None, message: Deferred, member: CohortMember) -> None:
    """A coach, mentor, examiner or organiser account (nobody when None)."""
    if user_id is not None:
        notify(user_id, message, ENDPOINT, member_id=member.id)
