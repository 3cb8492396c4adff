"""Table tests for Indonesian number words on certificates.

Certificates are legal documents: a wrong word ("satu ribu" instead of "seribu") is visible to
every participant, so the irregular forms and group boundaries are pinned down case by case.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.certificates.terbilang import MAX_TERBILANG, jp_in_words, terbilang

CASES = [
    (0, "nol"),
    (1, "satu"),
    (2, "dua"),
    (7, "tujuh"),
    (9, "sembilan"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (15, "lima belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (21, "dua puluh satu"),
    (30, "tiga puluh"),
    (45, "empat puluh lima"),
    (99, "sembilan puluh sembilan"),
    (100, "seratus"),
    (101, "seratus satu"),
    (110, "seratus sepuluh"),
    (111, "seratus sebelas"),
    (119, "seratus sembilan belas"),
    (120, "seratus dua puluh"),
    (200, "dua ratus"),
    (250, "dua ratus lima puluh"),
    (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"),
    (1001, "seribu satu"),
    (1011, "seribu sebelas"),
    (1100, "seribu seratus"),
    (1500, "seribu lima ratus"),
    (2000, "dua ribu"),
    (2024, "dua ribu dua puluh empat"),
    (10_000, "sepuluh ribu"),
    (11_000, "sebelas ribu"),
    (12_500, "dua belas ribu lima ratus"),
    (100_000, "seratus ribu"),
    (101_000, "seratus satu ribu"),
    (111_111, "seratus sebelas ribu seratus sebelas"),
    (999_999, "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan"),
    (1_000_000, "satu juta"),
    (1_000_001, "satu juta satu"),
    (1_001_000, "satu juta seribu"),
    (1_500_000, "satu juta lima ratus ribu"),
    (2_000_000, "dua juta"),
    (10_000_000, "sepuluh juta"),
    (100_000_000, "seratus juta"),
    (1_000_000_000, "satu miliar"),
    (2_500_000_000, "dua miliar lima ratus juta"),
    (1_000_000_000_000, "satu triliun"),
    (1_000_000_001_000, "satu triliun seribu"),
    (
        123_456_789_012_345,
        "seratus dua puluh tiga triliun empat ratus lima puluh enam miliar "
        "tujuh ratus delapan puluh sembilan juta dua belas ribu tiga ratus empat puluh lima",
    ),
    (-1, "minus satu"),
    (-11, "minus sebelas"),
    (-1000, "minus seribu"),
    (-1_500_000, "minus satu juta lima ratus ribu"),
]


@pytest.mark.parametrize(("n", "expected"), CASES)
def test_terbilang(n: int, expected: str) -> None:
    assert terbilang(n) == expected


def test_terbilang_largest_supported() -> None:
    assert terbilang(MAX_TERBILANG).startswith("sembilan ratus sembilan puluh sembilan triliun")
    assert terbilang(-MAX_TERBILANG).startswith("minus sembilan ratus")


def test_terbilang_output_is_clean() -> None:
    """No double spaces, no leading/trailing space, always lowercase, over a wide sweep."""
    for n in [*range(0, 2100), *range(999_000, 1_002_100, 7), 10**12 + 1]:
        words = terbilang(n)
        assert words == words.strip()
        assert "  " not in words
        assert words == words.lower()
        assert "satu ribu" not in words
        assert "satu ratus" not in words
        assert "satu puluh" not in words
        assert "satu belas" not in words


@pytest.mark.parametrize("n", [MAX_TERBILANG + 1, -(MAX_TERBILANG + 1), 10**18])
def test_terbilang_too_large(n: int) -> None:
    with pytest.raises(ValueError, match="up to"):
        terbilang(n)


@pytest.mark.parametrize("value", [1.0, "5", None, Decimal("3"), True, False])
def test_terbilang_rejects_non_int(value: object) -> None:
    with pytest.raises(TypeError):
        terbilang(value)  # type: ignore[arg-type]


JP_CASES = [
    (20, "20 (dua puluh) jam pelajaran"),
    (0, "0 (nol) jam pelajaran"),
    (1, "1 (satu) jam pelajaran"),
    (2, "2 (dua) jam pelajaran"),
    (11, "11 (sebelas) jam pelajaran"),
    (32, "32 (tiga puluh dua) jam pelajaran"),
    (100, "100 (seratus) jam pelajaran"),
    (830, "830 (delapan ratus tiga puluh) jam pelajaran"),
    (1000, "1.000 (seribu) jam pelajaran"),
    (1250, "1.250 (seribu dua ratus lima puluh) jam pelajaran"),
    (2.5, "2,5 (dua koma lima) jam pelajaran"),
    (0.5, "0,5 (nol koma lima) jam pelajaran"),
    (20.0, "20 (dua puluh) jam pelajaran"),
    (1.1, "1,1 (satu koma satu) jam pelajaran"),
    (Decimal("2.5"), "2,5 (dua koma lima) jam pelajaran"),
    (Decimal("2.50"), "2,5 (dua koma lima) jam pelajaran"),
    (Decimal("20.00"), "20 (dua puluh) jam pelajaran"),
    (Decimal("2.25"), "2,25 (dua koma dua lima) jam pelajaran"),
    (Decimal("3.05"), "3,05 (tiga koma nol lima) jam pelajaran"),
    (Decimal("12.75"), "12,75 (dua belas koma tujuh lima) jam pelajaran"),
    (Decimal("1E+1"), "10 (sepuluh) jam pelajaran"),
    (Decimal("1000.5"), "1.000,5 (seribu koma lima) jam pelajaran"),
]


@pytest.mark.parametrize(("jp", "expected"), JP_CASES)
def test_jp_in_words(jp: int | Decimal | float, expected: str) -> None:
    assert jp_in_words(jp) == expected


@pytest.mark.parametrize(
    "jp", [-1, -0.5, Decimal("-2"), float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")]
)
def test_jp_in_words_rejects_invalid_numbers(jp: int | Decimal | float) -> None:
    with pytest.raises(ValueError):
        jp_in_words(jp)


@pytest.mark.parametrize("jp", ["20", None, True, [20]])
def test_jp_in_words_rejects_non_numbers(jp: object) -> None:
    with pytest.raises(TypeError):
        jp_in_words(jp)  # type: ignore[arg-type]
