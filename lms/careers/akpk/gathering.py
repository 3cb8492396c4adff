"""Reading the development needs of the employees a user sees, from the three sources.

- ``plan``: the needs of the year's development plans that were sent to (or agreed by) the
  supervisor and that no done activity has met yet;
- ``skp``: the latest SKP evaluation of the year or the year before, when its predikat is below
  expectations: the position competencies its notes and weak work results speak of (stemmed
  words), else the side rated below expectations (work results: a technical need of the
  position; behaviour: the core values BerAKHLAK);
- ``position``: each competency of the position's standard (its type's and its level's) that
  no verified learning record covers (``needs.covers``).

Only active employees count, in the user's scope (BKPSDM: all; Admin OPD: their unit's subtree)
and under ``unit`` when one is chosen. About eight queries, whatever the number of employees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, exists, literal, or_, select
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.careers import scope
from lms.careers.akpk.models import PositionCompetency
from lms.careers.akpk.needs import Learned, Need, best_matches, covers
from lms.careers.career.structure import standing
from lms.careers.plans.models import DevelopmentPlan, PlanActivity, PlanNeed
from lms.careers.plans.suggestions import stems
from lms.careers.records.models import LearningRecord
from lms.careers.skp.evaluations import low_predikat_text
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.careers.skp.services import LOW_PREDIKATS
from lms.completion.models import Completion
from lms.courses.models import CourseVersion
from lms.extensions import db
from lms.org.models import Employee, JabatanLevel, JabatanType, Unit

#: The needs an SKP result gives when its notes name none of the position's competencies. They
#: are the domain's words for the two sides of the rating, kept as data (not translated) like
#: the competency names of the standards, so that they group with the same need everywhere.
SKP_RESULTS_NEED = ("Pencapaian Hasil Kerja Jabatan", "teknis")
SKP_BEHAVIOUR_NEED = ("Perilaku Kerja BerAKHLAK", "sosial_kultural")
#: Plans whose needs count: sent to the supervisor or agreed (a draft is still being written).
PLAN_STATES = ("submitted", "agreed")


@dataclass(frozen=True)
class Person:
    opd_id: int | None
    opd_name: str
    type_code: str | None
    level_code: str | None
    level_name: str


def opd_id_of(path: str) -> int | None:
    """The top-level unit of a materialised path ("/3/17/" -> 3)."""
    head = (path or "").strip("/").split("/")[0]
    return int(head) if head.isdigit() else None


def people_stmt(user: User, unit: Unit | None) -> Select:
    """Active employees in the user's scope (and under ``unit``), as a select of their ids."""
    stmt = (
        select(Employee.id)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(Employee.is_active.is_(True))
    )
    stmt = scope.scoped(stmt, user)
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path))
    return stmt


def _people(user: User, unit: Unit | None) -> dict[int, Person]:
    ids = people_stmt(user, unit).subquery()
    rows = db.session.execute(
        select(Employee.id, Unit.path, Employee.jabatan_type_code, Employee.jabatan_level_code)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(Employee.id.in_(select(ids.c.id)))
    ).all()
    opds = dict(
        db.session.execute(select(Unit.id, Unit.name).where(Unit.parent_id.is_(None))).all()
    )
    levels = {lv.code: lv for lv in db.session.scalars(select(JabatanLevel))}
    types = dict(db.session.execute(select(JabatanType.code, JabatanType.name)).all())
    of_type: dict[str, list[str]] = defaultdict(list)
    for lv in levels.values():
        of_type[lv.type_code].append(lv.code)
    unknown = _("Jenjang tidak tercatat")
    people = {}
    for employee_id, path, type_code, level_code in rows:
        here = standing(type_code, level_code, of_type)
        label = levels[here].name if here in levels else types.get(type_code or "", unknown)
        opd = opd_id_of(path)
        people[employee_id] = Person(opd, opds.get(opd, "—"), type_code, here, label)
    return people


def _need(person: Person, employee_id: int, source: str, name: str, kind: str, level=None) -> Need:
    return Need(
        source,
        employee_id,
        person.opd_id,
        person.opd_name,
        name,
        kind,
        person.level_code,
        person.level_name,
        level,
    )


def plan_needs(people: dict[int, Person], ids: Select, year: int) -> list[Need]:
    met = exists().where(PlanActivity.need_id == PlanNeed.id, PlanActivity.done_at.is_not(None))
    rows = db.session.execute(
        select(DevelopmentPlan.employee_id, PlanNeed.competency, PlanNeed.kind)
        .join(PlanNeed, PlanNeed.plan_id == DevelopmentPlan.id)
        .where(
            DevelopmentPlan.year == year,
            DevelopmentPlan.status.in_(PLAN_STATES),
            DevelopmentPlan.employee_id.in_(ids),
            ~met,
        )
        .order_by(PlanNeed.id)
    ).all()
    return [_need(people[e], e, "plan", name, kind) for e, name, kind in rows if e in people]


def _standards() -> tuple[dict[str, list], dict[str, list]]:
    return _standards_for()


def _standards_for(
    type_code: str | None = None, level_code: str | None = None
) -> tuple[dict[str, list], dict[str, list]]:
    """The standards by type and by level: all of them, or those of one type and level."""
    by_type: dict[str, list[PositionCompetency]] = defaultdict(list)
    by_level: dict[str, list[PositionCompetency]] = defaultdict(list)
    stmt = select(PositionCompetency)
    if type_code is not None or level_code is not None:
        stmt = stmt.where(
            or_(
                PositionCompetency.jabatan_type_code == type_code,
                PositionCompetency.jabatan_level_code == level_code,
            )
        )
    for c in db.session.scalars(stmt.order_by(PositionCompetency.position, PositionCompetency.id)):
        if c.jabatan_type_code:
            by_type[c.jabatan_type_code].append(c)
        else:
            by_level[c.jabatan_level_code or ""].append(c)
    return by_type, by_level


