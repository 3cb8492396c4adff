"""BKPSDM's decision on a package version: approve (it becomes a course, or a module of an
existing course) or return with notes.

Approving a SCORM version as a course (``approve``) creates (or, for a later version of the same
package, updates) a course with the JP and competency kind BKPSDM sets; its launchable items are
the version's ``PackageSco`` rows, played by the runtime (lms.packages.runtime). An Akademi package
is loaded by the content loader, as ``flask content load`` would. A new SCORM course does not
require the course evaluation: its SCOs passed or completed complete it.

Approving as a module (``approve_as_module``) attaches the version to a published course the
reviewer may manage: the course keeps its title, JP, partner and versions; its learners see the
package in the course's syllabus, and its completion counts the package's SCOs as lessons
(``runtime.services.course_standing``). Learners keep their state on the version they started:
SCO rows of an earlier version are never changed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.content import LoadResult, load_course
from lms.courses import services as courses
from lms.courses.models import Course, CourseVersion
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.org.queries import agency_organiser
from lms.packages.models import PackageVersion


class ReviewError(DomainError):
    """A refused review decision; ``field`` names the form field."""


def _require_in_review(version: PackageVersion) -> None:
    if version.status != "in_review":
        raise ReviewError(_("Hanya versi yang menunggu telaah dapat diputuskan."))


def return_version(reviewer: User, version: PackageVersion, notes: str) -> None:
    _require_in_review(version)
    if not notes.strip():
        raise ReviewError(_("Tuliskan catatan perbaikan."), "notes")
    version.status = "returned"
    version.review_notes = notes.strip()
    version.reviewed_by_id = reviewer.id
    version.reviewed_at = utcnow()
    db.session.flush()


def _earlier_course(version: PackageVersion) -> Course | None:
    """The course an earlier version of the package became (never a course it was only a
    module of: that course is somebody else's, its title and JP are not the package's)."""
    for other in reversed(version.package.versions):
        if other.id != version.id and other.course_id is not None and other.placement == "course":
            return db.session.get(Course, other.course_id)
    return None


def _approved(reviewer: User, version: PackageVersion, course: Course, placement: str) -> None:
    version.course_id = course.id
    version.placement = placement
    version.status = "approved"
    version.reviewed_by_id = reviewer.id
    version.reviewed_at = utcnow()
    db.session.flush()


def _manageable(reviewer: User, course: Course) -> bool:
    """A course a package may become a module of: published, not archived, and one the reviewer
    may author (BKPSDM: every one)."""
    return (
        course.published_version_id is not None
        and not course.archived
        and courses.can_author(reviewer, course)
    )


def manageable_courses(reviewer: User) -> list[Course]:
    """The course picker's choices (``_manageable``), by code."""
    found = db.session.scalars(
        select(Course)
        .options(joinedload(Course.published_version))
        .where(Course.published_version_id.is_not(None), Course.archived.is_(False))
        .order_by(Course.code)
    ).unique()
    return [c for c in found if _manageable(reviewer, c)]


def approve_as_module(reviewer: User, version: PackageVersion, course_id: int | None) -> Course:
    """Attach the version to an existing course as one of its modules."""
    _require_in_review(version)
    if version.package.kind == "akademi":
        raise ReviewError(
            _(
                "Paket Akademi ASN berisi pelatihan utuh dan hanya dapat disetujui sebagai "
                "pelatihan baru."
            ),
            "placement",
        )
    if course_id is None:
        raise ReviewError(_("Pilih pelatihan yang akan memuat modul ini."), "course_id")
    course = db.session.get(Course, course_id)
    if course is None or not _manageable(reviewer, course):
        raise ReviewError(
            _(
                "Pelatihan yang dipilih tidak ditemukan, belum terbit, diarsipkan, atau tidak "
                "dapat Anda kelola. Pilih pelatihan dari daftar."
            ),
            "course_id",
        )
    _approved(reviewer, version, course, "module")
    return course


def approve(
    reviewer: User,
    version: PackageVersion,
    course_code: str,
    jp: Decimal,
    competency_kind: str,
    category: str,
) -> Course:
    _require_in_review(version)
    package = version.package
    if package.kind == "akademi":
        code = str(version.manifest.get("code"))
        taken = db.session.scalar(db.select(Course).where(Course.code == code))
        earlier = _earlier_course(version)
        if taken is not None and (earlier is None or taken.id != earlier.id):
            # a partner's package never becomes a new version of someone else's course
            raise ReviewError(
                _("Kode pelatihan %(c)s sudah dipakai pelatihan lain.", c=code), "course_code"
            )
        folder = Path(current_app.config["FILES_DIR"]) / version.storage_key
        load_course(folder, LoadResult())
        course = db.session.scalar(db.select(Course).where(Course.code == code))
    else:
        course = _earlier_course(version)
        meta = {
            "title": package.title,
            "competency_kind": competency_kind,
            "jp": jp,
            # the certificate reads "diselenggarakan oleh BKPSDM … bekerja sama dengan <partner>"
            "organiser": agency_organiser(),
        }
        if course is None:
            course = courses.create_course(
                course_code, courses.category_named(category), meta, None
            )
            draft = course.latest_version
            # A SCORM course is complete when its SCOs are passed or completed: it has no
            # evaluation form of its own to wait for (BKPSDM may require one later).
            course.require_evaluation = False
        else:
            draft = CourseVersion(
                course_id=course.id,
                number=course.latest_version.number + 1,
                **courses.clean_meta(meta),
            )
            db.session.add(draft)
            db.session.flush()
        courses.publish(reviewer, draft)
    assert course is not None
    course.partner_id = package.partner_id
    _approved(reviewer, version, course, "course")
    return course
