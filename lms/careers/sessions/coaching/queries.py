"""Read side of coaching plans: the supervisor's team with each member's latest predikat, open
plan and its progress (three queries whatever the team size)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.careers.sessions.coaching.services import Progress, progress
from lms.careers.sessions.models import CoachingPlan, LearningSession
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.careers.skp.services import LOW_PREDIKATS
from lms.extensions import db
from lms.org.models import Employee


@dataclass
class TeamRow:
    employee: Employee
    evaluation: SkpEvaluation | None
    plan: CoachingPlan | None
    progress: Progress | None

    @property
    def low(self) -> bool:
        return self.evaluation is not None and self.evaluation.predikat in LOW_PREDIKATS

    @property
    def may_open(self) -> bool:
        return self.low and self.plan is None


def team(supervisor_id: int) -> list[TeamRow]:
    """Active direct reports, those with a low latest predikat first."""
    staff = list(
        db.session.scalars(
            select(Employee)
            .options(joinedload(Employee.unit))
            .where(Employee.supervisor_id == supervisor_id, Employee.is_active.is_(True))
            .order_by(Employee.full_name, Employee.id)
        )
    )
    ids = [e.id for e in staff]
    latest: dict[int, SkpEvaluation] = {}
    if ids:
        rows = db.session.execute(
            select(SkpPeriod.employee_id, SkpEvaluation)
            .join(SkpPeriod, SkpEvaluation.period_id == SkpPeriod.id)
            .where(SkpPeriod.employee_id.in_(ids))
            .order_by(
                SkpPeriod.year.desc(), SkpEvaluation.submitted_at.desc(), SkpEvaluation.id.desc()
            )
        ).all()
        for employee_id, evaluation in rows:
            latest.setdefault(employee_id, evaluation)
    plans = {
        p.employee_id: p
        for p in db.session.scalars(
            select(CoachingPlan).where(
                CoachingPlan.employee_id.in_(ids or [0]), CoachingPlan.status == "open"
            )
        )
    }
    by_plan: dict[int, list[LearningSession]] = defaultdict(list)
    if plans:
        for s in db.session.scalars(
            select(LearningSession).where(
                LearningSession.plan_id.in_([p.id for p in plans.values()])
            )
        ):
            by_plan[s.plan_id or 0].append(s)
    out = [
        TeamRow(
            e,
            latest.get(e.id),
            plans.get(e.id),
            progress(plans[e.id].sessions_planned, by_plan[plans[e.id].id])
            if e.id in plans
            else None,
        )
        for e in staff
    ]
    return sorted(out, key=lambda r: not r.low)


def plans_of(employee_id: int) -> list[CoachingPlan]:
    return list(
        db.session.scalars(
            select(CoachingPlan)
            .where(CoachingPlan.employee_id == employee_id)
            .order_by(CoachingPlan.starts_on.desc(), CoachingPlan.id.desc())
        )
    )
