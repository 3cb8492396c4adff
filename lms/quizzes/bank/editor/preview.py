"""A question drawn as the learner sees it, by the attempt page's own template
(``quizzes/attempts/_question.html``) and the same helpers for its options and inline blank.

The preview of an unsaved edit uses a question object that never enters the session: nothing
of a preview is stored. Options come in their stored order (a quiz may shuffle them).
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from lms.quizzes.attempts.review import blank_parts, choices, matching
from lms.quizzes.bank.formats import Question as FormatQuestion
from lms.quizzes.bank.forms import TYPE_LABELS
from lms.quizzes.bank.services import from_format
from lms.quizzes.models import Question, QuizAttempt

#: The id an unsaved question is drawn with (field names ``q0``, ``q0-1``…).
UNSAVED = 0


def unsaved(course_id: int, draft: FormatQuestion, question_id: int | None = None) -> Question:
    """A question object for ``draft`` that is never added to the session."""
    question = Question(course_id=course_id, **from_format(draft))
    question.id = question_id or UNSAVED
    return question


def context(question: Question) -> dict[str, Any]:
    """What ``_question.html`` needs to draw ``question`` alone, unanswered."""
    in_order = QuizAttempt(answer_order={})
    return {
        "q": question,
        "n": 1,
        "total": 1,
        "value": None,
        "blanks": {question.id: blank_parts(question)},
        "choices": {question.id: choices(question, in_order)},
        "matching": {question.id: matching(question, in_order)},
        "types": TYPE_LABELS,
    }


def render(question: Question, problems: list | None = None) -> str:
    """The preview fragment: the question, and what still keeps it from being saved."""
    return render_template(
        "quizzes/bank/_preview.html", problems=problems or [], **context(question)
    )
