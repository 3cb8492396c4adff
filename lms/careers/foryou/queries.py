"""Which catalogue courses to suggest to one employee, and why.

Sources, most pressing first: the latest SKP evaluation when its predikat is below expectations
(matched on the appraiser's notes and the weak work results), then the needs of this year's
development plan (or last year's when this year has none) that no activity has met yet, then
the first two competencies of the position's standard that no verified learning record covers
(the needs analysis's rule). Each
source proposes courses through ``suggest_courses`` (stemmed Indonesian words); courses the
employee is enrolled in or has completed are left out; sources take turns so one need does not
fill the card. No source, no card: the learner section then shows the newest courses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, or_, select

from lms.careers.akpk.gathering import uncovered_of
from lms.careers.akpk.models import PositionCompetency
from lms.careers.plans.models import DevelopmentPlan, PlanActivity, PlanNeed
from lms.careers.plans.suggestions import Suggestion, catalogue, suggest_courses
from lms.careers.skp.evaluations import low_predikat_text
from lms.careers.skp.models import SkpEvaluation, SkpFeedback, SkpPeriod, SkpTarget
from lms.careers.skp.services import LOW_PREDIKATS, PREDIKAT_LABELS
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.enrolments.models import Enrolment
from lms.extensions import PersonalGeneration, db
from lms.org.models import Employee, JabatanLevel

#: What the suggestions of one employee are drawn from besides their JP (``ledger.JP``), their
#: enrolments (``courses.cache.MINE``), their position (``org.queries.PEOPLE``) and the catalogue:
#: their SKP periods and plans, and, for everybody, evaluations, targets, feedback, plan needs
#: and activities, the positions' standards and levels.
FOR_YOU = PersonalGeneration(
    "careers:foryou",
    (
        SkpPeriod,
        SkpTarget,
        SkpEvaluation,
        SkpFeedback,
        DevelopmentPlan,
        PlanNeed,
        PlanActivity,
        PositionCompetency,
        JabatanLevel,
    ),
    person="employee_id",
)

#: At most this many of the position's uncovered competencies become sources.
POSITION_SOURCES = 2


@dataclass(frozen=True)
class Reasoned:
    suggestion: Suggestion
    reason: str


@dataclass(frozen=True)
class Source:
    text: str
    kind: str | None
    reason: str


@dataclass(frozen=True)
class Latest:
    """What ``_latest`` reads in its one query."""

    evaluation_id: int | None
    plan_id: int | None
    type_code: str | None
    level_code: str | None
    standard: list[Any]  # the position's competencies (rows with name and kind), in order


@lru_cache(maxsize=1)
def _latest_stmt() -> Select:
    """``_latest``'s statement with the employee and the year as parameters, built once (it
    is read on every dashboard visit; building it cost about as much as running it)."""
    employee_id = bindparam("employee_id")
    year = bindparam("year")
    evaluation = (
        select(SkpEvaluation.id)
        .join(SkpPeriod, SkpEvaluation.period_id == SkpPeriod.id)
        .where(SkpPeriod.employee_id == employee_id)
        .order_by(SkpPeriod.year.desc(), SkpEvaluation.submitted_at.desc(), SkpEvaluation.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    plan = (
        select(DevelopmentPlan.id)
        .where(DevelopmentPlan.employee_id == employee_id, DevelopmentPlan.year <= year)
        .order_by(DevelopmentPlan.year.desc())
        .limit(1)
        .scalar_subquery()
    )
    only_level = (  # the level of a type that has only one (pelaksana, pengawas, ...)
        select(func.min(JabatanLevel.code))
        .where(JabatanLevel.type_code == Employee.jabatan_type_code)
        .having(func.count() == 1)
        .scalar_subquery()
    )
    level = func.coalesce(func.nullif(Employee.jabatan_level_code, ""), only_level)
    return (
        select(
            evaluation,
            plan,
            Employee.jabatan_type_code,
            level,
            PositionCompetency.jabatan_type_code.label("of_type"),
            PositionCompetency.name.label("name"),
            PositionCompetency.kind.label("kind"),
        )
        .select_from(Employee)
        .outerjoin(
            PositionCompetency,
            or_(
                PositionCompetency.jabatan_type_code == Employee.jabatan_type_code,
                PositionCompetency.jabatan_level_code == level,
            ),
        )
        .where(Employee.id == employee_id)
        .order_by(PositionCompetency.position, PositionCompetency.id)
    )


def _latest(employee_id: int, year: int) -> Latest:
    """The ids of the employee's latest SKP evaluation and latest plan up to ``year``, their
    position (type and the level they stand on, ``career.structure.standing``: the recorded
    one, else their type's only level) and that position's standard of competencies (the
    type's, then the level's, in the file's order): one query, one row per competency (most
    employees have neither evaluation nor plan nor a recorded position, and the dashboard then
    pays for nothing more)."""
    rows = db.session.execute(_latest_stmt(), {"employee_id": employee_id, "year": year}).all()
    if not rows:
        return Latest(None, None, None, None, [])
    evaluation_id, plan_id, type_code, level_code = rows[0][:4]
    found = [row for row in rows if row.name is not None]
    standard = [r for r in found if r.of_type is not None] + [r for r in found if r.of_type is None]
    return Latest(evaluation_id, plan_id, type_code, level_code, standard)


def _low_skp(evaluation_id: int | None) -> Source | None:
    evaluation = db.session.get(SkpEvaluation, evaluation_id) if evaluation_id else None
    if evaluation is None or evaluation.predikat not in LOW_PREDIKATS:
        return None
    return Source(
        low_predikat_text(evaluation),
        None,
        _(
            "karena predikat SKP %(label)s %(p)s",
            label=evaluation.label,
            p=PREDIKAT_LABELS[evaluation.predikat],
        ),
    )


def _open_needs(plan_id: int | None) -> list[Source]:
    if plan_id is None:
        return []
    met = select(PlanActivity.need_id).where(
        PlanActivity.plan_id == plan_id,
        PlanActivity.need_id.is_not(None),
        PlanActivity.done_at.is_not(None),
    )
    needs = db.session.scalars(
        select(PlanNeed)
        .where(PlanNeed.plan_id == plan_id, PlanNeed.id.not_in(met))
        .order_by(PlanNeed.id)
    )
    return [
        Source(n.competency, n.kind, _("karena rencana pengembangan Anda: %(c)s", c=n.competency))
        for n in needs
    ]


def _position_gaps(employee_id: int, standard: list[Any]) -> list:
    """The first competencies of the position's standard no verified learning record covers
    (the needs analysis's rule, ``akpk.gathering.uncovered_of``)."""
    return [
        Source(c.name, c.kind, _("karena jabatan Anda memerlukan kompetensi %(c)s", c=c.name))
        for c in uncovered_of(employee_id, standard)[:POSITION_SOURCES]
    ]


def _not_taken(employee_id: int) -> Any:
    """Courses the employee is neither enrolled in nor has completed (a criterion on Course)."""
    enrolled = select(Enrolment.course_id).where(Enrolment.employee_id == employee_id)
    done = select(Completion.course_id).where(
        Completion.employee_id == employee_id,
        Completion.status == "valid",
        Completion.course_id.is_not(None),
    )
    return Course.id.not_in(enrolled.union(done))


def for_employee(employee_id: int, year: int, limit: int = 3) -> list[Reasoned]:
    """Up to ``limit`` courses for this employee, each with the reason it is suggested."""
    latest = _latest(employee_id, year)
    sources = [
        s
        for s in [
            _low_skp(latest.evaluation_id),
            *_open_needs(latest.plan_id),
            *_position_gaps(employee_id, latest.standard),
        ]
        if s
    ]
    if not sources:
        return []
    rows = catalogue(_not_taken(employee_id))  # one query for every source
    taken: set[int] = set()
    queues = [
        [
            Reasoned(item, source.reason)
            for item in suggest_courses(source.text, source.kind, 10, rows)
        ]
        for source in sources
    ]
    out: list[Reasoned] = []
    while len(out) < limit and any(queues):
        for queue in queues:
            while queue:
                candidate = queue.pop(0)
                course_id = candidate.suggestion.course_id
                if course_id not in taken:
                    taken.add(course_id)
                    out.append(candidate)
                    break
            if len(out) >= limit:
                break
    return out
