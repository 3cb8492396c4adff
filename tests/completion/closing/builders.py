"""A PKP cohort that ended yesterday, with three active participants and one who withdrew, for the
closing tests (run inside an app context). The project outcomes come from ``fake_outcomes``: the
project itself is another sub-feature (lms.leadership.projects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.completion import services as completion
from lms.enrolments.cohorts import editing
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.extensions import db
from lms.indonesian import local_today
from lms.leadership.projects import outcome as project_outcome
from lms.leadership.projects.outcome import ProjectOutcome
from lms.org.models import Employee
from tests.factories import make_course

TODAY = local_today()
PASSED = ProjectOutcome("assessed", Decimal("86.50"), "Memuaskan", True)
LOW = ProjectOutcome("assessed", Decimal("64.00"), "Kurang Memuaskan", False)


@dataclass(frozen=True)
class Built:
    cohort_code: str
    programme_id: int
    members: dict[str, int]  # world key → cohort member id
    phases: dict[str, int]  # phase kind → phase id


def make_pkp(
    world,
    *,
    code: str = "PKP-UJI-I",
    kind: str = "PKP",
    jp: int | None = 830,
    ends_on: date | None = None,
    organiser_partner_id: int | None = None,
) -> Built:
    """Two courses; five phases over 50 days ending ``ends_on`` (yesterday by default)."""
    ends = ends_on or TODAY - timedelta(days=1)
    start = ends - timedelta(days=49)
    courses = [make_course(f"{code}-{i}", title=f"Pelatihan {code} {i}") for i in (1, 2)]
    programme = editing.save_programme(
        None,
        {
            "code": f"P{code}"[:40],
            "title": "Pelatihan Kepemimpinan Pengawas",
            "jenis_diklat_code": 1,
            "kind_code": kind,
            "jp": jp,
        },
        [c.id for c in courses],
    )
    if jp is None:
        programme.jp = None
    days = [(0, 9), (10, 19), (20, 29), (30, 44), (45, 49)]
    kinds = ["self_study", "distance", "classroom", "project", "evaluation"]
    cohort = Cohort(
        programme=programme,
        code=code,
        name="Angkatan I Tahun 2026",
        starts_on=start,
        ends_on=ends,
        organiser_partner_id=organiser_partner_id,
    )
    db.session.add(cohort)
    db.session.flush()
    editing.apply_cohort(
        programme,
        cohort,
        editing.clean_cohort(
            programme,
            cohort,
            {
                "code": code,
                "name": cohort.name,
                "starts_on": start,
                "ends_on": ends,
                "organiser_partner_id": organiser_partner_id,
                "phases": [
                    {
                        "name": f"Tahap {kind_}",
                        "kind": kind_,
                        "jp": 10,
                        "starts_on": start + timedelta(days=a),
                        "ends_on": start + timedelta(days=b),
                    }
                    for kind_, (a, b) in zip(kinds, days, strict=True)
                ],
            },
        ),
    )
    members = {}
    for key, status in (
        ("pegawai", "active"),
        ("atasan", "active"),
        ("disdik", "active"),
        ("hr", "withdrawn"),
    ):
        employee = db.session.get(Employee, world.employees[key].id)
        member = CohortMember(cohort=cohort, employee=employee, status=status, source="admin")
        db.session.add(member)
        db.session.flush()
        members[key] = member.id
    return Built(code, programme.id, members, {p.kind: p.id for p in cohort.phases})


def complete_courses(world, key: str, scores: list[int]) -> None:
    """Classroom records of the programme's courses for one participant (in order)."""
    hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
    employee = db.session.get(Employee, world.employees[key].id)
    cohort = db.session.scalar(select(Cohort).order_by(Cohort.id.desc()))
    for pc, score in zip(cohort.programme.courses, scores, strict=False):
        completion.record_classroom(
            employee, pc.course, completed_on=cohort.starts_on, score=score, by=hr
        )


def fake_outcomes(monkeypatch, by_member: dict[int, ProjectOutcome | None]) -> None:
    def outcomes(member_ids) -> dict[int, ProjectOutcome]:
        return {i: o for i in member_ids if (o := by_member.get(i)) is not None}

    monkeypatch.setattr(project_outcome, "outcomes", outcomes)
