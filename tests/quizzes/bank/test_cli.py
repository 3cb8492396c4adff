"""`flask --app lms quiz import` (CONTRACT.md) with Moodle's own fixture files."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes.models import Question, QuestionCategory
from tests.factories import make_course
from tests.shared import SHARED_FIXTURES

SHARED = SHARED_FIXTURES


def fixture_path(name: str) -> str:
    """Path of a shared Moodle fixture; skip (not fail) when the fixtures are not checked out."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared fixture {path} is absent (it lives beside the checkout, not in it)")
    return str(path)


@pytest.fixture
def course_code(app, world) -> str:
    with app.app_context():
        make_course("BANK-101")
        db.session.commit()
    return "BANK-101"


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["quiz", "import", *args])


def count_questions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Question.id)))


def test_gift_fixture_imports_nine_questions(app, course_code: str) -> None:
    path = fixture_path("gift/questions.gift.txt")
    result = run(app, path, "--format", "gift", "--course", course_code, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["imported"] == 9
    assert out["errors"] == []
    # The README: Q5 (numeric) and Q1 (true/false) become fill-in-the-blank questions.
    assert out["by_type"] == {
        "essay": 1,
        "matching": 1,
        "single_choice": 1,
        "multiple_response": 1,
        "fill_blank": 2,
        "short_answer": 1,
        "true_false": 2,
    }
    assert count_questions(app) == 9


def test_gift_category_is_created(app, course_code: str) -> None:
    path = fixture_path("gift/questions_in_category.gift.txt")
    result = run(app, path, "--format", "gift", "--course", course_code, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == 4
    with app.app_context():
        names = db.session.scalars(select(QuestionCategory.name)).all()
        # Moodle's "$course$/Default for New Features" is its default category of the course:
        # stored as the bank's default category, not as Moodle's path.
        assert names == ["Umum"]
        assert db.session.scalar(select(func.count(Question.category_id))) == 4


def test_windows_1252_is_refused_whole(app, course_code: str) -> None:
    path = fixture_path("gift/questions_encoding_windows-1252.gift.txt")
    result = run(app, path, "--format", "gift", "--course", course_code, "--json")
    assert result.exit_code != 0
    assert json.loads(result.stdout)["imported"] == 0
    assert "UTF-8" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert count_questions(app) == 0


def test_aiken_errors_import_good_questions(app, course_code: str) -> None:
    path = fixture_path("aiken/aiken_errors.txt")
    result = run(app, path, "--format", "aiken", "--course", course_code, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["imported"] == 3
    assert out["by_type"] == {"single_choice": 3}
    assert [e["line"] for e in out["errors"]] == [3, 5, 7, 18]
    assert all(e["message"] for e in out["errors"])
    assert count_questions(app) == 3


def test_plain_output_reports_errors_by_line(app, course_code: str) -> None:
    path = fixture_path("aiken/aiken_errors.txt")
    result = run(app, path, "--format", "aiken", "--course", course_code)
    assert result.exit_code == 0
    assert "imported 3 questions" in result.stdout
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == [
        "line 3",
        "line 5",
        "line 7",
        "line 18",
    ]


def test_dry_run_needs_no_course_and_stores_nothing(app, world) -> None:
    path = fixture_path("gift/questions.gift.txt")
    result = run(app, path, "--format", "gift", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["imported"], out["errors"], out["dry_run"]) == (9, [], True)
    assert count_questions(app) == 0


def test_unknown_course_fails(app, world) -> None:
    path = fixture_path("aiken/questions.aiken.txt")
    result = run(app, path, "--format", "aiken", "--course", "TIDAK-ADA")
    assert result.exit_code != 0
    assert "TIDAK-ADA" in result.stderr
    assert count_questions(app) == 0


def test_course_required_without_dry_run(app, world) -> None:
    path = fixture_path("aiken/questions.aiken.txt")
    result = run(app, path, "--format", "aiken")
    assert result.exit_code != 0
    assert "--course" in result.stderr
