"""Demo: one course needs the direct supervisor's and then HR's approval, and one nomination for
it waits for the demo supervisor (``atasan``), so the approval workflow is there from the first
login: ``atasan`` approves, then ``bkpsdm`` confirms. Idempotent, like the rest of ``demo load``.

The nominee is someone else in ``atasan``'s team, not ``pegawai``, whose own journeys start from
their one finished course.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments.models import Enrolment
from lms.enrolments.services import nominate
from lms.extensions import db
from lms.org.models import Employee

DEMO_APPROVAL_COURSE = "KPM-101"  # Kepemimpinan Pengawas: for supervisors and their successors
DEMO_APPROVAL_STEPS = "supervisor,hr"


def demo_nominee() -> tuple[User, Employee] | None:
    """The member of ``atasan``'s team (with an account) whose nomination the demo holds."""
    supervisor = db.session.scalar(select(User).where(User.username == "atasan"))
    if supervisor is None or supervisor.employee_id is None:
        return None
    employee_of_pegawai = db.session.scalar(
        select(User.employee_id).where(User.username == "pegawai")
    )
    row = db.session.execute(
        select(User, Employee)
        .join(Employee, Employee.id == User.employee_id)
        .where(
            Employee.supervisor_id == supervisor.employee_id,
            Employee.is_active.is_(True),
            User.active.is_(True),
            Employee.id != (employee_of_pegawai or 0),
        )
        .order_by(Employee.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def load_demo_nomination() -> bool:
    """Ask for supervisor and HR approval on the demo course and nominate one of ``atasan``'s
    staff for it (by themselves); True if the nomination was made now."""
    course = db.session.scalar(select(Course).where(Course.code == DEMO_APPROVAL_COURSE))
    found = demo_nominee()
    if course is None or course.published_version_id is None or found is None:
        return False
    user, employee = found
    exists = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == course.id, Enrolment.employee_id == employee.id
        )
    )
    if exists is not None:
        return False  # made by an earlier load, and perhaps decided since: left as it is
    if not course.approval_steps:
        course.approval_steps = DEMO_APPROVAL_STEPS
    nominate(user, employee, course)
    return True
