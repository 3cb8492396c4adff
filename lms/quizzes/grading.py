"""Pure grading of one response to one question: no database, no request, no clock.

Keeping grading a pure function of (question, response) makes it trivially testable, lets a
trainer's "regrade" reproduce the original mark, and lets the same code grade a preview.

``grade(question, response)`` returns the fraction earned, 0.0..1.0, or None for an essay (a
trainer grades it). The response shape per type (``question.base_type``):

* ``single_choice``: ``int`` index into ``question.answers`` (None = not answered).
* ``multiple_response``: iterable of ``int`` indices of the ticked answers.
* ``true_false``: ``bool`` (``"true"``/``"false"``, ``"benar"``/``"salah"`` strings accepted).
* ``short_answer``: ``str`` as typed.
* ``numeric``: ``str`` as typed (``"3.5"``, ``"3,5"``) or an ``int``/``float``.
* ``matching``: ``dict[int, str]`` from the index of a pair in ``question.answers`` to the answer
  text the learner chose for its prompt.
* ``fill_blank``: whatever its ``inner_type`` takes.
* ``essay``: anything; the result is None.

Following Moodle, short-answer and numeric answers are tried in order and the first one that
matches decides the mark, so a ``*`` catch-all belongs at the end. Every result is clamped to
0..1, which also floors negative weights at zero per question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from lms.quizzes.bank.formats.types import Answer, Question

__all__ = ["grade", "match_short_answer", "match_numeric", "parse_number"]

_EPSILON = 1e-9
_TRUE_WORDS = frozenset({"true", "t", "benar", "b", "ya", "1"})
_FALSE_WORDS = frozenset({"false", "f", "salah", "s", "tidak", "0"})
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def _clamp(value: float) -> float:
    """Keep a mark inside 0..1 (negative weights never push a question below zero)."""
    return max(0.0, min(1.0, value))


def _normalise(text: str) -> str:
    """NFC, trimmed, inner runs of whitespace collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    """Moodle's short-answer pattern: ``*`` matches anything, ``\\*`` is a literal star."""
    bits = re.split(r"(?<!\\)\*+", _normalise(pattern))
    escaped = [re.escape(bit.replace("\\*", "*")) for bit in bits]
    return re.compile(".*".join(escaped), re.DOTALL)


def match_short_answer(question: Question, response: str) -> Answer | None:
    """The first answer whose pattern the response matches (case- and spacing-insensitive)."""
    given = _normalise(response)
    if not given:
        return None
    for answer in question.answers:
        if _wildcard_regex(answer.text).fullmatch(given):
            return answer
    return None


def parse_number(response: Any) -> float | None:
    """Read a typed number; Indonesian writers use a comma as decimal separator ("3,5").

    A single comma with no dot is taken as the decimal separator. Anything ambiguous
    ("1,000.5", "1.000,5") is refused rather than guessed, as is inf/nan.
    """
    if isinstance(response, bool):
        return None
    if isinstance(response, int | float):
        value = float(response)
        return value if value == value and abs(value) != float("inf") else None
    if not isinstance(response, str):
        return None
    text = response.strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER_RE.match(text):
        return None
    return float(text)


def match_numeric(question: Question, response: Any) -> Answer | None:
    """The first answer whose interval (value ± tolerance) holds the response, or a catch-all."""
    value = parse_number(response)
    if value is None:
        return None
    for answer in question.answers:
        if answer.value is None:
            if answer.text.strip() == "*":
                return answer
            continue
        tolerance = abs(answer.tolerance)
        slack = _EPSILON * max(1.0, abs(answer.value), tolerance)
        if answer.value - tolerance - slack <= value <= answer.value + tolerance + slack:
            return answer
    return None


def _grade_single(question: Question, response: Any) -> float:
    if isinstance(response, bool) or not isinstance(response, int):
        return 0.0
    if not 0 <= response < len(question.answers):
        return 0.0
    return _clamp(question.answers[response].fraction)


def _grade_multiple(question: Question, response: Any) -> float:
    if response is None or isinstance(response, str | bytes):
        return 0.0
    chosen = {i for i in response if isinstance(i, int) and not isinstance(i, bool)}
    total = sum(question.answers[i].fraction for i in chosen if 0 <= i < len(question.answers))
    return _clamp(total)


def _as_bool(response: Any) -> bool | None:
    if isinstance(response, bool):
        return response
    if isinstance(response, str):
        word = response.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _grade_true_false(question: Question, response: Any) -> float:
    value = _as_bool(response)
    if value is None:
        return 0.0
    wanted = "true" if value else "false"
    for answer in question.answers:
        if answer.text.strip().casefold() == wanted:
            return _clamp(answer.fraction)
    return 0.0


def _grade_matching(question: Question, response: Any) -> float:
    if not isinstance(response, Mapping):
        return 0.0
    pairs = [(i, a) for i, a in enumerate(question.answers) if not a.is_distractor and a.text]
    if not pairs:
        return 0.0
    right = 0
    for index, answer in pairs:
        chosen = response.get(index)
        if isinstance(chosen, str) and _normalise(chosen) == _normalise(answer.match or ""):
            right += 1
    return right / len(pairs)


def grade(question: Question, response: Any) -> float | None:
    """Fraction of the mark earned by ``response`` (see the module docstring for shapes).

    Returns None for essays, which need a trainer. An unanswered or malformed response earns 0.
    """
    kind = question.base_type
    if kind == "essay":
        return None
    if kind == "single_choice":
        return _grade_single(question, response)
    if kind == "multiple_response":
        return _grade_multiple(question, response if isinstance(response, Iterable) else None)
    if kind == "true_false":
        return _grade_true_false(question, response)
    if kind == "short_answer":
        if not isinstance(response, str):
            return 0.0
        answer = match_short_answer(question, response)
        return _clamp(answer.fraction) if answer else 0.0
    if kind == "numeric":
        answer = match_numeric(question, response)
        return _clamp(answer.fraction) if answer else 0.0
    if kind == "matching":
        return _grade_matching(question, response)
    raise ValueError(f"Unknown question type: {question.type!r}")
