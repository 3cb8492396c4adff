"""Dashboard sections contributed by features.

A feature registers ``section(order)(fn)`` where ``fn(user) -> (template, context) | None``;
the dashboard renders every non-empty section in order, so features stay independent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SectionFn = Callable[[Any], tuple[str, dict[str, Any]] | None]
_SECTIONS: list[tuple[int, SectionFn]] = []


def section(order: int) -> Callable[[SectionFn], SectionFn]:
    def register(fn: SectionFn) -> SectionFn:
        if all(existing is not fn for _o, existing in _SECTIONS):
            _SECTIONS.append((order, fn))
            _SECTIONS.sort(key=lambda item: item[0])
        return fn

    return register


def sections_for(user: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for _order, fn in _SECTIONS:
        result = fn(user)
        if result is not None:
            out.append(result)
    return out
