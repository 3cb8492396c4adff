"""Loading the career structure and requirements from ``content/reference`` (with the rest of the
reference data: ``flask load-reference``, the demo, the test factories)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms.careers.career.models import CareerRequirement, CareerStep
from lms.careers.career.structure import TRACKS_FILE, parse_tracks
from lms.extensions import db
from lms.org.models import EMPLOYEE_KINDS, JabatanLevel, JabatanType
from lms.org.reference import REFERENCE_DIR

REQUIREMENTS_FILE = "career_requirements.yaml"
SUBJECTS = ("jabatan_type", "jabatan_level", "employee_kind")


class RequirementsInvalid(Exception):
    """The requirements file names an unknown position or lacks a field."""


def _yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _clean_rule(row: Any, n: int, source: str, known: dict[str, set[str]]) -> dict[str, Any]:
    where = f"{source} aturan ke-{n}"
    if not isinstance(row, dict):
        raise RequirementsInvalid(f"{where}: harus berupa pemetaan")
    subject = {key: str(row[key]).strip() for key in SUBJECTS if row.get(key)}
    code = str(row.get("programme") or "").strip()
    name = str(row.get("name") or "").strip()
    if len(subject) != 1 or not code or not name:
        raise RequirementsInvalid(
            f"{where}: isi tepat satu dari {', '.join(SUBJECTS)}, serta programme dan name"
        )
    ((key, value),) = subject.items()
    if value not in known[key]:
        raise RequirementsInvalid(f"{where}: {key} tidak dikenal {value!r}")
    return {
        "jabatan_type_code": subject.get("jabatan_type"),
        "jabatan_level_code": subject.get("jabatan_level"),
        "employee_kind": subject.get("employee_kind"),
        "programme_code": code,
        "programme_name": name,
        "note": str(row.get("note") or ""),
        "for_holders": bool(row.get("for_holders", True)),
        "is_example": bool(row.get("example", False)),
    }


def _is(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


def load_requirements(path: Path | None = None) -> int:
    """Upsert the rules of ``career_requirements.yaml``; idempotent.

    A rule is identified by (position type, level or employee kind; code); its name, note and
    flags are updated. Rules no longer in the file are left alone (HR may have added their own).
    """
    path = path or REFERENCE_DIR / REQUIREMENTS_FILE
    data = _yaml(path)
    rows = data.get("requirements", []) if isinstance(data, dict) else data
    known = {
        "jabatan_type": set(db.session.scalars(select(JabatanType.code))),
        "jabatan_level": set(db.session.scalars(select(JabatanLevel.code))),
        "employee_kind": set(EMPLOYEE_KINDS),
    }
    count = 0
    for n, row in enumerate(rows or [], start=1):
        values = _clean_rule(row, n, path.name, known)
        rule = db.session.scalar(
            select(CareerRequirement).where(
                _is(CareerRequirement.jabatan_type_code, values["jabatan_type_code"]),
                _is(CareerRequirement.jabatan_level_code, values["jabatan_level_code"]),
                _is(CareerRequirement.employee_kind, values["employee_kind"]),
                CareerRequirement.programme_code == values["programme_code"],
            )
        )
        if rule is None:
            rule = CareerRequirement()
            db.session.add(rule)
        for key, value in values.items():
            setattr(rule, key, value)
        count += 1
    db.session.flush()
    return count


def load_tracks(path: Path | None = None) -> int:
    """Make the steps in the database those of ``career_tracks.yaml`` (the file is the
    structure: steps no longer in it are removed); idempotent."""
    path = path or REFERENCE_DIR / TRACKS_FILE
    levels = set(db.session.scalars(select(JabatanLevel.code)))
    steps = parse_tracks(_yaml(path), levels, path.name)
    existing = {
        (s.from_level_code, s.to_level_code): s for s in db.session.scalars(select(CareerStep))
    }
    for position, step in enumerate(steps, start=1):
        row = existing.get((step.from_level, step.to_level))
        if row is None:
            row = CareerStep(from_level_code=step.from_level, to_level_code=step.to_level)
            db.session.add(row)
        row.track, row.crossing, row.is_example = step.track, step.crossing, step.example
        row.note, row.position = step.note, position
    keep = {(s.from_level, s.to_level) for s in steps}
    for key, row in existing.items():
        if key not in keep:
            db.session.delete(row)
    db.session.flush()
    return len(steps)


def load_all(directory: Path) -> dict[str, int]:
    """Both files of ``directory`` (the reference directory being loaded)."""
    directory = Path(directory)
    requirements = directory / REQUIREMENTS_FILE
    tracks = directory / TRACKS_FILE
    return {
        "career_tracks": load_tracks(tracks) if tracks.exists() else 0,
        "career_requirements": load_requirements(requirements) if requirements.exists() else 0,
    }
