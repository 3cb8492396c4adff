"""Predikat kinerja: the performance rating of an ASN appraisal (PermenPANRB 6/2022).

An evaluation rates two things, each as above / meets / below expectations: hasil kerja (work
results) and perilaku kerja (behaviour against the BerAKHLAK core values). The regulation fixes
the resulting predikat in a 3x3 matrix; that matrix is reproduced here exactly, as data, so it can
be rendered in the UI and tested cell by cell. It is deliberately asymmetric: weak behaviour
caps the result at "Kurang" however good the work results are, while weak work results with good
behaviour give "Butuh Perbaikan" (which should lead to a development plan).
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = ["PREDIKAT_MATRIX", "Predikat", "Rating", "parse_rating", "predikat"]


class Rating(StrEnum):
    """A rating of hasil kerja or perilaku kerja relative to the agreed expectations."""

    DI_ATAS = "di_atas"
    SESUAI = "sesuai"
    DI_BAWAH = "di_bawah"

    @property
    def label(self) -> str:
        """Indonesian label for forms and reports."""
        return _RATING_LABELS[self]


_RATING_LABELS: Final = MappingProxyType(
    {
        Rating.DI_ATAS: "Di Atas Ekspektasi",
        Rating.SESUAI: "Sesuai Ekspektasi",
        Rating.DI_BAWAH: "Di Bawah Ekspektasi",
    }
)


class Predikat(StrEnum):
    """The predikat kinerja, from best to worst (member order is the ranking)."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"

    @property
    def label(self) -> str:
        """Indonesian label as the regulation writes it."""
        return _PREDIKAT_LABELS[self]


_PREDIKAT_LABELS: Final = MappingProxyType(
    {
        Predikat.SANGAT_BAIK: "Sangat Baik",
        Predikat.BAIK: "Baik",
        Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
        Predikat.KURANG: "Kurang/Misconduct",
        Predikat.SANGAT_KURANG: "Sangat Kurang",
    }
)

#: (hasil_kerja, perilaku) -> predikat, exactly the PermenPANRB 6/2022 matrix. Read-only.
PREDIKAT_MATRIX: Final = MappingProxyType(
    {
        (Rating.DI_ATAS, Rating.DI_BAWAH): Predikat.KURANG,
        (Rating.DI_ATAS, Rating.SESUAI): Predikat.BAIK,
        (Rating.DI_ATAS, Rating.DI_ATAS): Predikat.SANGAT_BAIK,
        (Rating.SESUAI, Rating.DI_BAWAH): Predikat.KURANG,
        (Rating.SESUAI, Rating.SESUAI): Predikat.BAIK,
        (Rating.SESUAI, Rating.DI_ATAS): Predikat.BAIK,
        (Rating.DI_BAWAH, Rating.DI_BAWAH): Predikat.SANGAT_KURANG,
        (Rating.DI_BAWAH, Rating.SESUAI): Predikat.BUTUH_PERBAIKAN,
        (Rating.DI_BAWAH, Rating.DI_ATAS): Predikat.BUTUH_PERBAIKAN,
    }
)

_VALID_RATINGS: Final = ", ".join(repr(r.value) for r in Rating)


def parse_rating(value: Rating | str, field: str = "rating") -> Rating:
    """Turn a stored or typed rating into a :class:`Rating`.

    Accepts the enum, its value ("di_atas"), or the human forms found in imports and forms
    ("Di Atas", "di-atas", "Di Atas Ekspektasi"): case, spaces and hyphens are normalised and a
    trailing "ekspektasi" is dropped. Anything else is refused rather than guessed, because a
    wrong rating silently changes someone's appraisal.

    Raises:
        ValueError: naming ``field`` and the accepted values.
    """
    if isinstance(value, Rating):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"{field} must be one of {_VALID_RATINGS}, got {type(value).__name__} {value!r}"
        )
    key = "_".join(value.strip().lower().replace("-", " ").split())
    key = key.removesuffix("_ekspektasi")
    try:
        return Rating(key)
    except ValueError:
        # str(value): show a stray enum member (e.g. a Predikat) as its plain value.
        raise ValueError(f"{field} must be one of {_VALID_RATINGS}, got {str(value)!r}") from None


def predikat(hasil_kerja: Rating | str, perilaku: Rating | str) -> Predikat:
    """Return the predikat kinerja for a hasil kerja rating and a perilaku kerja rating.

    The argument order matters (the matrix is not symmetric); pass them by keyword when in doubt.

    Raises:
        ValueError: if either rating is not one of "di_atas", "sesuai", "di_bawah" (or an
            accepted spelling of them, see :func:`parse_rating`).
    """
    hk = parse_rating(hasil_kerja, "hasil_kerja")
    pk = parse_rating(perilaku, "perilaku")
    return PREDIKAT_MATRIX[(hk, pk)]
