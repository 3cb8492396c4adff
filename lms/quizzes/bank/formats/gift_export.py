"""GIFT export: writes questions so that Moodle's qformat_gift (and :func:`.gift.parse_gift`)
reads them back as the same questions. Escaping and number formats are the parser's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from .gift import _format_number, _repchar
from .types import Answer, Question


def _write_text(text: str, text_format: str, default_format: str = "moodle") -> str:
    """A text with its ``[format]`` prefix when it differs from the default (Moodle's rule).

    Deviation: a text that itself starts with "[" also gets a prefix, otherwise "[plain] is..."
    would be read back as a plain-format text " is...".
    """
    prefix = ""
    if text and (text_format != default_format or text.startswith("[")):
        prefix = f"[{text_format}]"
    return prefix + _repchar(text)


def _weight_text(fraction: float) -> str:
    """``0.5`` -> ``50``, ``1/3`` -> ``33.33333``, as GIFT's %weight% expects."""
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".")


def _general_feedback(question: Question, indent: str) -> str:
    """``####feedback`` as the last thing before the closing brace."""
    if not question.general_feedback:
        return ""
    text = "####" + _write_text(
        question.general_feedback, question.general_feedback_format, question.text_format
    )
    return f"{indent}{text}\n" if indent else text


def _feedback(answer: Answer, question: Question) -> str:
    return _write_text(answer.feedback, answer.feedback_format, question.text_format)


def _answer_block(question: Question, kind: str) -> str:
    """What goes between the braces for a question answered like ``kind``."""
    fmt = question.text_format
    if kind == "essay":
        return _general_feedback(question, "")
    if kind == "true_false":
        true, false = _true_false_answers(question)
        correct, other = (true, false) if true.fraction >= 0.999_999 else (false, true)
        out = "TRUE" if correct is true else "FALSE"
        right, wrong = _feedback(correct, question), _feedback(other, question)
        if wrong or right:
            out += "#" + wrong
        if right:
            out += "#" + right
        return out + _general_feedback(question, "")
    lines: list[str] = []
    if kind in ("single_choice", "multiple_response"):
        for answer in question.answers:
            if kind == "single_choice" and answer.fraction >= 0.999_999:
                mark = "="
            elif answer.fraction == 0:
                mark = "~"
            else:
                mark = f"~%{_weight_text(answer.fraction)}%"
            line = mark + _write_text(answer.text, answer.text_format, fmt)
            if answer.feedback:
                line += "#" + _feedback(answer, question)
            lines.append(line)
    elif kind == "short_answer":
        for answer in question.answers:
            lines.append(
                f"=%{_weight_text(answer.fraction)}%{_write_text(answer.text, fmt, fmt)}"
                f"#{_feedback(answer, question)}"
            )
    elif kind == "numeric":
        catch_all: list[str] = []
        for answer in question.answers:
            if answer.value is None and answer.fraction == 0:
                # "~" must come last: everything after it is read as its feedback.
                catch_all = [f"~#{_feedback(answer, question)}"]
            elif answer.value is None:
                lines.append(f"=%{_weight_text(answer.fraction)}%*#{_feedback(answer, question)}")
            else:
                lines.append(
                    f"=%{_weight_text(answer.fraction)}%{_format_number(answer.value)}:"
                    f"{_format_number(abs(answer.tolerance))}#{_feedback(answer, question)}"
                )
        lines += catch_all
    elif kind == "matching":
        for answer in question.answers:
            prompt = _write_text(answer.text, answer.text_format, fmt)
            lines.append(f"={prompt} -> {_repchar(answer.match or '')}")
    else:
        raise ValueError(f"Tipe soal tidak dikenal untuk GIFT: {kind}")
    body = "".join(f"\t{line}\n" for line in lines)
    return ("#" if kind == "numeric" else "") + "\n" + body + _general_feedback(question, "\t")


def _true_false_answers(question: Question) -> tuple[Answer, Answer]:
    """The (true, false) answers of a true/false question, made up if missing."""
    by_text = {a.text.lower(): a for a in question.answers}
    true = by_text.get("true") or Answer("true", 0.0)
    false = by_text.get("false") or Answer("false", 1.0 - true.fraction)
    return true, false


def _write_question(question: Question) -> str:
    name = " ".join(question.name.split())
    out = f"// {question.type}: {name}\n::{_repchar(name)}::"
    if question.type == "fill_blank":
        inner = question.inner_type or "short_answer"
        before = question.blank_before
        if question.text_format != "moodle" or before.startswith("["):
            out += f"[{question.text_format}]"
        out += _repchar(before) + "{" + _answer_block(question, inner) + "}"
        # An escaped newline keeps the blank even when nothing follows it: the text then does
        # not end with "}", and the newline is trimmed away again on import.
        out += _repchar(question.blank_after) if question.blank_after else "\\n"
        return out + "\n"
    out += _write_text(question.text, question.text_format)
    return out + "{" + _answer_block(question, question.type) + "}\n"


def export_gift(questions: Iterable[Question]) -> str:
    """Write questions as GIFT that Moodle (and :func:`parse_gift`) reads back unchanged.

    A ``$CATEGORY:`` line is written whenever the category changes.
    """
    parts: list[str] = []
    category: str | None = None
    for question in questions:
        if question.category and question.category != category:
            category = question.category
            parts.append(f"$CATEGORY: {' '.join(category.split())}\n")
        parts.append(_write_question(question))
    return "\n".join(parts)
