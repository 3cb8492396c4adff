"""Dashboard sections contributed by features.

A feature registers ``section(order, part=..., wide=...)(fn)`` where
``fn(user) -> (template, context) | None``; the dashboard renders every non-empty section, so
features stay independent.

A dashboard opens with the person's work (``WORK``: review queues, approvals, cohorts, their
team, the organisation's figures) and shows their own learning after it (``LEARNING``: courses,
JP, certificates). Within a part, sections follow ``order``; consecutive narrow sections share
one row of cards, a ``wide`` section (a table, a chart) takes a row of its own. A narrow section
renders one or more ``<article class="card">`` and no grid of its own.

A section may in turn gather cards from the features above it: it asks
``cards_for(user, area)`` for its own area, and they register with ``card(order, area)``
(careers puts the "JP this year" card into the learner's section, which learning owns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SectionFn = Callable[[Any], tuple[str, dict[str, Any]] | None]

WORK = "work"
LEARNING = "learning"
PARTS = (WORK, LEARNING)


@dataclass(frozen=True)
class _Entry:
    order: int
    part: str
    wide: bool
    fn: SectionFn


@dataclass(frozen=True)
class Shown:
    """One rendered section: its template, its context, and whether it takes a row alone."""

    template: str
    context: dict[str, Any]
    wide: bool = False


@dataclass
class Row:
    """Sections shown side by side (narrow ones) or one wide section."""

    wide: bool
    sections: list[Shown] = field(default_factory=list)


_SECTIONS: list[_Entry] = []
_CARDS: dict[str, list[tuple[int, SectionFn]]] = {}


def section(
    order: int, *, part: str = WORK, wide: bool = False
) -> Callable[[SectionFn], SectionFn]:
    if part not in PARTS:
        raise ValueError(f"unknown dashboard part {part!r}")

    def register(fn: SectionFn) -> SectionFn:
        if all(existing.fn is not fn for existing in _SECTIONS):
            _SECTIONS.append(_Entry(order, part, wide, fn))
            _SECTIONS.sort(key=lambda entry: (PARTS.index(entry.part), entry.order))
        return fn

    return register


def card(order: int, area: str) -> Callable[[SectionFn], SectionFn]:
    """Register a card inside another feature's section (``area`` names that section)."""

    def register(fn: SectionFn) -> SectionFn:
        registered = _CARDS.setdefault(area, [])
        if all(existing is not fn for _o, existing in registered):
            registered.append((order, fn))
            registered.sort(key=lambda item: item[0])
        return fn

    return register


def cards_for(user: Any, area: str) -> list[tuple[str, dict[str, Any]]]:
    """The non-empty cards registered for ``area``, in order."""
    out = []
    for _order, fn in _CARDS.get(area, ()):
        result = fn(user)
        if result is not None:
            out.append(result)
    return out


def shown_for(user: Any) -> dict[str, list[Shown]]:
    """Every non-empty section for ``user``, per part, in order."""
    out: dict[str, list[Shown]] = {part: [] for part in PARTS}
    for entry in _SECTIONS:
        result = entry.fn(user)
        if result is not None:
            template, context = result
            out[entry.part].append(Shown(template, context, entry.wide))
    return out


def rows(sections: list[Shown]) -> list[Row]:
    """Consecutive narrow sections grouped into one row; each wide section alone."""
    out: list[Row] = []
    for shown in sections:
        if shown.wide or not out or out[-1].wide:
            out.append(Row(shown.wide))
        out[-1].sections.append(shown)
    return out
