"""A quiz as its authors and reviewers check it: every question with its answer key, and a
try-out that draws and shows the questions as a learner's attempt would and grades the answers
in memory.

Nothing here writes. A try-out is no attempt: no row, no number, no grade, so it never reaches
the learner's grades, the quiz statistics or the completion rules. The pages use the learner's
own templates (``attempt_take``, ``attempt_result``) with a stand-in for the attempt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from lms.extensions import db
from lms.quizzes.attempts import services as svc
from lms.quizzes.attempts.forms import KIND_LABELS
from lms.quizzes.attempts.posted import posted_responses
from lms.quizzes.attempts.queries import is_answered
from lms.quizzes.attempts.review import ReviewItem, review_item
from lms.quizzes.bank.forms import TYPE_LABELS
from lms.quizzes.bank.services import question_to_format, render_text
from lms.quizzes.models import Question, QuestionCategory, Quiz

_FULL = 0.999_999
TRUE_FALSE = {"true": _l("Benar"), "false": _l("Salah")}


# --- the answer key ------------------------------------------------------------------------------


@dataclass
class KeyAnswer:
    """One answer of a question as the key shows it: its text, its share of the mark, and the
    feedback a learner who gives it reads."""

    label: str
    fraction: float
    feedback: Markup | None = None
    #: Part of the right answer: full marks, or any positive share of a multiple response.
    right: bool = False

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)


@dataclass
class KeyItem:
    question: Question
    kind: str  # how the question is answered (a fill-in-the-blank as its inner type)
    type_label: str | LazyString
    answers: list[KeyAnswer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)
    general: Markup | None = None


@dataclass
class DrawKey:
    """A draw of ``count`` questions at random from a bank category, and that category's pool."""

    category: str
    count: int
    items: list[KeyItem]


@dataclass
class QuizKey:
    quiz: Quiz
    kind_label: str | LazyString
    fixed: list[KeyItem]
    draws: list[DrawKey]

    @property
    def per_attempt(self) -> int:
        return len(self.fixed) + sum(min(d.count, len(d.items)) for d in self.draws)

    @property
    def total(self) -> int:
        return len(self.fixed) + sum(len(d.items) for d in self.draws)


def _note(text: str, fmt: str) -> Markup | None:
    text = (text or "").strip()
    return Markup(render_text(text, fmt)) if text else None  # noqa: S704 - sanitised by render_text


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def key_item(question: Question) -> KeyItem:
    """Every answer of ``question`` with its mark and feedback (true/false as Benar/Salah)."""
    fmt = question_to_format(question)
    kind = fmt.base_type
    item = KeyItem(
        question=question,
        kind=kind,
        type_label=TYPE_LABELS.get(question.type, question.type),
        general=_note(fmt.general_feedback, fmt.general_feedback_format),
    )
    for answer in fmt.answers:
        note = _note(answer.feedback, answer.feedback_format)
        if kind == "matching":
            if answer.is_distractor:
                item.distractors.append(answer.match or "")
            elif answer.text:
                item.pairs.append((answer.text, answer.match or ""))
            continue
        label = answer.text
        if kind == "true_false":
            label = str(TRUE_FALSE.get(answer.text.strip().casefold(), answer.text))
        elif kind == "numeric" and answer.value is not None:
            label = _number(answer.value)
            if answer.tolerance:
                label += f" ± {_number(abs(answer.tolerance))}"
        right = answer.fraction >= _FULL or (kind == "multiple_response" and answer.fraction > 0)
        item.answers.append(KeyAnswer(label, answer.fraction, note, right))
    return item


def _spec(quiz: Quiz) -> tuple[list[int], list[dict[str, int]]]:
    spec = quiz.questions or {}
    ids = [int(i) for i in spec.get("ids", [])]
    draws = [
        {"category_id": int(d["category_id"]), "count": int(d["count"])}
        for d in spec.get("draws", [])
    ]
    return ids, draws


