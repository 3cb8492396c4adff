"""Access expectations for the catalogue, course page, self-enrolment and the lesson player."""

from lms.auth.models import User
from lms.enrolments import services as enrolments
from lms.extensions import db
from tests.factories import make_course

LOGGED_IN = "logged_in"
LEARNERS_WITH_RECORD = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee

EXPECTED = {
    ("courses.catalogue", "GET"): LOGGED_IN,
    ("courses.course", "GET"): LOGGED_IN,
    ("courses.enrol", "POST"): LEARNERS_WITH_RECORD,
    # Object check: only the enrolled employee may withdraw or open the lessons.
    ("courses.withdraw", "POST"): {"pegawai"},
    ("learning.resume", "GET"): {"pegawai"},
    ("learning.lesson", "GET"): {"pegawai"},
    ("learning.mark_done", "POST"): {"pegawai"},
}
# Another employee's enrolment answers like a missing one.
HIDDEN = {("courses.withdraw", "POST")}


def build_args(world) -> dict:
    course = make_course("AKSES-101", title="Pelatihan Akses")
    pegawai = db.session.get(User, world.users["pegawai"].id)
    enrolment = enrolments.enrol_self(pegawai, course)
    lesson = course.published_version.modules[0].lessons[0]
    return {"code": course.code, "key": lesson.key, "enrolment_id": enrolment.id}
