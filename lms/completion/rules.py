"""Pure completion rules: what is still missing before a course counts as completed.

Kept free of the database so the rule is tested on its own, and so the learner can be told *why*
a course is not complete yet (the Open edX habit), not just that it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


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
    # The percent score (0-100) of each scored SCO the learner finished in the course's packages.
    package_scores: tuple[float | Decimal, ...] = ()


@dataclass
class Verdict:
    complete: bool
    missing: list[tuple[str, str]] = field(default_factory=list)  # (rule, detail)
    score: float | None = None


def course_score(progress: Progress) -> float | None:
    """The one score a completion carries: the course's own post-test when it has a score (the
    lowest if several), else the mean of its packages' scored SCOs (two decimals), else none."""
    posttest = [q.score for q in progress.posttests if q.score is not None]
    if posttest:
        return min(posttest)
    if progress.package_scores:
        mean = sum(Decimal(str(s)) for s in progress.package_scores) / len(progress.package_scores)
        return float(mean.quantize(Decimal("0.01")))
    return None


def judge(rules: Rules, progress: Progress) -> Verdict:
    """The verdict for one enrolment, with its score (``course_score``)."""
    missing: list[tuple[str, str]] = []
    if rules.lessons and progress.lessons_done < progress.lessons_total:
        missing.append(("lessons", f"{progress.lessons_done}/{progress.lessons_total}"))
    if rules.posttest:
        missing.extend(("posttest", q.title) for q in progress.posttests if not q.passed)
    if rules.evaluation and not progress.evaluation_done:
        missing.append(("evaluation", ""))
    return Verdict(not missing, missing, course_score(progress))


#: What each rule is called when it is the thing still missing (badges, dashboards, course page).
MISSING_LABELS = {
    "lessons": _l("Materi belum selesai"),
    "posttest": _l("Post-test belum lulus"),
    "evaluation": _l("Evaluasi belum diisi"),
}


def still_missing(rules: Rules, progress: Progress) -> tuple[str, ...]:
    """The rules not met yet (``lessons``, ``posttest``, ``evaluation``), each once, in the order a
    learner meets them; empty when the course is complete."""
    return tuple(dict.fromkeys(rule for rule, _detail in judge(rules, progress).missing))


#: Badges of enrolments that are not being learnt (one name per state on every screen).
_STATUS_BADGES = {
    "completed": _l("Selesai"),
    "nominated": _l("Menunggu persetujuan"),
    "waitlisted": _l("Daftar tunggu"),
    "withdrawn": _l("Dibatalkan"),
    "rejected": _l("Ditolak"),
}


@dataclass(frozen=True)
class LearnerState:
    """One enrolment in words: a short ``badge`` and a ``label`` for beside its progress bar.

    ``key`` is ``completed``, ``missing`` (every lesson done, something else still lacking),
    ``learning`` (lessons still open), or the enrolment's own status otherwise.
    """

    key: str
    progress: int = 0
    missing: tuple[str, ...] = ()
    status: str = ""

    @property
    def badge(self) -> str:
        return _worded("badge", self.key, self.status, self.progress, self.missing)

    @property
    def label(self) -> str:
        return _worded("label", self.key, self.status, self.progress, self.missing)

    @property
    def done(self) -> bool:
        return self.key == "completed"


def learner_state(status: str, progress: int, missing: tuple[str, ...] = ()) -> LearnerState:
    """The true state of an enrolment: a finished course says "Selesai" (not "Terdaftar"), and a
    course whose lessons are all done says what is still missing instead of "Kemajuan 100%".

    ``missing`` is what :func:`still_missing` returned for an active enrolment (callers may skip
    it while lessons are open: the progress says that already).
    """
    if status != "active":
        return LearnerState(status, progress, (), status)
    progress = max(0, min(int(progress or 0), 100))
    rest = tuple(m for m in missing if m != "lessons")
    if progress < 100 or "lessons" in missing or not rest:
        return LearnerState("learning", progress, tuple(missing), status)
    return LearnerState("missing", progress, rest, status)


def _badge(key: str, status: str, progress: int, missing: tuple[str, ...]) -> str:
    if key == "missing":
        return " · ".join(str(MISSING_LABELS[m]) for m in missing)
    if key == "learning":
        return _("Sedang belajar") if progress else _("Terdaftar")
    return str(_STATUS_BADGES.get(status, status))


def _label(key: str, status: str, progress: int, missing: tuple[str, ...]) -> str:
    if key == "missing":
        return _("Materi selesai · %(m)s", m=_badge(key, status, progress, missing))
    if key == "learning":
        return _("Kemajuan %(p)s%%", p=progress)
    return _badge(key, status, progress, missing)


_WORDINGS = {"badge": _badge, "label": _label}


@lru_cache(maxsize=2048)
def _worded_in(
    locale: str, which: str, key: str, status: str, progress: int, missing: tuple[str, ...]
) -> str:
    """The memo of ``_worded``: the same state always reads the same in one locale (lists
    show a chip per row, and each translation costs some 10 µs)."""
    return _WORDINGS[which](key, status, progress, missing)


def _worded(which: str, key: str, status: str, progress: int, missing: tuple[str, ...]) -> str:
    """A state's badge or label in the request's language (remembered per locale); outside
    a request, translated afresh."""
    locale = get_locale() if has_request_context() else None
    if locale is None:
        return _WORDINGS[which](key, status, progress, missing)
    return _worded_in(str(locale), which, key, status, progress, missing)


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
