"""Dashboard figures kept per process for ``DASHBOARD_CITY_SECONDS``: the whole city's
(``reports.dashboard.city_counts``) and a department's (:func:`department_counts`). They change
with every completion, so no generation names them; the section says as of when they were
counted. Each kind has a store of its own, emptied when it is full (other days, databases,
departments)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from time import monotonic
from typing import Any, TypeVar

from lms.org.queries import city_figures_seconds

T = TypeVar("T")
#: key → (valid until, counted at, value): what :func:`kept_for` keeps.
Store = dict[tuple, tuple[float, datetime, Any]]
#: (database, target, local day, scope) → a department's counts.
_DEPARTMENTS: Store = {}
MAX_KEPT = 256  # departments × days × databases; past it every entry is dropped


def _valid(store: Store, key: tuple, seconds: int) -> tuple[float, datetime, Any] | None:
    """The entry kept under ``key`` while it is valid (None: count again)."""
    if not seconds:
        return None
    hit = store.get(key)
    return hit if hit is not None and hit[0] > monotonic() else None


def counted_at(store: Store, key: tuple, seconds: int) -> datetime | None:
    """When the value kept under ``key`` was counted, while it is valid (None: count again)."""
    hit = _valid(store, key, seconds)
    return None if hit is None else hit[1]


def kept_for(
    store: Store, key: tuple, seconds: int, count: Callable[[], T], most: int
) -> tuple[datetime | None, T]:
    """``count()`` and the moment it was counted, kept in ``store`` under ``key`` for
    ``seconds`` (0: None and a fresh count, nothing kept); a store holding ``most`` entries is
    emptied before it takes another."""
    hit = _valid(store, key, seconds)
    if hit is not None:
        return hit[1], hit[2]
    found = count()
    if not seconds:
        return None, found
    if len(store) >= most:
        store.clear()
    counted = datetime.now(UTC)
    store[key] = (monotonic() + seconds, counted, found)
    return counted, found


def department_counts(key: tuple, count: Callable[[], T]) -> tuple[datetime | None, T]:
    """``count()`` and the moment it was counted, kept under ``key`` (None: now, nothing kept)."""
    return kept_for(_DEPARTMENTS, key, city_figures_seconds(), count, MAX_KEPT)
