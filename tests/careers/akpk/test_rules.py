"""Pure rules around the plan: Rupiah written and read, the participants box, the position
competencies file, and matching completions to a plan item."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lms.careers.akpk.competencies import CompetenciesInvalid, parse
from lms.careers.akpk.realisation import Done, Joined, Spec, progress_of
from lms.careers.akpk.rupiah import RupiahInvalid, parse_rupiah, rupiah
from lms.careers.akpk.services import participant_lines


def test_rupiah_is_written_the_indonesian_way() -> None:
    assert rupiah(Decimal("12500000")) == "Rp12.500.000"
    assert rupiah(0) == "Rp0"
    assert rupiah(Decimal("999")) == "Rp999"
    assert rupiah(Decimal("1000")) == "Rp1.000"
    assert rupiah(Decimal("-500")) == "-Rp500"
    assert rupiah(None) == "–"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12500000", 12_500_000),
        ("12.500.000", 12_500_000),
        ("Rp 12.500.000", 12_500_000),
        ("rp12.500.000,00", 12_500_000),
        ("Rp. 750.000", 750_000),
        (" 0 ", 0),
        ("1 500 000", 1_500_000),
    ],
)
def test_rupiah_is_read_as_people_type_it(typed: str, amount: int) -> None:
    assert parse_rupiah(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed", ["12.5", "12,50", "1.2345", "-500", "dua juta", "1e9", "NaN", "10" * 10, "1.000,5"]
)
def test_what_is_no_rupiah_amount_is_refused(typed: str) -> None:
    with pytest.raises(RupiahInvalid):
        parse_rupiah(typed)


def test_nothing_typed_is_no_amount() -> None:
    assert parse_rupiah("") is None
    assert parse_rupiah(None) is None


def test_participants_box_takes_the_nip_at_the_start_of_each_line() -> None:
    text = (
        "19880517 201503 2 001 Siti Aminah\n"
        "\n"
        "198805172015031002\n"
        "19880517 201503 2 001 (again)\n"
        "Budi 198805172015031003\n"
        "1988\n"
    )
    found, errors = participant_lines(text)
    assert found == [(1, "198805172015032001"), (3, "198805172015031002")]
    assert sorted(errors) == [5, 6]
    assert "Baris 5" in errors[5]


TYPES = {"pelaksana", "pengawas", "fungsional"}
LEVELS = {"pelaksana", "pengawas", "ahli_pertama"}


def test_position_competencies_file_is_read_in_order() -> None:
    data = {
        "positions": [
            {
                "jabatan_type": "pelaksana",
                "example": True,
                "competencies": [
                    {"name": " Pelayanan   Publik ", "kind": "teknis", "level": 1},
                    {"name": "Komunikasi", "kind": "sosial_kultural", "level": 2},
                ],
            },
            {
                "jabatan_level": "ahli_pertama",
                "competencies": [{"name": "Pelayanan Publik", "kind": "teknis", "level": 2}],
            },
        ]
    }
    found = parse(data, TYPES, LEVELS)
    assert [(s.jabatan_type, s.jabatan_level, s.name, s.level, s.example) for s in found] == [
        ("pelaksana", None, "Pelayanan Publik", 1, True),
        ("pelaksana", None, "Komunikasi", 2, True),
        (None, "ahli_pertama", "Pelayanan Publik", 2, False),
    ]


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"competencies": [{"name": "A", "kind": "teknis", "level": 1}]}, "tepat satu"),
        (
            {
                "jabatan_type": "pelaksana",
                "jabatan_level": "pelaksana",
                "competencies": [{"name": "A", "kind": "teknis", "level": 1}],
            },
            "tepat satu",
        ),
        (
            {
                "jabatan_type": "camat",
                "competencies": [{"name": "A", "kind": "teknis", "level": 1}],
            },
            "tidak dikenal",
        ),
        ({"jabatan_type": "pelaksana", "competencies": []}, "'competencies'"),
        ({"jabatan_type": "pelaksana", "competencies": [{"kind": "teknis", "level": 1}]}, "'name'"),
        (
            {"jabatan_type": "pelaksana", "competencies": [{"name": "A", "kind": "x", "level": 1}]},
            "'kind'",
        ),
        (
            {
                "jabatan_type": "pelaksana",
                "competencies": [{"name": "A", "kind": "teknis", "level": 6}],
            },
            "'level'",
        ),
        (
            {
                "jabatan_type": "pelaksana",
                "competencies": [{"name": "A", "kind": "teknis", "level": True}],
            },
            "'level'",
        ),
        (
            {
                "jabatan_type": "pelaksana",
                "competencies": [
                    {"name": "A", "kind": "teknis", "level": 1},
                    {"name": "a", "kind": "manajerial", "level": 2},
                ],
            },
            "sudah ada",
        ),
    ],
)
def test_a_bad_entry_is_refused_naming_where(entry: dict, said: str) -> None:
    with pytest.raises(CompetenciesInvalid) as refused:
        parse({"positions": [entry]}, TYPES, LEVELS, "pc.yaml")
    assert "pc.yaml, jabatan ke-1" in str(refused.value)
    assert said in str(refused.value)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(CompetenciesInvalid):
        parse({}, TYPES, LEVELS)


DAY = date(2027, 5, 2)


def test_progress_counts_the_items_course_for_its_opd_once_per_employee() -> None:
    done = [
        Done(7, None, 1, "/3/", Decimal(6), DAY),
        Done(7, None, 1, "/3/", Decimal(6), DAY),  # counted once
        Done(7, None, 2, "/4/", Decimal(6), DAY),  # another OPD
        Done(8, None, 3, "/3/", Decimal(4), DAY),  # another course
    ]
    joined = [Joined(7, None, 1, "/3/17/"), Joined(7, None, 5, "/3/18/"), Joined(7, None, 6, "/4/")]
    enrolled, completed, jp, days = progress_of(Spec(7, None, "/3/"), done, joined)
    assert (enrolled, completed, jp, days) == ({1, 5}, {1}, Decimal(6), [DAY])
    # Across OPDs: everyone.
    enrolled, completed, jp, _days = progress_of(Spec(7, None, ""), done, joined)
    assert (enrolled, completed, jp) == ({1, 2, 5, 6}, {1, 2}, Decimal(12))


def test_progress_of_named_participants_and_of_a_cohort() -> None:
    done = [Done(None, 9, 1, "/3/", Decimal(30), DAY), Done(None, 9, 2, "/3/", Decimal(30), DAY)]
    joined = [Joined(None, 9, 1, "/3/"), Joined(None, 9, 2, "/3/"), Joined(None, 9, 4, "/3/")]
    enrolled, completed, jp, _days = progress_of(
        Spec(None, 9, "/3/", frozenset({2, 4})), done, joined
    )
    assert (enrolled, completed, jp) == ({2, 4}, {2}, Decimal(30))
    # An item with neither course nor cohort counts nothing.
    assert progress_of(Spec(None, None, ""), done, joined)[:3] == (set(), set(), Decimal(0))
