"""Generated report data: employees in three departments, courses, completions (with
certificates and learning records through the real services), outside learning, a cohort,
quiz attempts and evaluations."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.careers.records.models import LearningRecord
from lms.completion import services as completion
from lms.completion.consumers import dispatch
from lms.completion.models import Completion
from lms.courses.models import CourseTrainer
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.enrolments.models import Enrolment
from lms.evaluations.models import CourseEvaluation
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.identity import snapshot_identity
from lms.org.models import Employee, Unit
from lms.org.services import opd_of, save_unit
from lms.quizzes.models import Quiz, QuizAttempt
from tests.factories import make_course, make_employee, make_nip

INJECTION = '=HYPERLINK("http://x","y")'
YEAR = local_today().year


@dataclass
class Generated:
    completions: int
    employees: int


def generate(seed: int = 3, per_opd: int = 8, tag: str = "") -> Generated:
    """Needs ``build_world()`` committed first (units DINKES, DISDIK; accounts)."""
    rng = random.Random(seed)
    dinkes = db.session.scalar(select(Unit).where(Unit.code == "DINKES"))
    seksi = db.session.scalar(select(Unit).where(Unit.code == "DINKES-YANKES"))
    disdik = db.session.scalar(select(Unit).where(Unit.code == "DISDIK"))
    dishub = save_unit(
        None,
        instansi=dinkes.instansi,
        code=f"DISHUB{tag}",
        name="Dinas Perhubungan",
        kind="opd",
        parent=None,
    )
    boss = db.session.scalar(select(Employee).where(Employee.full_name == "Rahmat Hidayat"))
    people = list(db.session.scalars(select(Employee)))
    for unit in (seksi, disdik, dishub):
        for i in range(per_opd):
            name = (
                f"@Pegawai {unit.code} {i}"
                if (unit is disdik and i == 0)
                else f"Pegawai {unit.code} {i}"
            )
            people.append(
                make_employee(
                    unit,
                    name,
                    boss if unit is seksi and i < 3 else None,
                    nip=make_nip(),
                    golongan_code=rng.choice(["III/a", "III/b", "IV/a"]),
                    jabatan_type_code=rng.choice(["pelaksana", "fungsional", None]),
                )
            )
    inactive = make_employee(dishub, "Pensiunan", nip=make_nip())
    inactive.is_active = False
    trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
    courses = [
        make_course(f"LAP{tag}-1", title="Pelayanan Prima", trainer=trainer),
        make_course(f"LAP{tag}-2", title=INJECTION),
        make_course(f"LAP{tag}-3", title="Manajemen Risiko"),
        make_course(f"LAP{tag}-4", title="Etika ASN"),
    ]
    for course in courses:
        if not course.trainers:
            db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.flush()
    n = 0
    for emp in people:
        for course in rng.sample(courses, rng.randint(0, 4)):
            year = rng.choice([YEAR, YEAR, YEAR - 1])
            moment = datetime(year, rng.randint(1, 6), rng.randint(1, 28), 5, 0, tzinfo=UTC)
            enrolment = Enrolment(
                course_id=course.id,
                employee_id=emp.id,
                status="active",
                source="bulk",
                progress=rng.randint(0, 100),
                requested_at=moment - timedelta(days=10),
            )
            db.session.add(enrolment)
            db.session.flush()
            c = completion.complete_course(
                emp,
                course,
                completed_at=moment,
                score=rng.choice([None, 55, 72.5, 88, 100]),
                source="classroom",
                enrolment=enrolment,
            )
            n += 1
            if rng.random() < 0.6:
                db.session.add(
                    CourseEvaluation(
                        enrolment_id=enrolment.id,
                        course_id=course.id,
                        employee_id=emp.id,
                        ratings={
                            "course_relevance": rng.randint(1, 5),
                            "course_clarity": rng.randint(1, 5),
                        },
                    )
                )
            if rng.random() < 0.1:
                c.status = "revoked"
                c.revoked_at = moment + timedelta(days=1)
                c.revoke_reason = "uji"
        if rng.random() < 0.3:
            db.session.add(
                LearningRecord(
                    employee_id=emp.id,
                    source="outside",
                    status="verified",
                    name="Seminar",
                    starts_on=date(YEAR, 2, 1),
                    ends_on=date(YEAR, 2, 2),
                    year=YEAR,
                    jp=Decimal(rng.choice([8, 16, 24])),
                    competency_kind=rng.choice(["teknis", "manajerial", "sosial_kultural"]),
                )
            )
    # a cohort of a programme: some members pass (a programme completion), one withdrew
    programme = Programme(code=f"PKP-LAP{tag}", title="PKP Laporan")
    db.session.add(programme)
    db.session.flush()
    cohort = Cohort(
        programme_id=programme.id,
        code=f"PKP-LAP{tag}-1",
        name="Angkatan I",
        starts_on=date(YEAR, 1, 5),
        ends_on=date(YEAR, 12, 20),
    )
    db.session.add(cohort)
    db.session.flush()
    for i, emp in enumerate(people[:10]):
        db.session.add(
            CohortMember(
                cohort_id=cohort.id, employee_id=emp.id, status="withdrawn" if i == 9 else "active"
            )
        )
        if i < 5:
            db.session.add(
                Completion(
                    employee_id=emp.id,
                    programme_id=programme.id,
                    cohort_id=cohort.id,
                    source="programme",
                    completed_at=datetime(YEAR, 3, 1, tzinfo=UTC),
                    year=YEAR,
                    score=Decimal(60 + 7 * i),
                    jp=Decimal(40),
                    competency_kind="manajerial",
                    code=programme.code,
                    title=programme.title,
                    identity=snapshot_identity(emp),
                    unit_id=opd_of(emp.unit).id,
                )
            )
    quiz = Quiz(course_id=courses[0].id, kind="post_test", title="Post-test", pass_mark=70)
    db.session.add(quiz)
    db.session.flush()
    for emp in people[:12]:
        for number in (1, 2):
            db.session.add(
                QuizAttempt(
                    quiz_id=quiz.id,
                    employee_id=emp.id,
                    number=number,
                    status="graded",
                    score=Decimal(rng.randint(30, 100)),
                    submitted_at=datetime(YEAR, 2, 1, tzinfo=UTC),
                )
            )
    db.session.commit()
    dispatch()
    return Generated(n, len(people))
