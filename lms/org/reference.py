"""Reference data (golongan, jabatan, jenis diklat) kept as YAML in ``content/reference``."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select

from config import BASE_DIR
from lms.extensions import db
from lms.org.models import GOLONGAN_KINDS, Golongan, JabatanLevel, JabatanType, JenisDiklat
from lms.org.signals import reference_loaded

REFERENCE_DIR = BASE_DIR / "content" / "reference"


def reference_missing() -> bool:
    """Whether the reference tables are still empty (a database only migrated): courses name a
    jenis diklat and employees a golongan, so nothing loads without them."""
    return (
        db.session.scalar(select(JenisDiklat.code).limit(1)) is None
        or db.session.scalar(select(Golongan.code).limit(1)) is None
    )


def _load(path: Path) -> object:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Upsert every reference table from its YAML file; idempotent. Returns rows per table."""
    counts: dict[str, int] = {}
    golongan = _load(directory / "golongan.yaml")
    scales = golongan if isinstance(golongan, dict) else {"pns": golongan}
    total = 0
    for kind in GOLONGAN_KINDS:  # PNS I/a–IV/e, then PPPK I–XVII (Perpres 98/2020)
        rows = scales.get(kind) or []
        for rank, row in enumerate(rows, start=1):
            siasn_id = row.get("siasn_id")
            db.session.merge(
                Golongan(
                    code=str(row["code"]),
                    kind=kind,
                    siasn_id=int(siasn_id) if siasn_id is not None else None,
                    pangkat=row.get("pangkat") or "",
                    rank=rank,
                )
            )
        total += len(rows)
    counts["golongan"] = total

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
    # Features above keep reference data of their own (careers: the programmes positions
    # require); they load it now, in the same transaction, and add their count.
    reference_loaded.send(directory, counts=counts)
    return counts
