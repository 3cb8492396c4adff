"""Position competencies from ``content/reference/position_competencies.yaml``, loaded with the
rest of the reference data (``flask load-reference``, the demo, the test factories).

``parse`` checks the file (pure: every refusal names the file, the entry and the field);
``load`` makes the table that file (competencies no longer in it are removed).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms.careers.akpk.models import PositionCompetency
from lms.courses.models import COMPETENCY_KINDS
from lms.extensions import db
from lms.org.models import JabatanLevel, JabatanType
from lms.org.signals import reference_loaded

COMPETENCIES_FILE = "position_competencies.yaml"


class CompetenciesInvalid(ValueError):
    """The file is unusable; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Standard:
    jabatan_type: str | None
    jabatan_level: str | None
    name: str
    kind: str
    level: int
    example: bool = False


def _subject(row: dict, where: str, types: Collection[str], levels: Collection[str]) -> tuple:
    kind_of = str(row.get("jabatan_type") or "").strip() or None
    level_of = str(row.get("jabatan_level") or "").strip() or None
    if (kind_of is None) == (level_of is None):
        raise CompetenciesInvalid(f"{where}: isi tepat satu dari jabatan_type atau jabatan_level.")
    if kind_of is not None and kind_of not in types:
        raise CompetenciesInvalid(f"{where}: jabatan_type tidak dikenal {kind_of!r}.")
    if level_of is not None and level_of not in levels:
        raise CompetenciesInvalid(f"{where}: jabatan_level tidak dikenal {level_of!r}.")
    return kind_of, level_of


def _level(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise CompetenciesInvalid(f"{where}: 'level' harus bilangan 1 sampai 5.")
    return value


def parse(
    data: Any, types: Collection[str], levels: Collection[str], source: str = COMPETENCIES_FILE
) -> list[Standard]:
    """The competencies of the file, in its order. ``types`` and ``levels`` are the known
    jabatan codes. Refused: an entry with no or two subjects, an unknown code, a competency
    without a name, of an unknown kind, a level outside 1-5, or given twice for one subject."""
    rows = data.get("positions") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise CompetenciesInvalid(f"{source}: daftar 'positions' kosong atau tidak ada.")
    out: list[Standard] = []
    seen: set[tuple] = set()
    for n, row in enumerate(rows, start=1):
        where = f"{source}, jabatan ke-{n}"
        if not isinstance(row, dict):
            raise CompetenciesInvalid(f"{where}: harus berupa pemetaan.")
        subject = _subject(row, where, types, levels)
        items = row.get("competencies")
        if not isinstance(items, list) or not items:
            raise CompetenciesInvalid(f"{where}: daftar 'competencies' kosong atau tidak ada.")
        for m, item in enumerate(items, start=1):
            at = f"{where}, kompetensi ke-{m}"
            if not isinstance(item, dict):
                raise CompetenciesInvalid(f"{at}: harus berisi name, kind dan level.")
            name = " ".join(str(item.get("name") or "").split())
            if not name or len(name) > 200:
                raise CompetenciesInvalid(f"{at}: 'name' wajib diisi, paling banyak 200 karakter.")
            if item.get("kind") not in COMPETENCY_KINDS:
                raise CompetenciesInvalid(
                    f"{at}: 'kind' harus salah satu dari {', '.join(COMPETENCY_KINDS)}."
                )
            key = (*subject, name.lower())
            if key in seen:
                raise CompetenciesInvalid(f"{at}: kompetensi {name!r} sudah ada untuk jabatan ini.")
            seen.add(key)
            out.append(
                Standard(
                    *subject,
                    name=name,
                    kind=item["kind"],
                    level=_level(item.get("level"), at),
                    example=bool(row.get("example") or item.get("example")),
                )
            )
    return out


def load(path: Path) -> int:
    """Make the table the file; idempotent. Returns the number of competencies."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    standards = parse(
        data,
        set(db.session.scalars(select(JabatanType.code))),
        set(db.session.scalars(select(JabatanLevel.code))),
        path.name,
    )
    existing = {
        (c.jabatan_type_code, c.jabatan_level_code, c.name.lower()): c
        for c in db.session.scalars(select(PositionCompetency))
    }
    keep = set()
    for position, s in enumerate(standards, start=1):
        key = (s.jabatan_type, s.jabatan_level, s.name.lower())
        keep.add(key)
        row = existing.get(key)
        if row is None:
            row = PositionCompetency(
                jabatan_type_code=s.jabatan_type, jabatan_level_code=s.jabatan_level
            )
            db.session.add(row)
        row.name, row.kind, row.level = s.name, s.kind, s.level
        row.position, row.is_example = position, s.example
    for key, row in existing.items():
        if key not in keep:
            db.session.delete(row)
    db.session.flush()
    return len(standards)


@reference_loaded.connect
def _on_reference_loaded(directory: Path, *, counts: dict[str, int], **_kw: object) -> None:
    """Subscribed to the organisation's signal: position competencies are reference data too."""
    path = Path(directory) / COMPETENCIES_FILE
    counts["position_competencies"] = load(path) if path.exists() else 0
