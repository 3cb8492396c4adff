"""What the question editor's fields make: a question in the exchange shape, or the problems.

Pure (no Flask request, no database), so the rules are tested on their own and the same code
serves saving and the live preview. The form gives the fields as typed; :func:`build` returns
the :class:`~lms.quizzes.bank.formats.Question` they describe and a list of :class:`Problem`,
each naming the field it belongs to (``text``, ``answers``, ``answers-2-text``…) and saying
what is wrong in words that name it ("Pilihan 3: teks kosong."). The rules follow Moodle's own
question forms: blank rows are dropped, a single-choice question needs a 100 % choice, the
positive grades of a multiple-response question add up to 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.quizzes.bank.formats.types import (
    BLANK,
    FILL_BLANK_INNER_TYPES,
    Answer,
    Question,
    default_name,
)
from lms.quizzes.grading import parse_number

_FULL = 0.999_999
#: Types whose answers are rows of the editor (true/false and essay have none).
ROW_TYPES = ("single_choice", "multiple_response", "short_answer", "numeric", "matching")


@dataclass
class Row:
    """One answer row as typed: ``fraction`` is the chosen grade (0..1, negative allowed)."""

    text: str = ""
    fraction: float = 0.0
    feedback: str = ""
    match: str = ""
    tolerance: str = ""

    @property
    def blank(self) -> bool:
        return not (self.text.strip() or self.feedback.strip() or self.match.strip()) and (
            self.fraction == 0
        )


@dataclass
class Fields:
    """Everything the editor sends; ``true_is_correct`` and the two feedbacks are true/false's."""

    type: str
    inner_type: str | None = None
    name: str = ""
    text: str = ""
    text_format: str = "markdown"
    general_feedback: str = ""
    rows: list[Row] = field(default_factory=list)
    true_is_correct: bool = True
    feedback_true: str = ""
    feedback_false: str = ""


@dataclass
class Problem:
    field: str
    message: str


def answer_kind(fields: Fields) -> str:
    """How the question is answered: a fill-in-the-blank question as its inner type."""
    if fields.type == "fill_blank":
        return fields.inner_type or "short_answer"
    return fields.type


def row_label(kind: str, number: int) -> str:
    """What the trainer calls row ``number`` (1-based) of a question answered like ``kind``."""
    if kind in ("single_choice", "multiple_response"):
        return _("Pilihan %(n)s", n=number)
    if kind == "matching":
        return _("Pasangan %(n)s", n=number)
    return _("Jawaban %(n)s", n=number)


def _percent(value: float) -> str:
    return f"{value * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _choices(kind: str, rows: list[tuple[int, Row]], fmt: str, problems: list[Problem]) -> list:
    answers, before = [], len(problems)
    for i, row in rows:
        if not row.text.strip():
            problems.append(
                Problem(f"answers-{i}-text", _("%(row)s: teks kosong.", row=row_label(kind, i + 1)))
            )
            continue
        answers.append(Answer(row.text.strip(), row.fraction, row.feedback.strip(), None, fmt, fmt))
    if len(problems) > before:
        return answers  # a row the trainer is filling in: the whole can wait until it is done
    if len(answers) < 2:
        problems.append(Problem("answers", _("Isi minimal dua pilihan jawaban.")))
    elif kind == "single_choice" and not any(a.fraction >= _FULL for a in answers):
        problems.append(Problem("answers", _("Tandai minimal satu jawaban benar (nilai 100%).")))
    elif kind == "multiple_response":
        total = sum(a.fraction for a in answers if a.fraction > 0)
        if total <= 0:
            problems.append(Problem("answers", _("Tandai minimal satu jawaban benar.")))
        elif abs(total - 1) > 1e-4:
            problems.append(
                Problem(
                    "answers",
                    _(
                        "Jumlah nilai jawaban yang benar harus 100%% (sekarang %(p)s%%).",
                        p=_percent(total),
                    ),
                )
            )
    return answers


def _short(kind: str, rows: list[tuple[int, Row]], fmt: str, problems: list[Problem]) -> list:
    answers, before = [], len(problems)
    for i, row in rows:
        if not row.text.strip():
            problems.append(
                Problem(f"answers-{i}-text", _("%(row)s: teks kosong.", row=row_label(kind, i + 1)))
            )
            continue
        answers.append(Answer(row.text.strip(), row.fraction, row.feedback.strip(), None, fmt, fmt))
    if len(problems) == before and not any(a.fraction >= _FULL for a in answers):
        problems.append(Problem("answers", _("Isi minimal satu jawaban dengan nilai 100%.")))
    return answers


