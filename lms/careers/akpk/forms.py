"""Forms of the agency plan: an item, and BKPSDM's decision on a proposal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from lms.careers.forms import JP_MESSAGE, CommaDecimalField, int_or_none
from lms.courses.models import COMPETENCY_KIND_LABELS
from lms.forms import AppForm


def str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "", "None") else None


class ItemForm(AppForm):
    unit_id = SelectField(_l("Perangkat daerah"), coerce=int_or_none, validate_choice=False)
    competency = StringField(_l("Kompetensi yang dikembangkan"), validators=[Length(max=300)])
    kind = SelectField(
        _l("Jenis kompetensi"),
        choices=list(COMPETENCY_KIND_LABELS.items()),
        default="teknis",
        validate_choice=False,
    )
    level_code = SelectField(
        _l("Jenjang jabatan sasaran"), coerce=str_or_none, validate_choice=False
    )
    activity = SelectField(
        _l("Bentuk kegiatan"),
        choices=[("course", _l("Pelatihan")), ("cohort", _l("Angkatan program"))],
        default="course",
        validate_choice=False,
    )
    course_id = SelectField(
        _l("Pelatihan di katalog"),
        coerce=int_or_none,
        validate_choice=False,
        description=_l("Kosongkan untuk pelatihan baru yang belum ada di katalog."),
    )
    cohort_id = SelectField(
        _l("Angkatan yang sudah ada"),
        coerce=int_or_none,
        validate_choice=False,
        description=_l("Kosongkan untuk angkatan baru."),
    )
    title = StringField(
        _l("Nama kegiatan"),
        validators=[Length(max=200)],
        description=_l(
            "Wajib untuk pelatihan atau angkatan baru; selain itu diambil dari katalog."
        ),
    )
    target_count = IntegerField(_l("Jumlah peserta"), validators=[Optional()])
    participants = TextAreaField(
        _l("Peserta bernama (boleh dikosongkan)"),
        description=_l("Satu pegawai per baris: NIP di awal baris, nama boleh menyusul."),
        render_kw={"rows": 6},
    )
    jp = CommaDecimalField(
        _l("JP per peserta"),
        places=2,
        validators=[Optional()],
        invalid_value_message=JP_MESSAGE,
        description=_l("Kosongkan untuk memakai JP pelatihan atau program yang dipilih."),
    )
    quarter = SelectField(_l("Triwulan pelaksanaan"), coerce=int_or_none, validate_choice=False)
    month = SelectField(_l("Bulan (boleh dikosongkan)"), coerce=int_or_none, validate_choice=False)
    budget = StringField(
        _l("Anggaran (Rp)"),
        validators=[Length(max=40)],
        description=_l("Rupiah utuh, misalnya 12.500.000; tulis 0 bila tanpa biaya."),
    )
    note = TextAreaField(_l("Catatan"), validators=[Length(max=2000)], render_kw={"rows": 3})
    save = SubmitField(_l("Simpan"))


class DecisionForm(AppForm):
    note = TextAreaField(_l("Catatan untuk perangkat daerah"), validators=[Length(max=2000)])
    accept = SubmitField(_l("Terima ke rencana"))
    reject = SubmitField(_l("Tolak"))