def answer_keys(course_id: int) -> list[QuizKey]:
    """Every quiz of the course, in order, with every question it may show: the fixed ones and
    the whole pool of each random draw. Three queries whatever the number of quizzes."""
    quizzes = db.session.scalars(
        select(Quiz).where(Quiz.course_id == course_id).order_by(Quiz.id)
    ).all()
    if not quizzes:
        return []
    categories = {
        c.id: c
        for c in db.session.scalars(
            select(QuestionCategory).where(QuestionCategory.course_id == course_id)
        )
    }
    questions = db.session.scalars(
        select(Question)
        .where(Question.course_id == course_id, Question.status == "ready")
        .order_by(Question.id)
    ).all()
    items = {q.id: key_item(q) for q in questions}
    keys = []
    for quiz in quizzes:
        ids, draws = _spec(quiz)
        draw_keys = []
        for draw in draws:
            category = categories.get(draw["category_id"])
            pool = [
                items[q.id]
                for q in questions
                if q.category_id == draw["category_id"] and q.id not in ids
            ]
            name = category.name if category is not None else "—"
            draw_keys.append(DrawKey(name, draw["count"], pool))
        fixed = [items[i] for i in ids if i in items]
        keys.append(QuizKey(quiz, KIND_LABELS.get(quiz.kind, quiz.kind), fixed, draw_keys))
    return keys


# --- the try-out ---------------------------------------------------------------------------------


@dataclass
class PreviewAttempt:
    """What the learner's templates and review helpers read from an attempt, in memory only."""

    quiz: Quiz
    question_order: list[int]
    answer_order: dict[str, list[int]]
    number: int = 0
    id: None = None


@dataclass
class PreviewAnswer:
    response: Any
    fraction: float | None
    comment: str = ""


@dataclass
class PreviewResult:
    attempt: PreviewAttempt
    items: list[ReviewItem]
    score: float | None  # None while an essay waits for a trainer, as for a learner
    passed: bool
    answered: int


def possible_ids(quiz: Quiz) -> set[int]:
    """Every question an attempt at ``quiz`` may show."""
    ids, draws = _spec(quiz)
    pooled = set(ids)
    categories = [d["category_id"] for d in draws]
    if categories:
        pooled |= set(
            db.session.scalars(
                select(Question.id).where(
                    Question.course_id == quiz.course_id,
                    Question.category_id.in_(categories),
                    Question.status == "ready",
                )
            )
        )
    return pooled


def questions_in_order(ids: list[int]) -> list[Question]:
    rows = db.session.scalars(select(Question).where(Question.id.in_(ids))).all()
    by_id = {q.id: q for q in rows}
    return [by_id[i] for i in ids if i in by_id]


def draw(quiz: Quiz, rng: random.Random | None = None) -> tuple[PreviewAttempt, list[Question]]:
    """The questions, in the order and with the option orders, a new attempt would get."""
    ids, orders = svc.draw_questions(quiz, rng or random.SystemRandom())
    return PreviewAttempt(quiz, ids, orders), questions_in_order(ids)


def parse_ids(raw: str, quiz: Quiz) -> list[int] | None:
    """The question ids a try-out form carries back, if every one belongs to ``quiz``."""
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        return None
    if not ids or len(ids) != len(set(ids)) or not set(ids) <= possible_ids(quiz):
        return None
    return ids


def check(quiz: Quiz, ids: list[int], form: Any) -> PreviewResult:
    """Grade the answers ``form`` carries for questions ``ids`` as a submit would, in memory.

    Options are reviewed in the bank's order (the try-out's shuffled order is not carried back:
    it only changes where an option was shown, not its mark)."""
    questions = questions_in_order(ids)
    attempt = PreviewAttempt(quiz, [q.id for q in questions], {})
    responses = posted_responses(questions, form)
    items = []
    fractions: list[float | None] = []
    for question in questions:
        response = responses.get(question.id)
        fraction = svc._grade_response(question, response)
        fractions.append(fraction)
        items.append(review_item(question, attempt, PreviewAnswer(response, fraction)))
    score = None
    if questions and all(f is not None for f in fractions):
        score = round(100 * sum(f for f in fractions if f is not None) / len(questions), 2)
    passed = score is not None and score >= quiz.pass_mark
    answered = sum(1 for q in questions if is_answered(responses.get(q.id)))
    return PreviewResult(attempt, items, score, passed, answered)
