"""Quiz statistics for trainers, computed as Moodle's quiz statistics report does.

Everything but :func:`load_statistics` is a pure function over plain data, so the numbers can be
checked by hand in tests. Definitions (Moodle's, over the attempts included):

* **facility index**: the mean fraction earned on the question, ×100. Low means hard.
* **standard deviation**: the sample standard deviation of that fraction, ×100.
* **discrimination index**: the Pearson correlation between the fraction earned on the question and
  the rest-of-test score (the attempt's total marks minus this question's). Undefined (None) with
  fewer than two attempts or when either side does not vary. Moodle prints it ×100 as a
  percentage; here it stays in -1..1 and a value under 0.15 is flagged as weak.

Every question carries one mark, as the attempt score is the mean fraction over its questions, so
the rest-of-test score is the sum of the attempt's other fractions. Which attempts count is the
caller's choice: all graded attempts (Moodle's default) or each learner's first graded attempt.
"""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.quizzes.bank.formats.types import Question as FormatQuestion
from lms.quizzes.bank.services import question_to_format
from lms.quizzes.grading import grade, parse_number
from lms.quizzes.models import AttemptAnswer, Question, Quiz, QuizAttempt

__all__ = [
    "MODES",
    "AttemptRow",
    "Frequencies",
    "Option",
    "QuestionStat",
    "QuizStatistics",
    "Summary",
    "answer_frequencies",
    "as_bool",
    "hints",
    "load_statistics",
    "pearson",
    "pick_attempts",
    "question_stat",
    "sample_sd",
    "summarise",
]

#: Which attempts count: every graded attempt, or each learner's first graded attempt.
MODES = ("all", "first")
#: Moodle-like thresholds for the hints.
TOO_HARD = 20.0
TOO_EASY = 95.0
WEAK_DISCRIMINATION = 0.15
TOP_RESPONSES = 10
_FULL = 0.999_999
_TRUE_WORDS = frozenset({"true", "t", "benar", "b", "ya", "1"})
_FALSE_WORDS = frozenset({"false", "f", "salah", "s", "tidak", "0"})


# --- plain data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptRow:
    """One graded attempt: its questions in order, the fraction and response per question id.

    A question of the attempt without an answer row counts as fraction 0 and no response.
    """

    id: int
    employee_id: int
    number: int
    score: float
    question_ids: tuple[int, ...]
    fractions: dict[int, float] = field(default_factory=dict)
    responses: dict[int, Any] = field(default_factory=dict)

    def fraction(self, question_id: int) -> float:
        value = self.fractions.get(question_id)
        return float(value) if value is not None else 0.0

    @property
    def total(self) -> float:
        """Marks earned over the attempt's questions (one mark per question)."""
        return sum(self.fraction(qid) for qid in self.question_ids)


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    median: float | None
    sd: float | None
    pass_rate: float | None


@dataclass(frozen=True)
class QuestionStat:
    question_id: int
    count: int
    facility: float | None
    sd: float | None
    discrimination: float | None


@dataclass(frozen=True)
class Option:
    """A row of an answer frequency table; ``label`` None is "no response"."""

    label: str | None
    count: int
    percent: float
    fraction: float | None = None

    @property
    def correct(self) -> bool:
        return self.fraction is not None and self.fraction >= _FULL

    @property
    def partial(self) -> bool:
        return self.fraction is not None and 0 < self.fraction < _FULL


@dataclass(frozen=True)
class Frequencies:
    """How often each answer was given.

    ``kind`` is "options" (choices, true/false: every option listed), "responses" (typed answers:
    the most frequent ones), "matching" (one table per prompt in ``groups``) or None (essays).
    ``total`` is the number of attempts that were shown the question.
    """

    kind: str | None
    total: int
    options: list[Option] = field(default_factory=list)
    groups: list[tuple[str, list[Option]]] = field(default_factory=list)
    unanswered: int = 0
    more: int = 0


# --- pure computations ---------------------------------------------------------------------------


def pick_attempts(attempts: Iterable[AttemptRow], mode: str = "all") -> list[AttemptRow]:
    """All attempts, or per learner the first one (the lowest number) among those given."""
    rows = sorted(attempts, key=lambda a: (a.employee_id, a.number))
    if mode != "first":
        return rows
    first: dict[int, AttemptRow] = {}
    for row in rows:
        first.setdefault(row.employee_id, row)
    return list(first.values())


