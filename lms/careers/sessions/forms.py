"""Forms of non-classroom sessions. Fields only parse input; the rules live in the services,
which name the field they refuse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from lms.careers.forms import DATE_MESSAGE, int_or_none
from lms.careers.records.services import KIND_LABELS
from lms.forms import AppForm


class _SessionFields(AppForm):
    form_code = SelectField(_l("Bentuk pembelajaran"), coerce=int_or_none, validate_choice=False)
    held_on = DateField(
        _l("Tanggal sesi"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )
    minutes = IntegerField(
        _l("Durasi (menit)"),
        validators=[Optional()],
        description=_l("1 JP = 45 menit; JP yang diakui dibulatkan ke bawah per 0,5 JP."),
    )
    topic = StringField(_l("Topik"), validators=[Length(max=300)])
    agreed = TextAreaField(
        _l("Hasil dan kesepakatan"),
        validators=[Length(max=5000)],
        description=_l("Apa yang dibahas, apa yang disepakati, dan tindak lanjutnya."),
    )
    competency_kind = SelectField(
        _l("Jenis kompetensi"), choices=list(KIND_LABELS.items()), validate_choice=False
    )
    evidence = FileField(
        _l("Berkas bukti (PDF, PNG, atau JPEG; maksimal 5 MB)"),
        description=_l("Notulen, foto kegiatan, surat tugas, atau laporan."),
        render_kw={"accept": "application/pdf,image/png,image/jpeg"},
    )


class SessionForm(_SessionFields):
    """The employee logs their own session."""

    coach_user_id = SelectField(
        _l("Coach/mentor (dengan akun)"), coerce=int_or_none, validate_choice=False
    )
    coach_name = StringField(
        _l("Atau nama pendamping tanpa akun"),
        validators=[Length(max=200)],
        description=_l("Mis. narasumber dari instansi lain; sesi seperti ini dikonfirmasi atasan."),
    )
    plan_id = SelectField(_l("Rencana pendampingan"), coerce=int_or_none, validate_choice=False)


class CoachSessionForm(_SessionFields):
    """The coach logs a session for one of their coachees."""

    employee_id = SelectField(
        _l("Pegawai yang didampingi"), coerce=int_or_none, validate_choice=False
    )
    on_plan = BooleanField(
        _l("Catat pada rencana pendampingan pegawai ini (bila ada yang berjalan)"), default=True
    )


class DecisionForm(AppForm):
    reason = TextAreaField(
        _l("Alasan (wajib bila dikembalikan)"),
        validators=[Length(max=1000, message=_l("Alasan paling banyak 1000 karakter."))],
    )
    confirm = SubmitField(_l("Konfirmasi"))
    send_back = SubmitField(_l("Kembalikan"))


class CommunityClaimForm(AppForm):
    """A member's claim of JP for a month of taking part in a community of practice."""

    month = SelectField(_l("Bulan"), validate_choice=False)
    minutes = IntegerField(
        _l("Waktu yang dicurahkan (menit)"),
        validators=[Optional()],
        description=_l(
            "Waktu membaca, menulis, dan berdiskusi di komunitas pada bulan itu; 1 JP = 45 menit."
        ),
    )
    topic = StringField(_l("Topik"), validators=[Length(max=300)])
