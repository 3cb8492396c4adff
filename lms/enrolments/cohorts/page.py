"""What the features above enrolments add to HR's cohort page.

A feature registers ``cohort_part(fn)`` where ``fn(cohort, members) -> dict`` returns template
variables; the cohort page merges them in registration order. Completion adds the participant ×
phase grid (phases are met by courses completed, the organiser's marks or the project's
assessment, which enrolments cannot read), so the page shows it without importing completion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

PartFn = Callable[[Any, Sequence[Any]], dict[str, Any]]
_PARTS: list[PartFn] = []


def cohort_part(fn: PartFn) -> PartFn:
    if fn not in _PARTS:
        _PARTS.append(fn)
    return fn


def cohort_context(cohort: Any, members: Sequence[Any]) -> dict[str, Any]:
    """The registered parts for ``cohort`` and its ``members`` (``CohortMember`` rows), merged."""
    context: dict[str, Any] = {}
    for fn in _PARTS:
        context.update(fn(cohort, members))
    return context
