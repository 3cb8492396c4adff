"""Indonesian number words ("terbilang") for certificates.

A government training certificate states the lesson hours twice, in figures and in words
("20 (dua puluh) jam pelajaran"), so the words must follow the standard Indonesian reading
exactly, including the irregular "se-" forms (sepuluh, sebelas, seratus, seribu) and digit-by-digit
reading after the decimal comma. Everything here is pure and locale-independent on purpose: the
certificate must read the same whatever the server locale is.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["MAX_TERBILANG", "jp_in_words", "terbilang"]

_DIGITS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)

# Scale words per group of three digits; "triliun" (10**12) is the largest we need and support.
_SCALES = ("", "ribu", "juta", "miliar", "triliun")

#: Largest absolute value :func:`terbilang` spells out (999 triliun and change).
MAX_TERBILANG = 10 ** (3 * len(_SCALES)) - 1


def _below_thousand(n: int) -> str:
    """Spell 1..999; the caller handles zero, because zero groups are simply left out."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words.append(f"{_DIGITS[hundreds]} ratus")
    if rest == 0:
        pass
    elif rest < 10:
        words.append(_DIGITS[rest])
    elif rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif rest < 20:
        words.append(f"{_DIGITS[rest - 10]} belas")
    else:
        tens, units = divmod(rest, 10)
        words.append(f"{_DIGITS[tens]} puluh")
        if units:
            words.append(_DIGITS[units])
    return " ".join(words)


def terbilang(n: int) -> str:
    """Return the Indonesian words for the integer ``n``, in lowercase.

    ``terbilang(1_500_000) == "satu juta lima ratus ribu"``; zero is "nol" and negative numbers
    read "minus ...". Only 1000 takes the "se-" form among the scale words ("seribu", but
    "satu juta"), as in standard Indonesian.

    Raises:
        TypeError: if ``n`` is not an ``int`` (``bool`` is refused too, since ``True`` spelled as
            "satu" on a certificate would hide a bug).
        ValueError: if ``abs(n)`` exceeds :data:`MAX_TERBILANG`.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"terbilang() needs an int, got {type(n).__name__}")
    if n < 0:
        return f"minus {terbilang(-n)}"
    if n == 0:
        return "nol"
    if n > MAX_TERBILANG:
        raise ValueError(f"terbilang() supports numbers up to {MAX_TERBILANG}, got {n}")

    parts: list[str] = []
    scale = 0
    while n:
        n, group = divmod(n, 1000)
        if group:
            if scale == 1 and group == 1:
                parts.append("seribu")
            elif scale == 0:
                parts.append(_below_thousand(group))
            else:
                parts.append(f"{_below_thousand(group)} {_SCALES[scale]}")
        scale += 1
    return " ".join(reversed(parts))


def _to_decimal(value: int | Decimal | float) -> Decimal:
    """Convert JP to an exact Decimal; floats go through ``str`` so 2.5 stays 2.5, not 2.4999…"""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise TypeError(f"jp must be int, Decimal or float, got {type(value).__name__}")
    dec = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not dec.is_finite():
        raise ValueError(f"jp must be a finite number, got {value!r}")
    return dec


def _group_thousands(n: int) -> str:
    """Format an integer with the Indonesian thousands separator (a dot): 1000 -> "1.000"."""
    return f"{n:,}".replace(",", ".")


def jp_in_words(jp: int | Decimal | float) -> str:
    """Render lesson hours in figures and words, as printed on a certificate.

    ``jp_in_words(20) == "20 (dua puluh) jam pelajaran"`` and
    ``jp_in_words(Decimal("2.5")) == "2,5 (dua koma lima) jam pelajaran"``.

    Figures use Indonesian notation (decimal comma, dot between thousands). Trailing zeros are
    dropped, so ``Decimal("20.00")`` prints as a whole 20. Digits after the comma are read one by
    one ("2,25" -> "dua koma dua lima"), which is how Indonesian reads decimals aloud.

    Raises:
        TypeError: for anything other than int, Decimal or float (bool included).
        ValueError: for negative, NaN or infinite values; lesson hours cannot be negative.
    """
    dec = _to_decimal(jp)
    if dec < 0:
        raise ValueError(f"jp cannot be negative, got {jp!r}")

    whole = int(dec)
    fraction = dec - whole
    if fraction == 0:
        figures = _group_thousands(whole)
        words = terbilang(whole)
    else:
        # Exact fractional digits without an exponent and without trailing zeros.
        frac_digits = format(fraction.normalize(), "f").split(".", 1)[1]
        figures = f"{_group_thousands(whole)},{frac_digits}"
        frac_words = " ".join(_DIGITS[int(d)] for d in frac_digits)
        words = f"{terbilang(whole)} koma {frac_words}"
    return f"{figures} ({words}) jam pelajaran"
