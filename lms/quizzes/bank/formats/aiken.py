"""Aiken import and export, following Moodle's qformat_aiken line by line.

Aiken is the simplest bank format trainers produce from Word or Excel::

    Question text on one line
    A) First choice
    B) Second choice
    ANSWER: B

Each question is single-choice with exactly one right answer and no feedback. The texts are plain:
Moodle escapes them with htmlspecialchars(); we keep them raw with ``text_format = "plain"`` so
the templates escape them on display and ``<b>`` in a question stays the four visible characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from .types import (
    Answer,
    FormatError,
    ImportResult,
    Question,
    decode_upload,
    default_name,
    php_trim,
)

__all__ = ["export_aiken", "parse_aiken"]

# Like Moodle since 2018 (MDL-61226): a capital letter, ")" or ".", then an optional space, so
# "A)Choice" is a choice too. Beware: a question line such as "B.J. Habibie ..." also matches.
_CHOICE_RE = re.compile(r"^[A-Z][).][ \t]?")
_ANSWER_RE = re.compile(r"^ANSWER:")
_MAX_CHOICES = 26


def parse_aiken(data: bytes) -> ImportResult:
    """Read an Aiken file the way Moodle does, reporting each problem with its line.

    The errors are Moodle's: a choice or ANSWER line outside a question ("not started"), a
    question with fewer than two choices (at its ANSWER line), and a question left without an
    ANSWER line when the next one starts (at the new question's line).

    Deviations, both where Moodle would silently store a broken question or lose one: an ANSWER
    letter that names no choice is an error, and so is a question still open at the end of file.
    """
    text, error = decode_upload(data)
    if text is None:
        return ImportResult([], [error] if error else [])
    result = ImportResult()
    current: Question | None = None

    def fail(line: int, message: str) -> None:
        result.errors.append(FormatError(line, message))

    for number, raw in enumerate(text.split("\n"), start=1):
        line = php_trim(raw)
        if len(line) < 2:
            continue
        if _CHOICE_RE.match(line):
            if current is None:
                fail(number, "Pilihan jawaban muncul sebelum teks soal (soal belum dimulai).")
                continue
            current.answers.append(
                Answer(
                    text=php_trim(line[2:]),
                    fraction=0.0,
                    text_format="plain",
                    feedback_format="plain",
                )
            )
        elif _ANSWER_RE.match(line):
            if current is None:
                fail(number, "Baris ANSWER muncul sebelum teks soal (soal belum dimulai).")
                continue
            question, current = current, None
            if len(question.answers) < 2:
                fail(number, f"Soal '{question.name}' membutuhkan sedikitnya 2 pilihan jawaban.")
                continue
            letter = php_trim(line[len("ANSWER:") :])[:1]
            index = ord(letter) - ord("A") if letter else -1
            if not 0 <= index < len(question.answers):
                fail(
                    number,
                    f"Soal '{question.name}': ANSWER '{letter}' tidak menunjuk pilihan yang ada "
                    f"(A sampai {chr(ord('A') + len(question.answers) - 1)}).",
                )
                continue
            question.answers[index].fraction = 1.0
            result.questions.append(question)
        else:
            if current is not None:
                fail(
                    number,
                    f"Soal '{current.name}' belum selesai (tanpa baris ANSWER) "
                    "ketika soal berikutnya dimulai.",
                )
            current = Question(
                type="single_choice",
                name=default_name(line, "plain"),
                text=line,
                text_format="plain",
                general_feedback_format="plain",
                line=number,
            )
    if current is not None:
        fail(current.line, f"Soal '{current.name}' belum selesai: baris ANSWER tidak ditemukan.")
    return result


_TAG_RE = re.compile(r"<[^>]*>")
_BREAK_RE = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.IGNORECASE)


def _plain(text: str, text_format: str) -> str:
    """One line of plain text, as Aiken needs (Moodle uses question_utils::to_plain_text)."""
    if text_format in ("html", "moodle"):
        text = html.unescape(_TAG_RE.sub("", _BREAK_RE.sub(" ", text)))
    return " ".join(text.split())


def export_aiken(questions: Iterable[Question]) -> str:
    """Write the single-choice questions as Aiken; other questions are skipped (as in Moodle).

    Also skipped: more than 26 choices, or no choice worth full marks (Aiken cannot say so).
    Aiken has no escaping, so a text that looks like "A) ..." or "ANSWER:" cannot round-trip.
    """
    blocks: list[str] = []
    for question in questions:
        if question.type != "single_choice" or len(question.answers) > _MAX_CHOICES:
            continue
        correct = [i for i, a in enumerate(question.answers) if a.fraction >= 0.999_999]
        if not correct:
            continue
        lines = [_plain(question.text, question.text_format)]
        for index, answer in enumerate(question.answers):
            lines.append(f"{chr(ord('A') + index)}) {_plain(answer.text, answer.text_format)}")
        lines.append(f"ANSWER: {chr(ord('A') + correct[0])}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
