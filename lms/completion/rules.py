"""Pure completion rules: what is still missing before a course counts as completed.

Kept free of the database so the rule is tested on its own, and so the learner can be told *why*
a course is not complete yet (the Open edX habit), not just that it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Rules:
    lessons: bool = True
    posttest: bool = True
    evaluation: bool = True


@dataclass(frozen=True)
class QuizResult:
    title: str
    passed: bool
    score: float | None = None


@dataclass(frozen=True)
class Progress:
    lessons_total: int
    lessons_done: int
    posttests: tuple[QuizResult, ...] = ()
    evaluation_done: bool = False


@dataclass
class Verdict:
    complete: bool
    missing: list[tuple[str, str]] = field(default_factory=list)  # (rule, detail)
    score: float | None = None


def judge(rules: Rules, progress: Progress) -> Verdict:
    """The verdict for one enrolment; ``score`` is the post-test score (the lowest if several)."""
    missing: list[tuple[str, str]] = []
    if rules.lessons and progress.lessons_done < progress.lessons_total:
        missing.append(("lessons", f"{progress.lessons_done}/{progress.lessons_total}"))
    scores = [q.score for q in progress.posttests if q.score is not None]
    if rules.posttest:
        missing.extend(("posttest", q.title) for q in progress.posttests if not q.passed)
    if rules.evaluation and not progress.evaluation_done:
        missing.append(("evaluation", ""))
    return Verdict(not missing, missing, min(scores) if scores else None)


def allocate_jp(total: Decimal, weights: list[int]) -> list[Decimal]:
    """Split a course's JP over its subjects in proportion to their minutes.

    Whole JP by the largest-remainder method so the parts always add up to the printed total; a
    fractional total keeps its fraction on the largest part. Subjects without minutes share evenly.
    """
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = int(total)
    fraction = total - whole
    exact = [Decimal(whole) * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(
        range(len(weights)), key=lambda i: (exact[i] - parts[i], weights[i]), reverse=True
    )
    for i in order[: whole - sum(parts)]:
        parts[i] += 1
    result = [Decimal(p) for p in parts]
    if fraction:
        biggest = max(range(len(weights)), key=lambda i: weights[i])
        result[biggest] += fraction
    return result
