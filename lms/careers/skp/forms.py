"""Forms of the SKP screens, the appraisal import and the career view.

Fields only parse input; the rules (and their Indonesian messages) live in
``lms.careers.skp.services``, which names the field it refuses.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.careers.forms import CommaDecimalField
from lms.careers.skp.schedule import EVALUATION_PERIOD_LABELS
from lms.careers.skp.services import BERAKHLAK, FEEDBACK_LABELS, RATING_LABELS
from lms.db import db_int
from lms.forms import AppForm

NOTE_LENGTH = Length(max=2000, message=_l("Catatan paling banyak 2000 karakter."))
TEXT_LENGTH = Length(max=1000, message=_l("Catatan paling banyak 1000 karakter."))


class SkpSettingsForm(AppForm):
    """How often the instansi evaluates SKP during the year."""

    instansi_id = SelectField(_l("Instansi"), coerce=db_int)
    evaluation_period = SelectField(
        _l("Evaluasi periodik SKP"),
        choices=list(EVALUATION_PERIOD_LABELS.items()),
        description=_l(
            "PermenPANRB 6/2022: evaluasi periodik bulanan, triwulanan, atau semesteran, "
            "sesuai pilihan instansi. Setiap periode dievaluasi setelah berakhir."
        ),
    )


class SkpActionForm(AppForm):
    """A POST with nothing but the CSRF token (submit, delete, acknowledge)."""


class TargetForm(AppForm):
    description = TextAreaField(
        _l("Rencana hasil kerja"),
        validators=[Length(max=1000)],
        description=_l("Misalnya: Tersusunnya laporan capaian pelayanan kesehatan bulanan."),
    )
    indicator = TextAreaField(
        _l("Indikator kinerja individu"),
        validators=[Length(max=1000)],
        description=_l("Misalnya: Jumlah laporan yang disampaikan tepat waktu."),
    )
    target_text = StringField(
        _l("Target"),
        validators=[Length(max=200)],
        description=_l("Misalnya: 12 laporan."),
    )
    target_value = CommaDecimalField(
        _l("Nilai target (angka, boleh kosong)"),
        places=2,
        validators=[Optional()],
        invalid_value_message=_l("Nilai target harus berupa angka, misalnya 12 atau 2,5."),
    )


class DecisionForm(AppForm):
    comment = TextAreaField(
        _l("Catatan untuk pegawai"),
        validators=[NOTE_LENGTH],
        description=_l("Wajib diisi bila SKP dikembalikan."),
    )
    agree = SubmitField(_l("Sepakati SKP"))
    send_back = SubmitField(_l("Kembalikan untuk diperbaiki"))


class FeedbackForm(AppForm):
    kind = SelectField(
        _l("Jenis umpan balik"), choices=list(FEEDBACK_LABELS.items()), validate_choice=False
    )
    note = TextAreaField(_l("Umpan balik"), validators=[NOTE_LENGTH])


class MultiCheckboxField(SelectMultipleField):
    """Rendered by the ``field`` macro as a fieldset of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


RATING_CHOICES = list(RATING_LABELS.items())


class EvaluationFormBase(AppForm):
    kind = HiddenField()
    sequence = HiddenField()
    hasil_kerja = RadioField(
        _l("Hasil kerja"),
        choices=RATING_CHOICES,
        validate_choice=False,
        description=_l("Capaian rencana hasil kerja terhadap ekspektasi yang disepakati."),
    )
    perilaku = RadioField(
        _l("Perilaku kerja (BerAKHLAK)"),
        choices=RATING_CHOICES,
        validate_choice=False,
        description=_l("Perilaku terhadap nilai dasar BerAKHLAK."),
    )
    note = TextAreaField(_l("Catatan umum dan rencana tindak lanjut"), validators=[NOTE_LENGTH])
    evidence = MultiCheckboxField(_l("Akui sebagai bukti"), coerce=db_int, validate_choice=False)


def evaluation_form(targets: list, evidence_choices: list[tuple[int, str]]) -> EvaluationFormBase:
    """The evaluation form with a note per BerAKHLAK value and an optional rating per target."""

    class EvaluationForm(EvaluationFormBase):
        pass

    for code, label in BERAKHLAK:
        setattr(EvaluationForm, f"nilai_{code}", TextAreaField(label, validators=[TEXT_LENGTH]))
    for target in targets:
        setattr(
            EvaluationForm,
            f"sasaran_{target.id}",
            SelectField(
                target.description,
                choices=[("", _l("— tidak dinilai terpisah —")), *RATING_CHOICES],
                validate_choice=False,
            ),
        )
    form = EvaluationForm()
    form.evidence.choices = evidence_choices
    return form


class ImportUploadForm(AppForm):
    file = FileField(
        _l("Berkas hasil penilaian (CSV atau XLSX)"),
        validators=[
            FileRequired(_l("Pilih berkas untuk diunggah.")),
            FileAllowed(["csv", "xlsx"], _l("Format berkas harus .csv atau .xlsx.")),
        ],
    )


class ImportConfirmForm(AppForm):
    key = HiddenField(validators=[DataRequired()])