def standards_of(person: Person, by_type: dict, by_level: dict) -> list[PositionCompetency]:
    return [*by_type.get(person.type_code or "", []), *by_level.get(person.level_code or "", [])]


def skp_needs(people: dict[int, Person], ids: Select, year: int, standards: tuple) -> list[Need]:
    rows = db.session.execute(
        select(SkpPeriod.employee_id, SkpEvaluation.id, SkpEvaluation.predikat)
        .join(SkpEvaluation, SkpEvaluation.period_id == SkpPeriod.id)
        .where(SkpPeriod.year.in_((year - 1, year)), SkpPeriod.employee_id.in_(ids))
        .order_by(
            SkpPeriod.employee_id,
            SkpPeriod.year.desc(),
            SkpEvaluation.submitted_at.desc(),
            SkpEvaluation.id.desc(),
        )
    ).all()
    latest: dict[int, tuple[int, str]] = {}
    for employee_id, evaluation_id, predikat in rows:
        latest.setdefault(employee_id, (evaluation_id, predikat))
    low = [e for e, p in latest.values() if p in LOW_PREDIKATS]
    if not low:
        return []
    evaluations = db.session.scalars(
        select(SkpEvaluation)
        .where(SkpEvaluation.id.in_(low))
        .options(selectinload(SkpEvaluation.period).selectinload(SkpPeriod.targets))
    )
    out = []
    for ev in evaluations:
        employee_id = ev.period.employee_id
        person = people.get(employee_id)
        if person is None:
            continue
        own = standards_of(person, *standards)
        chosen = best_matches(low_predikat_text(ev), [(c.name, c.kind) for c in own])
        if chosen:
            out += [
                _need(person, employee_id, "skp", own[i].name, own[i].kind, own[i].level)
                for i in chosen
            ]
            continue
        if ev.hasil_kerja == "di_bawah":
            out.append(_need(person, employee_id, "skp", *SKP_RESULTS_NEED))
        if ev.perilaku == "di_bawah":
            out.append(_need(person, employee_id, "skp", *SKP_BEHAVIOUR_NEED))
    return out


def learned_of(ids: Select) -> dict[int, list[Learned]]:
    """Every verified learning record of these employees: its kind and the stems of its name
    and, for a completed course, the tags of the version completed."""
    rows = db.session.execute(
        select(
            LearningRecord.employee_id,
            LearningRecord.competency_kind,
            LearningRecord.name,
            CourseVersion.tags,
        )
        .outerjoin(Completion, Completion.id == LearningRecord.completion_id)
        .outerjoin(CourseVersion, CourseVersion.id == Completion.version_id)
        .where(LearningRecord.status == "verified", LearningRecord.employee_id.in_(ids))
    ).all()
    out: dict[int, list[Learned]] = defaultdict(list)
    for employee_id, kind, name, tags in rows:
        words = " ".join([name, *(t for t in (tags or []) if isinstance(t, str))])
        out[employee_id].append(Learned(kind, stems(words)))
    return out


def position_needs(people: dict[int, Person], ids: Select, standards: tuple) -> list[Need]:
    learned = learned_of(ids)
    words = {}
    out = []
    for employee_id, person in people.items():
        for c in standards_of(person, *standards):
            if c.id not in words:
                words[c.id] = stems(c.name)
            if not covers(words[c.id], c.kind, learned.get(employee_id, ())):
                out.append(_need(person, employee_id, "position", c.name, c.kind, c.level))
    return out


def uncovered(employee_id: int, type_code: str | None, level_code: str | None) -> list:
    """The competencies of one employee's position standard (their type's and the level they
    stand on, ``career.structure.standing``, in the file's order) that no verified learning
    record of theirs covers: the ``position`` source of the needs analysis for one person. No
    query when the position is unknown; the records are read only when the standard has some."""
    if type_code is None and level_code is None:
        return []
    person = Person(None, "", type_code, level_code, "")
    own = standards_of(person, *_standards_for(type_code, level_code))
    if not own:
        return []
    return uncovered_of(employee_id, own)


def uncovered_of(employee_id: int, standard: list) -> list:
    """Of a standard already read (anything with a name and a kind), the competencies no
    verified learning record of the employee covers; the records are read only when the
    standard has some."""
    if not standard:
        return []
    learned = learned_of(select(literal(employee_id))).get(employee_id, ())
    return [c for c in standard if not covers(stems(c.name), c.kind, learned)]


def gather(
    user: User, year: int, unit: Unit | None = None, sources: Iterable[str] | None = None
) -> list[Need]:
    """The needs of the year for the employees the user sees (under ``unit``), from the chosen
    ``sources`` (default: all three)."""
    wanted = set(sources or ("plan", "skp", "position"))
    people = _people(user, unit)
    if not people:
        return []
    ids = people_stmt(user, unit)
    out: list[Need] = []
    if "plan" in wanted:
        out += plan_needs(people, ids, year)
    if {"skp", "position"} & wanted:
        standards = _standards()
        if "skp" in wanted:
            out += skp_needs(people, ids, year, standards)
        if "position" in wanted:
            out += position_needs(people, ids, standards)
    return out
