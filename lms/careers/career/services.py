"""Career view: what the current position requires, every next step with what is met and what
is missing (and an open cohort of the missing programme), HR's gap list.

The structure is data (``career_tracks.yaml`` -> ``CareerStep``): the structural ladder
pelaksana -> pengawas -> administrator -> JPT Pratama -> JPT Madya -> JPT Utama, the functional
ladders beside it, and the crossings between them. The requirements are data too
(``career_requirements.yaml`` -> ``CareerRequirement``); ``matching`` says when one is met.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from lms import charts
from lms.auth.models import User
from lms.careers.career import loader, matching, structure
from lms.careers.career.models import CareerRequirement, CareerStep
from lms.careers.ledger import queries as ledger
from lms.careers.records import queries
from lms.careers.scope import scope_path
from lms.careers.skp.services import is_hr_for
from lms.enrolments.cohorts import queries as cohort_queries
from lms.enrolments.cohorts import rules as cohort_rules
from lms.enrolments.cohorts.models import Cohort, CohortMember, ProgrammeKind
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, JabatanLevel, JabatanType, Unit
from lms.org.signals import reference_loaded

PAGE_SIZE = 25
#: The member states of someone already in a cohort (waiting, waitlisted or learning).
_JOINED = ("nominated", "waitlisted", "active")
TRACK_LABELS = {
    "struktural": _l("Jalur struktural"),
    "fungsional": _l("Jalur fungsional"),
    "status": _l("Status kepegawaian"),
}


@reference_loaded.connect
def _on_reference_loaded(directory: Path, *, counts: dict[str, int], **_kw: object) -> None:
    """Subscribed to the organisation's signal: the career structure and the requirements are
    reference data too, loaded with the rest (``flask load-reference``, the demo, the tests)."""
    counts.update(loader.load_all(directory))


def can_view_career(user: User, employee: Employee) -> bool:
    """The employee's direct supervisor, and HR whose scope holds the employee."""
    mine = user.employee_id
    supervisor = mine is not None and employee.supervisor_id == mine
    return supervisor or is_hr_for(user, employee)


# --- one employee -------------------------------------------------------------------------------


@dataclass
class RuleState:
    rule: CareerRequirement
    met: bool
    #: An open cohort of the missing programme kind, if any.
    cohort: Cohort | None = None
    #: Why the employee may not join that cohort (empty when they may).
    problems: list[str] = field(default_factory=list)
    #: The employee's place in that cohort when they are in it already.
    member: CohortMember | None = None
    #: The code is a programme kind (a cohort may open), not a test such as an uji kompetensi.
    programme: bool = False


@dataclass
class Option:
    """One next step: a position (or the appointment as PNS) and what it requires."""

    title: str
    track: str
    note: str = ""
    example: bool = False
    rules: list[RuleState] = field(default_factory=list)

    @property
    def track_label(self) -> str:
        return str(TRACK_LABELS.get(self.track, self.track))

    @property
    def missing(self) -> list[RuleState]:
        return [s for s in self.rules if not s.met]


@dataclass
class CareerStatus:
    current_type: JabatanType | None
    #: The level the employee stands on (recorded, or the only one of their type).
    current_level: JabatanLevel | None = None
    current: list[RuleState] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)

    @property
    def missing_now(self) -> list[CareerRequirement]:
        return [s.rule for s in self.current if not s.met]


def _position_title(level: JabatanLevel, types: dict[str, JabatanType], single: bool) -> str:
    kind = types[level.type_code].name
    return kind if single else f"{level.name} ({kind})"


def _covers(rule: CareerRequirement, type_code: str | None, level_code: str | None) -> bool:
    return (rule.jabatan_type_code is not None and rule.jabatan_type_code == type_code) or (
        rule.jabatan_level_code is not None and rule.jabatan_level_code == level_code
    )


def _states(employee: Employee, rules: list[CareerRequirement]) -> dict[int, RuleState]:
    """Met or not for every rule, and for a missing one its open cohort (five queries)."""
    kinds = set(db.session.scalars(select(ProgrammeKind.code)))
    met = matching.met_ids(employee.id, rules)
    missing = {r.programme_code for r in rules if r.id not in met}
    cohorts = matching.open_cohorts(missing, local_today())
    members = cohort_queries.memberships_in(employee, list(cohorts.values()))
    names = cohort_rules.jabatan_type_names() if cohorts else {}
    states = {}
    for rule in rules:
        cohort = None if rule.id in met else cohorts.get(rule.programme_code)
        member = members.get(cohort.id) if cohort else None
        states[rule.id] = RuleState(
            rule,
            rule.id in met,
            cohort,
            cohort_rules.eligibility_problems(employee, cohort, names) if cohort else [],
            member if member is not None and member.status in _JOINED else None,
            rule.programme_code in kinds or cohort is not None,
        )
    return states


