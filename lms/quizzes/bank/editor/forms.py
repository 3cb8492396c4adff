"""Forms of the question editor: one form for every type (the page shows the fields of its
type), the move and bulk-move forms, and the conversions between a stored question and the
form's fields. The type's rules live in :mod:`lms.quizzes.bank.editor.rules`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from lms.db import db_int
from lms.forms import AppForm
from lms.quizzes.bank.editor.rules import Fields, Row, answer_kind
from lms.quizzes.bank.formats import Question as FormatQuestion
from lms.quizzes.bank.formats.types import FILL_BLANK_INNER_TYPES
from lms.quizzes.bank.forms import TYPE_LABELS

TEXT_MAX = 20_000
TEXT_FORMAT_LABELS = {
    "markdown": _l("Markdown"),
    "html": _l("HTML"),
    "moodle": _l("Moodle (HTML, baris baru tetap)"),
    "plain": _l("Teks biasa"),
}
STATUS_LABELS = {
    "ready": _l("Terbaru"),
    "hidden": _l("Dihapus, disimpan untuk percobaan"),
    "superseded": _l("Versi lama"),
}
#: Moodle's grade menu for an answer (fractions of the question's mark).
GRADES = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)  # fmt: skip
#: New rows per type (blank rows are ignored on save), and how many "Tambah baris" adds.
NEW_ROWS = {"single_choice": 4, "multiple_response": 5, "matching": 4}
DEFAULT_ROWS = 3
MORE_ROWS = 3
MAX_ROWS = 40


def percent_label(fraction: float) -> str:
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}%"


def grade_choices(kind: str, current: float | None = None) -> list[tuple[float, str]]:
    """The grade menu of a row: negative grades only for choices (a wrong tick costs marks)."""
    values = list(GRADES)
    if kind in ("single_choice", "multiple_response"):
        values += [-g for g in reversed(GRADES[:-1])]
    if current is not None and not any(abs(current - v) < 1e-9 for v in values):
        values.append(current)  # an imported weight the menu does not offer stays as it is
    return [(v, percent_label(v)) for v in values]


def _float(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


class AnswerRowForm(Form):
    """One answer row; which of its fields a type uses is the template's business."""

    text = TextAreaField(_l("Teks"), validators=[Length(max=TEXT_MAX)])
    fraction = SelectField(_l("Nilai"), coerce=_float, default=0.0, validate_choice=False)
    feedback = TextAreaField(_l("Umpan balik"), validators=[Length(max=TEXT_MAX)])
    match = StringField(_l("Jawaban pasangan"), validators=[Length(max=1000)])
    tolerance = StringField(_l("Toleransi (±)"), validators=[Length(max=40)])


class QuestionForm(AppForm):
    name = StringField(
        _l("Nama soal"),
        validators=[Optional(), Length(max=255, message=_l("Nama soal paling panjang 255 huruf."))],
        description=_l("Boleh kosong: nama diambil dari awal teks soal."),
    )
    category = SelectField(_l("Kategori"), coerce=db_int, default=0)
    new_category = StringField(
        _l("Atau kategori baru"),
        validators=[Optional(), Length(max=255, message=_l("Kategori paling panjang 255 huruf."))],
        description=_l("Bila diisi, soal masuk ke kategori baru ini."),
    )
    text_format = SelectField(
        _l("Format teks"),
        choices=list(TEXT_FORMAT_LABELS.items()),
        default="markdown",
        description=_l("Berlaku untuk teks soal dan semua umpan balik."),
    )
    text = TextAreaField(
        _l("Teks soal"),
        validators=[Length(max=TEXT_MAX, message=_l("Teks soal terlalu panjang."))],
    )
    answers = FieldList(FormField(AnswerRowForm), max_entries=MAX_ROWS)
    true_is_correct = RadioField(
        _l("Jawaban yang benar"),
        choices=[("true", _l("Benar")), ("false", _l("Salah"))],
        default="true",
    )
    feedback_true = TextAreaField(
        _l("Umpan balik bila peserta menjawab “Benar”"), validators=[Length(max=TEXT_MAX)]
    )
    feedback_false = TextAreaField(
        _l("Umpan balik bila peserta menjawab “Salah”"), validators=[Length(max=TEXT_MAX)]
    )
    general_feedback = TextAreaField(
        _l("Pembahasan (umpan balik umum)"),
        validators=[Length(max=TEXT_MAX)],
        description=_l("Ditampilkan kepada semua peserta saat pembahasan dibuka."),
    )


