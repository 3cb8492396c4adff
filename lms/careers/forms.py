"""Form pieces every careers sub-feature uses: Indonesian number and date input, a bare POST."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField

from lms.forms import AppForm

DATE_MESSAGE = _l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")
JP_MESSAGE = _l("JP harus berupa angka, misalnya 8 atau 2,5.")


def int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class CommaDecimalField(DecimalField):
    """Accepts the Indonesian decimal comma ("2,5") as well as a point."""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist:
            valuelist = [str(v).strip().replace(",", ".") for v in valuelist]
        super().process_formdata(valuelist)


class ActionForm(AppForm):
    """A POST with nothing but the CSRF token (withdraw, delete, submit)."""
