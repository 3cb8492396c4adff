"""When a post-training evaluation opens, closes and reminds: pure rules on dates, as data.

The questionnaire opens ``months`` calendar months after the completion's day **in the agency's
time zone** (a completion at 20:00 UTC on 31 January is 1 February in Palembang). Months are added
on the calendar: the same day of the month, or the month's last day when it has fewer days
(31 January + 1 month = 28 February, 29 February in a leap year; 31 August + 3 months =
30 November). It stays open ``CLOSE_AFTER_DAYS`` days. Each side gets an invitation on the day it
opens and reminders ``REMINDER_DAYS`` days after that while they have not answered; a run that
comes late (the job did not run for a week) sends only the latest notice due, never a backlog.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from lms.indonesian import local_date

DEFAULT_MONTHS = 3
#: Days the questionnaire stays open after it opens (the last day included).
CLOSE_AFTER_DAYS = 42
#: (days after opening, notice kind), in order: the invitation, then two reminders.
NOTICES: tuple[tuple[int, str], ...] = ((0, "invitation"), (7, "reminder_1"), (21, "reminder_2"))


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on, clamped to the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def completed_on(completed_at: datetime, zone: ZoneInfo | None = None) -> date:
    """The agency's calendar day of a completion (never the UTC date)."""
    return local_date(completed_at, zone)


def due_date(completed_at: datetime, months: int, zone: ZoneInfo | None = None) -> date:
    """The day the questionnaire opens: ``months`` after the completion's local day."""
    return add_months(completed_on(completed_at, zone), months)


def closing_date(due_on: date) -> date:
    """The last day answers are taken."""
    return due_on + timedelta(days=CLOSE_AFTER_DAYS)


def is_open(due_on: date, closes_on: date, today: date) -> bool:
    return due_on <= today <= closes_on


def next_notice(due_on: date, closes_on: date, today: date, sent: set[str]) -> str | None:
    """The notice to send today to a side that has not answered, or None.

    The latest notice whose day has come, unless it or a later one went already: an invitation on
    the opening day, a reminder on its day; nothing before opening or after closing.
    """
    if not is_open(due_on, closes_on, today):
        return None
    elapsed = (today - due_on).days
    kinds = [kind for _offset, kind in NOTICES]
    latest = max((i for i, (offset, _k) in enumerate(NOTICES) if offset <= elapsed), default=None)
    if latest is None or any(kind in sent for kind in kinds[latest:]):
        return None
    return kinds[latest]
