"""Forms for attendance (ticked or uploaded), upload confirmation and revocation."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from lms.forms import AppForm
from lms.indonesian import local_today

DATE_MESSAGE = _l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")


def _int_or_zero(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def _not_future(_form: FlaskForm, field: DateField) -> None:
    if field.data and field.data > local_today():
        raise ValidationError(_l("Tanggal selesai tidak boleh di masa depan."))


class _CohortMixin:
    cohort_id = SelectField(
        _l("Angkatan (opsional)"),
        coerce=_int_or_zero,
        validate_choice=False,  # checked in the view against this course's cohorts
        description=_l("Hanya angkatan dari program yang memuat pelatihan ini."),
    )


class TickForm(_CohortMixin, AppForm):
    """The common fields; the ticked people and their scores are read from the roster rows."""

    completed_on = DateField(
        _l("Tanggal selesai"),
        default=date.today,
        validators=[InputRequired(_l("Tanggal selesai wajib diisi.")), _not_future],
        invalid_value_message=DATE_MESSAGE,
    )


class UploadForm(_CohortMixin, AppForm):
    file = FileField(
        _l("Berkas absensi (CSV atau XLSX)"),
        validators=[
            FileRequired(_l("Pilih berkas absensi untuk diunggah.")),
            FileAllowed(["csv", "xlsx"], _l("Format berkas harus .csv atau .xlsx.")),
        ],
    )
    default_date = DateField(
        _l("Tanggal selesai bawaan"),
        default=date.today,
        validators=[InputRequired(_l("Tanggal selesai bawaan wajib diisi.")), _not_future],
        invalid_value_message=DATE_MESSAGE,
        description=_l("Dipakai untuk baris yang kolom tanggalnya kosong."),
    )


class ConfirmForm(AppForm):
    key = HiddenField(validators=[DataRequired()])


class RevokeForm(AppForm):
    reason = TextAreaField(
        _l("Alasan pencabutan"),
        validators=[
            DataRequired(_l("Alasan pencabutan wajib diisi.")),
            Length(max=1000, message=_l("Alasan paling banyak 1000 karakter.")),
        ],
        description=_l(
            "Dicatat di riwayat, dikirim ke sistem lain, dan tampil di halaman verifikasi."
        ),
    )
