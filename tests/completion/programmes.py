"""Builders for a programme with four courses and its cohort, and the completions written as the
programme-completion contract of issue 17 says (run inside an app context).

The contract: a programme completes only when its organiser closes the cohort; closing writes
one ``Completion`` (source "programme", ``programme_id`` and ``cohort_id`` set, ``jp`` the
programme's own JP, ``score`` the final score) for each passed participant and none for a failed
one. The rows are written here directly, announced like every completion (certificates issue
theirs on ``completion_recorded``; the outbox event follows), so these tests do not depend on
how the closing itself is built.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from lms.completion.models import Completion
from lms.completion.services import emit
from lms.completion.signals import completion_recorded, issued_number
from lms.courses.models import Course
from lms.enrolments.cohorts.models import (
    Cohort,
    CohortMember,
    CohortPhase,
    Programme,
    ProgrammeCourse,
    ProgrammeKind,
)
from lms.extensions import db
from lms.org.identity import snapshot_identity
from lms.org.models import Employee
from lms.org.services import opd_of
from tests.factories import make_course

#: Four courses of 4 + 6 + 7 + 8 = 25 JP; the programme's own JP is the kind's (830 for PKP).
COURSE_JP = (4, 6, 7, 8)
YEAR = 2025
STARTS, ENDS = date(2025, 2, 3), date(2025, 6, 27)
CLOSED = datetime(2025, 7, 2, 3, 0, tzinfo=UTC)  # 10:00 WIB, after the cohort's last day


def programme_with_four_courses(
    kind: str = "PKP", code: str = "PKP-UJI", jenis: int | None = 1
) -> tuple[Programme, list[Course]]:
    courses = []
    for number, jp in enumerate(COURSE_JP, start=1):
        course = make_course(f"{code}-{number}", title=f"Mata pelatihan {code} {number}")
        course.published_version.jp = Decimal(jp)
        courses.append(course)
    programme_kind = db.session.get(ProgrammeKind, kind)
    programme = Programme(
        code=code,
        title=programme_kind.name if programme_kind else f"Program {code}",
        kind_code=kind,
        jp=programme_kind.jp if programme_kind and programme_kind.jp else 40,
        jenis_diklat_code=jenis,
    )
    programme.courses = [ProgrammeCourse(course_id=c.id, position=i) for i, c in enumerate(courses)]
    db.session.add(programme)
    db.session.flush()
    return programme, courses


def cohort_of(
    programme: Programme,
    code: str | None = None,
    *,
    partner_id: int | None = None,
    starts: date = STARTS,
    ends: date = ENDS,
) -> Cohort:
    """A cohort with the kind's agenda as its phases (each with its JP)."""
    cohort = Cohort(
        programme_id=programme.id,
        code=code or f"{programme.code}-I",
        name="Angkatan I Tahun 2025",
        starts_on=starts,
        ends_on=ends,
        place="Palembang",
        organiser_partner_id=partner_id,
    )
    kind = programme.kind
    cohort.phases = [
        CohortPhase(position=i, name=p["name"], kind=p["kind"], jp=p.get("jp"))
        for i, p in enumerate(kind.phases if kind else [])
    ]
    db.session.add(cohort)
    db.session.flush()
    return cohort


def join(
    cohort: Cohort,
    employee: Employee,
    *,
    status: str = "active",
    result: str | None = None,
    score: str | None = None,
    qualification: str = "",
) -> CohortMember:
    member = CohortMember(
        cohort_id=cohort.id,
        employee_id=employee.id,
        status=status,
        source="nomination",
        result=result,
        final_score=Decimal(score) if score is not None else None,
        qualification=qualification,
    )
    db.session.add(member)
    db.session.flush()
    return member


def _announce(completion: Completion) -> Completion:
    """Write it as completion does: the certificate on the signal, then the outbox event."""
    db.session.add(completion)
    db.session.flush()
    replies = completion_recorded.send(completion, actor=None)
    emit("completion.created", completion, issued_number(replies))
    return completion


def complete_course_on(
    employee: Employee, course: Course, day: date, *, cohort: Cohort | None = None
) -> Completion:
    """A course completion at 10:00 local time (03:00 UTC) on ``day``."""
    version = course.published_version
    moment = datetime.combine(day, time(3, 0), tzinfo=UTC)
    return _announce(
        Completion(
            employee_id=employee.id,
            course_id=course.id,
            version_id=version.id,
            cohort_id=cohort.id if cohort is not None else None,
            source="online",
            started_on=day - timedelta(days=3),
            completed_at=moment,
            year=day.year,
            score=Decimal(90),
            jp=version.jp,
            competency_kind=version.competency_kind,
            jenis_diklat_code=version.jenis_diklat_code,
            code=course.code,
            title=version.title,
            organiser=version.organiser,
            identity=snapshot_identity(employee),
            unit_id=opd_of(employee.unit).id,
        )
    )


def complete_programme(employee: Employee, cohort: Cohort, score: str = "91.50") -> Completion:
    """The programme completion the closing writes for a passed participant."""
    programme = cohort.programme
    return _announce(
        Completion(
            employee_id=employee.id,
            programme_id=programme.id,
            cohort_id=cohort.id,
            source="programme",
            started_on=cohort.starts_on,
            completed_at=CLOSED,
            year=CLOSED.year,
            score=Decimal(score),
            jp=Decimal(programme.jp),
            competency_kind="manajerial",
            jenis_diklat_code=programme.jenis_diklat_code,
            code=programme.code,
            title=programme.title,
            organiser="",
            identity=snapshot_identity(employee),
            unit_id=opd_of(employee.unit).id,
        )
    )


def in_cohort_days() -> list[date]:
    """One day per course, inside the cohort's dates (the first on its first day)."""
    return [STARTS, date(2025, 3, 10), date(2025, 4, 14), ENDS]
