"""Pure grading for every question type, including the Moodle fixtures' own questions."""

from __future__ import annotations

import pytest

from lms.quizzes.bank.formats import Answer, Question, parse_gift
from lms.quizzes.grading import grade, parse_number
from tests.shared import SHARED_FIXTURES

FIXTURE = SHARED_FIXTURES / "gift" / "questions.gift.txt"


def choice(*answers: tuple[str, float], kind: str = "single_choice") -> Question:
    return Question(kind, "q", "t", answers=[Answer(text, fraction) for text, fraction in answers])


def short(*answers: tuple[str, float]) -> Question:
    return choice(*answers, kind="short_answer")


def numeric(*answers: tuple[float | None, float, float]) -> Question:
    return Question(
        "numeric",
        "n",
        "t",
        answers=[
            Answer("*" if value is None else str(value), fraction, value=value, tolerance=tol)
            for value, tol, fraction in answers
        ],
    )


@pytest.fixture
def fixture_questions() -> dict[str, Question]:
    if not FIXTURE.is_file():
        pytest.skip(f"shared fixture {FIXTURE} is absent (it lives beside the checkout)")
    return {q.name: q for q in parse_gift(FIXTURE.read_bytes()).questions}


# --- single choice -----------------------------------------------------------------------------


def test_single_choice() -> None:
    q = choice(("a", 1.0), ("b", 0.5), ("c", 0.0), ("d", -0.5))
    assert grade(q, 0) == 1.0
    assert grade(q, 1) == 0.5
    assert grade(q, 2) == 0.0
    assert grade(q, 3) == 0.0  # a negative weight never takes the question below zero
    assert grade(q, None) == 0.0
    assert grade(q, 9) == 0.0
    assert grade(q, True) == 0.0  # bools are not indices


# --- multiple response --------------------------------------------------------------------------


def test_multiple_response_weights_and_floor(fixture_questions: dict[str, Question]) -> None:
    q = fixture_questions["colours"]  # yellow 50, red -100, off-beige 50, blue -100
    assert grade(q, {0, 2}) == 1.0
    assert grade(q, [0]) == 0.5
    assert grade(q, {0, 1}) == 0.0  # 0.5 - 1 floored at zero
    assert grade(q, {0, 1, 2, 3}) == 0.0
    assert grade(q, set()) == 0.0
    assert grade(q, None) == 0.0
    assert grade(q, [0, 0, 2, 99]) == 1.0  # duplicates and unknown indices ignored


def test_multiple_response_capped_at_one() -> None:
    q = choice(("a", 0.6), ("b", 0.6), ("c", -0.1), kind="multiple_response")
    assert grade(q, {0, 1}) == 1.0
    assert grade(q, {0, 1, 2}) == 1.0
    assert grade(q, {0, 2}) == pytest.approx(0.5)


# --- true / false --------------------------------------------------------------------------------


def test_true_false(fixture_questions: dict[str, Question]) -> None:
    q1 = fixture_questions["Q1"]  # FALSE, as a fill-in-the-blank question
    assert grade(q1, False) == 1.0
    assert grade(q1, True) == 0.0
    assert grade(q1, "salah") == 1.0
    assert grade(q1, "benar") == 0.0
    assert grade(q1, None) == 0.0
    assert grade(q1, "mungkin") == 0.0
    tsl = fixture_questions["2-08 TSL"]
    assert grade(tsl, True) == 1.0
    assert grade(tsl, "false") == 0.0


# --- short answer --------------------------------------------------------------------------------


def test_short_answer_partial_credit_and_catch_all(fixture_questions: dict[str, Question]) -> None:
    q = fixture_questions["Shortanswer"]  # Frog 100, Cat 50, * 0
    assert grade(q, "Frog") == 1.0
    assert grade(q, "  fROG ") == 1.0
    assert grade(q, "cat") == 0.5
    assert grade(q, "dog") == 0.0
    assert grade(q, "") == 0.0
    assert grade(q, None) == 0.0


