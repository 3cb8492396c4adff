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

**Kept sections.** A section may pass ``keep=fn``: ``fn(user)`` returns the tokens that name the
current state of everything the section shows that person (generations: ``lms.extensions``), or
None when it cannot say. The section is then rendered once and its HTML kept per account, roles,
language, mount point, local date and those tokens, ``DASHBOARD_KEPT_SECONDS`` at most (0 keeps
nothing), so the next visit costs a cache read. A section that gathers cards adds
``card_tokens(user, area)`` to its own: a card registered without ``keep`` makes it None, and
the section is built afresh. A kept section's template sees only ``section``, never the
dashboard's own context (``tests/main/test_dashboard_kept.py`` renders every demo account's
dashboard both ways and compares them). Figures no generation can name for one person (a
team's progress, which every lesson seen anywhere writes) are kept a bounded time instead: their
section adds ``period(seconds)`` to its tokens and says as of when.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup

from lms.extensions import kept
from lms.indonesian import local_today
from lms.permissions import roles_key

SectionFn = Callable[[Any], tuple[str, dict[str, Any]] | None]
#: The tokens naming what a section shows one person now, None when they cannot be named.
KeepFn = Callable[[Any], tuple | None]

WORK = "work"
LEARNING = "learning"
PARTS = (WORK, LEARNING)


@dataclass(frozen=True)
class _Entry:
    order: int
    part: str
    wide: bool
    fn: SectionFn
    keep: KeepFn | None = None


@dataclass(frozen=True)
class Shown:
    """One section: its template and context, or (kept) its HTML; whether it takes a row alone."""

    template: str | None
    context: dict[str, Any]
    wide: bool = False
    html: Markup | None = None


@dataclass
class Row:
    """Sections shown side by side (narrow ones) or one wide section."""

    wide: bool
    sections: list[Shown] = field(default_factory=list)


_SECTIONS: list[_Entry] = []
_CARDS: dict[str, list[tuple[int, SectionFn]]] = {}
_CARD_KEEPS: dict[SectionFn, KeepFn | None] = {}


def section(
    order: int, *, part: str = WORK, wide: bool = False, keep: KeepFn | None = None
) -> Callable[[SectionFn], SectionFn]:
    if part not in PARTS:
        raise ValueError(f"unknown dashboard part {part!r}")

    def register(fn: SectionFn) -> SectionFn:
        if all(existing.fn is not fn for existing in _SECTIONS):
            _SECTIONS.append(_Entry(order, part, wide, fn, keep))
            _SECTIONS.sort(key=lambda entry: (PARTS.index(entry.part), entry.order))
        return fn

    return register


def card(order: int, area: str, *, keep: KeepFn | None = None) -> Callable[[SectionFn], SectionFn]:
    """Register a card inside another feature's section (``area`` names that section)."""

    def register(fn: SectionFn) -> SectionFn:
        _CARD_KEEPS[fn] = keep
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


def card_tokens(user: Any, area: str) -> tuple | None:
    """The tokens of every card of ``area`` for ``user`` (see the module's "kept sections");
    None when one of them cannot name its state."""
    out: tuple = ()
    for _order, fn in _CARDS.get(area, ()):
        keep = _CARD_KEEPS.get(fn)
        tokens = keep(user) if keep is not None else None
        if tokens is None:
            return None
        out += tokens
    return out


def period(seconds: int) -> int:
    """The number of the current window of ``seconds`` (since the epoch): a token under which
    figures are kept until the window ends, whatever is written meanwhile; the window starts at
    ``period(seconds) * seconds``."""
    return int(time.time() // seconds)


def shown_for(user: Any) -> dict[str, list[Shown]]:
    """Every non-empty section for ``user``, per part, in order."""
    out: dict[str, list[Shown]] = {part: [] for part in PARTS}
    seconds = current_app.config.get("DASHBOARD_KEPT_SECONDS", 0)
    reader = _reader(user) if seconds else ""
    for entry in _SECTIONS:
        tokens = entry.keep(user) if seconds and entry.keep is not None else None
        if tokens is not None:
            html = _kept_html(entry, user, f"{reader}:{tokens!r}", seconds)
            if html:
                out[entry.part].append(Shown(None, {}, entry.wide, html))
            continue
        result = entry.fn(user)
        if result is not None:
            template, context = result
            out[entry.part].append(Shown(template, context, entry.wide))
    return out


def _reader(user: Any) -> str:
    """Who reads and how: the account, its roles, the language, the mount point, the day."""
    roles = roles_key(user)
    return f"{user.id}:{roles}:{get_locale() or 'id'}:{url_for('main.dashboard')}:{local_today()}"


def _kept_html(entry: _Entry, user: Any, state: str, seconds: int) -> Markup:
    """The section's HTML ("" for none) for ``user``, rendered once per ``state``."""
    fn = entry.fn

    def render() -> str:
        result = fn(user)
        return "" if result is None else render_template(result[0], section=result[1])

    html = kept(f"dash:{fn.__module__}.{fn.__qualname__}:{state}", render, seconds)
    return Markup(html)  # noqa: S704 - a template rendered with autoescape


def rows(sections: list[Shown]) -> list[Row]:
    """Consecutive narrow sections grouped into one row; each wide section alone."""
    out: list[Row] = []
    for shown in sections:
        if shown.wide or not out or out[-1].wide:
            out.append(Row(shown.wide))
        out[-1].sections.append(shown)
    return out
