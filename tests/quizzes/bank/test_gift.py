"""GIFT import/export: Moodle's own fixtures must mean here what they mean in Moodle."""

from __future__ import annotations

import dataclasses

import pytest

from lms.quizzes.bank.formats import BLANK, Answer, Question, export_gift, parse_gift
from lms.quizzes.bank.formats.types import ImportResult
from tests.shared import SHARED_FIXTURES

FIXTURES = SHARED_FIXTURES / "gift"


def fixture_bytes(name: str) -> bytes:
    """Bytes of a shared Moodle fixture; skip (not fail) when the fixtures are not checked out."""
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"shared fixture {path} is absent (it lives beside the checkout, not in it)")
    return path.read_bytes()


def parse(text: str) -> ImportResult:
    return parse_gift(text.encode("utf-8"))


def by_name(result: ImportResult) -> dict[str, Question]:
    return {q.name: q for q in result.questions}


def comparable(questions: list[Question]) -> list[Question]:
    """Questions without their source line, which naturally differs after an export."""
    return [dataclasses.replace(q, line=0) for q in questions]


# --- questions.gift.txt --------------------------------------------------------------------------


@pytest.fixture
def main_fixture() -> ImportResult:
    return parse_gift(fixture_bytes("questions.gift.txt"))


def test_main_fixture_counts(main_fixture: ImportResult) -> None:
    assert main_fixture.errors == []
    assert len(main_fixture.questions) == 9
    # Moodle's view: Q5 stays numerical and Q1 true/false, only their text has a blank.
    assert main_fixture.by_base_type() == {
        "essay": 1,
        "matching": 1,
        "single_choice": 1,
        "multiple_response": 1,
        "numeric": 1,
        "short_answer": 1,
        "true_false": 3,
    }
    assert main_fixture.by_type() == {
        "essay": 1,
        "matching": 1,
        "single_choice": 1,
        "multiple_response": 1,
        "fill_blank": 2,
        "short_answer": 1,
        "true_false": 2,
    }
    assert [q.line for q in main_fixture.questions] == [2, 5, 14, 22, 31, 34, 41, 46, 49]


def test_main_fixture_essay(main_fixture: ImportResult) -> None:
    essay = main_fixture.questions[0]
    assert (essay.type, essay.name, essay.text) == ("essay", "Q8", "How are you?")
    assert essay.answers == []
    assert essay.text_format == "moodle"


def test_main_fixture_matching_with_distractor(main_fixture: ImportResult) -> None:
    q = by_name(main_fixture)["Moodle activities"]
    assert q.type == "matching"
    assert q.text == "Match the <b>activity</b> to the description."
    assert q.text_format == "html"
    assert [(a.text, a.match) for a in q.answers] == [
        ("An activity supporting asynchronous discussions.", "Forum"),
        ("A teacher asks a question and specifies a choice of multiple responses.", "Choice"),
        ("A bank of record entries which participants can add to.", "Database"),
        ("A collection of web pages that anyone can add to or edit.", "Wiki"),
        ("", "Chat"),
    ]
    assert [a.text_format for a in q.answers[:4]] == ["html", "moodle", "plain", "markdown"]
    assert [a.is_distractor for a in q.answers] == [False, False, False, False, True]
    assert [a.fraction for a in q.answers] == [1.0, 1.0, 1.0, 1.0, 0.0]


def test_main_fixture_single_choice_with_feedback(main_fixture: ImportResult) -> None:
    q = by_name(main_fixture)["Q2"]
    assert q.type == "single_choice"
    assert q.text == "What's between orange and green in the spectrum?"
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("yellow", 1.0, "right; good!"),
        ("red", 0.0, "wrong, it's yellow"),
        ("blue", 0.0, "wrong, it's yellow"),
    ]
    assert q.answers[1].feedback_format == "html"
    assert q.answers[2].text_format == "plain"


def test_main_fixture_multiple_response_weights(main_fixture: ImportResult) -> None:
    q = by_name(main_fixture)["colours"]
    assert q.type == "multiple_response"
    assert [(a.text, a.fraction) for a in q.answers] == [
        ("yellow", 0.5),
        ("red", -1.0),
        ("off-beige", 0.5),
        ("blue", -1.0),
    ]
    assert [a.feedback for a in q.answers] == ["right; good!", "wrong", "right; good!", "wrong"]
    assert q.answers[1].feedback_format == "html"
    assert q.answers[3].text_format == "plain"


def test_main_fixture_numeric_becomes_fill_blank(main_fixture: ImportResult) -> None:
    q = by_name(main_fixture)["Q5"]
    assert (q.type, q.inner_type, q.base_type) == ("fill_blank", "numeric", "numeric")
    # The stray '";' after the closing brace makes it a missing-word question.
    assert q.text == f'What is a number from 1 to 5? {BLANK}";'
    assert (q.blank_before, q.blank_after) == ("What is a number from 1 to 5? ", '";')
    right, catch_all = q.answers
    assert (right.value, right.tolerance, right.fraction) == (3.0, 2.0, 1.0)
    assert (catch_all.text, catch_all.value, catch_all.fraction) == ("*", None, 0.0)
    assert catch_all.feedback == "Completely wrong"


