"""Each participant's progress through a cohort's phases, read in a fixed number of queries
whatever the number of participants (the project outcomes, when the programme's kind requires a
project, in one more).

Courses count when completed validly, whenever and however (an earlier online completion, a
classroom record): the programme takes each course once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, select

from lms.completion.models import Completion
from lms.completion.programmes.rules import PhaseState, phase_state
from lms.enrolments.cohorts import queries as cohort_queries
from lms.enrolments.cohorts.kinds import PROJECT_KIND_LABELS
from lms.enrolments.cohorts.marks import COUNTED_STATES, marks_of
from lms.enrolments.cohorts.models import Cohort, CohortMember, ProgrammeCourse
from lms.extensions import db
from lms.leadership.projects import outcome as project_outcome
from lms.leadership.projects.outcome import ProjectOutcome


@dataclass
class MemberProgress:
    member: CohortMember
    states: list[PhaseState]
    outcome: ProjectOutcome | None
    courses_done: int
    courses_total: int
    course_scores: list[Decimal] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for s in self.states if s.met)


@dataclass
class CohortProgress:
    """The grid: one row per counted participant (active, or passed at closing)."""

    cohort: Cohort
    project: str | None
    project_label: str
    rows: list[MemberProgress]


def _project(cohort: Cohort) -> tuple[str | None, str]:
    kind = cohort.programme.kind  # none (older data) is the instansi's own: no project
    project = kind.project if kind is not None else None
    return project, str(PROJECT_KIND_LABELS.get(project, "")) if project else ""


def cohort_progress(
    cohort: Cohort, members: Sequence[CohortMember] | None = None
) -> CohortProgress:
    """The progress of ``members`` (default: the cohort's counted participants)."""
    if members is None:
        members = cohort_queries.cohort_members(cohort)
    counted = [m for m in members if m.status in COUNTED_STATES]
    project, label = _project(cohort)
    course_ids: set[int] = set()
    done: dict[int, dict[int, Decimal | None]] = {}
    # The programme's courses and the participants' valid completions of them, in one query.
    for course_id, employee_id, score in db.session.execute(
        select(ProgrammeCourse.course_id, Completion.employee_id, Completion.score)
        .outerjoin(
            Completion,
            and_(
                Completion.course_id == ProgrammeCourse.course_id,
                Completion.employee_id.in_([m.employee_id for m in counted]),
                Completion.status == "valid",
            ),
        )
        .where(ProgrammeCourse.programme_id == cohort.programme_id)
    ):
        course_ids.add(course_id)
        if employee_id is not None:
            done.setdefault(employee_id, {})[course_id] = score
    marks = marks_of(cohort) if counted else set()
    outcomes = project_outcome.outcomes([m.id for m in counted]) if project and counted else {}
    rows = []
    for member in counted:
        outcome = outcomes.get(member.id)
        mine = done.get(member.employee_id, {})
        states = [
            phase_state(
                p.id,
                p.name,
                p.kind,
                project=project,
                marked=(p.id, member.id) in marks,
                courses_done=len(mine),
                courses_total=len(course_ids),
                outcome=outcome,
            )
            for p in cohort.phases
        ]
        scores = [s for s in mine.values() if s is not None]
        rows.append(MemberProgress(member, states, outcome, len(mine), len(course_ids), scores))
    return CohortProgress(cohort, project, label, rows)


def member_progress(member: CohortMember) -> MemberProgress | None:
    """One participant's own progress (None unless they are counted in the cohort)."""
    grid = cohort_progress(member.cohort, [member])
    return grid.rows[0] if grid.rows else None
