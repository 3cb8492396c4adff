"""Routes of programmes and cohorts for the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeCourse
from lms.enrolments.models import Approval
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee

LOGGED_IN = "logged_in"
HR = {"admin_bkpsdm"}

EXPECTED: dict[tuple[str, str], object] = {
    ("enrolments.programmes", "GET"): LOGGED_IN,
    ("enrolments.programme", "GET"): LOGGED_IN,
    ("enrolments.programme_edit", "GET"): HR,
    ("enrolments.programme_edit", "POST"): HR,
    ("enrolments.cohort_new", "GET"): HR,
    ("enrolments.cohort_new", "POST"): HR,
    ("enrolments.cohorts", "GET"): HR,
    ("enrolments.cohort", "GET"): HR,
    ("enrolments.cohort_edit", "GET"): HR,
    ("enrolments.cohort_edit", "POST"): HR,
    ("enrolments.cohort_add_member", "POST"): HR,
    # Anyone with an employee record may ask to join (the service checks whom for).
    ("enrolments.cohort_nominate", "POST"): {"pegawai", "atasan", "admin_bkpsdm"},
    ("enrolments.cohort_approvals", "GET"): {"atasan", "admin_bkpsdm"},
    # The approval is the supervisor step of Budi, one of atasan's staff.
    ("enrolments.cohort_decide", "POST"): {"atasan"},
    # The membership is pegawai's own: pegawai and HR may end it.
    ("enrolments.cohort_withdraw", "POST"): {"pegawai", "admin_bkpsdm"},
}
# Someone else's approval or membership answers like a missing one.
HIDDEN = {("enrolments.cohort_decide", "POST"), ("enrolments.cohort_withdraw", "POST")}


def build_args(world) -> dict[str, object]:
    from tests.factories import make_course

    course = make_course("AKS-101", title="Pelatihan Uji Akses")
    programme = Programme(code="UJIAKSES", title="Program Uji Akses")
    programme.courses = [ProgrammeCourse(course_id=course.id, position=0)]
    db.session.add(programme)
    today = local_today()
    mitra = db.session.get(User, world.users["mitra"].id)
    cohort = Cohort(
        programme=programme,
        code="UJIAKSES-I",
        name="Angkatan I",
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=60),
        quota=10,
        organiser_partner_id=mitra.partner_id,  # `mitra` organises it (tests/completion/closing)
    )
    db.session.add(cohort)
    db.session.flush()
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
    member = CohortMember(cohort=cohort, employee=pegawai, status="active", source="admin")
    nominated = CohortMember(cohort=cohort, employee=budi, status="nominated", source="self")
    nominated.approvals = [
        Approval(step="supervisor", position=0),
        Approval(step="hr", position=1),
    ]
    db.session.add_all([member, nominated])
    db.session.flush()
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    member.nominated_by_id = hr.id
    return {
        "programme_code": programme.code,
        "cohort_code": cohort.code,
        "cohort_member_id": member.id,
        "cohort_approval_id": nominated.approvals[0].id,
    }
