"""Course life: create, edit drafts, versions, review and publish. Services flush, never commit.

Version states: draft → in_review → published → archived. Editing a published course goes
through ``draft_for_edit``, which copies the published version (same lesson keys) into a new
draft; publishing that draft replaces the published version, and learners keep their progress
on every lesson whose key still exists.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import (
    COMPETENCY_KINDS,
    DELIVERY_MODES,
    Category,
    Course,
    CourseFile,
    CourseTrainer,
    CourseVersion,
    Lesson,
    Module,
)
from lms.courses.rendering import render_markdown
from lms.courses.signals import course_published
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.org.models import JenisDiklat
from lms.permissions import Capability, Role, can, partner_scope, refuse

DEFAULT_CATEGORIES = (
    "Manajemen Pelayanan Publik",
    "Teknologi Informasi",
    "Manajemen Waktu",
    "Komunikasi",
    "Kepemimpinan",
)


class CourseError(DomainError):
    """A refused course change; ``field`` names the form field."""


def category_named(name: str, create: bool = True) -> Category | None:
    """The category of this name, matched without regard to case or repeated spaces; with
    ``create``, a missing one is added (flushed). The mission's areas keep their order; any
    other goes after the last category."""
    name = " ".join(name.split())
    cat = db.session.scalar(select(Category).where(func.lower(Category.name) == name.lower()))
    if cat is None and create:
        if name in DEFAULT_CATEGORIES:
            position = DEFAULT_CATEGORIES.index(name)
        else:
            last = db.session.scalar(select(func.max(Category.position))) or 0
            position = max(len(DEFAULT_CATEGORIES) + 1, last + 1)
        cat = Category(name=name, position=position)
        db.session.add(cat)
        db.session.flush()
    return cat


def ensure_default_categories() -> None:
    for name in DEFAULT_CATEGORIES:
        category_named(name)


def clean_meta(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the catalogue fields of a version; raise CourseError naming the field."""
    title = (values.get("title") or "").strip()
    if not title:
        raise CourseError(_("Judul pelatihan wajib diisi."), "title")
    kind = values.get("competency_kind") or ""
    if kind not in COMPETENCY_KINDS:
        raise CourseError(
            _("Jenis kompetensi harus teknis, manajerial, atau sosial kultural."), "competency_kind"
        )
    mode = values.get("delivery_mode") or "e-learning"
    if mode not in DELIVERY_MODES:
        raise CourseError(_("Moda pembelajaran tidak dikenal: %(m)s.", m=mode), "delivery_mode")
    try:
        jp = Decimal(str(values.get("jp"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise CourseError(_("JP harus berupa angka."), "jp") from None
    if jp <= 0 or jp > 2000:
        raise CourseError(_("JP harus lebih dari 0 dan paling banyak 2000."), "jp")
    code = values.get("jenis_diklat_code")
    if code not in (None, ""):
        code = int(code)
        if db.session.get(JenisDiklat, code) is None:
            raise CourseError(
                _("Kode jenis diklat SIASN %(c)s tidak dikenal.", c=code), "jenis_diklat_code"
            )
    else:
        code = None
    objectives = values.get("objectives") or []
    if isinstance(objectives, str):
        objectives = [line.strip("-• ").strip() for line in objectives.splitlines() if line.strip()]
    tags = values.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip().lower() for t in tags.replace(";", ",").split(",") if t.strip()]
    return {
        "title": title[:200],
        "summary": (values.get("summary") or "").strip(),
        "objectives": [str(o)[:300] for o in objectives],
        "competency_kind": kind,
        "delivery_mode": mode,
        "jp": jp,
        "jenis_diklat_code": code,
        "organiser": (values.get("organiser") or "").strip()[:200],
        "tags": [str(t)[:50] for t in tags],
    }


#: A course code names the course in its address (/pelatihan/<code>), file names and exports:
#: ASCII letters (stored upper case), digits, '.', '_' and '-', starting with a letter or digit.
COURSE_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]*")


def create_course(
    code: str, category: Category, meta: dict[str, Any], author: User | None
) -> Course:
    code = code.strip().upper()
    if not code or len(code) > 40:
        raise CourseError(_("Kode pelatihan wajib diisi (maksimal 40 karakter)."), "code")
    if not COURSE_CODE.fullmatch(code):
        raise CourseError(
            _(
                "Kode pelatihan hanya boleh memuat huruf A-Z, angka 0-9, titik (.), garis bawah (_) "
                "dan tanda hubung (-), diawali huruf atau angka."
            ),
            "code",
        )
    if db.session.scalar(select(Course.id).where(Course.code == code)):
        raise CourseError(_("Kode pelatihan %(c)s sudah dipakai.", c=code), "code")
    course = Course(code=code, category=category)
    db.session.add(course)
    db.session.flush()
    version = CourseVersion(course_id=course.id, number=1, status="draft", **clean_meta(meta))
    db.session.add(version)
    if author is not None and Role.PENGAJAR in author.roles:
        course.trainers.append(CourseTrainer(user_id=author.id))
    if author is not None and (partner := partner_scope(author)) is not None:
        course.partner_id = partner  # a partner's staff author for their institution only
    db.session.flush()
    db.session.refresh(course)
    return course


def update_meta(version: CourseVersion, meta: dict[str, Any]) -> None:
    require_editable(version)
    for key, value in clean_meta(meta).items():
        setattr(version, key, value)
    db.session.flush()


def require_editable(version: CourseVersion) -> None:
    if version.status != "draft":
        raise CourseError(
            _("Hanya versi draf yang dapat diubah. Buat draf baru untuk mengubah pelatihan ini.")
        )


def is_trainer_of(user: User, course: Course) -> bool:
    return any(t.user_id == user.id for t in course.trainers)


def can_author(user: User, course: Course) -> bool:
    """Trainers edit their own courses, a partner's staff their institution's; BKPSDM any."""
    if can(user, Capability.PUBLISH_COURSES):
        return True
    if not can(user, Capability.AUTHOR_COURSES):
        return False
    partner = partner_scope(user)
    if partner is not None:  # never another institution's course, even as its trainer
        return course.partner_id == partner
    return is_trainer_of(user, course)


def authored_course(user: User, course_id: int) -> Course:
    """The course ``user`` may author, or a 404 (no such course) or 403 (not theirs): the one
    loader of every authoring page (outline, files, quizzes, the question bank)."""
    course = db.get_or_404(Course, course_id)
    if not can_author(user, course):
        refuse(course, 403)  # courses are listed in the catalogue: saying so leaks nothing
    return course


def draft_for_edit(course: Course) -> CourseVersion:
    """The draft to edit: the existing draft, or a copy of the latest version with the same keys."""
    latest = course.latest_version
    if latest.status == "draft":
        return latest
    if latest.status == "in_review":
        raise CourseError(
            _("Versi ini sedang ditelaah. Tunggu keputusan BKPSDM sebelum mengubahnya.")
        )
    return copy_version(latest)


def copy_version(source: CourseVersion) -> CourseVersion:
    copy = CourseVersion(
        course_id=source.course_id,
        number=source.number + 1,
        status="draft",
        title=source.title,
        summary=source.summary,
        objectives=list(source.objectives or []),
        competency_kind=source.competency_kind,
        jenis_diklat_code=source.jenis_diklat_code,
        jp=source.jp,
        delivery_mode=source.delivery_mode,
        organiser=source.organiser,
        tags=list(source.tags or []),
        cover_key=source.cover_key,
    )
    db.session.add(copy)
    db.session.flush()
    for module in source.modules:
        new_module = Module(version_id=copy.id, position=module.position, title=module.title)
        copy.modules.append(new_module)
        for lesson in module.lessons:
            new_module.lessons.append(
                Lesson(
                    version_id=copy.id,
                    key=lesson.key,
                    position=lesson.position,
                    title=lesson.title,
                    body_md=lesson.body_md,
                    body_html=lesson.body_html,
                    minutes=lesson.minutes,
                )
            )
    for f in db.session.scalars(select(CourseFile).where(CourseFile.version_id == source.id)):
        db.session.add(
            CourseFile(
                version_id=copy.id,
                kind=f.kind,
                storage_key=f.storage_key,
                filename=f.filename,
                mimetype=f.mimetype,
                size=f.size,
                sha256=f.sha256,
            )
        )
    db.session.flush()
    db.session.expire(source.course, ["versions"])
    return copy


#: "Modul 1: ", "Modul II - ", "Module 3. " in front of a module title. Pages number modules by
#: their order ("Modul %(i)s: %(t)s"), so a number stored in the title prints twice and goes
#: stale when modules move; it is dropped wherever a title is written (content, authoring).
MODULE_NUMBER = re.compile(
    r"^\s*modul[e]?\s+(?:\d{1,3}|[ivx]{1,5})\s*[:.\-–—](?!\d)\s*(?=\S)", re.I
)


def bare_module_title(title: str) -> str:
    """The module title without a leading "Modul N:" (a bare "Modul 1" stays: it is the title)."""
    return MODULE_NUMBER.sub("", title.strip(), count=1)[:200]


def add_module(version: CourseVersion, title: str) -> Module:
    require_editable(version)
    if not title.strip():
        raise CourseError(_("Judul modul wajib diisi."), "title")
    module = Module(
        version_id=version.id, title=bare_module_title(title), position=len(version.modules)
    )
    version.modules.append(module)
    db.session.flush()
    return module


def save_lesson(
    module: Module,
    lesson: Lesson | None,
    title: str,
    body_md: str,
    minutes: int,
    key: str | None = None,
) -> Lesson:
    require_editable(module.version)
    if not title.strip():
        raise CourseError(_("Judul pelajaran wajib diisi."), "title")
    if minutes < 0 or minutes > 600:
        raise CourseError(_("Perkiraan durasi harus 0 sampai 600 menit."), "minutes")
    if lesson is None:
        lesson = Lesson(version_id=module.version_id, position=len(module.lessons))
        if key:
            lesson.key = key
        module.lessons.append(lesson)
    lesson.title = title.strip()[:200]
    lesson.body_md = body_md
    lesson.body_html = render_markdown(body_md)
    lesson.minutes = minutes
    db.session.flush()
    return lesson


def move(items: list, item: object, offset: int) -> None:
    """Reorder a module or lesson one step up (-1) or down (+1) by rewriting positions.

    Works on a copy: swapping inside a delete-orphan relationship list would orphan a row.
    """
    ordered = list(items)
    index = ordered.index(item)
    target = index + offset
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, obj in enumerate(ordered):
        obj.position = position
    db.session.flush()


def submit_for_review(version: CourseVersion) -> None:
    require_editable(version)
    lessons = sum(len(m.lessons) for m in version.modules)
    if lessons == 0:
        raise CourseError(_("Tambahkan minimal satu pelajaran sebelum mengajukan telaah."))
    version.status = "in_review"
    version.submitted_at = utcnow()
    version.review_comment = ""
    db.session.flush()


def publish(reviewer: User | None, version: CourseVersion) -> None:
    """Make a reviewed version the published one; the previous published version is archived."""
    if version.status not in ("in_review", "draft"):
        raise CourseError(_("Versi ini tidak dapat diterbitkan (status %(s)s).", s=version.status))
    course = version.course
    previous = course.published_version
    if previous is not None and previous.id != version.id:
        previous.status = "archived"
    version.status = "published"
    version.published_at = utcnow()
    version.reviewed_by_id = reviewer.id if reviewer is not None else None
    course.published_version = version
    course.archived = False
    course.search_text = " ".join(
        [course.code, version.title, version.summary, " ".join(version.tags or [])]
    ).lower()
    db.session.flush()
    course_published.send(course)  # learning recounts progress against the new lessons


def send_back(reviewer: User, version: CourseVersion, comment: str) -> None:
    if version.status != "in_review":
        raise CourseError(_("Hanya versi yang sedang ditelaah dapat dikembalikan."))
    if not comment.strip():
        raise CourseError(_("Tuliskan catatan perbaikan untuk pengajar."), "comment")
    version.status = "draft"
    version.review_comment = comment.strip()
    version.reviewed_by_id = reviewer.id
    db.session.flush()


def archive(course: Course) -> None:
    course.archived = True
    if course.published_version is not None:
        course.published_version.status = "archived"
    db.session.flush()
