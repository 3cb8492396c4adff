"""Forms of the development plan: a need, an activity, the supervisor's decision.

Fields only parse input; the rules live in ``lms.careers.plans.services``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from lms.careers.forms import DATE_MESSAGE, JP_MESSAGE, CommaDecimalField, int_or_none
from lms.careers.plans.services import ACTIVITY_LABELS, REASON_LABELS
from lms.careers.records.services import KIND_LABELS
from lms.forms import AppForm

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
        coerce=int_or_none,
        validate_choice=False,
    )
    target_level = SelectField(
        _l("Level target (1–5)"), choices=LEVEL_CHOICES, coerce=int_or_none, validate_choice=False
    )
    reason = SelectField(_l("Alasan"), choices=list(REASON_LABELS.items()), validate_choice=False)
    note = TextAreaField(_l("Catatan"), validators=[Length(max=2000)])


class ActivityForm(AppForm):
    kind = SelectField(
        _l("Bentuk kegiatan"), choices=list(ACTIVITY_LABELS.items()), validate_choice=False
    )
    need_id = SelectField(_l("Untuk kebutuhan"), coerce=int_or_none, validate_choice=False)
    course_id = SelectField(_l("Pelatihan di katalog"), coerce=int_or_none, validate_choice=False)
    cohort_id = SelectField(_l("Angkatan program"), coerce=int_or_none, validate_choice=False)
    other_text = StringField(
        _l("Uraian kegiatan lainnya"),
        validators=[Length(max=300)],
        description=_l("Misalnya coaching oleh atasan atau magang di instansi lain."),
    )
    jenis_diklat_code = SelectField(
        _l("Jenis diklat (untuk kegiatan lainnya)"), coerce=int_or_none, validate_choice=False
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
