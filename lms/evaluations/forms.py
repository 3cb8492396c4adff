"""The participant's evaluation form (built per course from the questionnaire) and the filters of
the results page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from lms.db import db_int
from lms.evaluations.questions import SCALE, SCALE_MAX, SCALE_MIN, Section
from lms.forms import AppForm

COMMENT_MAX = 2000


class LikertField(RadioField):
    """A 1–5 radio group whose errors are Indonesian and name the problem precisely."""

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(
            label,
            choices=[(value, text) for value, text in SCALE],
            coerce=db_int,
            validators=[InputRequired(message=_l("Pilih salah satu jawaban (1–5)."))],
            **kwargs,
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(_("Jawaban harus berupa angka bulat 1 sampai 5.")) from None

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data is not None and not SCALE_MIN <= self.data <= SCALE_MAX:
            raise ValidationError(_("Jawaban harus antara 1 dan 5."))


class EvaluationForm(AppForm):
    """Base class: ``for_sections`` adds one LikertField per item and one comment per section."""

    sections: list[Section] = []

    @classmethod
    def for_sections(cls, sections: list[Section]) -> type[EvaluationForm]:
        fields: dict[str, object] = {"sections": sections}
        for section in sections:
            for item in section.items:
                fields[item.key] = LikertField(item.text)
            fields[f"comment_{section.key}"] = TextAreaField(
                section.comment_label,
                validators=[
                    Optional(),
                    Length(
                        max=COMMENT_MAX,
                        message=_l("Komentar paling banyak %(max)d karakter."),
                    ),
                ],
            )
        return type("CourseEvaluationForm", (cls,), fields)

    def rating_field(self, key: str) -> Field:
        return self[key]

    def comment_field(self, section: Section) -> Field:
        return self[f"comment_{section.key}"]

    def ratings(self) -> dict[str, int]:
        return {item.key: self[item.key].data for s in self.sections for item in s.items}

    def comments(self) -> dict[str, str]:
        out = {}
        for section in self.sections:
            text = (self[f"comment_{section.key}"].data or "").strip()
            if text:
                out[section.key] = text
        return out


class ResultsFilterForm(AppForm):
    """GET filters: no CSRF (nothing changes), errors shown beside the field."""

    class Meta:
        csrf = False

    versi = SelectField(_l("Versi pelatihan"), coerce=db_int, default=0, validate_choice=True)
    dari = DateField(_l("Dikirim sejak"), validators=[Optional()])
    sampai = DateField(_l("Dikirim sampai"), validators=[Optional()])

    def validate_sampai(self, field: DateField) -> None:
        if field.data and self.dari.data and field.data < self.dari.data:
            raise ValidationError(_("Tanggal akhir tidak boleh sebelum tanggal awal."))
