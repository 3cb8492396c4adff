"""Dashboard sections contributed by features.

A feature registers ``section(order)(fn)`` where ``fn(user) -> (template, context) | None``;
the dashboard renders every non-empty section in order, so features stay independent. A section
may in turn gather cards from the features above it: it asks ``sections_for(user, area=...)``
for its own area, and they register with ``section(order, area=...)`` (careers puts the "JP this
year" card into the learner's section, which learning owns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SectionFn = Callable[[Any], tuple[str, dict[str, Any]] | None]
DASHBOARD = "dashboard"
_SECTIONS: dict[str, list[tuple[int, SectionFn]]] = {}


def section(order: int, area: str = DASHBOARD) -> Callable[[SectionFn], SectionFn]:
    def register(fn: SectionFn) -> SectionFn:
        registered = _SECTIONS.setdefault(area, [])
        if all(existing is not fn for _o, existing in registered):
            registered.append((order, fn))
            registered.sort(key=lambda item: item[0])
        return fn

    return register


def sections_for(user: Any, area: str = DASHBOARD) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for _order, fn in _SECTIONS.get(area, ()):
        result = fn(user)
        if result is not None:
            out.append(result)
    return out
