"""Access expectations for the HR completion screens and the completion feed."""

from __future__ import annotations

from lms.auth.models import User
from lms.completion.services import record_classroom
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.factories import make_course

HR = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("completion.completions", "GET"): HR,
    ("completion.attendance_choose", "GET"): HR,
    ("completion.attendance", "GET"): HR,
    ("completion.attendance", "POST"): HR,
    ("completion.attendance_upload", "POST"): HR,
    ("completion.attendance_confirm", "POST"): HR,
    # The completion in the URL is `pegawai`'s, in Admin OPD's department.
    ("completion.detail", "GET"): HR,
    ("completion.revoke_completion", "POST"): {"admin_bkpsdm"},
    ("api.completions", "GET"): "token",
}
# A completion outside one's scope answers like a missing one.
HIDDEN = {("completion.detail", "GET"), ("completion.revoke_completion", "POST")}


def build_args(world) -> dict:
    """A classroom course with `pegawai` enrolled and `atasan` already recorded as passed."""
    course = make_course("KLAS-ACC", title="Pelatihan Klasikal Akses", lessons=1)
    course.published_version.delivery_mode = "classroom"
    for key in ("pegawai", "atasan"):
        db.session.add(
            Enrolment(course_id=course.id, employee_id=world.employees[key].id, status="active")
        )
    db.session.flush()
    completion = record_classroom(
        db.session.get(Employee, world.employees["atasan"].id),
        course,
        completed_on=local_today(),
        score=88,
        by=db.session.get(User, world.users["admin_bkpsdm"].id),
    )
    return {"course_code": course.code, "completion_id": completion.id}
