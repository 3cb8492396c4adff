"""GIFT import (export in ``gift_export``), following Moodle's qformat_gift semantics.

Trainers move question banks between Moodle and Akademi ASN, so a file must mean the same thing
here as there: the same question types, weights, feedback and even the same quirks (a question
whose text goes on after the closing brace becomes a "missing word" question with a blank where
the braces were). Where Moodle silently produces a broken question we report an error instead;
those places are marked "Deviation" below.

Parsing works like Moodle's: the file is cut into blocks at blank lines, whole-line ``//``
comments are dropped, escaped control characters (``\\: \\# \\= \\{ \\} \\~ \\n``) are hidden
behind placeholders, and the answer block between the first ``{`` and the first ``}`` decides the
question type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .types import (
    BLANK,
    FILL_BLANK_INNER_TYPES,
    Answer,
    FormatError,
    ImportResult,
    Question,
    decode_upload,
    default_name,
    php_trim,
)

__all__ = ["parse_gift"]

# Private-use code points stand in for escaped characters while the text is being split, so that
# they can never collide with anything a trainer typed (Moodle uses "&&058;" and friends).
_ESCAPES: tuple[tuple[str, str, str], ...] = (
    ("\\:", "\ue001", ":"),
    ("\\#", "\ue002", "#"),
    ("\\=", "\ue003", "="),
    ("\\{", "\ue004", "{"),
    ("\\}", "\ue005", "}"),
    ("\\~", "\ue006", "~"),
    ("\\n", "\ue007", "\n"),
)
_BACKSLASH = "\ue000"
_SENTINEL = "\ue00f"  # marks the blank of a missing-word question until the text is final

# Moodle's weight syntax: %50%, %-100%, %33.33333% (1-2 digits, then anything numeric).
_WEIGHT_RE = re.compile(r"^%(-*)([0-9]{1,2}\.?[0-9]*)%")
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_FORMATS = ("moodle", "html", "plain", "markdown")
_TRUE_FALSE = ("T", "TRUE", "F", "FALSE")


class _GiftError(Exception):
    """A question that cannot be imported; the message is shown to the trainer."""


# --- escaping ------------------------------------------------------------------------------------


def _escape_pre(text: str) -> str:
    """Hide escaped control characters so that splitting on them leaves them alone."""
    text = text.replace("\\\\", _BACKSLASH)
    for escaped, placeholder, _char in _ESCAPES:
        text = text.replace(escaped, placeholder)
    return text


def _escape_post(text: str) -> str:
    """Turn placeholders back into the characters the trainer meant."""
    for _escaped, placeholder, char in _ESCAPES:
        text = text.replace(placeholder, char)
    return text.replace(_BACKSLASH, "\\")


def _repchar(text: str) -> str:
    """Escape GIFT's reserved characters for export (Moodle's repchar())."""
    text = text.replace("\\", "\\\\")
    for char in "#=~{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


# --- parsing helpers (names follow Moodle's methods) ---------------------------------------------


def _text_with_format(text: str, default_format: str) -> tuple[str, str]:
    """Split an optional ``[html]``-style prefix off a text; unknown prefixes stay text."""
    fmt = default_format
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in _FORMATS:
            fmt = name
            text = text[end + 1 :]
    return php_trim(_escape_post(text)), fmt


def _split_feedback(answer: str, default_format: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """``answer # feedback`` -> ((text, format), (feedback, format)) (Moodle's commentparser)."""
    bits = answer.split("#", 1)
    ans = _text_with_format(php_trim(bits[0]), default_format)
    if len(bits) > 1:
        return ans, _text_with_format(php_trim(bits[1]), default_format)
    return ans, ("", default_format)


def _weight(answer: str) -> tuple[float | None, str]:
    """Read a leading ``%50%`` weight; None when there is none. Returns the rest of the answer."""
    match = _WEIGHT_RE.match(answer)
    if not match:
        return None, answer
    weight = float(match.group(2)) / 100
    if match.group(1):
        weight = -weight
    if not -1.0 <= weight <= 1.0:
        # Deviation: Moodle would refuse the whole import later ("invalid grade"); we name the line.
        raise _GiftError(f"Bobot {match.group(0)} di luar rentang -100% sampai 100%.")
    return weight, answer[match.end() :]


def _split_answers(answer_text: str, separator: str) -> list[str]:
    """Split an answer block on ``separator``, dropping an empty first piece like Moodle."""
    parts = answer_text.split(separator)
    parts[0] = php_trim(parts[0])
    if parts[0] == "":
        parts.pop(0)
    return [php_trim(p) for p in parts]


def _number(text: str) -> float:
    """Parse a number as PHP's is_numeric() would accept it (dot decimals only)."""
    text = php_trim(text)
    if not _NUMBER_RE.match(text):
        raise _GiftError(
            f"Jawaban numerik '{text}' bukan angka (pakai titik sebagai pemisah desimal)."
        )
    return float(text)


