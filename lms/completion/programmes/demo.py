"""Demo: the phase progress of the demo Latsar and PKP cohorts' participants, so the organiser's
grid and closing have something true to show (issue 17, point 7).

Runs after the participants exist (the workplace-project demo adds them): every participant but
the last did the programme's courses online during the self-study and distance phases (the last
only half of them), and every one but the one before the last attended the classroom phase (the
organiser's marks). Closing then passes those whose project passed and fails the others with what
was missing. Participants who are demo accounts (``peserta``) are left as they are, so their
journeys start clean. Idempotent; a closed cohort is left alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.demo import DEMO_ACCOUNTS
from lms.auth.models import User
from lms.completion.services import complete_course, current_completion
from lms.db import utcnow
from lms.enrolments.cohorts import marks
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import db

DEMO_COHORTS = ("PKP-2026-I", "LATSAR-2026-I")


def _members(cohort: Cohort) -> list[CohortMember]:
    demo_accounts = select(User.employee_id).where(
        User.employee_id.is_not(None), User.username.in_([a[0] for a in DEMO_ACCOUNTS])
    )
    return list(
        db.session.scalars(
            select(CohortMember)
            .where(
                CohortMember.cohort_id == cohort.id,
                CohortMember.status == "active",
                CohortMember.employee_id.not_in(demo_accounts),
            )
            .order_by(CohortMember.id)
        )
    )


def _do_courses(cohort: Cohort, member: CohortMember, how_many: int, score: int) -> int:
    """Complete the first ``how_many`` programme courses online; how many were new."""
    phases = [p for p in cohort.phases if p.kind in ("self_study", "distance")]
    last_day = phases[-1].ends_on if phases else cohort.ends_on
    done = 0
    for n, pc in enumerate(cohort.programme.courses[:how_many]):
        if current_completion(member.employee_id, course_id=pc.course_id) is not None:
            continue
        enrolment = db.session.scalar(
            select(Enrolment).where(
                Enrolment.employee_id == member.employee_id,
                Enrolment.course_id == pc.course_id,
                Enrolment.status == "active",
            )
        )
        if enrolment is None or pc.course.published_version is None:
            continue
        day = last_day - timedelta(days=3 * (how_many - n))
        complete_course(
            member.employee,
            pc.course,
            completed_at=min(datetime.combine(day, time(3, 0), tzinfo=UTC), utcnow()),
            score=score,
            source="online",
            enrolment=enrolment,
            started_on=cohort.starts_on,
        )
        done += 1
    return done


def load_demo_progress() -> int:
    """Course completions and classroom marks of the demo cohorts; how many were new."""
    made = 0
    for code in DEMO_COHORTS:
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
        if cohort is None or cohort.closed_at is not None:
            continue
        members = _members(cohort)
        total = len(cohort.programme.courses)
        for index, member in enumerate(members):
            last = index == len(members) - 1
            made += _do_courses(
                cohort, member, total // 2 if last else total, 78 + (index * 7) % 20
            )
        classroom = next((p for p in cohort.phases if p.kind == "classroom"), None)
        marked = {phase_id for phase_id, _member in marks.marks_of(cohort)}
        if classroom is not None and members and classroom.id not in marked:
            absent = members[-2].id if len(members) > 1 else None
            present = [m.id for m in members if m.id != absent]
            added, _removed = marks.set_marks(None, cohort, classroom.id, present)
            made += added
    db.session.flush()
    return made
