"""The questionnaire form (built per side from the questions) and the per-subject setting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.evaluations.followup.models import MONTHS_MAX, MONTHS_MIN
from lms.evaluations.followup.questions import TEXT_MAX, Questionnaire
from lms.evaluations.forms import LikertField
from lms.forms import AppForm


class FollowupForm(AppForm):
    """Base class: ``for_questionnaire`` adds one LikertField per item and one text per question."""

    questionnaire: Questionnaire

    @classmethod
    def for_questionnaire(cls, questionnaire: Questionnaire) -> type[FollowupForm]:
        fields: dict[str, object] = {"questionnaire": questionnaire}
        for item in questionnaire.items:
            fields[item.key] = LikertField(item.text)
        for question in questionnaire.texts:
            required = DataRequired(message=_l("Pertanyaan ini wajib dijawab."))
            fields[f"text_{question.key}"] = TextAreaField(
                question.text,
                validators=[
                    required if question.required else Optional(),
                    Length(max=TEXT_MAX, message=_l("Jawaban paling banyak %(max)d karakter.")),
                ],
            )
        return type(f"{questionnaire.role.title()}FollowupForm", (cls,), fields)

    def text_field(self, key: str):
        return self[f"text_{key}"]

    def ratings(self) -> dict[str, int]:
        return {item.key: self[item.key].data for item in self.questionnaire.items}

    def texts(self) -> dict[str, str]:
        return {q.key: self[f"text_{q.key}"].data or "" for q in self.questionnaire.texts}

    def problems(self) -> list[tuple[str, str, list[str]]]:
        """(field id, question, errors) of every field with errors, in the questionnaire's order."""
        out = []
        for item in self.questionnaire.items:
            if self[item.key].errors:
                out.append((self[item.key].id, str(item.text), list(self[item.key].errors)))
        for question in self.questionnaire.texts:
            field = self.text_field(question.key)
            if field.errors:
                out.append((field.id, str(question.text), list(field.errors)))
        return out


class SettingForm(AppForm):
    months = IntegerField(
        _l("Dievaluasi setelah (bulan)"),
        validators=[
            InputRequired(message=_l("Isi jumlah bulan setelah kelulusan.")),
            NumberRange(
                MONTHS_MIN,
                MONTHS_MAX,
                message=_l("Jangka waktu harus %(min)s sampai %(max)s bulan."),
            ),
        ],
    )
    enabled = BooleanField(_l("Lakukan evaluasi pascapelatihan untuk alumni"))
