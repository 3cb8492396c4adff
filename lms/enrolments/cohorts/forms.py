"""Forms for programmes and cohorts. Fields only parse input; the rules live in
``cohorts.services`` (shared with the content loader), which names the field it refuses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import AppForm

APPROVAL_LABELS = {
    "supervisor,hr": _l("Atasan langsung, lalu BKPSDM"),
    "supervisor": _l("Atasan langsung saja"),
    "hr": _l("BKPSDM saja"),
    "": _l("Tanpa persetujuan (langsung terdaftar)"),
}
DATE_MESSAGE = _l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProgrammeForm(AppForm):
    code = StringField(
        _l("Kode program"),
        validators=[DataRequired(_l("Kode program wajib diisi.")), Length(max=40)],
        description=_l("Huruf besar, angka, dan tanda hubung, misalnya PKP."),
    )
    title = StringField(
        _l("Nama program"),
        validators=[DataRequired(_l("Nama program wajib diisi.")), Length(max=200)],
    )
    summary = TextAreaField(_l("Ringkasan"), validators=[Length(max=4000)])
    jenis_diklat = SelectField(
        _l("Jenis diklat (SIASN)"), validators=[Optional()], validate_choice=False
    )
    kind = SelectField(
        _l("Jenis program"),
        validate_choice=False,
        description=_l(
            "Latsar, PKP, PKA, PKN, atau program pengembangan instansi sendiri. Jenis program "
            "menentukan tahapan bawaan angkatan baru, syarat peserta bawaan, dan proyek "
            "perubahan yang wajib dinilai."
        ),
    )
    jp = IntegerField(
        _l("Jam pelajaran (JP) program"),
        validators=[Optional()],
        invalid_value_message=_l("JP harus bilangan bulat."),
        description=_l(
            "JP program sendiri, dihitung sekali (pelatihan di dalamnya tidak menambah lagi). "
            "Kosongkan untuk memakai JP bawaan jenis program."
        ),
    )
    courses = FieldList(
        SelectField(_l("Pelatihan"), validators=[Optional()], validate_choice=False),
        min_entries=1,
    )


class PhaseForm(Form):
    name = StringField(_l("Nama tahap"), validators=[Length(max=200)])
    kind = SelectField(_l("Jenis tahap"), validate_choice=False)
    jp = IntegerField(
        _l("JP"), validators=[Optional()], invalid_value_message=_l("JP harus bilangan bulat.")
    )
    days = IntegerField(
        _l("Lama (hari)"),
        validators=[Optional()],
        invalid_value_message=_l("Lama tahap harus bilangan bulat (hari)."),
    )
    starts_on = DateField(_l("Mulai"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    ends_on = DateField(_l("Selesai"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)


class CohortForm(AppForm):
    code = StringField(
        _l("Kode angkatan"),
        validators=[DataRequired(_l("Kode angkatan wajib diisi.")), Length(max=40)],
        description=_l("Misalnya PKP-2026-II."),
    )
    name = StringField(
        _l("Nama angkatan"),
        validators=[DataRequired(_l("Nama angkatan wajib diisi.")), Length(max=200)],
        description=_l("Misalnya Angkatan II Tahun 2026."),
    )
    starts_on = DateField(
        _l("Tanggal mulai"),
        validators=[InputRequired(_l("Tanggal mulai wajib diisi."))],
        invalid_value_message=DATE_MESSAGE,
    )
    ends_on = DateField(
        _l("Tanggal selesai"),
        validators=[InputRequired(_l("Tanggal selesai wajib diisi."))],
        invalid_value_message=DATE_MESSAGE,
    )
    enrol_deadline = DateField(
        _l("Batas pendaftaran"),
        validators=[Optional()],
        invalid_value_message=DATE_MESSAGE,
        description=_l("Kosongkan bila pendaftaran dibuka sampai angkatan berakhir."),
    )
    quota = IntegerField(
        _l("Kuota peserta"),
        validators=[Optional()],
        invalid_value_message=_l("Kuota harus bilangan bulat."),
        description=_l("Kosongkan bila tanpa batas. Peserta di atas kuota masuk daftar tunggu."),
    )
    place = StringField(_l("Tempat"), validators=[Length(max=200)])
    organiser = SelectField(
        _l("Penyelenggara"),
        validate_choice=False,
        description=_l(
            "BKPSDM atau lembaga mitra. Staf mitra penyelenggara dapat mencatat kehadiran "
            "tahapan dan menutup angkatan."
        ),
    )
    approval_steps = SelectField(
        _l("Persetujuan usulan peserta"),
        choices=list(APPROVAL_LABELS.items()),
        validate_choice=False,
    )
    position_types = MultiCheckboxField(_l("Jenis jabatan yang boleh ikut"), validate_choice=False)
    min_grade = SelectField(_l("Golongan minimal"), validators=[Optional()], validate_choice=False)
    phases = FieldList(FormField(PhaseForm), min_entries=1)


class AddMemberForm(AppForm):
    nip = StringField(
        _l("NIP pegawai"),
        validators=[DataRequired(_l("Isi NIP pegawai yang akan ditambahkan.")), Length(max=25)],
    )


class NominateForm(AppForm):
    employee_id = SelectField(_l("Pegawai yang diusulkan"), validate_choice=False)


class DecisionForm(AppForm):
    decision = HiddenField(validators=[DataRequired(_l("Pilih setujui atau tolak."))])
    comment = StringField(_l("Catatan"), validators=[Length(max=500)])


def nominate_form(cohort: Any, team: Sequence[Any]) -> NominateForm:
    """The "usulkan" form of one cohort on the programme page, offering the supervisor's team."""
    form = NominateForm(prefix=f"c{cohort.id}")
    form.employee_id.choices = [(str(e.id), e.display_name) for e in team]
    return form