class MoveForm(AppForm):
    category = SelectField(_l("Pindahkan ke kategori"), coerce=db_int, default=0)
    new_category = StringField(
        _l("Atau kategori baru"),
        validators=[Optional(), Length(max=255, message=_l("Kategori paling panjang 255 huruf."))],
    )


def kind_label(kind: str, inner: str | None) -> str:
    """ "Isian rumpang (Isian singkat)" for a fill-in-the-blank question, else the type's name."""
    if kind == "fill_blank" and inner:
        return f"{TYPE_LABELS[kind]} ({TYPE_LABELS[inner]})"
    return str(TYPE_LABELS[kind])


def creatable_kinds() -> list[tuple[str, str | None, str]]:
    """(type, inner type, label) for the "new question" menu: each fill-in-the-blank flavour is
    an entry of its own, because the blank is answered like its inner type."""
    out: list[tuple[str, str | None, str]] = [
        (kind, None, str(label)) for kind, label in TYPE_LABELS.items() if kind != "fill_blank"
    ]
    out += [
        ("fill_blank", inner, kind_label("fill_blank", inner)) for inner in FILL_BLANK_INNER_TYPES
    ]
    return out


def is_creatable(kind: str | None, inner: str | None) -> bool:
    return any(k == kind and i == inner for k, i, _label in creatable_kinds())


def prepare_rows(
    form: QuestionForm, kind: str, inner: str | None, extra: int = 0, *, fresh: bool = False
) -> None:
    """Give the form the rows it needs (new: a few blank ones) and each row its grade menu;
    ``fresh``: a new question's empty form, whose first typed answer starts at 100 %."""
    answering = answer_kind(Fields(type=kind, inner_type=inner))
    wanted = NEW_ROWS.get(answering, DEFAULT_ROWS) if not form.answers.entries else 0
    for _i in range(min(wanted + extra, MAX_ROWS - len(form.answers.entries))):
        form.answers.append_entry()
    if fresh and wanted and answering in ("short_answer", "numeric"):
        form.answers.entries[0].form.fraction.data = 1.0  # the first answer is the right one
    for entry in form.answers.entries:
        row = entry.form
        current = row.fraction.data if isinstance(row.fraction.data, float) else None
        row.fraction.choices = grade_choices(answering, current)
        if row.fraction.data is None:
            row.fraction.data = 0.0


def fill_form(form: QuestionForm, question: FormatQuestion, category_id: int | None) -> None:
    """Put a stored question into the form (GET of the edit page), with two blank rows more."""
    form.name.data = question.name
    form.category.data = category_id or 0
    form.text_format.data = question.text_format
    form.text.data = question.text
    form.general_feedback.data = question.general_feedback
    if question.base_type == "true_false":
        by_text = {a.text.strip().casefold(): a for a in question.answers}
        true, false = by_text.get("true"), by_text.get("false")
        form.true_is_correct.data = "true" if true and true.fraction >= 0.999_999 else "false"
        form.feedback_true.data = true.feedback if true else ""
        form.feedback_false.data = false.feedback if false else ""
        return
    for answer in question.answers:
        form.answers.append_entry()
        row = form.answers.entries[-1].form
        row.text.data = answer.text
        row.fraction.data = float(answer.fraction)
        row.feedback.data = answer.feedback
        row.match.data = answer.match or ""
        row.tolerance.data = f"{answer.tolerance:.15g}" if answer.value is not None else ""
    if question.answers:
        for _i in range(2):
            form.answers.append_entry()


def fields_of(form: QuestionForm, kind: str, inner: str | None) -> Fields:
    """The form's values as the editor rules take them."""
    rows = []
    for entry in form.answers.entries:
        row = entry.form
        fraction = row.fraction.data if isinstance(row.fraction.data, float) else 0.0
        rows.append(
            Row(
                text=row.text.data or "",
                fraction=max(-1.0, min(1.0, fraction)),
                feedback=row.feedback.data or "",
                match=row.match.data or "",
                tolerance=row.tolerance.data or "",
            )
        )
    return Fields(
        type=kind,
        inner_type=inner,
        name=form.name.data or "",
        text=form.text.data or "",
        text_format=form.text_format.data
        if form.text_format.data in TEXT_FORMAT_LABELS
        else "markdown",
        general_feedback=form.general_feedback.data or "",
        rows=rows,
        true_is_correct=form.true_is_correct.data != "false",
        feedback_true=form.feedback_true.data or "",
        feedback_false=form.feedback_false.data or "",
    )
