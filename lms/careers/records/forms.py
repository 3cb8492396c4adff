"""Forms of the learning record and its verification.

Fields only parse input (with Indonesian messages for what cannot be parsed); the rules live in
``lms.careers.records.services``, which names the field it refuses.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from lms.careers.forms import DATE_MESSAGE, JP_MESSAGE, CommaDecimalField, int_or_none
from lms.careers.records.services import KIND_LABELS
from lms.forms import AppForm


class OutsideRecordForm(AppForm):
    jenis_diklat_code = SelectField(
        _l("Jenis diklat (kode SIASN)"), coerce=int_or_none, validate_choice=False
    )
    name = StringField(_l("Nama kegiatan"), validators=[Length(max=300)])
    organiser = StringField(_l("Penyelenggara"), validators=[Length(max=300)])
    starts_on = DateField(
        _l("Tanggal mulai"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    ends_on = DateField(
        _l("Tanggal selesai"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    jp = CommaDecimalField(
        _l("Jam pelajaran (JP)"),
        places=2,
        validators=[Optional()],
        invalid_value_message=JP_MESSAGE,
        description=_l("1 JP = 45 menit."),
    )
    competency_kind = SelectField(
        _l("Jenis kompetensi"), choices=list(KIND_LABELS.items()), validate_choice=False
    )
    certificate_number = StringField(_l("Nomor sertifikat"), validators=[Length(max=100)])
    evidence = FileField(
        _l("Berkas bukti (PDF, PNG, atau JPEG; maksimal 5 MB)"),
        description=_l("Sertifikat, surat tugas, atau laporan kegiatan."),
        render_kw={"accept": "application/pdf,image/png,image/jpeg"},
    )


class ReviewForm(AppForm):
    reason = TextAreaField(
        _l("Alasan (wajib bila ditolak)"),
        validators=[Length(max=1000, message=_l("Alasan paling banyak 1000 karakter."))],
    )
    verify = SubmitField(_l("Verifikasi"))
    reject = SubmitField(_l("Tolak"))