def _format_number(value: float) -> str:
    """Shortest text for a number: 3.0 -> "3", 0.25 -> "0.25"."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# --- the parser ----------------------------------------------------------------------------------


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Yield the questions of a file: runs of non-blank lines, each line trimmed and numbered."""
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = php_trim(raw)
        if line:
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _parse_choices(answer_text: str, text_format: str) -> tuple[str, list[Answer]]:
    """Multiple choice: ``=`` marks the right answer, ``~`` others, ``~%50%`` weighted ones."""
    kind = "single_choice" if "=" in answer_text else "multiple_response"
    answers: list[Answer] = []
    for part in _split_answers(answer_text.replace("=", "~="), "~"):
        if part.startswith("="):
            fraction: float | None = 1.0
            part = part[1:]
        else:
            fraction, part = _weight(part)
        (text, fmt), (feedback, feedback_format) = _split_feedback(part, text_format)
        if text == "":
            continue  # Moodle drops blank choices when it saves the question.
        answers.append(
            Answer(
                text=text,
                fraction=fraction or 0.0,
                feedback=feedback,
                text_format=fmt,
                feedback_format=feedback_format,
            )
        )
    if len(answers) < 2:
        raise _GiftError("Soal pilihan ganda membutuhkan sedikitnya 2 pilihan jawaban.")
    return kind, answers


def _parse_matching(answer_text: str, text_format: str) -> list[Answer]:
    """Matching: ``=prompt -> answer`` pairs; ``= -> answer`` adds a distractor."""
    answers: list[Answer] = []
    for part in _split_answers(answer_text, "="):
        marker = part.find("->")
        if marker < 0:
            raise _GiftError(
                f"Pasangan menjodohkan '{_escape_post(part)}' tidak memakai '->' "
                "(format: =pernyataan -> jawaban)."
            )
        prompt, fmt = _text_with_format(part[:marker], text_format)
        match = php_trim(_escape_post(part[marker + 2 :]))
        answers.append(
            Answer(text=prompt, fraction=1.0 if prompt else 0.0, match=match, text_format=fmt)
        )
    # Deviation: Moodle's importer only counts items; a matching question with fewer than two
    # real pairs cannot be answered meaningfully, so we refuse it here rather than later.
    if sum(1 for a in answers if a.text) < 2:
        raise _GiftError("Soal menjodohkan membutuhkan sedikitnya 2 pasangan.")
    return answers


def _parse_true_false(answer_text: str, text_format: str) -> list[Answer]:
    """True/false: ``{TRUE#feedback if wrong#feedback if right}``."""
    bits = answer_text.split("#", 2)
    value, _fmt = _text_with_format(php_trim(bits[0]), text_format)
    empty = ("", text_format)
    wrong = _text_with_format(php_trim(bits[1]), text_format) if len(bits) > 1 else empty
    right = _text_with_format(php_trim(bits[2]), text_format) if len(bits) > 2 else empty
    true_is_correct = value in ("T", "TRUE")
    true_feedback, false_feedback = (right, wrong) if true_is_correct else (wrong, right)
    return [
        Answer(
            text="true",
            fraction=1.0 if true_is_correct else 0.0,
            feedback=true_feedback[0],
            text_format=text_format,
            feedback_format=true_feedback[1],
        ),
        Answer(
            text="false",
            fraction=0.0 if true_is_correct else 1.0,
            feedback=false_feedback[0],
            text_format=text_format,
            feedback_format=false_feedback[1],
        ),
    ]


def _parse_short_answer(answer_text: str, text_format: str) -> list[Answer]:
    """Short answer: ``=answer``, ``=%50%partly right``; ``*`` is a wildcard."""
    answers: list[Answer] = []
    for part in _split_answers(answer_text, "="):
        fraction, part = _weight(part)
        (text, _fmt), (feedback, feedback_format) = _split_feedback(part, text_format)
        if text == "":
            continue  # Moodle drops blank answers when it saves the question.
        answers.append(
            Answer(
                text=text,
                fraction=1.0 if fraction is None else fraction,
                feedback=feedback,
                text_format=text_format,
                feedback_format=feedback_format,
            )
        )
    if not answers:
        raise _GiftError("Soal isian singkat membutuhkan sedikitnya 1 jawaban.")
    return answers


def _parse_numeric(answer_text: str, text_format: str) -> list[Answer]:
    """Numeric: ``#3:2`` (value:tolerance), ``#1..5`` (range), ``~#feedback`` for anything else."""
    body = answer_text[1:]
    wrong = ""
    tilde = body.find("~")
    if tilde >= 0:
        body, wrong = body[:tilde], body[tilde:]
    answers: list[Answer] = []
    for part in _split_answers(body, "="):
        fraction, part = _weight(part)
        (text, _fmt), (feedback, feedback_format) = _split_feedback(part, text_format)
        value: float | None
        if text.find("..") > 0:
            marker = text.find("..")
            low, high = _number(text[:marker]), _number(text[marker + 2 :])
            value = (low + high) / 2
            tolerance = high - value
        elif text.find(":") > 0:
            marker = text.find(":")
            value, tolerance = _number(text[:marker]), _number(text[marker + 1 :])
        elif text == "*":
            value, tolerance = None, 0.0
        else:
            value, tolerance = _number(text), 0.0
        answers.append(
            Answer(
                text="*" if value is None else _format_number(value),
                fraction=1.0 if fraction is None else fraction,
                feedback=feedback,
                text_format=text_format,
                feedback_format=feedback_format,
                value=value,
                tolerance=abs(tolerance),
            )
        )
    if not answers:
        raise _GiftError("Soal numerik tidak memiliki jawaban.")
    if wrong:
        _ignored, (feedback, feedback_format) = _split_feedback(wrong, text_format)
        answers.append(
            Answer(
                text="*",
                fraction=0.0,
                feedback=feedback,
                text_format=text_format,
                feedback_format=feedback_format,
            )
        )
    return answers


