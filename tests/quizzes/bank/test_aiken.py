"""Aiken import/export: same questions and same errors (with lines) as Moodle's importer."""

from __future__ import annotations

import pytest

from lms.quizzes.bank.formats import Answer, Question, export_aiken, parse_aiken
from lms.quizzes.bank.formats.types import ImportResult
from tests.shared import SHARED_FIXTURES

FIXTURES = SHARED_FIXTURES / "aiken"


def fixture_bytes(name: str) -> bytes:
    """Bytes of a shared Moodle fixture; skip (not fail) when the fixtures are not checked out."""
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"shared fixture {path} is absent (it lives beside the checkout, not in it)")
    return path.read_bytes()


def summary(result: ImportResult) -> list[tuple[str, list[str], int]]:
    """(text, choices, index of the right choice) per question."""
    return [
        (
            q.text,
            [a.text for a in q.answers],
            next(i for i, a in enumerate(q.answers) if a.fraction == 1.0),
        )
        for q in result.questions
    ]


def test_questions_fixture() -> None:
    result = parse_aiken(fixture_bytes("questions.aiken.txt"))
    assert result.errors == []
    assert result.by_type() == {"single_choice": 2}
    assert summary(result) == [
        (
            "The Moodle project was started by:",
            ["Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"],
            1,  # B
        ),
        (
            'Moodle\'s abilities include handling user input that includes <html class="cool">'
            " & images:",
            ["True", "False"],
            0,  # A
        ),
    ]
    # The literal characters are kept and marked plain, so templates escape them on display.
    for q in result.questions:
        assert q.text_format == "plain"
        assert all(a.text_format == "plain" for a in q.answers)
        assert "&lt;" not in q.text and "&amp;" not in q.text
    assert [q.line for q in result.questions] == [1, 8]


def test_errors_fixture() -> None:
    result = parse_aiken(fixture_bytes("aiken_errors.txt"))
    assert len(result.questions) == 3
    assert [e.line for e in result.errors] == [3, 5, 7, 18]
    assert "2" in result.errors[0].message  # too few answers: at least 2
    assert "belum dimulai" in result.errors[1].message
    assert "belum dimulai" in result.errors[2].message
    assert "belum selesai" in result.errors[3].message
    assert "A question started but not finished" in result.errors[3].message
    assert summary(result) == [
        ("A good question", ["Correct", "Incorrect"], 0),
        ("A second good question", ["Incorrect (No space)", "Correct (No space)"], 1),
        (
            "A third good question with HTML chars such as > < &",
            ["Correct (< > &)", "Incorrect (< > &)"],
            0,
        ),
    ]
    assert [q.name for q in result.questions] == [
        "A good question",
        "A second good question",
        "A third good question with HTML chars such as > < &",
    ]
    assert all(q.text_format == "plain" for q in result.questions)


def test_windows_1252_is_refused() -> None:
    result = parse_aiken(
        "Ibu kota?\nA) Jakarta\nB) Bandung\nANSWER: A\n\nK\xf6ln?".encode("cp1252")
    )
    assert result.questions == []
    assert [e.line for e in result.errors] == [6]
    assert "UTF-8" in result.errors[0].message


def test_bom_crlf_and_dot_labels() -> None:
    data = "\ufeffSiapa presiden pertama?\r\nA. Soekarno\r\nB. Hatta\r\nANSWER: A\r\n"
    result = parse_aiken(data.encode("utf-8"))
    assert result.errors == []
    assert summary(result) == [("Siapa presiden pertama?", ["Soekarno", "Hatta"], 0)]


def test_answer_letter_without_choice_and_unfinished_last_question() -> None:
    text = "Soal satu\nA) x\nB) y\nANSWER: C\n\nSoal dua\nA) x\nB) y\n"
    result = parse_aiken(text.encode())
    assert result.questions == []
    assert [e.line for e in result.errors] == [4, 6]


def test_export_round_trip() -> None:
    original = parse_aiken(fixture_bytes("aiken_errors.txt"))
    exported = export_aiken(original.questions)
    again = parse_aiken(exported.encode())
    assert again.errors == []
    assert summary(again) == summary(original)


def test_export_skips_what_aiken_cannot_hold() -> None:
    single = Question(
        "single_choice",
        "S",
        "<p>Pilih <b>satu</b></p>",
        "html",
        [Answer("<i>a</i> &amp; b", 1.0, text_format="html"), Answer("c", 0.0)],
    )
    multi = Question("multiple_response", "M", "Banyak", answers=[Answer("a", 0.5)])
    no_right = Question("single_choice", "N", "Tanpa kunci", answers=[Answer("a"), Answer("b")])
    essay = Question("essay", "E", "Esai")
    assert export_aiken([single, multi, no_right, essay]) == (
        "Pilih satu\nA) a & b\nB) c\nANSWER: A\n"
    )
