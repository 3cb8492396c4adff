"""Programme kinds as reference data: loaded from ``content/reference/programme_kinds.yaml`` with
the rest of the reference data (``flask load-reference``, the demo, the test factories).

A kind says whether its programmes are structural (riwayat diklat in SIASN), which workplace
project they require, their JP and their default agenda. Codes: LATSAR, PKP, PKA, PKN2, PKN1,
INSTANSI (the instansi's own programmes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.enrolments.cohorts.models import PHASE_KINDS, PROJECT_KINDS, ProgrammeKind
from lms.extensions import db
from lms.org.signals import reference_loaded

KINDS_FILE = "programme_kinds.yaml"
#: The kind of the instansi's own programmes (and of an older programme without a kind).
INSTANSI = "INSTANSI"

#: One label per phase kind on every screen.
PHASE_KIND_LABELS = {
    "self_study": _l("Belajar mandiri"),
    "distance": _l("Pembelajaran jarak jauh"),
    "classroom": _l("Klasikal"),
    "project": _l("Proyek perubahan di tempat kerja"),
    "evaluation": _l("Seminar dan evaluasi"),
}
PROJECT_KIND_LABELS = {"aktualisasi": _l("Aktualisasi"), "aksi_perubahan": _l("Aksi perubahan")}


def all_kinds() -> list[ProgrammeKind]:
    return list(db.session.scalars(select(ProgrammeKind).order_by(ProgrammeKind.position)))


def kind_of(programme: Any) -> ProgrammeKind | None:
    """A programme's kind; a programme without one (older data) is the instansi's own."""
    kind = getattr(programme, "kind", None)
    if kind is not None:
        return kind
    return db.session.get(ProgrammeKind, INSTANSI)


class KindsInvalid(ValueError):
    """The kinds file is unusable; the message names the file, the kind and the field."""


def parse_kinds(data: Any, source: str = KINDS_FILE) -> list[dict[str, Any]]:
    """Check the file's structure (pure) and return one dict per kind, in order."""
    rows = data.get("kinds") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise KindsInvalid(f"{source}: daftar 'kinds' kosong atau tidak ada.")
    kinds = []
    for number, row in enumerate(rows, start=1):
        where = f"{source}, jenis ke-{number}"
        if not isinstance(row, dict) or not str(row.get("code") or "").strip():
            raise KindsInvalid(f"{where}: 'code' wajib diisi.")
        if row.get("project") is not None and row["project"] not in PROJECT_KINDS:
            raise KindsInvalid(f"{where}: 'project' harus salah satu dari {PROJECT_KINDS}.")
        phases = row.get("phases") or []
        for p_number, phase in enumerate(phases, start=1):
            if not isinstance(phase, dict) or phase.get("kind") not in PHASE_KINDS:
                raise KindsInvalid(
                    f"{where}, fase ke-{p_number}: 'kind' harus salah satu dari {PHASE_KINDS}."
                )
        kinds.append(
            {
                "code": str(row["code"]).strip(),
                "name": str(row.get("name") or row["code"]).strip(),
                "structural": bool(row.get("structural")),
                "latihan_struktural_id": row.get("latihan_struktural_id"),
                "project": row.get("project"),
                "jp": row.get("jp"),
                "phases": list(phases),
                "eligibility": dict(row.get("eligibility") or {}),
                "position": number,
            }
        )
    return kinds


def load_kinds(directory: Path) -> int:
    path = directory / KINDS_FILE
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as fh:
        kinds = parse_kinds(yaml.safe_load(fh), str(path.name))
    for kind in kinds:
        db.session.merge(ProgrammeKind(**kind))
    db.session.flush()
    return len(kinds)


@reference_loaded.connect
def _on_reference_loaded(directory: Path, *, counts: dict[str, int], **_kw: object) -> None:
    counts["programme_kinds"] = load_kinds(Path(directory))
