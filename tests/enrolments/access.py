"""Access expectations for nominations, approvals and bulk enrolment."""

from lms.auth.models import User
from lms.enrolments import approvals
from lms.enrolments import services as enrolments
from lms.extensions import db
from tests.factories import make_course

LOGGED_IN = "logged_in"
LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee record
HR = {"admin_bkpsdm", "admin_opd"}

EXPECTED = {
    ("enrolments.nominate", "GET"): LEARNERS,
    ("enrolments.nominate", "POST"): LEARNERS,
    ("enrolments.approvals", "GET"): {"atasan", *HR},
    # The approval in the URL is the supervisor step of `pegawai`'s nomination: only `atasan`
    # decides it; HR may open the queue but not this step, the nominee never.
    ("enrolments.approval", "GET"): {"atasan"},
    ("enrolments.approval", "POST"): {"atasan"},
    ("enrolments.bulk_enrol", "GET"): HR,
    ("enrolments.bulk_enrol", "POST"): HR,
    ("enrolments.bulk_confirm", "POST"): HR,
}
# An approval step that is not one's to decide answers like a missing one.
HIDDEN = {("enrolments.approval", "GET"), ("enrolments.approval", "POST")}


def build_args(world) -> dict:
    course = make_course(
        "AKSES-USUL", title="Pelatihan Akses Usulan", approval_steps="supervisor,hr"
    )
    pegawai = db.session.get(User, world.users["pegawai"].id)
    enrolment = enrolments.enrol_self(pegawai, course)
    return {"approval_id": approvals.pending_step(enrolment).id}
