"""The scheduling rule, pure: due dates from the completion's day in Asia/Jakarta, calendar months
(31 January + 1 month), closing, and which notice (if any) goes out on a given day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.evaluations.followup import rules

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # February is shorter: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 1, 28), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 10, 5), 3, date(2027, 1, 5)),
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 5, 31), 24, date(2028, 5, 31)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),  # backwards, for the tests' own setup
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
    ],
)
def test_months_are_added_on_the_calendar(day: date, months: int, expected: date) -> None:
    assert rules.add_months(day, months) == expected


def test_the_completion_day_is_the_agencys_not_utcs() -> None:
    # 31 January 20:00 UTC is 1 February 03:00 in Palembang: the follow-up counts from 1 February.
    late = datetime(2026, 1, 31, 20, 0, tzinfo=UTC)
    assert rules.completed_on(late, JAKARTA) == date(2026, 2, 1)
    assert rules.due_date(late, 1, JAKARTA) == date(2026, 3, 1)
    assert rules.due_date(late, 3, JAKARTA) == date(2026, 5, 1)
    # 31 January 16:59 UTC is still 31 January (23:59 WIB): + 1 month is 28 February.
    evening = datetime(2026, 1, 31, 16, 59, tzinfo=UTC)
    assert rules.completed_on(evening, JAKARTA) == date(2026, 1, 31)
    assert rules.due_date(evening, 1, JAKARTA) == date(2026, 2, 28)
    # The default is three months.
    assert rules.DEFAULT_MONTHS == 3
    assert rules.due_date(evening, rules.DEFAULT_MONTHS, JAKARTA) == date(2026, 4, 30)


def test_a_naive_moment_is_utc() -> None:
    assert rules.completed_on(datetime(2026, 6, 30, 18, 0), JAKARTA) == date(2026, 7, 1)


def test_the_questionnaire_stays_open_six_weeks() -> None:
    due = date(2026, 4, 30)
    closes = rules.closing_date(due)
    assert closes == due + timedelta(days=rules.CLOSE_AFTER_DAYS) == date(2026, 6, 11)
    assert not rules.is_open(due, closes, due - timedelta(days=1))
    assert rules.is_open(due, closes, due)
    assert rules.is_open(due, closes, closes)
    assert not rules.is_open(due, closes, closes + timedelta(days=1))


DUE = date(2026, 4, 30)
CLOSES = rules.closing_date(DUE)


def _on(days: int) -> date:
    return DUE + timedelta(days=days)


@pytest.mark.parametrize(
    ("days", "sent", "expected"),
    [
        (-1, set(), None),  # not open yet
        (0, set(), "invitation"),
        (0, {"invitation"}, None),  # the job ran twice today
        (3, {"invitation"}, None),
        (7, {"invitation"}, "reminder_1"),
        (8, {"invitation", "reminder_1"}, None),
        (20, {"invitation", "reminder_1"}, None),
        (21, {"invitation", "reminder_1"}, "reminder_2"),
        (30, {"invitation", "reminder_1", "reminder_2"}, None),
        # A job that did not run for a while sends only the latest notice due, never a backlog.
        (9, set(), "reminder_1"),
        (25, set(), "reminder_2"),
        (25, {"invitation"}, "reminder_2"),
        (10, {"reminder_2"}, None),  # a later one went already
        (rules.CLOSE_AFTER_DAYS, {"invitation", "reminder_1"}, "reminder_2"),
        (rules.CLOSE_AFTER_DAYS + 1, set(), None),  # closed: nothing any more
    ],
)
def test_which_notice_goes_out(days: int, sent: set[str], expected: str | None) -> None:
    assert rules.next_notice(DUE, CLOSES, _on(days), sent) == expected
