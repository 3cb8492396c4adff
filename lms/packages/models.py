"""Module packages a partner institution uploads: the package, its versions, its launchable items.

A ``Package`` is the stable identity (partner + code); every upload of the same code is a new
``PackageVersion`` with its own files under ``FILES_DIR/packages/<package id>/<version>`` and its own
review. A version's ``manifest`` holds the parsed outline (organisations, items with aggregations,
resources) as JSON; ``PackageSco`` rows are its launchable items (SCOs and assets), the rows the
runtime keeps learner state against, so a learner's progress stays on the version they started.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import PartnerInstitution, User
from lms.courses.models import Course
from lms.db import in_values, utcnow
from lms.extensions import db

PACKAGE_KINDS = ("scorm12", "scorm2004", "akademi")
VERSION_STATUSES = ("in_review", "returned", "approved")
#: What an approved version became: a course of its own, or a module of an existing course.
PLACEMENTS = ("course", "module")
SCO_TYPES = ("sco", "asset")


class Package(db.Model):
    __tablename__ = "packages"
    __table_args__ = (
        CheckConstraint(in_values("kind", PACKAGE_KINDS), name="kind"),
        # One code per partner; packages of no partner (BKPSDM's own) share one code space,
        # which UNIQUE alone would not enforce (NULLs are distinct), hence the partial index.
        UniqueConstraint("partner_id", "code"),
        Index(
            "uq_packages_code_no_partner",
            "code",
            unique=True,
            sqlite_where=text("partner_id IS NULL"),
            postgresql_where=text("partner_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_institutions.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner: Mapped[PartnerInstitution | None] = relationship()
    versions: Mapped[list[PackageVersion]] = relationship(
        back_populates="package", order_by="PackageVersion.version", cascade="all, delete-orphan"
    )

    @property
    def latest_version(self) -> PackageVersion | None:
        return self.versions[-1] if self.versions else None


class PackageVersion(db.Model):
    __tablename__ = "package_versions"
    __table_args__ = (
        UniqueConstraint("package_id", "version"),
        CheckConstraint(in_values("status", VERSION_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("size_bytes >= 0 AND file_count >= 0", name="sizes_not_negative"),
        CheckConstraint(in_values("placement", PLACEMENTS), name="placement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="in_review")
    # The folder under FILES_DIR holding the extracted files: "packages/<package id>/<version>".
    storage_key: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    file_count: Mapped[int] = mapped_column(default=0)
    # The parsed outline (lms.packages.manifest.Outline.as_json, or the course outline of an
    # Akademi package) and the validation notes (warnings kept; a refused upload has no row).
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    review_notes: Mapped[str] = mapped_column(Text, default="")
    # None: imported from the command line (``flask packages import``) without --user.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    # The course this version became on approval ("course"), or the existing course it became a
    # module of ("module": that course's title, JP and partner stay as they were).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    placement: Mapped[str] = mapped_column(String(10), default="course", server_default="course")

    package: Mapped[Package] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    course: Mapped[Course | None] = relationship()
    scos: Mapped[list[PackageSco]] = relationship(
        back_populates="version", order_by="PackageSco.position", cascade="all, delete-orphan"
    )


class PackageSco(db.Model):
    """A launchable item of a SCORM version (aggregations live only in the manifest outline)."""

    __tablename__ = "package_scos"
    __table_args__ = (
        UniqueConstraint("version_id", "identifier"),
        CheckConstraint(in_values("scorm_type", SCO_TYPES), name="scorm_type"),
        CheckConstraint("position >= 0 AND depth >= 0", name="position_depth_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("package_versions.id", ondelete="CASCADE"), index=True
    )
    identifier: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    # Launch path inside the package, relative to its root, with the item's parameters appended.
    href: Mapped[str] = mapped_column(String(2000))
    position: Mapped[int]
    depth: Mapped[int] = mapped_column(default=0)
    is_visible: Mapped[bool] = mapped_column(default=True)
    prerequisites: Mapped[str | None] = mapped_column(String(2000))
    scorm_type: Mapped[str] = mapped_column(String(5), default="sco")

    version: Mapped[PackageVersion] = relationship(back_populates="scos")
