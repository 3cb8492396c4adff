"""A department's dashboard figures (``reports.dashboard.figures``) kept per process for
``DASHBOARD_CITY_SECONDS``, as the whole city's are: they change with every completion, so no
generation names them; the section says as of when they were counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from time import monotonic
from typing import TypeVar

from lms.org.queries import city_figures_seconds

T = TypeVar("T")
#: (database, target, local day, scope) → (valid until, counted at, counts).
_DEPARTMENTS: dict[tuple, tuple[float, datetime, object]] = {}
MAX_KEPT = 256  # departments × days × databases; past it every entry is dropped


def department_counts(key: tuple, count: Callable[[], T]) -> tuple[datetime | None, T]:
    """``count()`` and the moment it was counted, kept under ``key`` (None: now, nothing kept)."""
    ttl = city_figures_seconds()
    if not ttl:
        return None, count()
    hit = _DEPARTMENTS.get(key)
    if hit is not None and hit[0] > monotonic():
        return hit[1], hit[2]  # type: ignore[return-value]
    found = count()
    if len(_DEPARTMENTS) >= MAX_KEPT:
        _DEPARTMENTS.clear()
    counted = datetime.now(UTC)
    _DEPARTMENTS[key] = (monotonic() + ttl, counted, found)
    return counted, found