def sample_sd(values: Sequence[float]) -> float | None:
    """Sample standard deviation (n - 1), as Moodle uses; None below two values."""
    if len(values) < 2:
        return None
    return statistics.stdev(values)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None with fewer than two pairs or when either side has zero variance."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("xs and ys must have the same length")
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def summarise(scores: Sequence[float], pass_mark: float) -> Summary:
    """Count, mean, median, standard deviation and pass rate (%) of 0–100 scores."""
    if not scores:
        return Summary(0, None, None, None, None)
    passed = sum(1 for s in scores if s >= pass_mark)
    return Summary(
        count=len(scores),
        mean=statistics.fmean(scores),
        median=float(statistics.median(scores)),
        sd=sample_sd(scores),
        pass_rate=100 * passed / len(scores),
    )


def question_stat(question_id: int, attempts: Iterable[AttemptRow]) -> QuestionStat:
    """Facility, standard deviation (both ×100) and discrimination over the attempts that had it."""
    xs: list[float] = []
    rest: list[float] = []
    for attempt in attempts:
        if question_id not in attempt.question_ids:
            continue
        x = attempt.fraction(question_id)
        xs.append(x)
        rest.append(attempt.total - x)
    if not xs:
        return QuestionStat(question_id, 0, None, None, None)
    sd = sample_sd(xs)
    return QuestionStat(
        question_id=question_id,
        count=len(xs),
        facility=100 * statistics.fmean(xs),
        sd=100 * sd if sd is not None else None,
        discrimination=pearson(xs, rest),
    )


def hints(stat: QuestionStat) -> list[str]:
    """Codes of what looks wrong with a question (the page words them in Indonesian)."""
    found = []
    if stat.facility is not None:
        if stat.facility < TOO_HARD:
            found.append("too_hard")
        elif stat.facility > TOO_EASY:
            found.append("too_easy")
    if stat.discrimination is not None:
        if stat.discrimination < 0:
            found.append("negative")
        elif stat.discrimination < WEAK_DISCRIMINATION:
            found.append("weak")
    return found


def _percent(count: int, total: int) -> float:
    return 100 * count / total if total else 0.0


def _as_index(response: Any) -> int | None:
    return response if isinstance(response, int) and not isinstance(response, bool) else None


def as_bool(response: Any) -> bool | None:
    """A true/false response as the grader reads it (bool, or words such as "benar")."""
    if isinstance(response, bool):
        return response
    if isinstance(response, str):
        word = response.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _blank(response: Any) -> bool:
    return response is None or (isinstance(response, str | list | dict) and not response)


def _choice_frequencies(question: FormatQuestion, responses: list[Any]) -> Frequencies:
    total = len(responses)
    counts: Counter[int] = Counter()
    unanswered = 0
    multiple = question.base_type == "multiple_response"
    for response in responses:
        if _blank(response):
            unanswered += 1
        elif multiple and isinstance(response, list):
            counts.update({i for i in response if _as_index(i) is not None})
        elif not multiple and _as_index(response) is not None:
            counts[response] += 1
        else:
            unanswered += 1
    options = [
        Option(answer.text, counts[i], _percent(counts[i], total), answer.fraction)
        for i, answer in enumerate(question.answers)
    ]
    return Frequencies("options", total, options, unanswered=unanswered)


def _true_false_frequencies(question: FormatQuestion, responses: list[Any]) -> Frequencies:
    total = len(responses)
    values = [as_bool(r) for r in responses]
    fractions = {a.text.strip().casefold(): a.fraction for a in question.answers}
    options = [
        Option(label, n, _percent(n, total), fractions.get(key, 0.0))
        for label, key, n in (
            ("true", "true", values.count(True)),
            ("false", "false", values.count(False)),
        )
    ]
    return Frequencies("options", total, options, unanswered=values.count(None))


def _matching_frequencies(question: FormatQuestion, responses: list[Any]) -> Frequencies:
    total = len(responses)
    offered: list[str] = []
    for answer in question.answers:
        if answer.match and answer.match not in offered:
            offered.append(answer.match)
    groups = []
    for index, answer in enumerate(question.answers):
        if answer.is_distractor or not answer.text:
            continue
        chosen: Counter[str] = Counter()
        for response in responses:
            value = response.get(str(index)) if isinstance(response, dict) else None
            if isinstance(value, str) and value:
                chosen[_normalise(value)] += 1
        right = _normalise(answer.match or "")
        options = [
            Option(
                text,
                chosen[_normalise(text)],
                _percent(chosen[_normalise(text)], total),
                1.0 if _normalise(text) == right else 0.0,
            )
            for text in offered
        ]
        groups.append((answer.text, options))
    unanswered = sum(1 for r in responses if _blank(r))
    return Frequencies("matching", total, groups=groups, unanswered=unanswered)


def _typed_key(kind: str, response: Any) -> tuple[str, object]:
    if kind == "numeric":
        value = parse_number(response)
        if value is not None:
            return ("n", value)
    return ("t", _normalise(str(response)))


