"""Position competencies load with the reference data; the file is the standard."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from lms.careers.akpk.models import PositionCompetency
from lms.org.reference import REFERENCE_DIR, load_reference


def test_the_reference_file_loads_every_demo_position(app, world, db) -> None:
    codes = set(
        db.session.scalars(
            select(
                func.coalesce(
                    PositionCompetency.jabatan_level_code, PositionCompetency.jabatan_type_code
                )
            )
        )
    )
    # The positions of the demo organisation (lms/org/demo.py) all have a standard.
    assert {"jpt", "administrator", "pengawas", "fungsional", "pelaksana"} <= codes
    assert {"ahli_pertama", "ahli_muda", "terampil", "mahir"} <= codes
    count = db.session.scalar(select(func.count(PositionCompetency.id)))
    assert load_reference()["position_competencies"] == count  # idempotent
    assert db.session.scalar(select(func.count(PositionCompetency.id))) == count


def test_competencies_no_longer_in_the_file_are_removed(app, world, db, tmp_path) -> None:
    for path in REFERENCE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "position_competencies.yaml").write_text(
        "positions:\n"
        "  - jabatan_type: pelaksana\n"
        "    competencies:\n"
        "      - {name: Pelayanan Publik, kind: teknis, level: 2}\n",
        encoding="utf-8",
    )
    counts = load_reference(tmp_path)
    assert counts["position_competencies"] == 1
    (row,) = db.session.scalars(select(PositionCompetency))
    assert (row.jabatan_type_code, row.name, row.level, row.is_example) == (
        "pelaksana",
        "Pelayanan Publik",
        2,
        False,
    )
