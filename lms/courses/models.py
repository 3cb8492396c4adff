"""Catalogue: courses, their versions, modules, lessons and files.

A ``Course`` is the stable identity (code, enrolment settings, trainers); its content lives in
``CourseVersion`` rows. Editing a published course creates a new draft version; lessons keep a
``key`` across versions so learners' progress survives a re-publish for lessons that still exist.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import PartnerInstitution
from lms.db import TimestampMixin, in_values
from lms.extensions import db

COMPETENCY_KINDS = ("teknis", "manajerial", "sosial_kultural")
#: The one label of each competency kind (forms, catalogue, learning record, reports).
COMPETENCY_KIND_LABELS = {
    "teknis": _l("Teknis"),
    "manajerial": _l("Manajerial"),
    "sosial_kultural": _l("Sosial kultural"),
}
DELIVERY_MODES = ("e-learning", "classroom", "blended")
VERSION_STATES = ("draft", "in_review", "published", "archived")
APPROVAL_STEPS = ("", "supervisor", "hr", "supervisor,hr")


def new_key() -> str:
    return uuid.uuid4().hex


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class Course(TimestampMixin, db.Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint(in_values("approval_steps", APPROVAL_STEPS), name="approval_steps"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_versions.id", use_alter=True, name="fk_courses_published_version"),
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_institutions.id"))
    archived: Mapped[bool] = mapped_column(default=False)
    self_enrol: Mapped[bool] = mapped_column(default=True)
    approval_steps: Mapped[str] = mapped_column(String(30), default="")
    capacity: Mapped[int | None]
    enrol_deadline: Mapped[date | None]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    # Completion rules (each can be switched off per course): every lesson done, every post-test
    # or exam passed, the course evaluation submitted.
    require_lessons: Mapped[bool] = mapped_column(default=True, server_default=true())
    require_posttest: Mapped[bool] = mapped_column(default=True, server_default=true())
    require_evaluation: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Denormalised from the published version, so the catalogue filters without a join.
    search_text: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category] = relationship()
    # A partner institution's course (LAN, a BPSDMD, a university): its certificate names the
    # partner beside the organiser.
    partner: Mapped[PartnerInstitution | None] = relationship()
    published_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[published_version_id], post_update=True
    )
    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course",
        foreign_keys="CourseVersion.course_id",
        order_by="CourseVersion.number",
    )
    trainers: Mapped[list[CourseTrainer]] = relationship(cascade="all, delete-orphan")

    @property
    def latest_version(self) -> CourseVersion:
        return self.versions[-1]


class CourseTrainer(db.Model):
    __tablename__ = "course_trainers"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class CourseVersion(TimestampMixin, db.Model):
    __tablename__ = "course_versions"
    __table_args__ = (
        UniqueConstraint("course_id", "number"),
        CheckConstraint(in_values("status", VERSION_STATES), name="status"),
        CheckConstraint(in_values("competency_kind", COMPETENCY_KINDS), name="competency_kind"),
        CheckConstraint(in_values("delivery_mode", DELIVERY_MODES), name="delivery_mode"),
        CheckConstraint("jp > 0", name="jp_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list] = mapped_column(JSON, default=list)
    competency_kind: Mapped[str] = mapped_column(String(20))
    jenis_diklat_code: Mapped[int | None] = mapped_column(ForeignKey("jenis_diklat.code"))
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    delivery_mode: Mapped[str] = mapped_column(String(20), default="e-learning")
    organiser: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    cover_key: Mapped[str | None] = mapped_column(String(200))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Fingerprint of the content folder a version was loaded from (idempotent `content load`).
    source_hash: Mapped[str | None] = mapped_column(String(64))

    course: Mapped[Course] = relationship(back_populates="versions", foreign_keys=[course_id])
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )


class Module(db.Model):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        CheckConstraint("minutes >= 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(32), default=new_key)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised on write, rendered as is
    minutes: Mapped[int] = mapped_column(default=0)

    module: Mapped[Module] = relationship(back_populates="lessons")


class CourseFile(TimestampMixin, db.Model):
    """An image or attachment of a course version (copied by reference into new versions)."""

    __tablename__ = "course_files"
    __table_args__ = (CheckConstraint(in_values("kind", ("image", "attachment")), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))


Index("ix_courses_catalogue", Course.archived, Course.published_version_id)
