"""LAN's kualifikasi bands (Sangat Memuaskan ... Tidak Memuaskan) and their pass rule, kept as data.

The bands live in ``content/reference/kualifikasi.yaml`` (the app setting
``CERTIFICATE_KUALIFIKASI_FILE`` may point elsewhere). Two features read them: a certificate
prints a passing band (``lms.certificates.kualifikasi``), and a workplace project's final rubric
score gets its band and pass/fail from them (``lms.leadership.projects``). Pure parsing and
lookup, so it sits with the shared helpers at the bottom: neither feature imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from flask import current_app, has_app_context

from config import BASE_DIR

DEFAULT_FILE = BASE_DIR / "content" / "reference" / "kualifikasi.yaml"


class KualifikasiError(ValueError):
    """The bands file is unusable; the message names the file and the band."""


@dataclass(frozen=True)
class Band:
    name: str
    above: Decimal | None  # the score must exceed this; None = every lower score (the last band)
    passing: bool


def parse_bands(data: object, source: str = "kualifikasi.yaml") -> tuple[Band, ...]:
    """Validate the YAML structure: bounds strictly descending, one catch-all band last, and
    every passing band above every non-passing one (so "passing" is a single score threshold)."""
    rows = data.get("bands") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows:
        raise KualifikasiError(f"{source}: daftar 'bands' kosong atau tidak ada.")
    bands: list[Band] = []
    for number, row in enumerate(rows, start=1):
        where = f"{source}, band ke-{number}"
        if not isinstance(row, dict) or not str(row.get("name") or "").strip():
            raise KualifikasiError(f"{where}: 'name' wajib diisi.")
        passing = row.get("passing")
        if not isinstance(passing, bool):
            raise KualifikasiError(f"{where}: 'passing' harus true atau false.")
        above = row.get("above")
        if above is not None:
            try:
                above = Decimal(str(above))
            except InvalidOperation:
                raise KualifikasiError(f"{where}: 'above' harus angka.") from None
            if not above.is_finite() or not 0 <= above < 100:
                raise KualifikasiError(f"{where}: 'above' harus di antara 0 dan 100.")
        bands.append(Band(str(row["name"]).strip(), above, passing))
    *upper, last = bands
    if last.above is not None:
        raise KualifikasiError(f"{source}: band terakhir tidak boleh punya 'above'.")
    for index, band in enumerate(upper):
        if band.above is None:
            raise KualifikasiError(f"{source}, band ke-{index + 1}: 'above' wajib diisi.")
        if index and band.above >= upper[index - 1].above:
            raise KualifikasiError(f"{source}, band ke-{index + 1}: 'above' harus menurun.")
    for higher, lower in zip(bands, bands[1:], strict=False):
        if lower.passing and not higher.passing:
            raise KualifikasiError(
                f"{source}: band lulus '{lower.name}' berada di bawah band tidak lulus."
            )
    return tuple(bands)


_cache: dict[Path, tuple[float, tuple[Band, ...]]] = {}


def load_bands(path: Path | str | None = None) -> tuple[Band, ...]:
    """The bands of a file (re-read when the file changes)."""
    path = Path(path) if path else _configured_file()
    mtime = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        with open(path, encoding="utf-8") as fh:
            cached = (mtime, parse_bands(yaml.safe_load(fh), path.name))
        _cache[path] = cached
    return cached[1]


def _configured_file() -> Path:
    if has_app_context() and current_app.config.get("CERTIFICATE_KUALIFIKASI_FILE"):
        return Path(current_app.config["CERTIFICATE_KUALIFIKASI_FILE"])
    return DEFAULT_FILE


def band_for(score: float | Decimal | None, bands: tuple[Band, ...]) -> Band | None:
    """The band a score falls in (None without a score)."""
    if score is None:
        return None
    value = Decimal(str(score))
    for band in bands:
        if band.above is None or value > band.above:
            return band
    return bands[-1]
