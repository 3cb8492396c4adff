"""How a question of an attempt is shown: options in the attempt's own order, inline blanks,
and, once ``review_allowed`` says so, the review of each answer (mark, correct answers, feedback).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup

from lms.quizzes.attempts import statistics as stats
from lms.quizzes.bank.formats.types import BLANK
from lms.quizzes.bank.services import question_to_format, render_text
from lms.quizzes.grading import match_numeric, match_short_answer
from lms.quizzes.models import AttemptAnswer, Question, QuizAttempt


def choices(question: Question, attempt: QuizAttempt) -> list[tuple[int, str]]:
    answers = (question.data or {}).get("answers", [])
    order = attempt.answer_order.get(str(question.id)) or list(range(len(answers)))
    return [(i, answers[i]["text"]) for i in order if i < len(answers)]


def matching(question: Question, attempt: QuizAttempt) -> tuple[list, list[str]]:
    answers = (question.data or {}).get("answers", [])
    prompts = [(i, a["text"]) for i, a in enumerate(answers) if a.get("text")]
    order = attempt.answer_order.get(str(question.id)) or list(range(len(answers)))
    options = []
    for i in order:
        match = answers[i].get("match") if i < len(answers) else None
        if match and match not in options:
            options.append(match)
    return prompts, options


#: Inner types of a fill-in-the-blank question that can be answered inside the sentence.
INLINE_BLANK_TYPES = ("short_answer", "numeric", "single_choice", "true_false")


def blank_parts(question: Question) -> tuple[Markup, Markup] | None:
    """The question's sanitised HTML before and after its blank, to draw the blank inline.

    None when the question is not a fill-in-the-blank one answered by a single field, or when its
    rendered text does not hold exactly one blank (the field then goes below the text).
    """
    data = question.data or {}
    if question.type != "fill_blank" or data.get("inner_type") not in INLINE_BLANK_TYPES:
        return None
    text = question.text_html or ""
    if text.count(BLANK) != 1:
        return None
    before, after = text.split(BLANK)
    return Markup(before), Markup(after)  # noqa: S704 - text_html is sanitised when stored


# --- review --------------------------------------------------------------------------------------

_FULL = 0.999_999


@dataclass
class ReviewOption:
    """An option of a choice or true/false question as the review shows it."""

    label: str
    chosen: bool
    fraction: float

    @property
    def correct(self) -> bool:
        return self.fraction >= _FULL

    @property
    def partial(self) -> bool:
        return 0 < self.fraction < _FULL


@dataclass
class ReviewItem:
    """What the learner sees about one question once review is allowed."""

    question: Question
    kind: str
    fraction: float | None
    comment: str = ""
    options: list[ReviewOption] = field(default_factory=list)
    given: str | None = None
    pairs: list[tuple[str, str | None, str, bool]] = field(default_factory=list)
    correct: list[str] = field(default_factory=list)
    feedback: list[Markup] = field(default_factory=list)
    general: Markup | None = None
    blank: tuple[Markup, Markup] | None = None
    filled: str | None = None

    @property
    def state(self) -> str:
        if self.fraction is None:
            return "pending"
        if self.fraction >= _FULL:
            return "right"
        return "partial" if self.fraction > 0 else "wrong"


def _feedback(text: str, fmt: str) -> Markup | None:
    text = (text or "").strip()
    return Markup(render_text(text, fmt)) if text else None  # noqa: S704 - sanitised by render_text


def _full_marks(answers: list) -> list:
    best = [a for a in answers if a.fraction >= _FULL]
    if best or not answers:
        return best
    top = max(a.fraction for a in answers)
    return [a for a in answers if top > 0 and a.fraction == top]


def review_item(
    question: Question, attempt: QuizAttempt, answer: AttemptAnswer | None
) -> ReviewItem:
    """Per question: the learner's answer, the mark, the correct answer(s) and the feedback."""
    fmt = question_to_format(question)
    kind = fmt.base_type
    response = answer.response if answer is not None else None
    item = ReviewItem(
        question=question,
        kind=kind,
        fraction=answer.fraction if answer is not None else 0.0,
        comment=answer.comment if answer is not None else "",
        general=_feedback(fmt.general_feedback, fmt.general_feedback_format),
        blank=blank_parts(question),
    )
    chosen_answers = []
    if kind in ("single_choice", "multiple_response"):
        picked = set()
        if kind == "single_choice" and isinstance(response, int) and not isinstance(response, bool):
            picked = {response}
        elif kind == "multiple_response" and isinstance(response, list):
            picked = {i for i in response if isinstance(i, int) and not isinstance(i, bool)}
        for i, text in choices(question, attempt):
            option = fmt.answers[i]
            item.options.append(ReviewOption(text, i in picked, option.fraction))
            if i in picked:
                chosen_answers.append(option)
        item.correct = [
            o.label
            for o in item.options
            if o.correct or (kind == "multiple_response" and o.fraction > 0)
        ]
        item.filled = ", ".join(o.label for o in item.options if o.chosen) or None
    elif kind == "true_false":
        value = stats.as_bool(response)
        by_word = {a.text.strip().casefold(): a for a in fmt.answers}
        for word, label, flag in (("true", _("Benar"), True), ("false", _("Salah"), False)):
            option = by_word.get(word)
            fraction = option.fraction if option is not None else 0.0
            item.options.append(ReviewOption(label, value is flag, fraction))
            if value is flag and option is not None:
                chosen_answers.append(option)
        item.correct = [o.label for o in item.options if o.correct]
        item.filled = next((o.label for o in item.options if o.chosen), None)
    elif kind == "matching":
        given = response if isinstance(response, dict) else {}
        for i, pair in enumerate(fmt.answers):
            if pair.is_distractor or not pair.text:
                continue
            chosen = given.get(str(i))
            chosen = chosen if isinstance(chosen, str) and chosen else None
            right = pair.match or ""
            ok = chosen is not None and chosen.strip().casefold() == right.strip().casefold()
            item.pairs.append((pair.text, chosen, right, ok))
    elif kind in ("short_answer", "numeric"):
        text = "" if response is None else str(response).strip()
        item.given = text or None
        item.filled = item.given
        matched = None
        if text:
            if kind == "short_answer":
                matched = match_short_answer(fmt, text)
            else:
                matched = match_numeric(fmt, text)
        if matched is not None:
            chosen_answers.append(matched)
        for best in _full_marks(fmt.answers):
            if kind == "numeric" and best.value is not None and best.tolerance:
                item.correct.append(f"{best.value:g} ± {abs(best.tolerance):g}")
            elif kind == "numeric" and best.value is not None:
                item.correct.append(f"{best.value:g}")
            else:
                item.correct.append(best.text)
    else:  # essay
        item.given = response if isinstance(response, str) and response.strip() else None
    for chosen in chosen_answers:
        note = _feedback(chosen.feedback, chosen.feedback_format)
        if note is not None:
            item.feedback.append(note)
    return item