def test_main_fixture_short_answer(main_fixture: ImportResult) -> None:
    q = by_name(main_fixture)["Shortanswer"]
    assert q.type == "short_answer"
    assert q.text == "Which is the best animal?"
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("Frog", 1.0, "Good!"),
        ("Cat", 0.5, "What is it with Moodlers and cats?"),
        ("*", 0.0, "Completely wrong"),
    ]


def test_main_fixture_true_false_with_feedback(main_fixture: ImportResult) -> None:
    q = by_name(main_fixture)["Q1"]
    assert (q.type, q.inner_type) == ("fill_blank", "true_false")
    assert q.text == f'42 is the Absolute Answer to everything.{BLANK}";'
    true, false = q.answers
    assert (true.text, true.fraction) == ("true", 0.0)
    assert (false.text, false.fraction) == ("false", 1.0)
    # "FALSE#wrong#right": the wrong-answer feedback goes with "true", the right one with "false".
    assert true.feedback == "42 is the Ultimate Answer."
    assert false.feedback == "You gave the right answer."
    assert q.general_feedback == "This is, of course, a Hitchiker's Guide to the Galaxy reference."


def test_main_fixture_short_true_false(main_fixture: ImportResult) -> None:
    t_form, true_form = main_fixture.questions[7:]
    for q in (t_form, true_form):
        assert (q.type, q.name, q.text) == ("true_false", "2-08 TSL", "TSL is blablabla.")
        assert [(a.text, a.fraction) for a in q.answers] == [("true", 1.0), ("false", 0.0)]


# --- questions_in_category.gift.txt --------------------------------------------------------------


def test_category_fixture() -> None:
    result = parse_gift(fixture_bytes("questions_in_category.gift.txt"))
    assert result.errors == []
    assert [q.type for q in result.questions] == [
        "matching",
        "single_choice",
        "short_answer",
        "true_false",
    ]
    assert {q.category for q in result.questions} == {"$course$/Default for New Features"}
    matching, greeting, user, acronym = result.questions
    assert len(matching.answers) == 5 and matching.answers[-1].is_distractor
    assert [a.match for a in matching.answers] == ["Forum", "Choice", "Database", "Wiki", "Chat"]
    assert greeting.name == "Greeting"
    assert greeting.text_format == "html"
    assert greeting.text == (
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:'
        "</a><br /><br />What language is being spoken?"
    )
    assert [(a.text, a.fraction) for a in greeting.answers] == [
        ("English", 0.0),
        ("French", 1.0),
        ("German", 0.0),
        ("Spanish", 0.0),
    ]
    assert greeting.answers[1].feedback == "Yes, well done!"
    assert [(a.text, a.fraction, a.feedback) for a in user.answers] == [("Moodler", 1.0, "")]
    assert acronym.type == "true_false"
    assert acronym.answers[0].fraction == 1.0
    assert 'style="font-style: italic;"' in acronym.text


# --- windows-1252 ------------------------------------------------------------------------------


def test_windows_1252_is_refused_as_a_whole() -> None:
    result = parse_gift(fixture_bytes("questions_encoding_windows-1252.gift.txt"))
    assert result.questions == []
    assert len(result.errors) == 1
    error = result.errors[0]
    assert "UTF-8" in error.message
    assert error.line == 15  # the line holding byte 0xF6
    assert "0xF6" in error.message


# --- round trip ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["questions.gift.txt", "questions_in_category.gift.txt"])
def test_fixture_round_trip(name: str) -> None:
    original = parse_gift(fixture_bytes(name))
    exported = export_gift(original.questions)
    again = parse_gift(exported.encode("utf-8"))
    assert again.errors == []
    assert comparable(again.questions) == comparable(original.questions)
    # Exporting what was re-imported gives the same file: the output is stable.
    assert export_gift(again.questions) == exported


def test_round_trip_of_awkward_content() -> None:
    questions = [
        Question(
            type="single_choice",
            name="Escapes: = ~ # { } \\ and more",
            text="Line one: a = b ~ c # d {e} \\ f\nLine two",
            answers=[
                Answer("[not a format] x", 1.0, "yes # really"),
                Answer("50% ~ half", 0.25, text_format="plain"),
                Answer("no", 0.0),
            ],
            general_feedback="General: {all} = done",
            general_feedback_format="html",
            category="Bank/Sub: one",
        ),
        Question(
            type="fill_blank",
            inner_type="short_answer",
            name="Blank at the end",
            text=f"Ibu kota Indonesia adalah {BLANK}",
            blank_before="Ibu kota Indonesia adalah ",
            answers=[Answer("Jakarta", 1.0), Answer("Nusantara", 0.5, "Segera")],
            category="Bank/Sub: one",
        ),
        Question(
            type="fill_blank",
            inner_type="single_choice",
            name="Choice blank",
            text=f"{BLANK} is a planet.",
            text_format="html",
            blank_after=" is a planet.",
            answers=[
                Answer("Mars", 1.0, text_format="html", feedback_format="html"),
                Answer("Moon", 0.0, "Bukan", text_format="html", feedback_format="html"),
            ],
            general_feedback_format="html",
            category="Other",
        ),
        Question(
            type="numeric",
            name="Range",
            text="Pick a number",
            answers=[
                Answer("3", 1.0, value=3.0, tolerance=2.0),
                Answer("10.5", 0.5, "close", value=10.5, tolerance=0.25),
                Answer("*", 0.0, "no", value=None),
            ],
            category="Other",
        ),
        Question(
            type="true_false",
            name="TF",
            text="Benar?",
            answers=[Answer("true", 0.0), Answer("false", 1.0, "betul")],
            category="Other",
        ),
        Question(type="essay", name="Esai", text="Jelaskan.", category="Other"),
    ]
    again = parse(export_gift(questions))
    assert again.errors == []
    assert comparable(again.questions) == comparable(questions)


