"""Authoring steps the browser needs on top of ``services``: files, covers, deletes, settings.

Same rules as ``services``: every change to content goes through a draft (``require_editable``),
functions flush and never commit, and a refusal is a ``CourseError`` naming the field. The read
side for the authoring screens (my courses, the review queue) lives here too, each in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms.auth.models import User, UserRole
from lms.courses import services
from lms.courses.authoring import files as course_files
from lms.courses.models import (
    APPROVAL_STEPS,
    Course,
    CourseFile,
    CourseTrainer,
    CourseVersion,
    Lesson,
    Module,
)
from lms.courses.services import CourseError, require_editable
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.permissions import Capability, Role, can, partner_scope
from lms.storage import get_storage

PAGE_SIZE = 20


# --- files ---------------------------------------------------------------------------------


def file_url(file: CourseFile) -> str:
    return url_for("courses.file", file_id=file.id)


def markdown_snippet(file: CourseFile, alt: str = "") -> str:
    """What a trainer pastes into a lesson: an image, or a download link for an attachment."""
    label = (alt or file.filename).replace("[", "(").replace("]", ")").replace("\n", " ")
    if file.kind == "image":
        if not alt:
            label = label.rsplit(".", 1)[0]
        return f"![{label}]({file_url(file)})"
    return f"[{label}]({file_url(file)})"


def attach_file(
    version: CourseVersion, checked: course_files.CheckedFile, lesson: Lesson | None = None
) -> CourseFile:
    require_editable(version)
    key, digest = course_files.store(checked, f"courses/{version.course_id}")
    row = CourseFile(
        version_id=version.id,
        lesson_id=lesson.id if lesson is not None else None,
        kind=checked.kind,
        storage_key=key,
        filename=checked.filename,
        mimetype=checked.mimetype,
        size=checked.size,
        sha256=digest,
    )
    db.session.add(row)
    db.session.flush()
    return row


def delete_file(file: CourseFile) -> None:
    """Remove a file from a draft; the bytes go only when no other version still uses them."""
    version = db.session.get(CourseVersion, file.version_id)
    require_editable(version)
    if version.cover_key == file.storage_key:
        version.cover_key = None
    key = file.storage_key
    db.session.delete(file)
    db.session.flush()
    still_used = db.session.scalar(
        select(CourseFile.id).where(CourseFile.storage_key == key).limit(1)
    )
    still_cover = db.session.scalar(
        select(CourseVersion.id).where(CourseVersion.cover_key == key).limit(1)
    )
    if still_used is None and still_cover is None:
        get_storage().delete(key)


def version_files(version_id: int) -> list[CourseFile]:
    return list(
        db.session.scalars(
            select(CourseFile)
            .where(CourseFile.version_id == version_id)
            .order_by(CourseFile.kind, CourseFile.id)
        )
    )


def file_visible(user: User, file: CourseFile) -> bool:
    """Anyone signed in sees files of a version that was ever published (old lessons link to
    them); files of unpublished drafts only the course's authors and BKPSDM."""
    version = db.session.get(CourseVersion, file.version_id)
    if version is None:
        return False
    if version.published_at is not None:
        return True
    return services.can_author(user, version.course)


def cover_file(version: CourseVersion) -> CourseFile | None:
    if not version.cover_key:
        return None
    return db.session.scalar(
        select(CourseFile)
        .where(CourseFile.storage_key == version.cover_key)
        .order_by(CourseFile.id)
        .limit(1)
    )


def _set_cover(version: CourseVersion, cover: course_files.CheckedFile) -> None:
    row = attach_file(version, cover)
    version.cover_key = row.storage_key


# --- course, modules, lessons --------------------------------------------------------------


def create_authored_course(
    author: User,
    code: str,
    category_name: str,
    meta: dict[str, Any],
    cover: course_files.CheckedFile | None,
) -> Course:
    category = services.category_named(category_name)
    course = services.create_course(code, category, meta, author)
    if cover is not None:
        _set_cover(course.latest_version, cover)
    db.session.flush()
    return course


def save_draft_meta(
    version: CourseVersion,
    meta: dict[str, Any],
    cover: course_files.CheckedFile | None,
    remove_cover: bool,
) -> None:
    services.update_meta(version, meta)
    if cover is not None:
        _set_cover(version, cover)
    elif remove_cover:
        version.cover_key = None
    db.session.flush()


def rename_module(module: Module, title: str) -> None:
    require_editable(module.version)
    if not title.strip():
        raise CourseError(_("Judul modul wajib diisi."), "title")
    module.title = services.bare_module_title(title)
    db.session.flush()


