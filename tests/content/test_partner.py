"""`partner:` in course.yaml makes a course a partner institution's course (issue 15, point 16):
by code when the partner is registered, or by code and name to register it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.courses.models import Course
from lms.extensions import db
from lms.org.reference import load_reference

CONTENT = Path(__file__).resolve().parents[2] / "content"


def _load(app, root: Path) -> dict:
    result = app.test_cli_runner().invoke(args=["content", "load", str(root), "--json"])
    return json.loads(result.output.strip().splitlines()[-1])


def _course_folder(tmp_path: Path, code: str = "MWK-101") -> tuple[Path, Path]:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "courses" / code, root / "courses" / code)
    return root, root / "courses" / code / "course.yaml"


def _with_partner(yaml_file: Path, line: str) -> None:
    text = yaml_file.read_text(encoding="utf-8")
    kept = [row for row in text.splitlines() if not row.startswith("partner:")]
    at = next(i for i, row in enumerate(kept) if row.startswith("organiser:")) + 1
    yaml_file.write_text("\n".join([*kept[:at], line, *kept[at:]]) + "\n", encoding="utf-8")


def _partner_of(app, code: str) -> str | None:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code))
        name = course.partner.name if course.partner else None
        db.session.remove()
    return name


def test_the_demo_content_has_a_partner_course(app) -> None:
    with app.app_context():
        load_reference()
        db.session.commit()
    assert _load(app, CONTENT / "courses")["errors"] == []
    assert _partner_of(app, "KPM-101") == "BPSDMD Provinsi Sumatera Selatan"
    assert _partner_of(app, "MWK-101") is None
    with app.app_context():
        codes = db.session.scalars(select(PartnerInstitution.code)).all()
    assert codes == ["BPSDMD-SUMSEL"]
    # Loaded again: the registered partner is found by its code, not registered twice.
    assert _load(app, CONTENT / "courses")["errors"] == []
    with app.app_context():
        assert len(db.session.scalars(select(PartnerInstitution)).all()) == 1


def test_a_registered_partner_by_code_and_removing_it(app, tmp_path) -> None:
    with app.app_context():
        load_reference()
        db.session.add(PartnerInstitution(code="LAN-RI", name="Lembaga Administrasi Negara"))
        db.session.commit()
    root, yaml_file = _course_folder(tmp_path)
    _with_partner(yaml_file, "partner: LAN-RI")
    assert _load(app, root)["errors"] == []
    assert _partner_of(app, "MWK-101") == "Lembaga Administrasi Negara"
    _with_partner(yaml_file, "")  # the line removed: no partner any more
    payload = _load(app, root)
    assert payload["errors"] == [] and payload["updated"] == 1
    assert _partner_of(app, "MWK-101") is None


def test_an_unknown_partner_code_is_reported_with_its_file(app, tmp_path) -> None:
    with app.app_context():
        load_reference()
        db.session.commit()
    root, yaml_file = _course_folder(tmp_path)
    _with_partner(yaml_file, "partner: TIDAK-ADA")
    payload = _load(app, root)
    assert payload["created"] == 0
    error = payload["errors"][0]
    assert error["file"].endswith("MWK-101/course.yaml")
    assert "TIDAK-ADA belum terdaftar" in error["message"]
