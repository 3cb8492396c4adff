"""Table tests for the predikat kinerja matrix (PermenPANRB 6/2022).

The matrix decides an employee's appraisal outcome, so every cell is asserted explicitly,
including the two asymmetric corners that a transposed implementation would get wrong.
"""

from __future__ import annotations

import pytest

from lms.careers.skp.predikat import PREDIKAT_MATRIX, Predikat, Rating, parse_rating, predikat

# (hasil_kerja, perilaku, expected predikat), written out as in the regulation's table.
MATRIX = [
    ("di_atas", "di_bawah", Predikat.KURANG),
    ("di_atas", "sesuai", Predikat.BAIK),
    ("di_atas", "di_atas", Predikat.SANGAT_BAIK),
    ("sesuai", "di_bawah", Predikat.KURANG),
    ("sesuai", "sesuai", Predikat.BAIK),
    ("sesuai", "di_atas", Predikat.BAIK),
    ("di_bawah", "di_bawah", Predikat.SANGAT_KURANG),
    ("di_bawah", "sesuai", Predikat.BUTUH_PERBAIKAN),
    ("di_bawah", "di_atas", Predikat.BUTUH_PERBAIKAN),
]


@pytest.mark.parametrize(("hasil_kerja", "perilaku", "expected"), MATRIX)
def test_matrix_with_strings(hasil_kerja: str, perilaku: str, expected: Predikat) -> None:
    assert predikat(hasil_kerja=hasil_kerja, perilaku=perilaku) is expected


@pytest.mark.parametrize(("hasil_kerja", "perilaku", "expected"), MATRIX)
def test_matrix_with_enums(hasil_kerja: str, perilaku: str, expected: Predikat) -> None:
    assert predikat(Rating(hasil_kerja), Rating(perilaku)) is expected


def test_matrix_constant_matches_table() -> None:
    assert len(PREDIKAT_MATRIX) == 9
    assert {(Rating(h), Rating(p)): e for h, p, e in MATRIX} == dict(PREDIKAT_MATRIX)


def test_matrix_is_read_only() -> None:
    with pytest.raises(TypeError):
        PREDIKAT_MATRIX[(Rating.SESUAI, Rating.SESUAI)] = Predikat.SANGAT_BAIK  # type: ignore[index]


def test_argument_order_matters() -> None:
    """Good results with bad behaviour is Kurang; bad results with good behaviour is not."""
    assert predikat(hasil_kerja="di_atas", perilaku="di_bawah") is Predikat.KURANG
    assert predikat(hasil_kerja="di_bawah", perilaku="di_atas") is Predikat.BUTUH_PERBAIKAN


def test_values_and_labels() -> None:
    assert [p.value for p in Predikat] == [
        "sangat_baik",
        "baik",
        "butuh_perbaikan",
        "kurang",
        "sangat_kurang",
    ]
    assert [p.label for p in Predikat] == [
        "Sangat Baik",
        "Baik",
        "Butuh Perbaikan",
        "Kurang/Misconduct",
        "Sangat Kurang",
    ]
    assert [r.value for r in Rating] == ["di_atas", "sesuai", "di_bawah"]
    assert Rating.DI_ATAS.label == "Di Atas Ekspektasi"
    assert Rating.SESUAI.label == "Sesuai Ekspektasi"
    assert Rating.DI_BAWAH.label == "Di Bawah Ekspektasi"


def test_enums_are_plain_strings() -> None:
    """StrEnum members store and compare as their value (database columns, JSON)."""
    assert Predikat.BAIK == "baik"
    assert str(Predikat.BUTUH_PERBAIKAN) == "butuh_perbaikan"
    assert Rating.DI_BAWAH == "di_bawah"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("di_atas", Rating.DI_ATAS),
        ("Di Atas", Rating.DI_ATAS),
        ("  DI-ATAS  ", Rating.DI_ATAS),
        ("Di Atas Ekspektasi", Rating.DI_ATAS),
        ("sesuai ekspektasi", Rating.SESUAI),
        ("SESUAI", Rating.SESUAI),
        ("di  bawah", Rating.DI_BAWAH),
        ("Di Bawah Ekspektasi", Rating.DI_BAWAH),
        (Rating.SESUAI, Rating.SESUAI),
    ],
)
def test_parse_rating_accepts_human_spellings(raw: str, expected: Rating) -> None:
    assert parse_rating(raw) is expected


@pytest.mark.parametrize(
    "bad",
    ["", "baik", "diatas", "above", "di_atas_sekali", "ekspektasi", None, 1, 2.0, True, ["sesuai"]],
)
def test_invalid_hasil_kerja(bad: object) -> None:
    with pytest.raises(ValueError, match="hasil_kerja must be one of 'di_atas', 'sesuai'"):
        predikat(bad, "sesuai")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "sangat baik", None, 0])
def test_invalid_perilaku(bad: object) -> None:
    with pytest.raises(ValueError, match="perilaku must be one of"):
        predikat("sesuai", bad)  # type: ignore[arg-type]


def test_predikat_value_is_not_a_rating() -> None:
    """A predikat string passed by mistake as a rating is refused, not coerced."""
    with pytest.raises(ValueError, match="got 'baik'"):
        predikat(Predikat.BAIK, "sesuai")  # type: ignore[arg-type]
