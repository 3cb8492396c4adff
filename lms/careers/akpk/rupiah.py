"""Rupiah amounts as Indonesians write them: ``Rp12.500.000`` (thousands with a dot, PUEBI: no
space after Rp), whatever the reader's language, since a budget is an Indonesian document.

Reading accepts what people type: ``12500000``, ``12.500.000``, ``Rp 12.500.000``,
``12.500.000,00``. A dot is always a thousands separator (``12.5`` is refused, not read as
twelve and a half, nor as 125); a comma starts the sen, which must be zero: a budget is in whole
Rupiah.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext as _

#: The widest budget column: Numeric(15, 0).
RUPIAH_MAX = Decimal("999999999999999")

_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PLAIN = re.compile(r"\d+")


class RupiahInvalid(ValueError):
    """Not an amount of Rupiah; the message says why (Indonesian)."""


def rupiah(amount: Decimal | int | None, blank: str = "–") -> str:
    """``Rp12.500.000``; a negative amount ``-Rp500``; None gives ``blank``."""
    if amount is None:
        return blank
    whole = int(Decimal(amount).to_integral_value())
    digits = f"{abs(whole):,}".replace(",", ".")
    return f"{'-' if whole < 0 else ''}Rp{digits}"


def parse_rupiah(text: str | None) -> Decimal | None:
    """The amount typed, or None when nothing was typed; ``RupiahInvalid`` when it is no amount."""
    raw = (text or "").strip()
    if not raw:
        return None
    cleaned = re.sub(r"^rp\.?\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
    whole, _comma, sen = cleaned.partition(",")
    if _comma and (not sen.isdigit() or len(sen) > 2 or int(sen) != 0):
        raise RupiahInvalid(
            _("Anggaran ditulis dalam Rupiah utuh, tanpa sen (misalnya 12.500.000).")
        )
    if _GROUPED.fullmatch(whole):
        whole = whole.replace(".", "")
    elif not _PLAIN.fullmatch(whole):
        if whole.startswith("-"):
            raise RupiahInvalid(_("Anggaran tidak boleh negatif."))
        raise RupiahInvalid(
            _("Anggaran harus berupa angka Rupiah, misalnya 12.500.000 atau Rp12.500.000.")
        )
    amount = Decimal(whole)
    if amount > RUPIAH_MAX:
        raise RupiahInvalid(_("Anggaran terlalu besar."))
    return amount
