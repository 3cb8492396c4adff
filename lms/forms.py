"""The base of every form: WTForms' built-in messages in Indonesian (and English via the catalogue),
and values no column or calculation can take refused field by field.

WTForms ships no Indonesian catalogue, and Flask-WTF loads only WTForms' own, so a tampered or odd
submission (a checkbox value that is not a number, a choice not offered, a date typed by hand)
would otherwise be answered in English. Fields with their own message keep it.

WTForms also reads "NaN", "Infinity" and "1e309" as numbers and "0001-01-01" as a date; comparing
a NaN raises, no Numeric column takes an infinity or 1e309, and a year-1 date overflows when
converted to UTC. (Integers past the database's range are handled by ``db_int`` and the fields'
own ranges.) ``AppForm.validate`` takes such a value out before any
validator sees it and answers with a message on that field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField

from lms.imports import YEAR_MAX, YEAR_MIN

NUMBER_MAX = Decimal("9999999999.99")  # the widest Numeric column: Numeric(12, 2)

WTFORMS_MESSAGES = {
    "Not a valid choice.": _l("Pilihan tidak valid."),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak valid."),
    "Choices cannot be None.": _l("Pilihan tidak valid."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Pilihan tidak valid."),
    "'%(value)s' is not a valid choice for this field.": _l("Pilihan “%(value)s” tidak valid."),
    "'%(value)s' are not valid choices for this field.": _l("Pilihan “%(value)s” tidak valid."),
    "Invalid value, must be one of: %(values)s.": _l("Nilai tidak valid."),
    "This field is required.": _l("Isian ini wajib diisi."),
    "Field cannot be longer than %(max)d character.": _l("Isian paling panjang %(max)d karakter."),
    "Field cannot be longer than %(max)d characters.": _l("Isian paling panjang %(max)d karakter."),
    "Not a valid integer value.": _l("Harus berupa bilangan bulat."),
    "Not a valid decimal value.": _l("Harus berupa angka."),
    "Not a valid date value.": _l("Tanggal tidak valid; gunakan format TTTT-BB-HH."),
    "Not a valid datetime value.": _l("Waktu tidak valid."),
}


class WtformsMessages:
    """A translations object for WTForms: its English messages mapped to ours."""

    def gettext(self, string: str) -> str:
        return str(WTFORMS_MESSAGES.get(string, string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def unsafe_value_message(value: Any) -> str | None:
    """Why a parsed field value must not go further, or None when it may."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float | Decimal):
        if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()):
            return str(_l("Harus berupa angka biasa (bukan NaN atau tak hingga)."))
        if abs(Decimal(value)) > NUMBER_MAX:
            return str(_l("Angka terlalu besar."))
    elif isinstance(value, date) and not YEAR_MIN <= value.year <= YEAR_MAX:
        return str(_l("Tahun harus antara %(a)s dan %(b)s.", a=YEAR_MIN, b=YEAR_MAX))
    return None


def _leaf_fields(fields: Any) -> Any:
    for field in fields:
        if isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _leaf_fields(field.entries)
        else:
            yield field


class AppForm(FlaskForm):
    """FlaskForm (CSRF and all) whose WTForms messages speak the user's language."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> WtformsMessages:
            return WtformsMessages()

    def validate(self, extra_validators: Any = None) -> bool:
        """NaN and infinities leave the field before validators compare them (a Decimal NaN
        raises on comparison); other unsafe values keep the field's own message if it has one."""
        refused: dict[Field, str] = {}
        for field in _leaf_fields(self):
            values = field.data if isinstance(field.data, list) else [field.data]
            for value in values:
                message = unsafe_value_message(value)
                if message:
                    refused[field] = message
                    if _not_finite(value):
                        field.data = None
                    break
        ok = super().validate(extra_validators)
        for field, message in refused.items():
            if field.data is None or not field.errors:
                field.errors = [message]
        return ok and not refused


def _not_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, Decimal) and not value.is_finite()


class CsrfForm(AppForm):
    """No fields, only the CSRF token: the form behind every plain POST button (start, submit,
    delete, archive, confirm)."""


# --- confirming a destructive action -----------------------------------------------------------
#
# Resetting a password, disabling an account, revoking, deleting, cancelling: one click on such a
# button must not act. Its POST acts only with ``confirm=1``. Without it, the view answers with
# the confirmation page (``ask``), which says what will happen and posts the same request again,
# every field as it came, plus ``confirm=1``. So it needs no JavaScript and no extra route, a
# form with a reason (a revocation) keeps the reason, and a stray or scripted POST without the
# field changes nothing.


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page asks: the question, what will happen (one sentence each), the
    label of the button that acts, and where "Batal" goes back to."""

    question: str
    consequences: list[str]
    button: str
    back: str
    details: list[tuple[str, str]] = dataclass_field(
        default_factory=list
    )  # (label, value) of the object


def confirmed() -> bool:
    """Whether this POST came from the confirmation page (or a client that means it)."""
    return request.method == "POST" and request.form.get("confirm") == "1"


def ask(confirmation: Confirmation) -> tuple[str, int]:
    """The confirmation page for the current POST: nothing has been done."""
    carried = [(k, v) for k, v in request.form.items(multi=True) if k != "confirm"]
    action = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    return render_template("confirm.html", c=confirmation, carried=carried, action=action), 200
