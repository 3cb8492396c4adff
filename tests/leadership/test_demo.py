"""The demo projects: participants of the demo Latsar and PKP cohorts at every stage, each
qualification band present, the failing ones failed; the demo people as the README lists them;
loading twice changes nothing; the demo supervisor `atasan`'s team is left alone."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from config import BASE_DIR
from lms.auth.models import User
from lms.content import load_content
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.extensions import db
from lms.leadership.demo import load_demo_projects
from lms.leadership.projects.models import LogEntry, Project
from lms.leadership.projects.outcome import outcome
from lms.leadership.roles.access import assigned
from lms.org.demo import load_demo
from lms.org.models import Employee


def _projects(code: str) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .join(CohortMember, CohortMember.id == Project.member_id)
            .join(Cohort, Cohort.id == CohortMember.cohort_id)
            .where(Cohort.code == code)
            .order_by(Project.id)
        )
    )


def test_demo_projects_at_every_stage(app) -> None:
    with app.app_context():
        load_demo()
        assert not load_content(BASE_DIR / "content").errors
        # The content's PKP and Latsar programmes have their kinds and the demo cohorts.
        assert load_demo_projects() == 12
        db.session.commit()
        assert load_demo_projects() == 0  # idempotent

        pkp, latsar = _projects("PKP-2026-I"), _projects("LATSAR-2026-I")
        assert [p.state for p in pkp] == [
            "implementing",
            "proposal_submitted",
            "seminar_held",
            "assessed",
            "assessed",
            "seminar_scheduled",
        ]
        assert [p.state for p in latsar] == [
            "returned",
            "implementing",
            "draft",
            "assessed",
            "assessed",
            "assessed",
        ]
        bands = {p.band: p.passed for p in pkp + latsar if p.state == "assessed"}
        assert bands == {
            "Sangat Memuaskan": True,
            "Memuaskan": True,
            "Cukup Memuaskan": True,
            "Kurang Memuaskan": False,
            "Tidak Memuaskan": False,
        }
        failed = [p for p in latsar if p.passed is False]
        assert [outcome(p.member_id).passed for p in failed] == [False, False]

        users = {
            u.username: u
            for u in db.session.scalars(
                select(User).where(
                    User.username.in_(
                        ["coach", "penguji", "mentor.pkp", "mentor.latsar", "peserta"]
                    )
                )
            )
        }
        peserta = pkp[0].member
        assert peserta.employee_id == users["peserta"].employee_id
        who = assigned(peserta)
        assert who.coach_id == users["coach"].id and who.mentor_id == users["mentor.pkp"].id
        # Logbook half done: 2 of 4 milestones confirmed, one entry waits for the mentor.
        entries = Counter(e.state for e in pkp[0].entries)
        assert entries == {"confirmed": 2, "submitted": 1} and len(pkp[0].milestones) == 4
        assert assigned(latsar[0].member).mentor_id == users["mentor.latsar"].id
        assert assigned(pkp[2].member).examiner_ids == (users["penguji"].id,)
        returned = db.session.scalar(select(LogEntry).where(LogEntry.state == "returned"))
        assert returned is not None and returned.comment

        atasan = db.session.scalar(select(User).where(User.username == "atasan"))
        team = select(Employee.id).where(Employee.supervisor_id == atasan.employee_id)
        assert not db.session.scalars(
            select(CohortMember).where(CohortMember.employee_id.in_(team))
        ).all()
