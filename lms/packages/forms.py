"""Forms of the package pages: upload, approve, return."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.courses.models import COMPETENCY_KIND_LABELS
from lms.forms import AppForm

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class UploadForm(AppForm):
    file = FileField(
        _l("Paket modul (.zip)"),
        validators=[
            FileRequired(_l("Pilih berkas paket untuk diunggah.")),
            FileAllowed(["zip"], _l("Paket harus berupa berkas .zip.")),
        ],
    )
    code = StringField(
        _l("Kode modul"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(CODE_PATTERN, message=_l("Kode hanya huruf, angka, titik, _ dan -.")),
        ],
        description=_l(
            "Kosongkan untuk memakai identifier manifest. Kode yang sama membuat versi baru."
        ),
    )


class ApproveForm(AppForm):
    course_code = StringField(
        _l("Kode pelatihan"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(CODE_PATTERN, message=_l("Kode hanya huruf, angka, titik, _ dan -.")),
        ],
    )
    jp = DecimalField(
        _l("JP"), places=2, validators=[DataRequired(), NumberRange(min=0.5, max=2000)]
    )
    competency_kind = SelectField(
        _l("Jenis kompetensi"), choices=[(k, v) for k, v in COMPETENCY_KIND_LABELS.items()]
    )
    category = SelectField(_l("Kategori"))


class ReturnForm(AppForm):
    notes = TextAreaField(
        _l("Catatan untuk mitra"),
        validators=[DataRequired(_l("Tuliskan catatan perbaikan.")), Length(max=5000)],
    )
