"""The career structure and the next-step rule, pure: no database, no request.

``parse_tracks`` checks ``content/reference/career_tracks.yaml`` and turns its ladders and
crossings into steps; ``standing`` says on which level an employee stands; ``next_targets`` lists
where they can go from there: a CPNS first becomes a PNS (Latsar), then the next rung of the own
ladder, then the crossings to the other track (a pelaksana: pengawas, and a functional
position; an ahli pertama: ahli muda, and the structural post the data allows).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lms.careers.career.models import TRACKS

TRACKS_FILE = "career_tracks.yaml"
#: An employee kind that moves to another before any position: a CPNS is appointed PNS.
STATUS_STEPS = {"cpns": "pns"}


class TracksInvalid(ValueError):
    """The tracks file is unusable; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Step:
    from_level: str
    to_level: str
    track: str
    crossing: bool = False
    example: bool = False
    note: str = ""


@dataclass(frozen=True)
class Target:
    """A next step: a position (``level``, reached by ``step``) or a status (``status``: pns)."""

    level: str | None = None
    step: Step | None = None
    status: str | None = None


def _codes(value: Any, where: str, levels: Collection[str]) -> list[str]:
    if not isinstance(value, list) or len(value) < 2:
        raise TracksInvalid(f"{where}: 'ladder' harus berupa daftar paling sedikit dua jenjang.")
    unknown = [str(c) for c in value if str(c) not in levels]
    if unknown:
        raise TracksInvalid(f"{where}: jenjang jabatan tidak dikenal: {', '.join(unknown)}.")
    return [str(c) for c in value]


def parse_tracks(data: Any, levels: Collection[str], source: str = TRACKS_FILE) -> list[Step]:
    """The steps of the file, ladders first (lowest rung up), then crossings, in file order.

    ``levels`` are the known jabatan level codes. Refused: an unknown track or level, a level on
    two ladders, a crossing from or to a level on no ladder, a step given twice."""
    if not isinstance(data, dict) or not isinstance(data.get("tracks"), list) or not data["tracks"]:
        raise TracksInvalid(f"{source}: daftar 'tracks' kosong atau tidak ada.")
    track_of: dict[str, str] = {}
    steps: list[Step] = []
    for n, row in enumerate(data["tracks"], start=1):
        where = f"{source}, jalur ke-{n}"
        if not isinstance(row, dict) or row.get("code") not in TRACKS:
            raise TracksInvalid(f"{where}: 'code' harus salah satu dari {', '.join(TRACKS)}.")
        ladder = _codes(row.get("ladder"), where, levels)
        for code in ladder:
            if code in track_of:
                raise TracksInvalid(f"{where}: jenjang {code} sudah ada pada jalur lain.")
            track_of[code] = row["code"]
        steps += [
            Step(low, high, row["code"]) for low, high in zip(ladder, ladder[1:], strict=False)
        ]
    seen = {(s.from_level, s.to_level) for s in steps}
    for n, row in enumerate(data.get("crossings") or [], start=1):
        where = f"{source}, perpindahan ke-{n}"
        if not isinstance(row, dict):
            raise TracksInvalid(f"{where}: harus berisi 'from' dan 'to'.")
        low, high = str(row.get("from") or ""), str(row.get("to") or "")
        for field, code in (("from", low), ("to", high)):
            if code not in track_of:
                raise TracksInvalid(
                    f"{where}: '{field}' {code or '(kosong)'} tidak ada pada jalur."
                )
        if low == high or (low, high) in seen:
            raise TracksInvalid(f"{where}: perpindahan {low} -> {high} ganda atau ke diri sendiri.")
        seen.add((low, high))
        steps.append(
            Step(
                low,
                high,
                track_of[high],
                crossing=True,
                example=bool(row.get("example")),
                note=str(row.get("note") or "").strip(),
            )
        )
    return steps


def standing(
    type_code: str | None, level_code: str | None, levels_of_type: Mapping[str, Sequence[str]]
) -> str | None:
    """The level an employee stands on: the recorded one, else the only level of their type
    (pelaksana, pengawas, administrator); None when it cannot be known (a fungsional or a JPT
    without a recorded level)."""
    if level_code:
        return level_code
    only = levels_of_type.get(type_code or "", ())
    return only[0] if len(only) == 1 else None


def next_targets(
    employee_kind: str | None, level: str | None, steps: Sequence[Step]
) -> list[Target]:
    """Where an employee can go next: the status step of a CPNS, the next rung of the own
    ladder, then the crossings to the other track (each group in the data's order)."""
    targets = []
    if employee_kind in STATUS_STEPS:
        targets.append(Target(status=STATUS_STEPS[employee_kind]))
    out = [s for s in steps if level is not None and s.from_level == level]
    out.sort(key=lambda s: s.crossing)  # stable: the file's order inside each group
    return targets + [Target(level=s.to_level, step=s) for s in out]
