"""Question bank services: parse an upload, store its questions, write them back out.

Services flush and never commit; the view or command that calls them commits once. Conversion
goes through the framework-free :mod:`lms.quizzes.bank.formats` shapes in both directions
(``from_format`` / ``question_to_format``), so export → import gives the same questions.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict

import nh3
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.courses.models import Course
from lms.courses.rendering import render_markdown
from lms.extensions import db
from lms.quizzes.bank.category_names import clean_category
from lms.quizzes.bank.formats import (
    Answer,
    ImportResult,
    export_aiken,
    export_gift,
    parse_aiken,
    parse_gift,
)
from lms.quizzes.bank.formats import Question as FormatQuestion
from lms.quizzes.models import NAME_MAX, Question, QuestionCategory

#: Exchange formats: name → (parser, writer, file suffix).
FORMATS: dict[str, tuple[Callable[[bytes], ImportResult], Callable, str]] = {
    "gift": (parse_gift, export_gift, ".gift"),
    "aiken": (parse_aiken, export_aiken, ".txt"),
}


#: Questions a post-test shows per attempt when its bank holds more: each attempt draws anew, so
#: a second attempt is not the first one again and the bank is not learnt from one sitting.
POSTTEST_QUESTIONS = 10


def default_draw(course: Course, count: int = POSTTEST_QUESTIONS) -> dict[str, int] | None:
    """A random draw of ``count`` questions from the course's largest bank category, when that
    category holds more than ``count`` (else None: every question is shown, fixed)."""
    row = db.session.execute(
        select(Question.category_id, func.count())
        .where(
            Question.course_id == course.id,
            Question.category_id.is_not(None),
            Question.status == "ready",
        )
        .group_by(Question.category_id)
        .order_by(func.count().desc(), Question.category_id)
        .limit(1)
    ).first()
    if row is None or count <= 0 or row[1] <= count:
        return None
    return {"category_id": row[0], "count": count}


def parse_upload(data: bytes, fmt: str) -> ImportResult:
    """Read an uploaded file in ``fmt``; nothing is stored, so the result can be previewed."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown question format {fmt!r}")
    return FORMATS[fmt][0](data)


# --- rendering -----------------------------------------------------------------------------------


def _escaped_lines(text: str) -> str:
    return "<br>\n".join(html.escape(line, quote=False) for line in text.split("\n"))


def render_text(text: str, text_format: str) -> str:
    """Safe HTML for a question text, following the text's own format.

    Plain text (Aiken, ``[plain]``) is shown literally: ``<html class="cool"> &`` stays those
    characters. Markdown goes through the lesson renderer; HTML is cleaned by nh3. Moodle's
    own format is HTML with automatic line breaks (a GIFT file's ``<b>`` is bold in Moodle too),
    so it is cleaned like HTML after its newlines become ``<br>``.
    """
    if text_format == "markdown":
        return render_markdown(text)
    if text_format == "html":
        return nh3.clean(text)
    if text_format == "moodle":
        return nh3.clean(text.replace("\n", "<br>\n"))
    return _escaped_lines(text)


# --- conversion ----------------------------------------------------------------------------------


def from_format(question: FormatQuestion) -> dict:
    """Column values for a bank question read from a file (everything but course/category)."""
    return {
        "type": question.type,
        "name": (question.name or "Soal")[:NAME_MAX],
        "text": question.text,
        "text_format": question.text_format,
        "text_html": render_text(question.text, question.text_format),
        "general_feedback": question.general_feedback,
        "data": {
            "answers": [asdict(a) for a in question.answers],
            "general_feedback_format": question.general_feedback_format,
            "inner_type": question.inner_type,
            "blank_before": question.blank_before,
            "blank_after": question.blank_after,
        },
    }


def question_to_format(question: Question) -> FormatQuestion:
    """The exchange-format shape of a stored question (for export, preview and grading)."""
    data = question.data or {}
    return FormatQuestion(
        type=question.type,
        name=question.name,
        text=question.text,
        text_format=question.text_format,
        answers=[Answer(**a) for a in data.get("answers", [])],
        general_feedback=question.general_feedback,
        general_feedback_format=data.get("general_feedback_format", question.text_format),
        category=question.category.name if question.category else None,
        inner_type=data.get("inner_type"),
        blank_before=data.get("blank_before", ""),
        blank_after=data.get("blank_after", ""),
    )


# --- import and export ---------------------------------------------------------------------------


def import_questions(
    course: Course,
    result: ImportResult,
    category_name: str | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 100,
) -> dict[str, int]:
    """Store the questions of a parsed file in ``course``'s bank; returns the count per type.

    A question goes into the category its file names (GIFT ``$CATEGORY:``, without Moodle's
    ``$course$/top/`` prefix: ``category_names``), else into ``category_name``, else into none. Categories are created on first use. The file's errors
    are the caller's to report: the questions that could be read are stored regardless.
    ``progress(n)`` is called every ``every`` questions converted (the task's progress page);
    nothing is written before the one flush at the end.
    """
    categories = {
        c.name: c
        for c in db.session.scalars(
            select(QuestionCategory).where(QuestionCategory.course_id == course.id)
        )
    }
    fallback = (category_name or "").strip()[:NAME_MAX] or None
    counts: Counter[str] = Counter()
    for n, item in enumerate(result.questions, 1):
        if progress is not None and n % every == 0:
            progress(n)
        name = (clean_category(item.category) or "")[:NAME_MAX] or fallback
        category = None
        if name:
            category = categories.get(name)
            if category is None:
                category = QuestionCategory(course_id=course.id, name=name)
                db.session.add(category)
                categories[name] = category
        db.session.add(Question(course_id=course.id, category=category, **from_format(item)))
        counts[item.type] += 1
    db.session.flush()
    return dict(counts)


def bank_questions(course: Course) -> list[Question]:
    """The course's questions (their current versions, deleted ones left out), uncategorised
    first, then by category name, in import order.

    That order is also what export needs: GIFT writes ``$CATEGORY:`` only when the category
    changes, so questions without one must come before any named category.
    """
    rows = db.session.scalars(
        select(Question)
        .where(Question.course_id == course.id, Question.status == "ready")
        .options(joinedload(Question.category))
        .outerjoin(QuestionCategory, Question.category_id == QuestionCategory.id)
        .order_by(QuestionCategory.name.is_not(None), QuestionCategory.name, Question.id)
    )
    return list(rows)


def export_questions(course: Course, fmt: str) -> str:
    """The course's bank as GIFT or Aiken text (Aiken keeps only single-choice questions)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown question format {fmt!r}")
    return FORMATS[fmt][1](question_to_format(q) for q in bank_questions(course))
