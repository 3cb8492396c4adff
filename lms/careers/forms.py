"""Forms of the learning record, its verification and the development plan.

Fields only parse input (with Indonesian messages for what cannot be parsed); the rules live in
``lms.careers.services``, which names the field it refuses.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from lms.careers.services import ACTIVITY_LABELS, KIND_LABELS, REASON_LABELS
from lms.forms import AppForm

DATE_MESSAGE = _l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")
JP_MESSAGE = _l("JP harus berupa angka, misalnya 8 atau 2,5.")


def _int_or_none(value: object) -> int | None:
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


class OutsideRecordForm(AppForm):
    jenis_diklat_code = SelectField(
        _l("Jenis diklat (kode SIASN)"), coerce=_int_or_none, validate_choice=False
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


LEVEL_CHOICES = [(i, str(i)) for i in range(1, 6)]


class NeedForm(AppForm):
    competency = StringField(
        _l("Kompetensi yang dikembangkan"),
        validators=[Length(max=300)],
        description=_l("Misalnya: analisis data kepegawaian, pelayanan publik."),
    )
    kind = SelectField(
        _l("Jenis kompetensi"), choices=list(KIND_LABELS.items()), validate_choice=False
    )
    current_level = SelectField(
        _l("Level saat ini (1–5)"),
        choices=LEVEL_CHOICES,
        coerce=_int_or_none,
        validate_choice=False,
    )
    target_level = SelectField(
        _l("Level target (1–5)"), choices=LEVEL_CHOICES, coerce=_int_or_none, validate_choice=False
    )
    reason = SelectField(_l("Alasan"), choices=list(REASON_LABELS.items()), validate_choice=False)
    note = TextAreaField(_l("Catatan"), validators=[Length(max=2000)])


class ActivityForm(AppForm):
    kind = SelectField(
        _l("Bentuk kegiatan"), choices=list(ACTIVITY_LABELS.items()), validate_choice=False
    )
    need_id = SelectField(_l("Untuk kebutuhan"), coerce=_int_or_none, validate_choice=False)
    course_id = SelectField(_l("Pelatihan di katalog"), coerce=_int_or_none, validate_choice=False)
    cohort_id = SelectField(_l("Angkatan program"), coerce=_int_or_none, validate_choice=False)
    other_text = StringField(
        _l("Uraian kegiatan lainnya"),
        validators=[Length(max=300)],
        description=_l("Misalnya coaching oleh atasan atau magang di instansi lain."),
    )
    jenis_diklat_code = SelectField(
        _l("Jenis diklat (untuk kegiatan lainnya)"), coerce=_int_or_none, validate_choice=False
    )
    target_jp = CommaDecimalField(
        _l("Target JP"),
        places=2,
        validators=[Optional()],
        invalid_value_message=JP_MESSAGE,
        description=_l("Kosongkan untuk pelatihan katalog: JP pelatihan dipakai."),
    )
    deadline = DateField(_l("Tenggat"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)


class DecisionForm(AppForm):
    comment = TextAreaField(
        _l("Catatan untuk pegawai"),
        validators=[Length(max=2000, message=_l("Catatan paling banyak 2000 karakter."))],
        description=_l("Wajib diisi bila rencana dikembalikan."),
    )
    agree = SubmitField(_l("Setujui rencana"))
    send_back = SubmitField(_l("Kembalikan untuk diperbaiki"))
