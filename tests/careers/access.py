"""Access expectations for the learning record, verification, JP tables and development plans.

The URL's record and plan belong to `pegawai` (Dinas Kesehatan, whose direct supervisor is
`atasan`); the account `bkpsdm` is linked to an employee too, so it may keep its own record.
"""

from __future__ import annotations

from lms.careers.plans import services
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.careers.ledger_helpers import make_record, store_evidence
from tests.factories import make_course

LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee
OWNER = {"pegawai"}
REVIEWERS = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("careers.records", "GET"): LEARNERS,
    ("careers.record_new", "GET"): LEARNERS,
    ("careers.record_new", "POST"): LEARNERS,
    # Only the owner edits or withdraws; others with LEARN get 404 (HIDDEN).
    ("careers.record_edit", "GET"): OWNER,
    ("careers.record_edit", "POST"): OWNER,
    ("careers.record_withdraw", "POST"): OWNER,
    # Evidence: the owner, the direct supervisor and reviewers whose scope holds the employee.
    ("careers.record_evidence", "GET"): {"pegawai", "atasan", "admin_bkpsdm", "admin_opd"},
    ("careers.review_queue", "GET"): REVIEWERS,
    ("careers.review_record", "GET"): REVIEWERS,
    ("careers.review_record", "POST"): REVIEWERS,
    ("careers.team_jp", "GET"): {"atasan"},
    ("careers.hr_jp", "GET"): REVIEWERS,
    ("careers.hr_jp_opd", "GET"): REVIEWERS,  # the URL's unit is Dinas Kesehatan
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
# Another employee's record or plan item answers like a missing one.
HIDDEN = {
    ("careers.record_edit", "GET"),
    ("careers.record_edit", "POST"),
    ("careers.record_withdraw", "POST"),
    ("careers.record_evidence", "GET"),
    ("careers.review_record", "GET"),
    ("careers.review_record", "POST"),
    ("careers.plan_need_delete", "POST"),
    ("careers.plan_activity_delete", "POST"),
    ("careers.team_plan", "GET"),
    ("careers.team_plan", "POST"),
}


def build_args(world) -> dict:  # noqa: ANN001
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    record = make_record(pegawai.id, status="pending", evidence_key=store_evidence())
    course = make_course("RENCANA-101", title="Analisis Data Kepegawaian")
    plan = services.ensure_plan(pegawai, local_today().year)
    need = services.add_need(
        plan, services.NeedInput("Analisis data", "teknis", 1, 3, "skp_result", "")
    )
    activity = services.add_activity(
        plan, services.ActivityInput(kind="course", need_id=need.id, course_id=course.id)
    )
    return {
        "learning_record_id": record.id,
        "dev_plan_id": plan.id,
        "plan_need_id": need.id,
        "plan_activity_id": activity.id,
    }
