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
