"""Demo: the ``pegawai`` account has one course completed, with its certificate, so a newcomer
sees a certificate at once. Idempotent, like the rest of ``demo load``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.certificates.models import CertificateSeries
from lms.certificates.services import default_series
from lms.completion.services import complete_course, current_completion
from lms.courses.models import Course, Lesson
from lms.db import utcnow
from lms.enrolments.models import Enrolment, LessonProgress
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.questions import sections_for
from lms.extensions import db
from lms.indonesian import local_date
from lms.org.models import Employee, Golongan, Unit

DEMO_COURSE = "MWK-101"
DEMO_RATINGS = 4


def _signatory(series: CertificateSeries) -> None:
    """The head of BKPSDM signs: the most senior employee of that unit in the demo data, with
    the pangkat/golongan printed under the name."""
    if series.signatory_name and series.signatory_pangkat:
        return
    bkpsdm = db.session.scalar(select(Unit).where(Unit.code == "BKPSDM"))
    if bkpsdm is None:
        return
    head = db.session.scalar(
        select(Employee)
        .join(Golongan, Golongan.code == Employee.golongan_code, isouter=True)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(Unit.path.like(f"{bkpsdm.path}%"))
        .order_by(Golongan.rank.desc().nulls_last(), Employee.id)
    )
    if head is None:
        return
    if not series.signatory_name:
        series.signatory_name = head.display_name
        series.signatory_nip = head.nip
    golongan = db.session.get(Golongan, head.golongan_code) if head.golongan_code else None
    if not series.signatory_pangkat and series.signatory_nip == head.nip and golongan is not None:
        series.signatory_pangkat = golongan.label


def _demo_ratings(course: Course) -> dict[str, int]:
    return {
        item.key: DEMO_RATINGS + (i % 2)
        for section in sections_for(course)
        for i, item in enumerate(section.items)
    }


def load_demo_completion() -> bool:
    """Complete the demo course for ``pegawai`` (lessons, evaluation, score); True if done now."""
    series = default_series()
    _signatory(series)
    user = db.session.scalar(select(User).where(User.username == "pegawai"))
    course = db.session.scalar(select(Course).where(Course.code == DEMO_COURSE))
    if user is None or user.employee is None or course is None or not course.published_version:
        return False
    employee = user.employee
    if current_completion(employee.id, course_id=course.id) is not None:
        return False
    finished = utcnow() - timedelta(days=12)
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course.id, Enrolment.employee_id == employee.id
        )
    )
    if enrolment is None:
        enrolment = Enrolment(course_id=course.id, employee_id=employee.id, source="self")
        db.session.add(enrolment)
    enrolment.status = "active"
    enrolment.requested_at = enrolment.activated_at = finished - timedelta(days=9)
    db.session.flush()
    version = course.published_version
    for key in db.session.scalars(select(Lesson.key).where(Lesson.version_id == version.id)):
        db.session.add(
            LessonProgress(enrolment_id=enrolment.id, lesson_key=key, completed_at=finished)
        )
    enrolment.progress = 100
    db.session.add(
        CourseEvaluation(
            enrolment_id=enrolment.id,
            course_id=course.id,
            version_id=version.id,
            employee_id=employee.id,
            ratings=_demo_ratings(course),
            comments={"course": "Materinya langsung bisa dipakai untuk menyusun jadwal kerja."},
            submitted_at=finished,
        )
    )
    db.session.flush()
    complete_course(
        employee,
        course,
        completed_at=finished,
        score=88,
        source="online",
        enrolment=enrolment,
        started_on=local_date(enrolment.activated_at),
    )
    return True
