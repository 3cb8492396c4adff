"""The "Saran untuk Anda" card inside the learner's dashboard section."""

from __future__ import annotations

from typing import Any

from lms.careers.foryou import queries
from lms.dashboard import card
from lms.indonesian import local_today
from lms.permissions import Capability, can


@card(10, "learner_suggestions")  # learning.views.SUGGESTIONS_AREA
def _for_you_card(user: Any) -> tuple[str, dict[str, Any]] | None:
    if user.employee_id is None or not can(user, Capability.LEARN):
        return None
    items = queries.for_employee(user.employee_id, local_today().year)
    if not items:
        return None
    return "careers/foryou/_card.html", {"items": items}
