"""The base of every form: WTForms' built-in messages in Indonesian (and English via the catalogue).

WTForms ships no Indonesian catalogue, and Flask-WTF loads only WTForms' own, so a tampered or odd
submission (a checkbox value that is not a number, a choice not offered, a date typed by hand)
would otherwise be answered in English. Fields with their own message keep it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

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


class AppForm(FlaskForm):
    """FlaskForm (CSRF and all) whose WTForms messages speak the user's language."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> WtformsMessages:  # noqa: ARG002
            return WtformsMessages()
