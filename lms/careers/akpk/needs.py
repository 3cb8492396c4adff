"""The needs analysis rules, pure: no database, no request.

A ``Need`` is one employee's need for one competency, from one source: their development plan
(``plan``), an SKP result below expectations (``skp``) or a gap between their position's
competency standard and their learning record (``position``). ``aggregate`` counts them per OPD,
competency and position level, an employee once per group however many sources name the need;
``totals`` sums the groups along one of those dimensions (an employee once per line).

Competencies are compared by the stems of their meaningful words (``competency_key``): "Pelayanan
Publik" and "Layanan publik" are one competency, "Analisis Kebijakan" another.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from lms.careers.plans.suggestions import stems

SOURCES = ("plan", "skp", "position")
DIMENSIONS = ("opd", "competency", "level")


@dataclass(frozen=True)
class Need:
    source: str
    employee_id: int
    opd_id: int | None
    opd_name: str
    competency: str
    kind: str
    level_code: str | None = None
    level_name: str = ""
    #: The level (1-5) the position's standard asks for, when the need comes from it.
    required_level: int | None = None


def competency_key(text: str) -> str:
    """The stems of the meaningful words, sorted; the lower-cased text when there are none."""
    words = stems(text)
    return " ".join(sorted(words)) if words else " ".join((text or "").lower().split())


@dataclass
class NeedGroup:
    """The employees of one OPD and position level who need one competency (of one kind)."""

    opd_id: int | None
    opd_name: str
    key: str
    kind: str
    level_code: str | None
    level_name: str
    #: The name shown: the most frequent spelling (the first one on a tie).
    competency: str = ""
    employees: set[int] = field(default_factory=set)
    #: The employees per source (an employee may be under several sources).
    sources: dict[str, set[int]] = field(default_factory=dict)
    required_level: int | None = None
    _spellings: Counter[str] = field(default_factory=Counter, repr=False)

    @property
    def count(self) -> int:
        return len(self.employees)

    @property
    def by_source(self) -> dict[str, int]:
        return {s: len(self.sources.get(s, ())) for s in SOURCES}

    @property
    def ident(self) -> tuple:
        return (self.opd_id, self.key, self.kind, self.level_code)


def aggregate(needs: Iterable[Need], key: Callable[[str], str] = competency_key) -> list[NeedGroup]:
    """Groups by (OPD, competency, kind, position level), most employees first, then by OPD
    name, competency and level."""
    groups: dict[tuple, NeedGroup] = {}
    for need in needs:
        ident = (need.opd_id, key(need.competency), need.kind, need.level_code)
        group = groups.get(ident)
        if group is None:
            group = groups[ident] = NeedGroup(
                need.opd_id, need.opd_name, ident[1], need.kind, need.level_code, need.level_name
            )
        group.employees.add(need.employee_id)
        group._spellings[need.competency.strip()] += 1
        group.sources.setdefault(need.source, set()).add(need.employee_id)
        if need.required_level is not None:
            group.required_level = max(group.required_level or 0, need.required_level)
    for group in groups.values():
        group.competency = group._spellings.most_common(1)[0][0]
    return sorted(
        groups.values(),
        key=lambda g: (-g.count, g.opd_name, g.competency.lower(), g.level_name, g.kind),
    )


@dataclass
class Total:
    """One line of a dimension: how many employees need something there, and how many needs."""

    label: str
    ident: tuple
    employees: set[int] = field(default_factory=set)
    needs: int = 0
    kind: str = ""
    #: Groups (OPDs, competencies or levels of the other dimensions) on this line.
    spread: set = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.employees)


def totals(groups: Sequence[NeedGroup], by: str) -> list[Total]:
    """The groups summed per OPD, per competency (and kind) or per position level; an employee
    counts once per line, a need once per employee and group. Most employees first."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    lines: dict[tuple, Total] = {}
    for g in groups:
        if by == "opd":
            ident, label, spread = (g.opd_id,), g.opd_name, (g.key, g.kind)
        elif by == "competency":
            ident, label, spread = (g.key, g.kind), g.competency, g.opd_id
        else:
            ident, label, spread = (g.level_code,), g.level_name, g.opd_id
        line = lines.get(ident)
        if line is None:
            line = lines[ident] = Total(label, ident, kind=g.kind if by == "competency" else "")
        line.employees |= g.employees
        line.needs += g.count
        line.spread.add(spread)
    return sorted(lines.values(), key=lambda t: (-t.count, -t.needs, t.label.lower()))


def summary(groups: Sequence[NeedGroup]) -> dict[str, int]:
    """Employees with a need, needs (employee x group), and employees per source."""
    employees: set[int] = set()
    per_source: dict[str, set[int]] = {s: set() for s in SOURCES}
    needs = 0
    for g in groups:
        employees |= g.employees
        needs += g.count
        for source, ids in g.sources.items():
            per_source[source] |= ids
    return {
        "employees": len(employees),
        "needs": needs,
        **{s: len(ids) for s, ids in per_source.items()},
    }


# --- does a record cover a competency? ---------------------------------------------------------


@dataclass(frozen=True)
class Learned:
    """One verified learning record: its competency kind and the stems of its name and tags."""

    kind: str
    words: frozenset[str]


def share_needed(words: Collection[str]) -> int:
    """How many of a competency's stems a record must share: half of them, rounded up, at
    least one."""
    return max(1, math.ceil(len(words) / 2))


def covers(words: frozenset[str], kind: str, learned: Iterable[Learned]) -> bool:
    """Whether a record of the same kind shares at least half of a competency's stems
    (``words``: ``stems(name)``); a competency with no meaningful word is never covered."""
    if not words:
        return False
    needed = share_needed(words)
    return any(r.kind == kind and len(words & r.words) >= needed for r in learned)


def is_planned(group: NeedGroup, planned: Iterable[tuple]) -> bool:
    """Whether a plan item answers the group: ``planned`` holds (OPD id or None for every OPD,
    competency key, kind, position level or None for every level) of the plan's items."""
    return any(
        (opd is None or opd == group.opd_id)
        and key == group.key
        and kind == group.kind
        and (level is None or level == group.level_code)
        for opd, key, kind, level in planned
    )


def best_matches(text: str, candidates: Sequence[tuple[str, str]], limit: int = 2) -> list[int]:
    """Indexes of the ``candidates`` (name, kind) sharing the most stems with ``text`` (at least
    one), best first, at most ``limit``: which of a position's competencies an SKP result's notes
    and weak work results are about."""
    words = stems(text)
    scored = [(len(words & stems(name)), i) for i, (name, _kind) in enumerate(candidates)]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    return [i for _score, i in ranked[:limit]]
