"""Forms of the question bank: the file upload (checked, then previewed) and its confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.forms import AppForm

TYPE_LABELS = {
    "single_choice": _l("Pilihan ganda"),
    "multiple_response": _l("Pilihan ganda kompleks"),
    "true_false": _l("Benar/salah"),
    "short_answer": _l("Isian singkat"),
    "numeric": _l("Numerik"),
    "matching": _l("Menjodohkan"),
    "fill_blank": _l("Isian rumpang"),
    "essay": _l("Esai"),
}

FORMAT_LABELS = {
    "gift": _l("GIFT (Moodle)"),
    "aiken": _l("Aiken"),
}


class BankImportForm(AppForm):
    file = FileField(
        _l("Berkas soal (GIFT atau Aiken, UTF-8)"),
        validators=[
            FileRequired(_l("Pilih berkas soal untuk diunggah.")),
            FileAllowed(["txt", "gift"], _l("Berkas soal harus berakhiran .txt atau .gift.")),
        ],
    )
    format = SelectField(
        _l("Format berkas"),
        choices=list(FORMAT_LABELS.items()),
        validators=[DataRequired(_l("Pilih format berkas."))],
    )
    category = StringField(
        _l("Kategori"),
        validators=[Optional(), Length(max=255, message=_l("Kategori paling panjang 255 huruf."))],
        description=_l(
            "Untuk soal yang kategorinya tidak disebut di berkas ($CATEGORY pada GIFT). Boleh kosong."
        ),
    )


class BankConfirmForm(AppForm):
    key = HiddenField(validators=[DataRequired()])
