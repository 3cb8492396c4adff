"""Forms of the workplace project. Fields only parse input; the rules live in the services, which
name the field they refuse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.forms import AppForm

DATE_MESSAGE = _l("Tanggal tidak valid; gunakan format TTTT-BB-HH.")
TEXT = [Length(max=5000, message=_l("Isian paling panjang 5000 karakter."))]
MILESTONE_ROWS = 6


class MilestoneForm(Form):
    title = StringField(_l("Kegiatan"), validators=[Length(max=300)])
    due_on = DateField(
        _l("Target selesai"), validators=[Optional()], invalid_value_message=DATE_MESSAGE
    )


class ProposalForm(AppForm):
    title = StringField(
        _l("Judul proyek"),
        validators=[Length(max=300, message=_l("Judul paling panjang 300 karakter."))],
    )
    problem = TextAreaField(
        _l("Masalah / isu yang diangkat"),
        validators=TEXT,
        description=_l("Kondisi saat ini di unit kerja dan mengapa perlu diubah."),
    )
    stakeholders = TextAreaField(
        _l("Pemangku kepentingan"),
        validators=TEXT,
        description=_l("Siapa yang terlibat atau terdampak, dan perannya."),
    )
    expected_change = TextAreaField(
        _l("Perubahan yang diharapkan"),
        validators=TEXT,
        description=_l("Hasil dan manfaat yang dituju setelah proyek selesai."),
    )
    milestones = FieldList(FormField(MilestoneForm), min_entries=MILESTONE_ROWS)
    save = SubmitField(_l("Simpan rancangan"))


class ReviewForm(AppForm):
    comment = TextAreaField(
        _l("Catatan untuk peserta"),
        validators=TEXT,
        description=_l("Wajib diisi bila rancangan dikembalikan."),
    )
    approve = SubmitField(_l("Setujui rancangan"))
    send_back = SubmitField(_l("Kembalikan untuk perbaikan"))


class EntryForm(AppForm):
    milestone = SelectField(_l("Milestone"), coerce=int, validate_choice=False)
    done_on = DateField(
        _l("Tanggal kegiatan"),
        validators=[InputRequired(_l("Isi tanggal kegiatan."))],
        invalid_value_message=DATE_MESSAGE,
    )
    activity = TextAreaField(
        _l("Uraian kegiatan dan hasilnya"),
        validators=TEXT,
        description=_l("Apa yang dikerjakan, bersama siapa, dan apa keluarannya."),
    )
    files = MultipleFileField(
        _l("Berkas bukti (PDF, PNG, JPEG, DOCX, XLSX, PPTX; maksimal 5 MB per berkas, 3 berkas)"),
        description=_l("Foto kegiatan, notulen, surat, laporan, atau keluaran lain."),
        render_kw={
            "accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx",
            "multiple": True,
        },
    )


class DecisionForm(AppForm):
    comment = TextAreaField(
        _l("Catatan mentor"),
        validators=TEXT,
        description=_l("Wajib diisi bila catatan dikembalikan."),
    )
    confirm = SubmitField(_l("Konfirmasi"))
    send_back = SubmitField(_l("Kembalikan"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SeminarForm(AppForm):
    starts_at = DateTimeLocalField(
        _l("Tanggal dan jam seminar"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Isi tanggal dan jam seminar."))],
        invalid_value_message=_l("Waktu tidak valid; gunakan format TTTT-BB-HH JJ:MM."),
    )
    place = StringField(_l("Tempat"), validators=[Length(max=200)])
    examiners = MultiCheckboxField(_l("Penguji"), coerce=int, validate_choice=False)


class AssessmentForm(AppForm):
    """One IntegerField per rubric criterion is added by ``assessment_form``."""

    comment = TextAreaField(_l("Catatan penilaian (boleh dikosongkan)"), validators=TEXT)


def assessment_form(criteria) -> AssessmentForm:
    """A form with a 0-100 score field per criterion of the rubric (``score_<code>``)."""

    class Scores(AssessmentForm):
        pass

    for criterion in criteria:
        setattr(
            Scores,
            f"score_{criterion.code}",
            IntegerField(
                criterion.name,
                validators=[
                    InputRequired(_l("Isi nilai 0 sampai 100.")),
                    NumberRange(0, 100, _l("Nilai harus 0 sampai 100.")),
                ],
                render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
            ),
        )
    return Scores()
