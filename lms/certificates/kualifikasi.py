"""The kualifikasi printed on a certificate: LAN's score bands and pass rule, kept as data.

The bands and their lookup are ``lms.kualifikasi`` (shared with the workplace project's
assessment); this module keeps what is a certificate's own rule. A certificate is only issued to
someone who completed, so it may only show a *passing* band: a score in a non-passing band (or no
score at all) prints no kualifikasi, never "LULUS" nor a failing word next to a passing statement.
The word is the same on the PDF and the verification page because both read the frozen ``fields``.
"""

from __future__ import annotations

from decimal import Decimal

from lms.kualifikasi import (
    DEFAULT_FILE,
    Band,
    KualifikasiError,
    band_for,
    load_bands,
    parse_bands,
)

__all__ = [
    "DEFAULT_FILE",
    "Band",
    "KualifikasiError",
    "band_for",
    "load_bands",
    "parse_bands",
    "printed_kualifikasi",
]


def printed_kualifikasi(
    score: float | Decimal | None, bands: tuple[Band, ...] | None = None
) -> str:
    """What a certificate prints as kualifikasi: a passing band's name, or nothing."""
    band = band_for(score, bands if bands is not None else load_bands())
    return band.name if band is not None and band.passing else ""
