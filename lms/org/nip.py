"""NIP (Nomor Induk Pegawai) validation.

PNS layout, 18 digits: ``YYYYMMDD YYYYMM G NNN`` = birth date, year and month of first
appointment as CPNS, gender (1 male, 2 female), sequence from 001.
PPPK numbers are also 18 digits but their layout is unconfirmed: in the numbers seen, the
two digits after the appointment year are not a month (for example ``21``), so they get a
looser rule: a valid birth date, a plausible year, a gender digit and a sequence.

Which rule applies is decided by the employee's kind (a field on the employee, chosen by HR),
never guessed from the number: without a kind, or for PNS and CPNS, the PNS layout is checked
strictly, so a typo such as month 00 or 13 is an error instead of silently making a PPPK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from lms.indonesian import local_today


class NipError(ValueError):
    """An invalid NIP; the message says what is wrong, in the user's language."""


@dataclass(frozen=True)
class NipInfo:
    digits: str
    kind: str  # "pns" (also for CPNS) or "pppk": the rule the number was checked by
    birth_date: date
    appointed_year: int
    appointed_month: int | None
    gender: str  # "L" or "P"
    sequence: int


def normalise_nip(raw: str) -> str:
    return "".join(str(raw).split())


def format_nip(digits: str) -> str:
    """``197001011995031001`` → ``19700101 199503 1 001``."""
    if len(digits) != 18:
        return digits
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def _safe_translate(message: str, **kwargs: object) -> str:
    """Translate when a Flask app is active (views); plain Indonesian otherwise (pure tests)."""
    try:
        return _(message, **kwargs)
    except (RuntimeError, KeyError):
        return message % kwargs if kwargs else message


def parse_nip(raw: str, kind: str | None = None, today: date | None = None) -> NipInfo:
    """Validate a NIP and return its parts; raise ``NipError`` saying what is wrong.

    ``kind`` is the employee's kind ("pns", "cpns" or "pppk"); only "pppk" selects the looser
    PPPK rule. ``None`` (kind not known, e.g. a NIP typed into a search or a certificate form)
    means the strict PNS layout.
    """
    today = today or local_today()
    digits = normalise_nip(raw)
    if not digits:
        raise NipError(_safe_translate("NIP wajib diisi."))
    if not digits.isdigit() or not digits.isascii():
        raise NipError(_safe_translate("NIP hanya boleh berisi angka."))
    if len(digits) != 18:
        raise NipError(_safe_translate("NIP harus 18 digit (terisi %(n)s digit).", n=len(digits)))
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise NipError(
            _safe_translate("Tanggal lahir pada NIP (%(d)s) tidak ada.", d=digits[:8])
        ) from None
    age = (today - birth).days // 365
    if birth > today or age < 17 or age > 80:
        raise NipError(
            _safe_translate("Tanggal lahir pada NIP (%(d)s) tidak masuk akal.", d=digits[:8])
        )
    year = int(digits[8:12])
    month_part = int(digits[12:14])
    kind = "pppk" if kind == "pppk" else "pns"
    if year < birth.year + 15 or year > today.year + 1:
        raise NipError(
            _safe_translate(
                "Tahun pengangkatan pada NIP (%(y)s) tidak sesuai dengan tanggal lahir.", y=year
            )
        )
    appointed_month: int | None = None
    if kind == "pns":
        if not 1 <= month_part <= 12:
            raise NipError(
                _safe_translate(
                    "Bulan pengangkatan pada NIP (%(m)s) harus 01 sampai 12. Untuk pegawai "
                    "PPPK, pilih status kepegawaian PPPK.",
                    m=digits[12:14],
                )
            )
        appointed_month = month_part
        if date(year, month_part, 1) > today.replace(day=1) and year > today.year:
            raise NipError(_safe_translate("Tanggal pengangkatan pada NIP di masa depan."))
    gender_digit = digits[14]
    if gender_digit not in "12":
        raise NipError(
            _safe_translate(
                "Digit jenis kelamin pada NIP (%(g)s) harus 1 (laki-laki) atau 2 (perempuan).",
                g=gender_digit,
            )
        )
    sequence = int(digits[15:])
    if sequence == 0:
        raise NipError(_safe_translate("Nomor urut pada NIP tidak boleh 000."))
    return NipInfo(
        digits=digits,
        kind=kind,
        birth_date=birth,
        appointed_year=year,
        appointed_month=appointed_month,
        gender="L" if gender_digit == "1" else "P",
        sequence=sequence,
    )


def is_valid_nip(raw: str, kind: str | None = None) -> bool:
    try:
        parse_nip(raw, kind)
    except NipError:
        return False
    return True
