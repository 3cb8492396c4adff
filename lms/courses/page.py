"""What the features above courses add to the course page for an enrolled learner.

A feature registers ``learner_part(fn)`` where ``fn(enrolment) -> dict`` returns template
variables (learning: ``done``, the keys of the lessons done); the course page merges them in
registration order, so courses shows progress without importing learning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PartFn = Callable[[Any], dict[str, Any]]
_PARTS: list[PartFn] = []


def learner_part(fn: PartFn) -> PartFn:
    if fn not in _PARTS:
        _PARTS.append(fn)
    return fn


def learner_context(enrolment: Any) -> dict[str, Any]:
    """The registered parts for ``enrolment`` (an ``Enrolment``), merged."""
    context: dict[str, Any] = {}
    for fn in _PARTS:
        context.update(fn(enrolment))
    return context
