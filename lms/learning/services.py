"""Progress through lessons. Progress is keyed by lesson key, so it survives new versions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from lms.courses import cache as course_cache
from lms.courses.models import Course, Lesson
from lms.courses.signals import course_published
from lms.db import as_utc, utcnow
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import db, kept
from lms.learning.signals import lesson_done


def lesson_keys(version_id: int) -> list[str]:
    return list(db.session.scalars(select(Lesson.key).where(Lesson.version_id == version_id)))


def done_keys(enrolment: Enrolment) -> set[str]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_key).where(LessonProgress.enrolment_id == enrolment.id)
        )
    )


#: Joins the done keys in one column; a lesson key (at most 32 characters from a loader or
#: ``uuid4().hex``) never holds this control character.
_KEY_SEPARATOR = "\x1f"


class Visit(NamedTuple):
    """The learner's enrolment as the lesson player reads and writes it: plain values."""

    id: int
    status: str
    progress: int
    last_lesson_key: str | None
    last_seen_at: datetime | None


#: Built once (every lesson page runs it): SQLAlchemy reuses its cache key. Columns, not the
#: entity: the page shows the progress and writes the last lesson seen, nothing more.
_ENROLMENT_AND_DONE = select(
    *(getattr(Enrolment, name) for name in Visit._fields),
    select(func.aggregate_strings(LessonProgress.lesson_key, _KEY_SEPARATOR))
    .where(LessonProgress.enrolment_id == Enrolment.id)
    .scalar_subquery(),
).where(
    Enrolment.course_id == bindparam("course_id"),
    Enrolment.employee_id == bindparam("employee_id"),
)


def enrolment_and_done(course_id: int, employee_id: int) -> tuple[Visit | None, frozenset[str]]:
    """The employee's enrolment in the course and the keys of the lessons they finished (the
    lesson player needs both on every page): read in one query and kept under the employee's
    own generation (``courses.cache.MINE``: any committed write of one of their enrolments or
    lessons done, from any process, starts a new one; another learner's does not), so reading
    on in a course asks nothing until the learner does something. The token is read before the
    row: a write committed in between keeps what was read under a token nobody asks for."""
    key = f"learning:visit:{course_cache.MINE.token(employee_id)}:{employee_id}:{course_id}"
    return kept(key, lambda: _enrolment_and_done(course_id, employee_id))


def _enrolment_and_done(course_id: int, employee_id: int) -> tuple[Visit | None, frozenset[str]]:
    params = {"course_id": course_id, "employee_id": employee_id}
    # On the session's connection: a row of columns needs none of the ORM's work on results.
    row = db.session.connection().execute(_ENROLMENT_AND_DONE, params).first()
    if row is None:
        return None, frozenset()
    *visit, keys = row
    return Visit(*visit), frozenset(keys.split(_KEY_SEPARATOR)) if keys else frozenset()


def _percent(done: int, total: int) -> int:
    return 0 if total == 0 else min(100, round(100 * done / total))


VISIT_WRITE_INTERVAL = timedelta(minutes=5)


def record_visit(visit: Visit, key: str) -> bool:
    """Remember the lesson ``key`` for "continue where I left off".

    Writes only when the lesson changed or the last write is old, so re-reading a page does
    not turn every GET into a database write. Returns whether anything changed. The write goes
    through the entity (loaded by its id only then): a change of a known learner's enrolment
    starts a new generation of their kept enrolments only (``courses.cache.MINE``), where a
    bulk UPDATE would start one for everybody.
    """
    now = utcnow()
    seen = as_utc(visit.last_seen_at)
    if visit.last_lesson_key == key and seen is not None and now - seen < VISIT_WRITE_INTERVAL:
        return False
    enrolment = db.session.get(Enrolment, visit.id)
    enrolment.last_lesson_key = key
    enrolment.last_seen_at = now
    db.session.flush()
    return True


def mark_done(enrolment: Enrolment, lesson: Lesson) -> bool:
    """Mark a lesson done (idempotent). Returns True when it was new."""
    exists = db.session.scalar(
        select(LessonProgress.id).where(
            LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_key == lesson.key
        )
    )
    enrolment.last_lesson_key = lesson.key
    enrolment.last_seen_at = utcnow()
    if exists:
        db.session.flush()
        return False
    try:
        # A double click, or the end-of-page script racing the button, may insert the same row
        # twice: the unique constraint decides, and the loser just sees it done.
        with db.session.begin_nested():
            db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=lesson.key))
    except IntegrityError:
        return False
    keys = lesson_keys(lesson.version_id)
    done = done_keys(enrolment) & set(keys)
    enrolment.progress = _percent(len(done), len(keys))
    db.session.flush()
    lesson_done.send(enrolment, lesson=lesson)  # the last lesson may complete the course
    return True


@course_published.connect
def refresh_course_progress(course: Course, **_kw: object) -> None:
    """After a new version is published: progress counts only lessons that still exist
    (subscribed to courses' ``course_published``)."""
    if course.published_version_id is None:
        return
    keys = lesson_keys(course.published_version_id)
    total = len(keys)
    counts = dict(
        db.session.execute(
            select(LessonProgress.enrolment_id, func.count())
            .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
            .where(Enrolment.course_id == course.id, LessonProgress.lesson_key.in_(keys or [""]))
            .group_by(LessonProgress.enrolment_id)
        ).all()
    )
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.course_id == course.id)):
        enrolment.progress = _percent(counts.get(enrolment.id, 0), total)
    db.session.flush()