def _reorder(items: list, item: object, offset: int) -> None:
    """Swap an item with its neighbour by rewriting positions on a plain copy of the list.

    ``services.move`` swaps entries of the relationship list itself; with delete-orphan
    cascade SQLAlchemy then deletes the entry that was momentarily replaced, so it is not
    used here.
    """
    order = list(items)
    index = order.index(item)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    for position, obj in enumerate(order):
        obj.position = position
    db.session.flush()


def move_module(module: Module, offset: int) -> None:
    version = module.version
    require_editable(version)
    _reorder(version.modules, module, offset)
    db.session.expire(version, ["modules"])


def move_lesson(lesson: Lesson, offset: int) -> None:
    module = lesson.module
    require_editable(module.version)
    _reorder(module.lessons, lesson, offset)
    db.session.expire(module, ["lessons"])


def delete_module(module: Module) -> None:
    version = module.version
    require_editable(version)
    version.modules.remove(module)
    for position, item in enumerate(version.modules):
        item.position = position
    db.session.flush()


def delete_lesson(lesson: Lesson) -> None:
    module = lesson.module
    require_editable(module.version)
    module.lessons.remove(lesson)
    for position, item in enumerate(module.lessons):
        item.position = position
    db.session.flush()


def save_lesson_with_image(
    module: Module,
    lesson: Lesson | None,
    title: str,
    body_md: str,
    minutes: int,
    image: course_files.CheckedFile | None = None,
    alt: str = "",
) -> Lesson:
    """Save a lesson; an image sent with it is stored and placed at the end of the text, so a
    trainer adds a picture in one step without losing what they typed."""
    saved = services.save_lesson(module, lesson, title, body_md, minutes)
    if image is not None:
        row = attach_file(module.version, image, saved)
        body = (body_md or "").rstrip()
        snippet = markdown_snippet(row, alt.strip())
        saved = services.save_lesson(
            module, saved, title, f"{body}\n\n{snippet}\n" if body else f"{snippet}\n", minutes
        )
    return saved


# --- review --------------------------------------------------------------------------------


def publish_reviewed(reviewer: User, version: CourseVersion) -> None:
    """Only a version that a trainer submitted is published from the review queue."""
    if version.status != "in_review":
        raise CourseError(
            _("Hanya versi yang sedang ditelaah dapat diterbitkan dari antrean telaah.")
        )
    services.publish(reviewer, version)


# --- course settings (BKPSDM) --------------------------------------------------------------


def trainer_choices() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .options(joinedload(User.employee))
            .where(UserRole.role == Role.PENGAJAR.value)
            .order_by(User.display_name, User.username)
        ).unique()
    )


def update_settings(
    course: Course, category_name: str, values: dict[str, Any], trainer_ids: list[int]
) -> int:
    """Enrolment settings, category and trainers. Returns how many waitlisted learners got a
    seat because the capacity grew."""
    steps = values.get("approval_steps") or ""
    if steps not in APPROVAL_STEPS:
        raise CourseError(_("Alur persetujuan tidak dikenal."), "approval_steps")
    capacity = values.get("capacity")
    if capacity is not None and not 0 < capacity <= 100_000:
        raise CourseError(
            _("Kapasitas harus lebih dari 0 (kosongkan bila tidak dibatasi)."), "capacity"
        )
    starts_on: date | None = values.get("starts_on")
    ends_on: date | None = values.get("ends_on")
    deadline: date | None = values.get("enrol_deadline")
    if starts_on and ends_on and ends_on < starts_on:
        raise CourseError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "ends_on")
    if deadline and ends_on and deadline > ends_on:
        raise CourseError(
            _("Batas pendaftaran tidak boleh setelah pelatihan selesai."), "enrol_deadline"
        )
    allowed = {u.id for u in trainer_choices()}
    unknown = [i for i in trainer_ids if i not in allowed]
    if unknown:
        raise CourseError(_("Pengajar yang dipilih tidak dikenal."), "trainers")
    grew = course.capacity is not None and (capacity is None or capacity > course.capacity)
    course.category = services.category_named(category_name)
    course.self_enrol = bool(values.get("self_enrol"))
    for rule in ("require_lessons", "require_posttest", "require_evaluation"):
        if rule in values:
            setattr(course, rule, bool(values[rule]))
    course.approval_steps = steps
    course.capacity = capacity
    course.starts_on = starts_on
    course.ends_on = ends_on
    course.enrol_deadline = deadline
    wanted = set(trainer_ids)
    course.trainers = [t for t in course.trainers if t.user_id in wanted]
    have = {t.user_id for t in course.trainers}
    for user_id in sorted(wanted - have):
        course.trainers.append(CourseTrainer(user_id=user_id))
    db.session.flush()
    if grew and course.published_version_id is not None:
        return len(enrolments.promote_waitlist(course))
    return 0


