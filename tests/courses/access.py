"""Access expectations for authoring, review, course settings and course files."""

from __future__ import annotations

import io

from PIL import Image

from lms.auth.models import User
from lms.courses import services
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.extensions import db
from tests.factories import make_course

LOGGED_IN = "logged_in"
AUTHORS = {"pengajar", "admin_bkpsdm"}  # the URL's course is taught by `pengajar`
BKPSDM = {"admin_bkpsdm"}
# Lists and the new-course form: a partner's staff author their institution's courses too.
ANY_AUTHOR = AUTHORS | {"mitra"}

EXPECTED = {
    ("courses.categories", "GET"): {"admin_bkpsdm"},
    ("courses.categories", "POST"): {"admin_bkpsdm"},
    ("courses.author_courses", "GET"): ANY_AUTHOR,
    ("courses.author_new", "GET"): ANY_AUTHOR,
    ("courses.author_new", "POST"): ANY_AUTHOR,
    ("courses.author_course", "GET"): AUTHORS,
    ("courses.author_meta", "GET"): AUTHORS,
    ("courses.author_meta", "POST"): AUTHORS,
    ("courses.author_draft", "POST"): AUTHORS,
    ("courses.author_module_add", "POST"): AUTHORS,
    ("courses.author_module_edit", "POST"): AUTHORS,
    ("courses.author_module_move", "POST"): AUTHORS,
    ("courses.author_module_delete", "POST"): AUTHORS,
    ("courses.author_lesson_new", "GET"): AUTHORS,
    ("courses.author_lesson_new", "POST"): AUTHORS,
    ("courses.author_lesson", "GET"): AUTHORS,
    ("courses.author_lesson", "POST"): AUTHORS,
    ("courses.author_lesson_move", "POST"): AUTHORS,
    ("courses.author_lesson_delete", "POST"): AUTHORS,
    ("courses.author_upload", "POST"): AUTHORS,
    ("courses.author_file_delete", "POST"): AUTHORS,
    ("courses.author_preview", "GET"): AUTHORS,
    ("courses.author_submit", "POST"): AUTHORS,
    ("courses.author_settings", "GET"): BKPSDM,
    ("courses.author_settings", "POST"): BKPSDM,
    ("courses.author_archive", "POST"): BKPSDM,
    ("courses.review_queue", "GET"): BKPSDM,
    ("courses.review_version", "GET"): BKPSDM,
    ("courses.review_publish", "POST"): BKPSDM,
    ("courses.review_send_back", "POST"): BKPSDM,
    # Files and covers of a published version: anyone signed in.
    ("courses.file", "GET"): LOGGED_IN,
    ("courses.cover", "GET"): LOGGED_IN,
}
# A file one may not see answers like a missing one.
HIDDEN = {("courses.file", "GET")}


def png_bytes(size: tuple[int, int] = (40, 30), color: str = "#0b5d4b") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def build_args(world) -> dict:
    """A published course taught by `pengajar` (with an image and a cover), and another
    course whose first version waits in the review queue."""
    trainer = db.session.get(User, world.users["pengajar"].id)
    course = make_course(
        "OLAH-101", title="Pelatihan Olah Akses", lessons=2, published=False, trainer=trainer
    )
    version = course.latest_version
    image = authoring.attach_file(version, files.check_image("denah.png", png_bytes()))
    authoring.save_draft_meta(
        version,
        {"title": version.title, "competency_kind": "teknis", "jp": 4},
        files.check_image("sampul.png", png_bytes((64, 36))),
        False,
    )
    services.publish(None, version)
    pending = make_course("OLAH-201", title="Pelatihan Menunggu Telaah", lessons=1, published=False)
    services.submit_for_review(pending.latest_version)
    db.session.flush()
    return {
        "course_id": course.id,
        "module_id": version.modules[0].id,
        "lesson_id": version.modules[0].lessons[0].id,
        "file_id": image.id,
        "version_id": pending.latest_version.id,
    }
