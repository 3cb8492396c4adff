"""The "Saran untuk Anda" card inside the learner's dashboard section."""

from __future__ import annotations

from typing import Any

from lms.careers.foryou import queries
from lms.careers.ledger.queries import JP
from lms.courses import cache as course_cache
from lms.dashboard import card
from lms.indonesian import local_today
from lms.org.queries import PEOPLE
from lms.permissions import Capability, can


def _tokens(user: Any) -> tuple | None:
    """Everything the suggestions read (``queries.FOR_YOU``'s list, and the catalogue)."""
    if user.employee_id is None:
        return None
    person = user.employee_id
    return (
        queries.FOR_YOU.token(person),
        JP.token(person),
        course_cache.MINE.token(person),
        course_cache.generation(),
        PEOPLE.token(),
    )


@card(10, "learner_suggestions", keep=_tokens)  # learning.views.SUGGESTIONS_AREA
def _for_you_card(user: Any) -> tuple[str, dict[str, Any]] | None:
    if user.employee_id is None or not can(user, Capability.LEARN):
        return None
    items = queries.for_employee(user.employee_id, local_today().year)
    if not items:
        return None
    return "careers/foryou/_card.html", {"items": items}