# --- read side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthoredRow:
    course_id: int
    code: str
    archived: bool
    title: str
    number: int
    status: str
    sent_back: bool
    published_number: int | None
    active: int
    completed: int
    waiting: int


def _authored_stmt(user: User, mine_only: bool, q: str = ""):
    latest = (
        select(
            CourseVersion.course_id.label("course_id"),
            func.max(CourseVersion.number).label("number"),
        )
        .group_by(CourseVersion.course_id)
        .subquery()
    )
    counts = (
        select(
            Enrolment.course_id.label("course_id"),
            func.sum(case((Enrolment.status == "active", 1), else_=0)).label("active"),
            func.sum(case((Enrolment.status == "completed", 1), else_=0)).label("completed"),
            func.sum(case((Enrolment.status.in_(("nominated", "waitlisted")), 1), else_=0)).label(
                "waiting"
            ),
        )
        .group_by(Enrolment.course_id)
        .subquery()
    )
    published = aliased(CourseVersion)
    stmt = (
        select(
            Course.id,
            Course.code,
            Course.archived,
            CourseVersion.title,
            CourseVersion.number,
            CourseVersion.status,
            CourseVersion.review_comment,
            published.number,
            func.coalesce(counts.c.active, 0),
            func.coalesce(counts.c.completed, 0),
            func.coalesce(counts.c.waiting, 0),
            func.count().over(),
        )
        .join(latest, latest.c.course_id == Course.id)
        .join(
            CourseVersion,
            and_(CourseVersion.course_id == Course.id, CourseVersion.number == latest.c.number),
        )
        .outerjoin(published, published.id == Course.published_version_id)
        .outerjoin(counts, counts.c.course_id == Course.id)
    )
    if mine_only:
        mine = Course.id.in_(
            select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
        )
        partner = partner_scope(user)
        stmt = stmt.where(Course.partner_id == partner if partner is not None else mine)
    for word in q.lower().split()[:6]:
        stmt = stmt.where(
            or_(
                func.lower(Course.code).contains(word),
                func.lower(CourseVersion.title).contains(word),
            )
        )
    return stmt.order_by(Course.archived, CourseVersion.title, Course.id)


def _rows(stmt) -> tuple[list[AuthoredRow], int]:
    rows, total = [], 0
    for r in db.session.execute(stmt):
        total = r[11]
        rows.append(
            AuthoredRow(
                course_id=r[0],
                code=r[1],
                archived=r[2],
                title=r[3],
                number=r[4],
                status=r[5],
                sent_back=bool(r[6]) and r[5] == "draft",
                published_number=r[7],
                active=int(r[8]),
                completed=int(r[9]),
                waiting=int(r[10]),
            )
        )
    return rows, total


def authored_courses(
    user: User, q: str = "", page: int = 1, limit: int = PAGE_SIZE
) -> tuple[list[AuthoredRow], int]:
    """Trainers see the courses they teach, BKPSDM every course: latest version, status and
    learner counts, in one grouped query (the total rides along as a window count)."""
    mine_only = not can(user, Capability.PUBLISH_COURSES)
    stmt = _authored_stmt(user, mine_only, q)
    rows, total = _rows(stmt.limit(limit).offset((max(page, 1) - 1) * limit))
    if not rows and page > 1:
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return rows, total


def trained_courses(user: User, limit: int = 6) -> tuple[list[AuthoredRow], int]:
    """For the trainer's dashboard: only the courses they teach, even for BKPSDM staff."""
    return _rows(_authored_stmt(user, True).limit(limit))


def review_queue() -> list[CourseVersion]:
    return list(
        db.session.scalars(
            select(CourseVersion)
            .options(joinedload(CourseVersion.course).joinedload(Course.category))
            .where(CourseVersion.status == "in_review")
            .order_by(CourseVersion.submitted_at, CourseVersion.id)
        )
    )


def review_count() -> int:
    return (
        db.session.scalar(
            select(func.count(CourseVersion.id)).where(CourseVersion.status == "in_review")
        )
        or 0
    )


def learner_counts(course_id: int) -> dict[str, int]:
    return {
        status: count
        for status, count in db.session.execute(
            select(Enrolment.status, func.count())
            .where(Enrolment.course_id == course_id)
            .group_by(Enrolment.status)
        )
    }