def _numeric(kind: str, rows: list[tuple[int, Row]], fmt: str, problems: list[Problem]) -> list:
    answers, before = [], len(problems)
    for i, row in rows:
        label = row_label(kind, i + 1)
        text = row.text.strip()
        value = None if text == "*" else parse_number(text)
        if text != "*" and value is None:
            message = _(
                "%(row)s: “%(t)s” bukan angka; tulis angka seperti 3,5 (atau * untuk jawaban lain).",
                row=label,
                t=text,
            )
            problems.append(Problem(f"answers-{i}-text", message))
            continue
        tolerance = parse_number(row.tolerance.strip() or "0")
        if tolerance is None or tolerance < 0:
            problems.append(
                Problem(
                    f"answers-{i}-tolerance",
                    _("%(row)s: toleransi harus angka 0 atau lebih.", row=label),
                )
            )
            continue
        answers.append(
            Answer(
                text="*" if value is None else f"{value:.15g}",
                fraction=row.fraction,
                feedback=row.feedback.strip(),
                text_format=fmt,
                feedback_format=fmt,
                value=value,
                tolerance=0.0 if value is None else tolerance,
            )
        )
    if len(problems) == before and not any(a.fraction >= _FULL for a in answers):
        problems.append(Problem("answers", _("Isi minimal satu jawaban dengan nilai 100%.")))
    return answers


def _matching(kind: str, rows: list[tuple[int, Row]], fmt: str, problems: list[Problem]) -> list:
    answers, before = [], len(problems)
    for i, row in rows:
        prompt, match = row.text.strip(), row.match.strip()
        if not match:
            problems.append(
                Problem(
                    f"answers-{i}-match",
                    _("%(row)s: jawaban kosong.", row=row_label(kind, i + 1)),
                )
            )
            continue
        # An empty prompt offers the answer as a distractor (Moodle's "= -> answer").
        answers.append(Answer(prompt, 1.0 if prompt else 0.0, "", match, fmt, fmt))
    if len(problems) == before and sum(1 for a in answers if a.text) < 2:
        problems.append(Problem("answers", _("Isi minimal dua pasangan pernyataan dan jawaban.")))
    return answers


_ROW_BUILDERS = {
    "single_choice": _choices,
    "multiple_response": _choices,
    "short_answer": _short,
    "numeric": _numeric,
    "matching": _matching,
}


def _true_false(fields: Fields, fmt: str) -> list[Answer]:
    right = fields.true_is_correct
    return [
        Answer("true", 1.0 if right else 0.0, fields.feedback_true.strip(), None, fmt, fmt),
        Answer("false", 0.0 if right else 1.0, fields.feedback_false.strip(), None, fmt, fmt),
    ]


def build(fields: Fields) -> tuple[Question, list[Problem]]:
    """The question the editor's fields describe and what is wrong with it (empty: nothing).

    The question is built even with problems, so that the preview can show what there is.
    """
    problems: list[Problem] = []
    kind = answer_kind(fields)
    fmt = fields.text_format
    text = fields.text.strip()
    if not text:
        problems.append(Problem("text", _("Teks soal wajib diisi.")))
    question = Question(
        type=fields.type,
        name=fields.name.strip() or default_name(text, fmt),
        text=text,
        text_format=fmt,
        general_feedback=fields.general_feedback.strip(),
        general_feedback_format=fmt,
    )
    if fields.type == "fill_blank":
        if fields.inner_type not in FILL_BLANK_INNER_TYPES:
            problems.append(Problem("inner_type", _("Pilih cara menjawab isian rumpang.")))
        if text and text.count(BLANK) != 1:
            problems.append(
                Problem(
                    "text",
                    _(
                        "Teks soal: tulis %(blank)s (lima garis bawah) tepat satu kali di tempat "
                        "isian rumpang.",
                        blank=BLANK,
                    ),
                )
            )
        before, _sep, after = text.partition(BLANK)
        question.inner_type = kind
        question.blank_before, question.blank_after = before, after
    if kind == "true_false":
        question.answers = _true_false(fields, fmt)
    elif kind in _ROW_BUILDERS:
        rows = [(i, row) for i, row in enumerate(fields.rows) if not row.blank]
        question.answers = _ROW_BUILDERS[kind](kind, rows, fmt, problems)
    return question, problems
