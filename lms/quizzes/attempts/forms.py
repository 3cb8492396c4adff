"""Forms for quiz settings, the learner's start/submit buttons and essay grading.

Every validator carries its own Indonesian message: WTForms' defaults (NumberRange's "Number must
be between…") are English, and AppForm translates only the messages of its catalogue.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.db import db_int
from lms.forms import AppForm
from lms.indonesian import zone_abbreviation
from lms.quizzes.models import ATTEMPT_STATE_LABELS, QUIZ_KIND_LABELS, REVIEW_DEFAULT

KIND_LABELS = QUIZ_KIND_LABELS
REVIEW_LABELS = {
    "after_last": _l("Setelah kesempatan terakhir digunakan atau kuis ditutup"),
    "immediately": _l("Langsung setelah dikumpulkan (hanya kuis latihan)"),
    "after_close": _l("Setelah kuis ditutup"),
    "never": _l("Tidak pernah"),
}
GRADING_LABELS = {
    "highest": _l("Nilai tertinggi"),
    "last": _l("Percobaan terakhir"),
    "average": _l("Rata-rata"),
}
STATUS_LABELS = ATTEMPT_STATE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class QuizForm(AppForm):
    title = StringField(
        _l("Judul kuis"),
        validators=[
            DataRequired(_l("Judul kuis wajib diisi.")),
            Length(max=255, message=_l("Judul kuis paling panjang 255 karakter.")),
        ],
    )
    kind = SelectField(_l("Jenis"), choices=list(KIND_LABELS.items()), default="post_test")
    pass_mark = IntegerField(
        _l("Nilai lulus (0–100)"),
        default=60,
        validators=[
            InputRequired(_l("Nilai lulus wajib diisi.")),
            NumberRange(0, 100, _l("Nilai lulus harus antara 0 dan 100.")),
        ],
    )
    attempts_allowed = IntegerField(
        _l("Jumlah kesempatan (0 = tidak dibatasi)"),
        default=1,
        validators=[
            NumberRange(0, 100, _l("Jumlah kesempatan harus antara 0 dan 100.")),
        ],
    )
    time_limit_minutes = IntegerField(
        _l("Batas waktu (menit, kosongkan bila tanpa batas)"),
        validators=[
            Optional(),
            NumberRange(1, 24 * 60, _l("Batas waktu harus antara 1 dan 1440 menit.")),
        ],
    )
    opens_at = DateTimeLocalField(
        LazyString(lambda: _("Dibuka (%(z)s)", z=zone_abbreviation())),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    closes_at = DateTimeLocalField(
        LazyString(lambda: _("Ditutup (%(z)s)", z=zone_abbreviation())),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    question_ids = MultiCheckboxField(_l("Soal tetap"), coerce=db_int, validate_choice=False)
    draw_category = SelectField(_l("Ambil soal acak dari kategori"), coerce=db_int, default=0)
    draw_count = IntegerField(
        _l("Jumlah soal acak"),
        validators=[
            Optional(),
            NumberRange(0, 500, _l("Jumlah soal acak harus antara 0 dan 500.")),
        ],
        default=0,
    )
    shuffle_questions = BooleanField(_l("Acak urutan soal"))
    shuffle_answers = BooleanField(_l("Acak urutan jawaban"))
    one_per_page = BooleanField(_l("Satu soal per halaman"))
    review = SelectField(
        _l("Pembahasan dan kunci jawaban ditampilkan"),
        choices=list(REVIEW_LABELS.items()),
        default=REVIEW_DEFAULT,
    )
    grading = SelectField(_l("Nilai akhir dari"), choices=list(GRADING_LABELS.items()))

    def validate_review(self, field: SelectField) -> None:
        """The answer key right after an attempt helps the next one: only for practice."""
        if field.data == "immediately" and self.kind.data != "practice":
            raise ValidationError(
                _l(
                    "Pembahasan langsung setelah dikumpulkan hanya untuk kuis latihan: pada "
                    "jenis ini kunci jawaban akan membantu percobaan berikutnya."
                )
            )


class EssayGradeForm(AppForm):
    mark = DecimalField(
        _l("Nilai (0–100)"),
        places=2,
        validators=[InputRequired(), NumberRange(0, 100, _l("Nilai harus antara 0 dan 100."))],
    )
    comment = TextAreaField(_l("Komentar untuk peserta"), validators=[Length(max=5000)])
