"""Writing an evaluation, the participant's status, and the pure aggregation of answers.

The aggregation functions take plain dicts (the stored ``ratings``) so they are tested without a
database. The overall index follows the habit of the public-service satisfaction index (IKM,
PermenPANRB 14/2017): the mean of the item means on the 1–5 scale, scaled to 100 (× 20), read
against bands. The bands used here (Sangat Baik ≥ 88, Baik ≥ 76, Cukup ≥ 60, Kurang below) are an
IKM-style banding, not a regulation for training evaluations: keep them as they are printed on the
results page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.courses.models import Course
from lms.courses.services import is_trainer_of
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.questions import COMMENT_KEYS, SCALE_MAX, SCALE_MIN, Section
from lms.evaluations.signals import evaluation_sent
from lms.extensions import db
from lms.permissions import Capability, Role, can

OPEN_STATES = ("active", "completed")
# Below this many responses, comments (and, for trainers and Admin OPD, the figures) are hidden,
# so a single participant's answers cannot be read off the page.
MIN_RESPONSES = 3

BANDS = (
    (88.0, "sangat_baik", lazy_pgettext("indeks evaluasi", "Sangat Baik")),
    (76.0, "baik", lazy_pgettext("indeks evaluasi", "Baik")),
    (60.0, "cukup", lazy_pgettext("indeks evaluasi", "Cukup")),
    (0.0, "kurang", lazy_pgettext("indeks evaluasi", "Kurang")),
)


class EvaluationError(DomainError):
    """A refused evaluation; the message is for the participant."""


# --- participant ---------------------------------------------------------------------------------


def find(enrolment: Enrolment) -> CourseEvaluation | None:
    return db.session.scalar(
        select(CourseEvaluation).where(CourseEvaluation.enrolment_id == enrolment.id)
    )


def can_evaluate(enrolment: Enrolment | None) -> bool:
    return enrolment is not None and enrolment.status in OPEN_STATES


def status_for(enrolment: Enrolment) -> tuple[bool, bool]:
    """(required for completion, already submitted): for the course page and the lesson player."""
    submitted = (
        db.session.scalar(
            select(CourseEvaluation.id).where(CourseEvaluation.enrolment_id == enrolment.id)
        )
        is not None
    )
    return bool(enrolment.course.require_evaluation), submitted


def submit(
    enrolment: Enrolment, sections: list[Section], ratings: dict[str, int], comments: dict[str, str]
) -> CourseEvaluation:
    """Store the answers, then judge completion (the evaluation may be the last missing rule).

    One evaluation per enrolment: the unique constraint decides between two concurrent
    submissions, and the loser is told politely.
    """
    if not can_evaluate(enrolment):
        raise EvaluationError(_("Evaluasi hanya dapat diisi peserta yang terdaftar aktif."))
    wanted = {item.key for section in sections for item in section.items}
    if set(ratings) != wanted or any(
        not isinstance(v, int) or not SCALE_MIN <= v <= SCALE_MAX for v in ratings.values()
    ):
        raise EvaluationError(_("Semua pernyataan wajib dijawab dengan nilai 1 sampai 5."))
    if find(enrolment) is not None:
        raise EvaluationError(_("Anda sudah mengisi evaluasi pelatihan ini. Terima kasih!"))
    evaluation = CourseEvaluation(
        enrolment_id=enrolment.id,
        course_id=enrolment.course_id,
        version_id=enrolment.course.published_version_id,
        employee_id=enrolment.employee_id,
        ratings=dict(ratings),
        comments={k: v for k, v in comments.items() if k in COMMENT_KEYS and v},
    )
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError:
        raise EvaluationError(
            _("Anda sudah mengisi evaluasi pelatihan ini. Terima kasih!")
        ) from None
    evaluation_sent.send(enrolment, evaluation=evaluation)  # it may be the last missing rule
    return evaluation


# --- who sees what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """How much of a course's evaluation a user may see.

    ``hr``: every response, with names; ``trainer``: aggregates of every response; ``opd``:
    aggregates of the responses from participants in the own department (``unit_path``).
    """

    kind: str
    unit_path: str | None = None
    unit_name: str = ""

    @property
    def sees_names(self) -> bool:
        return self.kind == "hr"


def viewer_for(user: User, course: Course) -> Viewer | None:
    if (
        (Role.ADMIN_BKPSDM in user.roles and can(user, Capability.VIEW_REPORTS))
        or can(user, Capability.PUBLISH_COURSES)
        or can(user, Capability.MANAGE_COHORTS)
    ):
        return Viewer("hr")
    if can(user, Capability.AUTHOR_COURSES) and is_trainer_of(user, course):
        return Viewer("trainer")
    if (
        Role.ADMIN_OPD in user.roles
        and can(user, Capability.VIEW_REPORTS)
        and user.admin_unit is not None
    ):
        return Viewer("opd", user.admin_unit.path, user.admin_unit.name)
    return None


# --- aggregation (pure) --------------------------------------------------------------------------


@dataclass
class ItemStat:
    key: str
    text: str
    short: str
    counts: list[int] = field(default_factory=lambda: [0] * (SCALE_MAX - SCALE_MIN + 1))

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.n:
            return None
        return sum((i + SCALE_MIN) * c for i, c in enumerate(self.counts)) / self.n

    @property
    def percents(self) -> list[float]:
        return [100 * c / self.n if self.n else 0.0 for c in self.counts]


@dataclass
class SectionStat:
    key: str
    title: str
    items: list[ItemStat]

    @property
    def mean(self) -> float | None:
        return mean_of([i.mean for i in self.items])


@dataclass
class Summary:
    responses: int
    sections: list[SectionStat]
    comments: dict[str, list[str]]

    @property
    def items(self) -> list[ItemStat]:
        return [i for s in self.sections for i in s.items]

    @property
    def mean(self) -> float | None:
        return mean_of([i.mean for i in self.items])

    @property
    def index(self) -> float | None:
        return scale_to_100(self.mean)

    @property
    def band(self) -> tuple[str, str] | None:
        return band_of(self.index)


def mean_of(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def scale_to_100(mean: float | None) -> float | None:
    """1–5 mean → 0–100 index (× 20): 5.0 → 100, 4.4 → 88, 3.8 → 76, 3.0 → 60."""
    return None if mean is None else mean * 100 / SCALE_MAX


def band_of(index: float | None) -> tuple[str, str] | None:
    """(key, Indonesian label) of the IKM-style band for a 0–100 index."""
    if index is None:
        return None
    for threshold, key, label in BANDS:
        if index >= threshold - 1e-9:
            return key, str(label)
    return BANDS[-1][1], str(BANDS[-1][2])


def aggregate(
    sections: list[Section], answers: Iterable[tuple[dict, dict]], *, with_comments: bool = True
) -> Summary:
    """Counts per item and value from ``(ratings, comments)`` pairs.

    Keys not in ``sections`` and values off the scale are ignored (an item dropped from the
    questionnaire keeps its old answers in the database but no longer counts). Comments are
    sorted by text, so their order says nothing about who wrote them or when.
    """
    stats = {
        item.key: ItemStat(item.key, str(item.text), str(item.short))
        for s in sections
        for item in s.items
    }
    comments: dict[str, list[str]] = {s.key: [] for s in sections}
    responses = 0
    for ratings, notes in answers:
        responses += 1
        for key, value in (ratings or {}).items():
            stat = stats.get(key)
            if stat is None or not isinstance(value, int) or isinstance(value, bool):
                continue
            if SCALE_MIN <= value <= SCALE_MAX:
                stat.counts[value - SCALE_MIN] += 1
        if with_comments:
            for key, text in (notes or {}).items():
                if key in comments and isinstance(text, str) and text.strip():
                    comments[key].append(text.strip())
    for texts in comments.values():
        texts.sort(key=str.casefold)
    return Summary(
        responses,
        [SectionStat(s.key, str(s.title), [stats[item.key] for item in s.items]) for s in sections],
        comments if with_comments else {s.key: [] for s in sections},
    )


def prune(summary: Summary, asked_now: set[str]) -> Summary:
    """Keep the items asked now, and older items only where someone answered them (e.g. the
    trainer section after a course lost its trainer); sections left empty are dropped."""
    sections = []
    for section in summary.sections:
        items = [i for i in section.items if i.key in asked_now or i.n]
        if items:
            sections.append(SectionStat(section.key, section.title, items))
    keep = {s.key for s in sections}
    comments = {k: v for k, v in summary.comments.items() if k in keep or v}
    return Summary(summary.responses, sections, comments)