def test_short_answer_wildcards_spacing_and_order() -> None:
    q = short(("Bung  Karno", 1.0), ("Soe*no", 0.8), ("lit\\*ral", 1.0), ("*", 0.1))
    assert grade(q, "bung karno") == 1.0
    assert grade(q, "Bung\t \n Karno") == 1.0
    assert grade(q, "Soekarno") == 0.8
    assert grade(q, "Soeno") == 0.8  # * matches nothing too
    assert grade(q, "Soekarnoo") == 0.1  # the pattern must end in "no": catch-all
    assert grade(q, "lit*ral") == 1.0  # \* is a literal star
    assert grade(q, "literal") == 0.1
    # Moodle takes the first matching answer, not the best one.
    assert grade(short(("*", 0.2), ("exact", 1.0)), "exact") == 0.2


def test_short_answer_special_regex_characters_are_literal() -> None:
    q = short(("a.c (x)+", 1.0))
    assert grade(q, "a.c (x)+") == 1.0
    assert grade(q, "abc (x)+") == 0.0


# --- numeric -------------------------------------------------------------------------------------


def test_numeric_tolerance_and_catch_all(fixture_questions: dict[str, Question]) -> None:
    q5 = fixture_questions["Q5"]  # 3 ± 2, then * for anything else, as a fill-in-the-blank
    assert grade(q5, "3") == 1.0
    assert grade(q5, "1") == 1.0
    assert grade(q5, "5") == 1.0
    assert grade(q5, "5.0001") == 0.0
    assert grade(q5, 0.99) == 0.0
    assert grade(q5, "abc") == 0.0


def test_numeric_comma_decimal_and_ranges() -> None:
    errors = parse_gift(b"::N:: Nilai pi? {#=3.14:0.01 =%50%3..3,5#kasar}").errors
    assert [e.line for e in errors] == [1]  # "3,5" is no GIFT number (nor in Moodle)
    (q,) = parse_gift(b"::N:: Nilai pi? {#=3.14:0.01 =%50%3..3.5#kasar}").questions
    assert grade(q, "3,14") == 1.0
    assert grade(q, "3.15") == 1.0
    assert grade(q, "3,2") == 0.5
    assert grade(q, "3") == 0.5  # range ends are included
    assert grade(q, "3.6") == 0.0
    assert grade(q, "1.000,5") == 0.0  # ambiguous separators are refused, not guessed


def test_numeric_float_edges() -> None:
    q = numeric((0.3, 0.0, 1.0), (-2.5, 0.5, 0.5))
    assert grade(q, 0.1 + 0.2) == 1.0  # 0.30000000000000004 is still 0.3
    assert grade(q, "-3") == 0.5
    assert grade(q, "-1.99") == 0.0
    assert parse_number("nan") is None
    assert parse_number("inf") is None
    assert parse_number(True) is None
    assert parse_number(" 1 000 ") == 1000.0


# --- matching ------------------------------------------------------------------------------------


def test_matching_share_of_pairs_and_distractors(fixture_questions: dict[str, Question]) -> None:
    q = fixture_questions["Moodle activities"]  # 4 real pairs and the distractor "Chat"
    right = {0: "Forum", 1: "Choice", 2: "Database", 3: "Wiki"}
    assert grade(q, right) == 1.0
    assert grade(q, {**right, 3: "Chat"}) == 0.75
    assert grade(q, {0: "Forum", 1: "Chat"}) == 0.25
    assert grade(q, {4: "Chat"}) == 0.0  # the distractor is not a pair to answer
    assert grade(q, {**right, 4: "Chat"}) == 1.0
    assert grade(q, {}) == 0.0
    assert grade(q, None) == 0.0


# --- fill in the blank and essay -----------------------------------------------------------------


def test_fill_blank_grades_as_its_inner_type() -> None:
    (q,) = parse_gift(b"Moodle costs {~lots of money =nothing ~%50%little} to download.").questions
    assert q.type == "fill_blank"
    assert grade(q, 1) == 1.0
    assert grade(q, 2) == 0.5
    assert grade(q, 0) == 0.0
    (q,) = parse_gift(b"Ibu kota Indonesia adalah {=Jakarta =%50%Nusantara} saat ini.").questions
    assert grade(q, "jakarta") == 1.0
    assert grade(q, "Nusantara") == 0.5


def test_essay_needs_a_trainer(fixture_questions: dict[str, Question]) -> None:
    assert grade(fixture_questions["Q8"], "Saya baik.") is None


def test_unknown_type_is_an_error() -> None:
    with pytest.raises(ValueError):
        grade(Question("ranking", "r", "t"), 1)
