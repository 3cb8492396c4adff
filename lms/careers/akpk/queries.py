"""Read side of the agency plan: the items a user sees, sums per OPD, form choices, and what
the needs and plan pages show."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms import charts
from lms.auth.models import User
from lms.careers.akpk import gathering, needs
from lms.careers.akpk.models import AgencyPlan, AgencyPlanItem, AgencyPlanParticipant
from lms.careers.akpk.services import is_planner, plan_of
from lms.courses.models import COMPETENCY_KIND_LABELS, Course
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import unit_in_scope

NEEDS_PAGE_SIZE = 50


def items_of(plan: AgencyPlan | None, user: User) -> list[AgencyPlanItem]:
    """The plan's items the user sees (BKPSDM: all; an Admin OPD: their OPD's), by schedule."""
    if plan is None:
        return []
    rows = db.session.scalars(
        select(AgencyPlanItem)
        .where(AgencyPlanItem.plan_id == plan.id)
        .options(
            selectinload(AgencyPlanItem.unit),
            selectinload(AgencyPlanItem.jabatan_level),
            selectinload(AgencyPlanItem.course).selectinload(Course.published_version),
            selectinload(AgencyPlanItem.cohort),
            selectinload(AgencyPlanItem.participants)
            .selectinload(AgencyPlanParticipant.employee)
            .selectinload(Employee.unit),
        )
        .order_by(
            AgencyPlanItem.quarter,
            func.coalesce(AgencyPlanItem.month, 0),
            AgencyPlanItem.title,
            AgencyPlanItem.id,
        )
    )
    if is_planner(user):
        return list(rows)
    return [i for i in rows if i.unit is not None and unit_in_scope(user, i.unit)]


@dataclass
class OpdLine:
    name: str
    items: int = 0
    participants: int = 0
    jp: Decimal = Decimal(0)
    budget: Decimal = Decimal(0)


def by_opd(items: Iterable[AgencyPlanItem]) -> tuple[list[OpdLine], OpdLine]:
    """Accepted items summed per OPD (across OPDs last), and the total. Pure."""
    lines: dict[str, OpdLine] = {}
    total = OpdLine(_("Jumlah"))
    across = _("Lintas perangkat daerah")
    for item in items:
        if item.status != "accepted":
            continue
        name = item.unit.name if item.unit is not None else across
        for line in (lines.setdefault(name, OpdLine(name)), total):
            line.items += 1
            line.participants += item.target_count
            line.jp += item.total_jp
            line.budget += item.budget
    ordered = sorted(lines.values(), key=lambda line: (line.name == across, line.name))
    return ordered, total


def planned_idents(items: Iterable[AgencyPlanItem]) -> list[tuple]:
    """(OPD, competency key, kind, level) of the items proposed or accepted."""
    return [
        (i.unit_id, needs.competency_key(i.competency), i.competency_kind, i.jabatan_level_code)
        for i in items
        if i.status != "rejected"
    ]


def cohort_choices(year: int) -> list[tuple[int, str, int | None]]:
    """Cohorts not closed that run into the year: (id, name, programme JP), by start."""
    rows = db.session.execute(
        select(Cohort.id, Cohort.name, Programme.jp)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Cohort.closed_at.is_(None), Cohort.ends_on >= date(year, 1, 1))
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    return [(cid, name, jp) for cid, name, jp in rows]


def overview(years: Sequence[int], user: User) -> list[dict]:
    """Per year: the plan (or None), and the accepted items, participants and budget the user
    sees."""
    out = []
    for year in years:
        plan = plan_of(year)
        _lines, total = by_opd(items_of(plan, user))
        out.append({"year": year, "plan": plan, "total": total})
    return out


@dataclass
class NeedsView:
    groups: list[needs.NeedGroup]
    page_groups: list[needs.NeedGroup]
    summary: dict[str, int]
    by_opd: list[needs.Total]
    by_competency: list[needs.Total]
    by_level: list[needs.Total]
    planned: set[tuple] = field(default_factory=set)
    chart: charts.Chart | None = None


def needs_view(
    user: User,
    year: int,
    unit: Unit | None,
    source: str | None,
    kind: str | None,
    page: int,
) -> NeedsView:
    """The needs of the year aggregated, one page of groups, the sums and a chart."""
    found = gathering.gather(user, year, unit, [source] if source else None)
    if kind:
        found = [n for n in found if n.kind == kind]
    groups = needs.aggregate(found)
    idents = planned_idents(items_of(plan_of(year), user))
    start = (page - 1) * NEEDS_PAGE_SIZE
    page_groups = groups[start : start + NEEDS_PAGE_SIZE]
    by_competency = needs.totals(groups, "competency")
    top = by_competency[:10]
    chart = None
    if top:
        # A horizontal chart draws its first bar at the bottom: the largest goes last, and the
        # table of its numbers is turned back to read largest first.
        chart = charts.bar_chart(
            _("Kompetensi yang paling banyak dibutuhkan"),
            [f"{t.label} ({COMPETENCY_KIND_LABELS.get(t.kind, t.kind)})" for t in reversed(top)],
            [t.count for t in reversed(top)],
            value_header=_("Pegawai"),
            label_header=_("Kompetensi"),
            horizontal=True,
        )
        chart.rows.reverse()
    return NeedsView(
        groups,
        page_groups,
        needs.summary(groups),
        needs.totals(groups, "opd"),
        by_competency,
        needs.totals(groups, "level"),
        {g.ident for g in page_groups if needs.is_planned(g, idents)},
        chart,
    )


def group_participants(user: User, year: int, unit: Unit | None, ident: tuple) -> list[Employee]:
    """The employees of one needs group (to name them as an item's participants), by name."""
    found = gathering.gather(user, year, unit)
    group = next((g for g in needs.aggregate(found) if g.ident == ident), None)
    if group is None:
        return []
    return list(
        db.session.scalars(
            select(Employee)
            .where(Employee.id.in_(group.employees))
            .order_by(Employee.full_name, Employee.id)
        )
    )
