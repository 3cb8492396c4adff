"""Access expectations for the post-training evaluation.

``followup_id``: an open follow-up of `pegawai` (Siti), whose direct supervisor is `atasan`. Only
Siti answers the alumnus's questionnaire and only her direct supervisor the supervisor's; anyone
else who may use the route (another employee, another supervisor) gets a 404, as for a missing
id. The course page uses ``course_id`` from tests/courses/access.py (taught by `pengajar`): whoever
sees the course evaluation (its trainer, BKPSDM, Admin OPD for their department); only BKPSDM
changes the setting. The programme page uses ``programme_code`` from
tests/enrolments/cohorts/access.py (BKPSDM, who manages cohorts).
"""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.completion import services as completion
from lms.evaluations.followup import services
from lms.extensions import db
from lms.org.models import Employee
from tests.evaluations.followup.conftest import months_ago
from tests.factories import make_course

EMPLOYEES = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts with an employee record (LEARN)

EXPECTED = {
    ("evaluations.followups", "GET"): EMPLOYEES,
    ("evaluations.followup_answer", "GET"): {"pegawai"},
    ("evaluations.followup_answer", "POST"): {"pegawai"},
    ("evaluations.followup_assess", "GET"): {"atasan"},
    ("evaluations.followup_assess", "POST"): {"atasan"},
    ("evaluations.followup_course", "GET"): {"pengajar", "admin_bkpsdm", "admin_opd"},
    ("evaluations.followup_course", "POST"): {"admin_bkpsdm"},
    ("evaluations.followup_programme", "GET"): {"admin_bkpsdm"},
    ("evaluations.followup_programme", "POST"): {"admin_bkpsdm"},
    ("evaluations.followup_overview", "GET"): {"admin_bkpsdm"},
}
HIDDEN = {
    ("evaluations.followup_answer", "GET"),
    ("evaluations.followup_answer", "POST"),
    ("evaluations.followup_assess", "GET"),
    ("evaluations.followup_assess", "POST"),
}


def build_args(world) -> dict:
    trainer = db.session.get(User, world.users["pengajar"].id)
    course = make_course("PASCA-AKSES", title="Pelatihan Akses Pascapelatihan", trainer=trainer)
    siti = db.session.get(Employee, world.employees["pegawai"].id)
    done = completion.complete_course(
        siti, course, completed_at=months_ago(3), score=80, source="online"
    )
    followup = services.schedule(
        completion_id=done.id,
        employee_id=siti.id,
        course_id=course.id,
        programme_id=None,
        code=course.code,
        title="Pelatihan Akses Pascapelatihan",
        unit_id=done.unit_id,
        completed_at=done.completed_at,
    )
    assert followup is not None
    db.session.flush()
    assert db.session.scalar(select(Employee.supervisor_id).where(Employee.id == siti.id)) == (
        world.employees["atasan"].id
    )
    return {"followup_id": followup.id}
