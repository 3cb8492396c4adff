"""The editor's rules without HTTP: what the fields make, and what is wrong with them."""

from __future__ import annotations

import pytest

from lms.quizzes.bank.editor.forms import grade_choices, percent_label
from lms.quizzes.bank.editor.rules import Fields, Row, build
from lms.quizzes.bank.formats.gift import parse_gift
from lms.quizzes.bank.formats.gift_export import export_gift
from lms.quizzes.grading import grade


def messages(fields: Fields) -> list[str]:
    return [p.message for p in build(fields)[1]]


def test_blank_rows_are_dropped_and_a_half_filled_row_is_named() -> None:
    rows = [Row("Jakarta"), Row("Palembang", 1.0), Row(), Row("", 0.0, "umpan balik")]
    question, problems = build(Fields("single_choice", text="Ibu kota?", rows=rows))
    assert [a.text for a in question.answers] == ["Jakarta", "Palembang"]
    assert [(p.field, p.message) for p in problems] == [
        ("answers-3-text", "Pilihan 4: teks kosong.")
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (Fields("single_choice", text="?", rows=[Row("A"), Row("B")]), "Tandai minimal satu jawaban benar (nilai 100%)."),
        (Fields("single_choice", text="?", rows=[Row("A", 1.0)]), "Isi minimal dua pilihan jawaban."),
        (Fields("multiple_response", text="?", rows=[Row("A", 0.5), Row("B", 0.3333333)]), "Jumlah nilai jawaban yang benar harus 100% (sekarang 83,33%)."),
        (Fields("multiple_response", text="?", rows=[Row("A", -0.5), Row("B")]), "Tandai minimal satu jawaban benar."),
        (Fields("short_answer", text="?", rows=[Row("ampera", 0.5)]), "Isi minimal satu jawaban dengan nilai 100%."),
        (Fields("numeric", text="?", rows=[Row("1.000,5", 1.0)]), "Jawaban 1: “1.000,5” bukan angka; tulis angka seperti 3,5 (atau * untuk jawaban lain)."),
        (Fields("numeric", text="?", rows=[Row("3", 1.0, tolerance="x")]), "Jawaban 1: toleransi harus angka 0 atau lebih."),
        (Fields("matching", text="?", rows=[Row("A", match="1"), Row("B")]), "Pasangan 2: jawaban kosong."),
        (Fields("essay", text="   "), "Teks soal wajib diisi."),
        (Fields("fill_blank", "short_answer", text="a _____ b _____", rows=[Row("x", 1.0)]), "Teks soal: tulis _____ (lima garis bawah) tepat satu kali di tempat isian rumpang."),
        (Fields("fill_blank", "essay", text="a _____", rows=[]), "Pilih cara menjawab isian rumpang."),
    ],
)  # fmt: skip
def test_each_rule_names_what_is_wrong(fields: Fields, expected: str) -> None:
    assert expected in messages(fields)


def test_thirds_add_up_to_a_whole() -> None:
    rows = [Row("A", 0.3333333), Row("B", 0.3333333), Row("C", 0.3333333), Row("D", -1.0)]
    assert messages(Fields("multiple_response", text="?", rows=rows)) == []


def test_numeric_reads_indonesian_decimals_and_a_catch_all() -> None:
    rows = [Row("3,5", 1.0, tolerance="0,25"), Row("*", 0.0, "Coba lagi.")]
    question, problems = build(Fields("numeric", text="Berapa?", rows=rows))
    assert problems == []
    right, other = question.answers
    assert (right.value, right.tolerance, other.value, other.text) == (3.5, 0.25, None, "*")
    assert grade(question, "3,7") == 1.0 and grade(question, "4") == 0.0


def test_matching_without_prompt_is_a_distractor() -> None:
    rows = [Row("Palembang", match="Sumsel"), Row("Bandung", match="Jabar"), Row("", match="Bali")]
    question, problems = build(Fields("matching", text="Jodohkan.", rows=rows))
    assert problems == [] and question.answers[2].is_distractor
    assert grade(question, {0: "Sumsel", 1: "Jabar"}) == 1.0


def test_true_false_and_its_two_feedbacks() -> None:
    fields = Fields(
        "true_false", text="Musi di Palembang.", true_is_correct=False, feedback_true="Bukan."
    )
    question, problems = build(fields)
    assert problems == []
    assert grade(question, False) == 1.0 and grade(question, True) == 0.0
    assert question.answers[0].feedback == "Bukan."


def test_fill_blank_splits_around_the_blank_and_round_trips_through_gift() -> None:
    fields = Fields(
        "fill_blank",
        "short_answer",
        name="Jembatan",
        text="Jembatan _____ di Musi.",
        rows=[Row("Ampera", 1.0)],
    )
    question, problems = build(fields)
    assert problems == []
    assert (question.blank_before, question.blank_after, question.base_type) == (
        "Jembatan ",
        " di Musi.",
        "short_answer",
    )
    again = parse_gift(export_gift([question]).encode()).questions[0]
    assert (again.type, again.inner_type, again.text) == (
        "fill_blank",
        "short_answer",
        question.text,
    )


def test_name_defaults_to_the_start_of_the_text() -> None:
    question, _problems = build(Fields("essay", text="Jelaskan *makna* pelayanan prima bagi ASN."))
    assert question.name.startswith("Jelaskan")


def test_grade_menu_keeps_an_imported_weight_and_offers_negatives_only_for_choices() -> None:
    assert (0.42, "42%") in grade_choices("short_answer", 0.42)
    assert all(v >= 0 for v, _label in grade_choices("short_answer"))
    assert (-1.0, "-100%") in grade_choices("multiple_response")
    assert percent_label(0.3333333) == "33,33%"


def test_a_row_in_error_is_not_also_counted_missing() -> None:
    """ "dua puluh" marked 100 % is one problem (not a number), not also "no 100 % answer"."""
    fields = Fields("numeric", text="Berapa JP?", rows=[Row("dua puluh", 1.0)])
    assert [p.field for p in build(fields)[1]] == ["answers-0-text"]
