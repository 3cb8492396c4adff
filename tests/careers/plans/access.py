"""Access expectations for development plans.

The URL's plan belongs to `pegawai` (Dinas Kesehatan, whose direct supervisor is `atasan`).
"""

from __future__ import annotations

from lms.careers.plans import services
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.factories import make_course

LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee
OWNER = {"pegawai"}

EXPECTED = {
    ("careers.plan", "GET"): LEARNERS,
    ("careers.plan_need_add", "POST"): LEARNERS,
    ("careers.plan_activity_add", "POST"): LEARNERS,
    ("careers.plan_need_delete", "POST"): OWNER,
    ("careers.plan_activity_delete", "POST"): OWNER,
    ("careers.plan_submit", "POST"): LEARNERS,
    # Only the direct supervisor of the plan's employee.
    ("careers.team_plan", "GET"): {"atasan"},
    ("careers.team_plan", "POST"): {"atasan"},
}
# Another employee's plan or plan item answers like a missing one.
HIDDEN = {
    ("careers.plan_need_delete", "POST"),
    ("careers.plan_activity_delete", "POST"),
    ("careers.team_plan", "GET"),
    ("careers.team_plan", "POST"),
}


def build_args(world) -> dict:
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    course = make_course("RENCANA-101", title="Analisis Data Kepegawaian")
    plan = services.ensure_plan(pegawai, local_today().year)
    need = services.add_need(
        plan, services.NeedInput("Analisis data", "teknis", 1, 3, "skp_result", "")
    )
    activity = services.add_activity(
        plan, services.ActivityInput(kind="course", need_id=need.id, course_id=course.id)
    )
    return {
        "dev_plan_id": plan.id,
        "plan_need_id": need.id,
        "plan_activity_id": activity.id,
    }