# --- syntax details ------------------------------------------------------------------------------


def test_range_and_weights_in_numeric() -> None:
    result = parse("::R:: Antara 1 dan 5? {#=1..5 =%50%10:1#dekat}")
    (q,) = result.questions
    assert q.type == "numeric"
    assert [(a.value, a.tolerance, a.fraction, a.feedback) for a in q.answers] == [
        (3.0, 2.0, 1.0, ""),
        (10.0, 1.0, 0.5, "dekat"),
    ]


def test_missing_word_multiple_choice() -> None:
    (q,) = parse("Moodle costs {~lots of money =nothing ~a small amount} to download.").questions
    assert (q.type, q.inner_type) == ("fill_blank", "single_choice")
    assert q.text == f"Moodle costs {BLANK} to download."
    assert q.name == f"Moodle costs {BLANK} to download."
    assert [a.fraction for a in q.answers] == [0.0, 1.0, 0.0]


def test_comments_bom_crlf_and_escapes() -> None:
    data = "\ufeff// header\r\n::A\\:B:: 2 \\+ 2 \\= ?{=4 =empat}\r\n\r\n// only a comment\r\n"
    result = parse_gift(data.encode("utf-8"))
    assert result.errors == []
    (q,) = result.questions
    assert (q.name, q.text, q.line) == ("A:B", "2 \\+ 2 = ?", 2)
    assert [a.text for a in q.answers] == ["4", "empat"]


def test_essay_with_general_feedback() -> None:
    (q,) = parse("Tulis esai.{####Dinilai oleh pelatih.}").questions
    assert (q.type, q.general_feedback) == ("essay", "Dinilai oleh pelatih.")


def test_true_false_is_case_sensitive_like_moodle() -> None:
    (q,) = parse("Langit biru.{true}").questions
    assert q.type == "short_answer"  # Moodle only knows T, F, TRUE and FALSE.
    (q,) = parse("Langit biru.{F#Salah!#Betul}").questions
    assert q.type == "true_false"
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("true", 0.0, "Salah!"),
        ("false", 1.0, "Betul"),
    ]


def test_category_line_directly_above_a_question() -> None:
    result = parse("$CATEGORY: Dasar\n::Q::Teks{T}\n\n::R::Lagi{F}")
    assert result.errors == []
    assert [(q.name, q.category, q.line) for q in result.questions] == [
        ("Q", "Dasar", 2),
        ("R", "Dasar", 4),
    ]


def test_errors_carry_the_starting_line_and_skip_only_that_question() -> None:
    text = "\n".join(
        [
            "// 1: braces",
            "::Bad braces:: Tanpa penutup {=a ~b",  # line 2
            "",
            "::Ok:: Baik {=ya ~tidak}",  # line 4
            "",
            "::Description:: Hanya teks",  # line 6
            "",
            "::Weight:: Bobot {~%150%a ~b}",  # line 8
            "",
            "::Match:: Jodohkan {=a -> b =c}",  # line 10
            "",
            "::One:: Satu pilihan {~a}",  # line 12
            "",
            "::Num:: Angka {#tiga}",  # line 14
            "",
            "::Two:: Soal A {=a ~b}",  # line 16
            "::Three:: Soal B {=c ~d}",
        ]
    )
    result = parse(text)
    assert [q.name for q in result.questions] == ["Ok"]
    assert [e.line for e in result.errors] == [2, 6, 8, 10, 12, 14, 16]
    assert all(e.message for e in result.errors)
    assert str(result.errors[0]).startswith("Baris 2: ")


def test_blank_choices_are_dropped() -> None:
    (q,) = parse("Pilih {=a ~ ~b}").questions
    assert [a.text for a in q.answers] == ["a", "b"]


def test_escaped_backslash_before_a_control_character() -> None:
    # "\\" is one literal backslash, so the "~" after it still starts a new choice.
    (q,) = parse_gift(b"C:\\\\ drive {=ok ~a\\\\~no}").questions
    assert q.text == "C:\\ drive"
    assert [(a.text, a.fraction) for a in q.answers] == [("ok", 1.0), ("a\\", 0.0), ("no", 0.0)]
