"""The notification tests reuse the enrolment workflow's courses: a nomination is what notifies."""

from __future__ import annotations

from tests.enrolments.conftest import _many_logins, courses

__all__ = ["_many_logins", "courses"]