def career_status(employee: Employee) -> CareerStatus:
    """What the current position requires and, for each next step, what it would require."""
    types = {t.code: t for t in db.session.scalars(select(JabatanType))}
    levels = {lv.code: lv for lv in db.session.scalars(select(JabatanLevel))}
    of_type: dict[str, list[str]] = defaultdict(list)
    for lv in levels.values():
        of_type[lv.type_code].append(lv.code)
    type_code = employee.jabatan_type_code
    here = structure.standing(type_code, employee.jabatan_level_code, of_type)
    steps = [
        structure.Step(
            s.from_level_code, s.to_level_code, s.track, s.crossing, s.is_example, s.note
        )
        for s in db.session.scalars(
            select(CareerStep)
            .where(CareerStep.from_level_code == (here or ""))
            .order_by(CareerStep.position, CareerStep.id)
        )
    ]
    targets = structure.next_targets(employee.kind, here, steps)
    wanted = [levels[t.level] for t in targets if t.level in levels]
    kinds = [employee.kind] if any(t.status for t in targets) else []
    rules = matching.rules_for(
        {type_code or "", *(lv.type_code for lv in wanted)},
        {here or "", *(lv.code for lv in wanted)},
        kinds,
    )
    states = _states(employee, rules)
    status = CareerStatus(types.get(type_code or ""), levels.get(here or ""))
    status.current = [states[r.id] for r in rules if r.for_holders and _covers(r, type_code, here)]
    for target in targets:
        if target.status:
            chosen = [r for r in rules if r.employee_kind == employee.kind]
            status.options.append(
                Option(
                    _("Pengangkatan menjadi PNS"), "status", rules=[states[r.id] for r in chosen]
                )
            )
            continue
        level = levels.get(target.level or "")
        if level is None or target.step is None:
            continue
        chosen = [r for r in rules if _covers(r, level.type_code, level.code)]
        status.options.append(
            Option(
                _position_title(level, types, len(of_type[level.type_code]) == 1),
                target.step.track,
                target.step.note,
                target.step.example,
                [states[r.id] for r in chosen],
            )
        )
    return status


def career_view(employee: Employee) -> dict[str, Any]:
    """Everything the career page shows: history, JP per year (chart), requirements."""
    this = local_today().year
    years = list(range(this - ledger.HISTORY_YEARS + 1, this + 1))
    per_year = ledger.jp_by_year(employee.id, years)
    target = ledger.target(employee.kind)
    chart = charts.bar_chart(
        _("JP terverifikasi per tahun"),
        [str(y) for y in years],
        [float(per_year[y]) for y in years],
        value_header=_("JP"),
        label_header=_("Tahun"),
        target=float(target),
        height=300,
    )
    records = queries.records_of(employee.id)
    return {
        "employee": employee,
        "records": records,
        "certificates": sum(1 for r in records if r.certificate_id),
        "jp_chart": chart,
        "jp_now": per_year[this],
        "target": target,
        "year": this,
        "status": career_status(employee),
    }


# --- HR: who lacks a required programme ---------------------------------------------------------


@dataclass
class GapRow:
    employee: Employee
    rule: CareerRequirement


def gaps(user: User, unit: Unit | None, page: int = 1) -> tuple[list[GapRow], int]:
    """Active employees (in the user's scope, under ``unit`` when given) who lack what the
    position they hold (or their kind: a CPNS's Latsar) requires of its holders; one row per
    missing requirement. Two queries."""
    path = scope_path(user)
    if path is None:
        return [], 0
    applies = or_(
        and_(
            CareerRequirement.jabatan_type_code.is_not(None),
            CareerRequirement.jabatan_type_code == Employee.jabatan_type_code,
        ),
        and_(
            CareerRequirement.jabatan_level_code.is_not(None),
            CareerRequirement.jabatan_level_code == Employee.jabatan_level_code,
        ),
        and_(
            CareerRequirement.employee_kind.is_not(None),
            CareerRequirement.employee_kind == Employee.kind,
        ),
    )
    stmt = (
        select(Employee, CareerRequirement)
        .join(Unit, Unit.id == Employee.unit_id)
        .join(CareerRequirement, and_(applies, CareerRequirement.for_holders.is_(True)))
        .where(Employee.is_active.is_(True), ~matching.rule_met(Employee.id))
    )
    if path:
        stmt = stmt.where(Unit.path.startswith(path))
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.execute(
        stmt.options(contains_eager(Employee.unit))
        .order_by(Unit.path, Employee.full_name, Employee.id, CareerRequirement.programme_code)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [GapRow(e, r) for e, r in rows], total
