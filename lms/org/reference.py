"""Reference data (golongan, jabatan, jenis diklat) kept as YAML in ``content/reference``."""

from __future__ import annotations

from pathlib import Path

import yaml

from config import BASE_DIR
from lms.extensions import db
from lms.org.models import Golongan, JabatanLevel, JabatanType, JenisDiklat

REFERENCE_DIR = BASE_DIR / "content" / "reference"


def _load(path: Path) -> object:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Upsert every reference table from its YAML file; idempotent. Returns rows per table."""
    counts: dict[str, int] = {}
    golongan = _load(directory / "golongan.yaml")
    rows = golongan["pns"] if isinstance(golongan, dict) else golongan
    for rank, row in enumerate(rows, start=1):
        db.session.merge(
            Golongan(
                code=row["code"], siasn_id=int(row["siasn_id"]), pangkat=row["pangkat"], rank=rank
            )
        )
    counts["golongan"] = len(rows)

    jabatan = _load(directory / "jabatan.yaml")
    levels = 0
    for rank, jt in enumerate(jabatan["types"], start=1):
        db.session.merge(JabatanType(code=jt["code"], name=jt["name"], rank=rank))
        db.session.flush()
        for lrank, lvl in enumerate(jt.get("levels", []), start=1):
            db.session.merge(
                JabatanLevel(code=lvl["code"], type_code=jt["code"], name=lvl["name"], rank=lrank)
            )
            levels += 1
    counts["jabatan_types"] = len(jabatan["types"])
    counts["jabatan_levels"] = levels

    diklat = _load(directory / "jenis_diklat.yaml")
    rows = diklat["codes"] if isinstance(diklat, dict) else diklat
    for row in rows:
        db.session.merge(
            JenisDiklat(code=int(row["code"]), name=row["name"], category=row["group"])
        )
    counts["jenis_diklat"] = len(rows)
    db.session.flush()
    from lms.careers.career_services import load_requirements  # positions → programmes

    counts["career_requirements"] = load_requirements()
    return counts