def _read_question(block: list[tuple[int, str]], category: str | None) -> Question | str | None:
    """Turn one block of lines into a Question, a new category name (str), or None (comments)."""
    lines = [" " if line.startswith("//") else line for _n, line in block]
    text = php_trim("\n".join(lines))
    if text == "":
        return None
    start_line = next(n for n, line in block if not line.startswith("//"))
    text = _escape_pre(text)

    if text.startswith("$CATEGORY:"):
        first, _newline, rest = text.partition("\n")
        new_category = php_trim(_escape_post(first[len("$CATEGORY:") :]))
        if not php_trim(rest):
            return new_category
        # Deviation: Moodle swallows a question written right under $CATEGORY into the category
        # name; we read it as the question it obviously is.
        text, category = php_trim(rest), new_category
        start_line = [n for n, line in block if not line.startswith("//")][1]

    name: str | None = None
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0:
            name = " ".join(_escape_post(text[2:end]).split())
            text = php_trim(text[end + 2 :])
        else:
            text = text[2:]

    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        # Deviation: Moodle imports this as a "description" (no answers); we have no such type.
        raise _GiftError(
            "Soal tidak memiliki blok jawaban { }. Teks tanpa jawaban (deskripsi) tidak didukung."
        )
    if start < 0 or finish < start:
        raise _GiftError("Kurung kurawal { } tidak berpasangan.")
    answer_text = php_trim(text[start + 1 : finish])
    after = text[finish + 1 :]
    if "}" in after:
        raise _GiftError("Kurung kurawal { } tidak berpasangan.")
    if "{" in after or after.lstrip(" \t\n").startswith("::"):
        # Deviation: Moodle glues such text into a nonsense question; it is almost always two
        # questions without a blank line between them.
        raise _GiftError(
            "Ada lebih dari satu blok jawaban { }. Pisahkan setiap soal dengan satu baris kosong."
        )
    has_blank = not text.endswith("}")
    question_text = text[:start] + (_SENTINEL if has_blank else "") + after

    general_feedback = ""
    separator = answer_text.rfind("####")
    if separator >= 0:
        general_feedback = answer_text[separator + 4 :]
        answer_text = php_trim(answer_text[:separator])

    question_text, text_format = _text_with_format(question_text, "moodle")
    general_feedback, general_feedback_format = _text_with_format(general_feedback, text_format)
    before, _sentinel, blank_after = question_text.partition(_SENTINEL)
    question_text = question_text.replace(_SENTINEL, BLANK)

    kind: str
    answers: list[Answer]
    if answer_text == "":
        kind, answers = "essay", []
    elif answer_text.startswith("#"):
        kind, answers = "numeric", _parse_numeric(answer_text, text_format)
    elif "~" in answer_text:
        kind, answers = _parse_choices(answer_text, text_format)
    elif "=" in answer_text and "->" in answer_text:
        kind, answers = "matching", _parse_matching(answer_text, text_format)
    else:
        check = answer_text
        if answer_text.find("#") > 0:
            check = php_trim(answer_text[: answer_text.find("#")])
        if check in _TRUE_FALSE:
            kind, answers = "true_false", _parse_true_false(answer_text, text_format)
        else:
            kind, answers = "short_answer", _parse_short_answer(answer_text, text_format)

    question = Question(
        type=kind,
        name=name or default_name(question_text, text_format),
        text=question_text,
        text_format=text_format,
        answers=answers,
        general_feedback=general_feedback,
        general_feedback_format=general_feedback_format,
        category=category,
        line=start_line,
    )
    if has_blank and kind in FILL_BLANK_INNER_TYPES:
        question.type = "fill_blank"
        question.inner_type = kind
        question.blank_before = before
        question.blank_after = blank_after
    return question


def parse_gift(data: bytes) -> ImportResult:
    """Read a GIFT file. Non-UTF-8 files are refused as a whole; bad questions are skipped.

    Every error carries the 1-based line where its question starts (its first non-comment line).
    A ``$CATEGORY:`` block sets ``Question.category`` for the questions after it.
    """
    text, error = decode_upload(data)
    if text is None:
        return ImportResult([], [error] if error else [])
    result = ImportResult()
    category: str | None = None
    for block in _blocks(text):
        try:
            item = _read_question(block, category)
        except _GiftError as exc:
            line = next((n for n, line in block if not line.startswith("//")), block[0][0])
            result.errors.append(FormatError(line, str(exc)))
            continue
        if isinstance(item, str):
            category = item
        elif item is not None:
            category = item.category
            result.questions.append(item)
    return result