def _typed_frequencies(question: FormatQuestion, responses: list[Any]) -> Frequencies:
    """Typed answers grouped as the grader sees them (case, spacing; numbers by value)."""
    total = len(responses)
    kind = question.base_type
    counts: Counter[tuple[str, object]] = Counter()
    shown: dict[tuple[str, object], str] = {}
    unanswered = 0
    for response in responses:
        if _blank(response) or (isinstance(response, str) and not response.strip()):
            unanswered += 1
            continue
        key = _typed_key(kind, response)
        counts[key] += 1
        shown.setdefault(key, " ".join(str(response).split()))
    ranked = sorted(counts.items(), key=lambda item: -item[1])  # stable: first seen wins ties
    options = []
    for key, n in ranked[:TOP_RESPONSES]:
        try:
            fraction = grade(question, shown[key])
        except (TypeError, ValueError):
            fraction = 0.0
        options.append(Option(shown[key], n, _percent(n, total), fraction))
    return Frequencies(
        "responses",
        total,
        options,
        unanswered=unanswered,
        more=max(0, len(ranked) - TOP_RESPONSES),
    )


def answer_frequencies(question: FormatQuestion, responses: list[Any]) -> Frequencies:
    """How often each answer was given, one response per attempt (None = not answered).

    Responses are as stored by the attempt (see :mod:`lms.quizzes.grading`): an answer index for
    a single choice, a list of indices for multiple response, a bool for true/false, a dict from
    the pair index (as a string) to the chosen text for matching, the typed text otherwise. A
    fill-in-the-blank question is counted like its inner type.
    """
    kind = question.base_type
    if kind in ("single_choice", "multiple_response"):
        return _choice_frequencies(question, responses)
    if kind == "true_false":
        return _true_false_frequencies(question, responses)
    if kind == "matching":
        return _matching_frequencies(question, responses)
    if kind in ("short_answer", "numeric"):
        return _typed_frequencies(question, responses)
    return Frequencies(None, len(responses))


# --- loading -------------------------------------------------------------------------------------


@dataclass
class QuestionReport:
    question: Question
    stat: QuestionStat
    frequencies: Frequencies
    hints: list[str]


@dataclass
class QuizStatistics:
    mode: str
    scores: list[float]
    summary: Summary
    questions: list[QuestionReport]


def _rows(quiz: Quiz) -> list[AttemptRow]:
    attempts = db.session.execute(
        select(
            QuizAttempt.id,
            QuizAttempt.employee_id,
            QuizAttempt.number,
            QuizAttempt.score,
            QuizAttempt.question_order,
        ).where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.status == "graded",
            QuizAttempt.score.is_not(None),
        )
    ).all()
    answers = db.session.execute(
        select(
            AttemptAnswer.attempt_id,
            AttemptAnswer.question_id,
            AttemptAnswer.fraction,
            AttemptAnswer.response,
        )
        .join(QuizAttempt, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.status == "graded",
            QuizAttempt.score.is_not(None),
        )
    ).all()
    fractions: dict[int, dict[int, float]] = {}
    responses: dict[int, dict[int, Any]] = {}
    for attempt_id, question_id, fraction, response in answers:
        if fraction is not None:
            fractions.setdefault(attempt_id, {})[question_id] = float(fraction)
        responses.setdefault(attempt_id, {})[question_id] = response
    return [
        AttemptRow(
            id=a.id,
            employee_id=a.employee_id,
            number=a.number,
            score=float(a.score),
            question_ids=tuple(int(q) for q in a.question_order or []),
            fractions=fractions.get(a.id, {}),
            responses=responses.get(a.id, {}),
        )
        for a in attempts
    ]


def load_statistics(quiz: Quiz, mode: str = "all") -> QuizStatistics:
    """The quiz's statistics over its graded attempts, in three queries whatever their number."""
    mode = mode if mode in MODES else "all"
    rows = pick_attempts(_rows(quiz), mode)
    fixed = [int(i) for i in (quiz.questions or {}).get("ids", [])]
    seen = {qid for row in rows for qid in row.question_ids}
    ids = fixed + sorted(seen - set(fixed))
    by_id = {
        q.id: q
        for q in db.session.scalars(
            select(Question).where(Question.id.in_(ids)).options(joinedload(Question.category))
        ).unique()
    }
    reports = []
    for qid in ids:
        question = by_id.get(qid)
        if question is None:
            continue
        stat = question_stat(qid, rows)
        had_it = [row.responses.get(qid) for row in rows if qid in row.question_ids]
        reports.append(
            QuestionReport(
                question=question,
                stat=stat,
                frequencies=answer_frequencies(question_to_format(question), had_it),
                hints=hints(stat),
            )
        )
    scores = [row.score for row in rows]
    return QuizStatistics(mode, scores, summarise(scores, quiz.pass_mark), reports)
