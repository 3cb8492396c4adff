"""Access expectations for the SCORM player, its commit endpoint and the content origin."""

from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.models import PackageSco
from tests.factories import make_course
from tests.packages_runtime.helpers import install_package, scorm2004_zip

PUBLIC = "public"

EXPECTED = {
    # The enrolled learner, and BKPSDM reviewing (review mode); atasan may LEARN but is not
    # enrolled in the course the package became: 403.
    ("packages.play", "GET"): {"pegawai", "admin_bkpsdm"},
    ("packages.commit", "POST"): {"pegawai", "admin_bkpsdm"},
    # Renewing the player's package URLs: the same players (for their own token only).
    ("packages.renew", "POST"): {"pegawai", "admin_bkpsdm"},
    # A new attempt of a finished SCO: the enrolled learner only (reviewers play in review mode).
    ("packages.new_attempt", "POST"): {"pegawai"},
    # The content origin: no session there, a signed URL instead; on the app's host these
    # answer 404 for everybody (tests/packages_runtime/test_runtime_http.py).
    ("content.runtime_script", "GET"): PUBLIC,
    ("content.shim", "GET"): PUBLIC,
    ("content.package_file", "GET"): PUBLIC,
}


def build_args(world) -> dict:
    course = make_course("AKSES-SCORM", title="Pelatihan SCORM")
    db.session.add(
        Enrolment(course_id=course.id, employee_id=world.employees["pegawai"].id, status="active")
    )
    version = install_package(
        scorm2004_zip(),
        code="AKSES",
        kind="scorm2004",
        uploader_id=world.users["mitra"].id,
        course_id=course.id,
    )
    # Mitra's partner's package, as an upload would make it: the merged args give the package
    # pages this version too, and mitra may see its own partner's versions.
    version.package.partner_id = db.session.get(User, world.users["mitra"].id).partner_id
    db.session.flush()
    sco_id = db.session.scalar(select(PackageSco.id).where(PackageSco.version_id == version.id))
    return {
        "package_version_id": version.id,
        "sco_id": sco_id,
        "grant": "not-a-grant",
        "name": "scorm12.min.js",
        "path": "index.html",
    }
