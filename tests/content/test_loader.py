"""content load: the five real courses load, idempotently, and errors name their file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.org.reference import load_reference

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_load_real_content_twice(app, tmp_path) -> None:
    with app.app_context():
        load_reference()
        db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["content", "load", str(CONTENT / "courses"), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"created": 5, "updated": 0, "errors": []}
    again = runner.invoke(args=["content", "load", str(CONTENT / "courses"), "--json"])
    assert json.loads(again.output) == {"created": 0, "updated": 0, "errors": []}
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 5
        assert db.session.scalar(select(func.count(Lesson.id))) >= 20
        words = [len(b.split()) for b in db.session.scalars(select(Lesson.body_md))]
        assert min(words) >= 400


def test_changed_lesson_updates_with_new_version_and_bad_course_is_reported(app, tmp_path) -> None:
    with app.app_context():
        load_reference()
        db.session.commit()
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "courses", root / "courses")
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "load", str(root), "--json"])
    lesson = next((root / "courses" / "MWK-101" / "lessons").glob("01-*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n\nTambahan.\n", encoding="utf-8")
    (root / "courses" / "KOM-101" / "course.yaml").write_text(
        "code: KOM-101\ntitle: [tidak valid\n", encoding="utf-8"
    )
    result = runner.invoke(args=["content", "load", str(root), "--json"])
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 1
    assert payload["updated"] == 1 and payload["created"] == 0
    assert payload["errors"][0]["file"].endswith("KOM-101/course.yaml")
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "MWK-101"))
        assert course.published_version.number == 2
        assert "Tambahan." in course.published_version.modules[0].lessons[0].body_md


def test_gift_error_names_file_and_line(app, tmp_path) -> None:
    with app.app_context():
        load_reference()
        db.session.commit()
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "courses" / "TIK-101", root / "courses" / "TIK-101")
    (root / "courses" / "TIK-101" / "posttest.gift").write_text(
        "::Q1:: Soal tanpa jawaban {=a ~b\n", encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(args=["content", "load", str(root), "--json"])
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload["created"] == 0
    assert (
        payload["errors"][0]["file"].endswith("posttest.gift") and payload["errors"][0]["line"] == 1
    )


def test_a_course_code_outside_the_allowed_characters_is_reported(app, tmp_path) -> None:
    with app.app_context():
        load_reference()
        db.session.commit()
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "courses" / "TIK-101", root / "courses" / "TIK-101")
    source = root / "courses" / "TIK-101" / "course.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("code: TIK-101", "code: TIK/101 baru", 1), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "load", str(root), "--json"])
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 1 and payload["created"] == 0
    assert payload["errors"][0]["file"].endswith("TIK-101/course.yaml")
    assert "Kode pelatihan hanya boleh memuat" in payload["errors"][0]["message"]


def test_content_load_on_a_database_only_migrated_loads_the_reference_data_first(
    databases, tmp_path
) -> None:
    """Issue 15: on a fresh `db upgrade`, every course failed with "Kode jenis diklat SIASN 16
    tidak dikenal"; the reference data is now loaded first, and the operator is told."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.org.models import Golongan, JenisDiklat

    fresh = create_app(
        {"SQLALCHEMY_DATABASE_URI": databases.new("fresh"), "FILES_DIR": str(tmp_path)},
        env="testing",
    )
    with fresh.app_context():
        upgrade()
        assert db.session.scalar(select(func.count(JenisDiklat.code))) == 0
        db.session.remove()
    result = fresh.test_cli_runner().invoke(
        args=["content", "load", str(CONTENT / "courses"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"created": 5, "updated": 0, "errors": []}
    assert "tidak dikenal" not in result.output
    assert "Reference data was empty; loaded it first" in result.stderr
    assert "reference load" in result.stderr and "jenis_diklat=25" in result.stderr
    with fresh.app_context():
        assert db.session.scalar(select(func.count(JenisDiklat.code))) == 25
        assert db.session.scalar(select(func.count(Golongan.code))) > 0
        # Loaded once: a second run says nothing about reference data.
        db.session.remove()
    again = fresh.test_cli_runner().invoke(
        args=["content", "load", str(CONTENT / "courses"), "--json"]
    )
    assert again.exit_code == 0 and "Reference data" not in again.stderr
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()
