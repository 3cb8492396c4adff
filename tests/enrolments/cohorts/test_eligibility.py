"""Eligibility of an employee for a cohort: a pure rule, tested as a table (no app, no DB)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lms.enrolments.cohorts.rules import eligibility_problems

RANKS = {"II/d": 8, "III/a": 9, "III/b": 10, "III/c": 11, "IV/a": 13}
NAMES = {"pengawas": "Jabatan Pengawas", "pelaksana": "Jabatan Pelaksana"}
PKP = {"position_types": ["pengawas"], "min_grade": "III/b", "min_grade_rank": 10}


def employee(jabatan: str | None, grade: str | None, active: bool = True) -> SimpleNamespace:
    golongan = SimpleNamespace(code=grade, rank=RANKS[grade]) if grade else None
    return SimpleNamespace(jabatan_type_code=jabatan, golongan=golongan, is_active=active)


def cohort(rule: dict) -> SimpleNamespace:
    return SimpleNamespace(eligibility=rule)


CASES = [
    # (rule, jabatan, grade, active, expected problems)
    ({}, None, None, True, []),
    (PKP, "pengawas", "III/b", True, []),
    (PKP, "pengawas", "IV/a", True, []),
    (
        PKP,
        "pelaksana",
        "III/c",
        True,
        [
            "Jenis jabatan Jabatan Pelaksana tidak memenuhi syarat; angkatan ini khusus untuk: "
            "Jabatan Pengawas."
        ],
    ),
    (
        PKP,
        None,
        "III/c",
        True,
        ["Jenis jabatan belum tercatat, sedangkan angkatan ini khusus untuk: Jabatan Pengawas."],
    ),
    (PKP, "pengawas", "III/a", True, ["Golongan III/a di bawah syarat minimal golongan III/b."]),
    (
        PKP,
        "pengawas",
        None,
        True,
        ["Pangkat/golongan belum tercatat; syarat minimal golongan III/b."],
    ),
    (
        PKP,
        "pelaksana",
        "II/d",
        True,
        [
            "Jenis jabatan Jabatan Pelaksana tidak memenuhi syarat; angkatan ini khusus untuk: "
            "Jabatan Pengawas.",
            "Golongan II/d di bawah syarat minimal golongan III/b.",
        ],
    ),
    (PKP, "pengawas", "III/b", False, ["Pegawai berstatus nonaktif."]),
    ({"min_grade": "III/b", "min_grade_rank": 10}, "pelaksana", "III/b", True, []),
    ({"position_types": ["pengawas", "pelaksana"]}, "pelaksana", None, True, []),
]


@pytest.mark.parametrize(("rule", "jabatan", "grade", "active", "expected"), CASES)
def test_eligibility_table(rule, jabatan, grade, active, expected) -> None:
    assert eligibility_problems(employee(jabatan, grade, active), cohort(rule), NAMES) == expected


def test_codes_are_shown_when_names_are_unknown() -> None:
    problems = eligibility_problems(employee("fungsional", "III/b"), cohort(PKP))
    assert problems == [
        "Jenis jabatan fungsional tidak memenuhi syarat; angkatan ini khusus untuk: pengawas."
    ]
