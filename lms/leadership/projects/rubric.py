"""The workplace project's rubric and its arithmetic (pure).

The rubric is data (``content/reference/project_rubric.yaml``, or the file the app setting
``PROJECT_RUBRIC_FILE`` names): per project kind, the criteria with their weights and the weight
of each assessor role. The arithmetic, written so a person with a calculator gets the same figures
from what the pages show:

- an assessor's total = Σ(score × criterion weight) / Σ(criterion weights), rounded half up to two
  decimals;
- a role's total = that assessor's total (the examiners' mean of their totals, to two decimals,
  when a seminar has several);
- the final score = Σ(role total × role weight) / Σ(role weights), to two decimals.

The qualification band and pass/fail come from ``lms.kualifikasi`` (LAN's bands, kept as data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from flask import current_app, has_app_context

from config import BASE_DIR
from lms.enrolments.cohorts.models import PROJECT_KINDS
from lms.kualifikasi import Band, band_for

DEFAULT_FILE = BASE_DIR / "content" / "reference" / "project_rubric.yaml"
ROLES = ("coach", "mentor", "examiner")
CENT = Decimal("0.01")
SCORE_MAX = 100


class RubricError(ValueError):
    """The rubric file is unusable; the message names the file, the kind and the field."""


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: int


@dataclass(frozen=True)
class Rubric:
    kind: str
    criteria: tuple[Criterion, ...]
    #: Weight of each assessor role in the final score.
    weights: Mapping[str, int]


@dataclass(frozen=True)
class Result:
    score: Decimal
    band: Band | None
    #: Each role's total, as used in the final score.
    role_totals: Mapping[str, Decimal]

    @property
    def passed(self) -> bool:
        return self.band is not None and self.band.passing


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _weight(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RubricError(f"{where}: bobot harus bilangan bulat positif.")
    return value


def parse_rubrics(data: Any, source: str = "project_rubric.yaml") -> dict[str, Rubric]:
    """Check the file's structure and return one rubric per project kind (both kinds needed)."""
    kinds = data.get("kinds") if isinstance(data, dict) else None
    if not isinstance(kinds, dict):
        raise RubricError(f"{source}: pemetaan 'kinds' tidak ada.")
    rubrics = {}
    for kind in PROJECT_KINDS:
        where = f"{source}, {kind}"
        row = kinds.get(kind)
        if not isinstance(row, dict):
            raise RubricError(f"{where}: rubrik untuk jenis proyek ini tidak ada.")
        assessors = row.get("assessors")
        if not isinstance(assessors, dict) or set(assessors) != set(ROLES):
            raise RubricError(f"{where}: 'assessors' harus memuat coach, mentor, dan examiner.")
        weights = {role: _weight(assessors[role], f"{where}, assessors.{role}") for role in ROLES}
        rows = row.get("criteria")
        if not isinstance(rows, list) or not rows:
            raise RubricError(f"{where}: daftar 'criteria' kosong atau tidak ada.")
        criteria = []
        for number, item in enumerate(rows, start=1):
            at = f"{where}, kriteria ke-{number}"
            if not isinstance(item, dict):
                raise RubricError(f"{at}: harus berupa pemetaan code/name/weight.")
            code, name = str(item.get("code") or "").strip(), str(item.get("name") or "").strip()
            if not code or not name:
                raise RubricError(f"{at}: 'code' dan 'name' wajib diisi.")
            if code in {c.code for c in criteria}:
                raise RubricError(f"{at}: kode '{code}' dipakai dua kali.")
            criteria.append(Criterion(code, name, _weight(item.get("weight"), at)))
        rubrics[kind] = Rubric(kind, tuple(criteria), weights)
    return rubrics


_cache: dict[Path, tuple[float, dict[str, Rubric]]] = {}


def _configured_file() -> Path:
    if has_app_context() and current_app.config.get("PROJECT_RUBRIC_FILE"):
        return Path(current_app.config["PROJECT_RUBRIC_FILE"])
    return DEFAULT_FILE


def rubric_for(kind: str, path: Path | str | None = None) -> Rubric:
    """The rubric of a project kind (the file is re-read when it changes)."""
    file = Path(path) if path else _configured_file()
    mtime = file.stat().st_mtime
    cached = _cache.get(file)
    if cached is None or cached[0] != mtime:
        with open(file, encoding="utf-8") as fh:
            cached = (mtime, parse_rubrics(yaml.safe_load(fh), file.name))
        _cache[file] = cached
    return cached[1][kind]


def assessor_total(rubric: Rubric, scores: Mapping[str, int | Decimal]) -> Decimal:
    """One assessor's weighted total; every criterion must be scored 0-100."""
    missing = [c.name for c in rubric.criteria if scores.get(c.code) is None]
    if missing:
        raise RubricError(f"Nilai belum diisi: {', '.join(missing)}.")
    total = Decimal(0)
    for criterion in rubric.criteria:
        score = Decimal(str(scores[criterion.code]))
        if not 0 <= score <= SCORE_MAX:
            raise RubricError(f"Nilai {criterion.name} harus 0 sampai 100.")
        total += score * criterion.weight
    return cents(total / sum(c.weight for c in rubric.criteria))


def final_result(
    weights: Mapping[str, int],
    totals: Mapping[str, Sequence[Decimal]],
    bands: tuple[Band, ...],
) -> Result:
    """The final score from each role's assessor totals (several examiners are averaged) and
    its band; every role needs at least one total."""
    role_totals = {}
    for role in ROLES:
        given = list(totals.get(role) or ())
        if not given:
            raise RubricError(f"Nilai {role} belum ada.")
        role_totals[role] = cents(sum(given, Decimal(0)) / len(given))
    weighted = sum((role_totals[r] * weights[r] for r in ROLES), Decimal(0))
    score = cents(weighted / sum(weights[r] for r in ROLES))
    return Result(score, band_for(score, bands), role_totals)
