"""Access expectations for the package pages: partner staff upload and follow their own
packages; BKPSDM reviews every one."""

from __future__ import annotations

import io

from lms.auth.models import User
from lms.extensions import db
from lms.packages.services import import_package
from tests.packages import zips

BOTH = {"mitra", "admin_bkpsdm"}
EXPECTED = {
    ("packages.index", "GET"): BOTH,
    ("packages.upload", "GET"): {"mitra"},
    ("packages.upload", "POST"): {"mitra"},
    ("packages.package", "GET"): BOTH,
    ("packages.version", "GET"): BOTH,
    ("packages.approve", "POST"): {"admin_bkpsdm"},
    ("packages.send_back", "POST"): {"admin_bkpsdm"},
}
# Another partner's package answers like a missing one.
HIDDEN = {("packages.package", "GET"), ("packages.version", "GET")}


def build_args(world) -> dict:
    """A package of `mitra`'s partner, waiting for review."""
    mitra = db.session.get(User, world.users["mitra"].id)
    version = import_package(io.BytesIO(zips.scorm()), mitra.partner, mitra)
    return {"package_id": version.package_id, "package_version_id": version.id}
