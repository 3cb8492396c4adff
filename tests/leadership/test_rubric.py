"""The rubric's arithmetic and the qualification bands (pure: no app, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.kualifikasi import DEFAULT_FILE as BANDS_FILE
from lms.kualifikasi import load_bands
from lms.leadership.projects.rubric import (
    DEFAULT_FILE,
    Criterion,
    Rubric,
    RubricError,
    assessor_total,
    final_result,
    parse_rubrics,
    rubric_for,
)

BANDS = load_bands(BANDS_FILE)
WEIGHTS = {"coach": 40, "mentor": 30, "examiner": 30}
SMALL = Rubric(
    "aksi_perubahan",
    (Criterion("a", "A", 20), Criterion("b", "B", 30), Criterion("c", "C", 50)),
    WEIGHTS,
)


def test_an_assessors_total_is_the_weighted_mean_to_two_decimals() -> None:
    # (80*20 + 90*30 + 75*50) / 100 = 80.5
    assert assessor_total(SMALL, {"a": 80, "b": 90, "c": 75}) == Decimal("80.50")
    # (77*20 + 78*30 + 79*50) / 100 = 78.3
    assert assessor_total(SMALL, {"a": 77, "b": 78, "c": 79}) == Decimal("78.30")
    thirds = Rubric("aktualisasi", (Criterion("a", "A", 1), Criterion("b", "B", 2)), WEIGHTS)
    assert assessor_total(thirds, {"a": 100, "b": 0}) == Decimal("33.33")
    assert assessor_total(thirds, {"a": 0, "b": 100}) == Decimal("66.67")


def test_every_criterion_must_be_scored_within_0_to_100() -> None:
    with pytest.raises(RubricError, match="B"):
        assessor_total(SMALL, {"a": 80, "c": 75})
    with pytest.raises(RubricError, match="0 sampai 100"):
        assessor_total(SMALL, {"a": 80, "b": 101, "c": 75})


def test_the_final_score_weighs_the_roles_and_averages_the_examiners() -> None:
    result = final_result(
        WEIGHTS,
        {"coach": [Decimal("90")], "mentor": [Decimal("80")], "examiner": [Decimal("70")]},
        BANDS,
    )
    # (90*40 + 80*30 + 70*30) / 100 = 81.0
    assert result.score == Decimal("81.00")
    assert result.band.name == "Memuaskan" and result.passed
    two = final_result(
        WEIGHTS,
        {
            "coach": [Decimal("90")],
            "mentor": [Decimal("80")],
            "examiner": [Decimal("70.25"), Decimal("69.50")],
        },
        BANDS,
    )
    # examiners: (70.25 + 69.50) / 2 = 69.875 -> 69.88; (3600 + 2400 + 69.88*30) / 100 = 80.96
    assert two.role_totals["examiner"] == Decimal("69.88")
    assert two.score == Decimal("80.96")


def test_every_role_must_have_scored() -> None:
    with pytest.raises(RubricError):
        final_result(WEIGHTS, {"coach": [Decimal(90)], "mentor": [Decimal(80)]}, BANDS)


@pytest.mark.parametrize(
    ("scores", "band", "passed"),
    [
        ((93, 92, 91), "Sangat Memuaskan", True),
        ((90, 90, 91), "Sangat Memuaskan", True),  # 90.30
        ((90, 90, 90), "Memuaskan", True),  # 90.00 is not above 90: the next band
        ((86, 84, 82), "Memuaskan", True),
        ((76, 74, 72), "Cukup Memuaskan", True),
        ((71, 70, 70), "Cukup Memuaskan", True),  # 70.40
        ((70, 70, 70), "Kurang Memuaskan", False),  # the pass line: above 70
        ((66, 64, 62), "Kurang Memuaskan", False),
        ((55, 52, 50), "Tidak Memuaskan", False),
        ((0, 0, 0), "Tidak Memuaskan", False),
    ],
)
def test_bands_and_pass_rule_from_the_kualifikasi_file(scores, band, passed) -> None:
    totals = {r: [Decimal(s)] for r, s in zip(("coach", "mentor", "examiner"), scores, strict=True)}
    result = final_result(WEIGHTS, totals, BANDS)
    assert result.band.name == band
    assert result.passed is passed


def test_the_reference_rubric_has_both_kinds_with_weights() -> None:
    for kind in ("aktualisasi", "aksi_perubahan"):
        rubric = rubric_for(kind, DEFAULT_FILE)
        assert rubric.weights == {"coach": 40, "mentor": 30, "examiner": 30}
        assert len(rubric.criteria) >= 4
        assert len({c.code for c in rubric.criteria}) == len(rubric.criteria)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "kinds"),
        ({"kinds": {"aktualisasi": {}}}, "assessors"),
        (
            {
                "kinds": {
                    k: {"assessors": {"coach": 40, "mentor": 30}, "criteria": []}
                    for k in ("aktualisasi", "aksi_perubahan")
                }
            },
            "coach, mentor, dan examiner",
        ),
        (
            {
                "kinds": {
                    k: {
                        "assessors": {"coach": 40, "mentor": 30, "examiner": 0},
                        "criteria": [{"code": "a", "name": "A", "weight": 1}],
                    }
                    for k in ("aktualisasi", "aksi_perubahan")
                }
            },
            "assessors.examiner: bobot",
        ),
        (
            {
                "kinds": {
                    k: {
                        "assessors": {"coach": 4, "mentor": 3, "examiner": 3},
                        "criteria": [
                            {"code": "a", "name": "A", "weight": 1},
                            {"code": "a", "name": "B", "weight": 1},
                        ],
                    }
                    for k in ("aktualisasi", "aksi_perubahan")
                }
            },
            "kriteria ke-2: kode 'a' dipakai dua kali",
        ),
    ],
)
def test_an_unusable_rubric_file_is_refused_naming_the_place(data, message) -> None:
    with pytest.raises(RubricError, match=message):
        parse_rubrics(data, "rubrik.yaml")
