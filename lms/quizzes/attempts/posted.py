"""Answers carried by the attempt form itself, for a browser without JavaScript.

With JavaScript every change is autosaved and the submit only asks to grade. Without it the
answers reach the server only in the submit's form body, named as the page names its fields
(``q<id>``, ``q<id>-<pair>`` for matching): this module reads them back into the responses the
autosave would have sent, so no answer is lost to a browser that runs no script.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from lms.quizzes.models import Question


def kind_of(question: Question) -> str:
    """How the page asks the question (a fill-in-the-blank asks as its inner type)."""
    if question.type == "fill_blank":
        return str((question.data or {}).get("inner_type") or "short_answer")
    return question.type


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def response_of(kind: str, name: str, form: MultiDict[str, str]) -> tuple[bool, Any]:
    """(present, response) of one question; absent when the form does not carry it (another
    page of a one-question-per-page attempt, or a radio group left untouched)."""
    if kind == "matching":
        pairs = {
            key[len(name) + 1 :]: value
            for key, value in form.items()
            if key.startswith(name + "-") and value
        }
        present = any(key.startswith(name + "-") for key in form)
        return present, pairs
    if name not in form:
        return False, None
    value = form.get(name, "")
    if kind == "single_choice":
        return True, None if value == "" else _int(value)
    if kind == "true_false":
        return True, None if value == "" else value == "true"
    if kind == "multiple_response":
        picked = [_int(v) for v in form.getlist(name)]
        return True, [p for p in picked if p is not None]
    return True, value


def posted_responses(questions: list[Question], form: MultiDict[str, str]) -> dict[int, Any]:
    """Every answer the form carries, by question id."""
    out: dict[int, Any] = {}
    for question in questions:
        present, response = response_of(kind_of(question), f"q{question.id}", form)
        if present and response is not None:
            out[question.id] = response
    return out
