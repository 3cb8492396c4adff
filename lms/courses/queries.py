"""Read side of the catalogue: filtered, paginated lists and the course page, in few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from lms.courses import cache as course_cache
from lms.courses.models import Category, Course, CourseTrainer, CourseVersion, Lesson, Module
from lms.enrolments.models import Enrolment
from lms.extensions import db, kept

PAGE_SIZE = 12


@dataclass
class CatalogueFilter:
    q: str = ""
    category_id: int | None = None
    competency_kind: str = ""
    delivery_mode: str = ""
    jp_min: Decimal | None = None
    jp_max: Decimal | None = None
    page: int = 1


def _published() -> Select:
    return (
        select(Course)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
    )


def catalogue(f: CatalogueFilter) -> tuple[list[Course], int]:
    stmt = _published()
    if f.q:
        words = [w for w in f.q.lower().split() if w][:6]
        for word in words:
            stmt = stmt.where(
                or_(
                    Course.search_text.contains(word),
                    func.lower(CourseVersion.title).contains(word),
                )
            )
    if f.category_id:
        stmt = stmt.where(Course.category_id == f.category_id)
    if f.competency_kind:
        stmt = stmt.where(CourseVersion.competency_kind == f.competency_kind)
    if f.delivery_mode:
        stmt = stmt.where(CourseVersion.delivery_mode == f.delivery_mode)
    if f.jp_min is not None:
        stmt = stmt.where(CourseVersion.jp >= f.jp_min)
    if f.jp_max is not None:
        stmt = stmt.where(CourseVersion.jp <= f.jp_max)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(contains_eager(Course.published_version), joinedload(Course.category))
        .order_by(CourseVersion.title, Course.id)
        .limit(PAGE_SIZE)
        .offset((max(f.page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def category_choices() -> list[tuple[int, str]]:
    """(id, name) of every category in catalogue order: plain values, fit for the cache."""
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(Category.id, Category.name).order_by(Category.position, Category.name)
        )
    ]


def categories_with_counts() -> list[tuple[Category, int]]:
    """Every category with how many courses it holds, in catalogue order."""
    rows = db.session.execute(
        select(Category, func.count(Course.id))
        .outerjoin(Course, Course.category_id == Category.id)
        .group_by(Category.id)
        .order_by(Category.position, Category.name)
    ).all()
    return [(category, count) for category, count in rows]


def course_by_code(code: str) -> Course | None:
    return db.session.scalar(
        select(Course)
        .options(
            joinedload(Course.category),
            joinedload(Course.published_version)
            .selectinload(CourseVersion.modules)
            .selectinload(Module.lessons),
        )
        .where(Course.code == code.upper())
    )


def course_head(code: str) -> Course | None:
    """A course with its category and published version (one query), without the outline:
    pages take that from :func:`outline` through the cache."""
    return db.session.scalar(
        select(Course)
        .options(joinedload(Course.category), joinedload(Course.published_version))
        .where(Course.code == code.upper())
    )


class Trainer(NamedTuple):
    """A trainer of a course, as ``courses.services.is_trainer_of`` reads one."""

    user_id: int


class CourseHead(NamedTuple):
    """A published course as learner pages read it: plain values, fit for the cache. It answers
    what the enrolment rules (``enrolments.check_self_enrol``, ``seats_left``) and the forum link
    (``community.access.course_staff``) ask of a ``Course``, so those pages load no entity."""

    id: int
    code: str
    published_version_id: int
    title: str
    archived: bool
    self_enrol: bool
    approval_steps: str
    capacity: int | None
    enrol_deadline: date | None
    partner_id: int | None
    trainers: tuple[Trainer, ...] = ()


def course_head_values(code: str) -> CourseHead | None:
    """The course ``code`` with its published version as plain values (None without one): two
    queries, made only when the cache misses."""
    row = db.session.execute(
        select(
            Course.id,
            Course.code,
            Course.published_version_id,
            CourseVersion.title,
            Course.archived,
            Course.self_enrol,
            Course.approval_steps,
            Course.capacity,
            Course.enrol_deadline,
            Course.partner_id,
        )
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.code == code.upper())
    ).first()
    if row is None:
        return None
    trainers = db.session.scalars(
        select(CourseTrainer.user_id)
        .where(CourseTrainer.course_id == row.id)
        .order_by(CourseTrainer.id)
    )
    return CourseHead(*row, trainers=tuple(Trainer(user_id) for user_id in trainers))


#: The course page judges an enrolment's completion with its course and published version.
_WITH_COURSE = (joinedload(Enrolment.course).joinedload(Course.published_version),)


def enrolment_of(course_id: int, employee_id: int) -> Enrolment | None:
    """The employee's enrolment in the course, if any, with its course. Most readers of a course
    page are not enrolled in it: their kept enrolments (:func:`learner_enrolments`, read again
    only after a write of one of theirs) say so without a query; an enrolment found is loaded as
    an entity."""
    found = next((e.id for e in learner_enrolments(employee_id) if e.course_id == course_id), None)
    return None if found is None else db.session.get(Enrolment, found, options=_WITH_COURSE)


class OutlineLesson(NamedTuple):
    key: str
    title: str
    minutes: int


class OutlineModule(NamedTuple):
    title: str
    lessons: tuple[OutlineLesson, ...]


def outline(version_id: int) -> tuple[OutlineModule, ...]:
    """A version's modules and lessons as plain values in order (two queries, no lesson
    bodies): what the course page and the lesson player list, fit for the cache."""
    modules = db.session.execute(
        select(Module.id, Module.title)
        .where(Module.version_id == version_id)
        .order_by(Module.position, Module.id)
    ).all()
    lessons: dict[int, list[OutlineLesson]] = {m.id: [] for m in modules}
    if modules:
        for row in db.session.execute(
            select(Lesson.module_id, Lesson.key, Lesson.title, Lesson.minutes)
            .where(Lesson.version_id == version_id)
            .order_by(Lesson.position, Lesson.id)
        ):
            if row.module_id in lessons:
                lessons[row.module_id].append(OutlineLesson(row.key, row.title, row.minutes))
    return tuple(OutlineModule(m.title, tuple(lessons[m.id])) for m in modules)


def lesson_body(version_id: int, key: str) -> str | None:
    """The sanitised HTML of one lesson of a version (None when there is no such lesson)."""
    return db.session.scalar(
        select(Lesson.body_html).where(Lesson.version_id == version_id, Lesson.key == key)
    )


#: An enrolment row as ``completion.states`` judges it: its own columns first, its course's
#: completion rules after whatever a list adds in between (``MyEnrolment``, ``ListedEnrolment``,
#: the supervisor's ``TeamEnrolment``).
ENROLMENT_COLUMNS = (
    Enrolment.id,
    Enrolment.course_id,
    Enrolment.employee_id,
    Enrolment.status,
    Enrolment.progress,
)
RULE_COLUMNS = (Course.require_lessons, Course.require_posttest, Course.require_evaluation)


class MyEnrolment(NamedTuple):
    """One row of the learner's course list: the enrolment's own columns, its course's code,
    end date and completion rules (``completion.states`` judges the row with them), and the
    published version's title (None when the course has none)."""

    id: int
    course_id: int
    employee_id: int
    status: str
    progress: int
    code: str
    ends_on: date | None
    require_lessons: bool
    require_posttest: bool
    require_evaluation: bool
    title: str | None


@lru_cache(maxsize=1)
def _learner_enrolments_stmt() -> Select:
    """``learner_enrolments``'s statement, built once: every enrolment of the employee as the
    columns the learner's lists show (no entities), in the order they show them."""
    return (
        select(*ENROLMENT_COLUMNS, Course.code, Course.ends_on, *RULE_COLUMNS, CourseVersion.title)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Enrolment.employee_id == bindparam("employee_id"))
        .order_by(
            case((Enrolment.status == "completed", 1), else_=0),
            Enrolment.last_seen_at.desc().nulls_last(),
            Enrolment.requested_at.desc(),
            Enrolment.id,
        )
    )


def learner_enrolments(employee_id: int) -> list[MyEnrolment]:
    """Every enrolment of the employee (one per course), open ones first, then finished ones,
    each most recently seen first: read in one query and kept under the employee's own
    generation and the catalogue's (any write of one of their enrolments, a new title or rule
    of one of the courses starts a new one), so their catalogue pages, dashboard and course
    pages ask nothing until then."""
    key = f"courses:mine:{course_cache.MINE.token(employee_id)}:{course_cache.generation()}"
    key += f":{employee_id}"

    def read() -> list[MyEnrolment]:
        rows = db.session.execute(_learner_enrolments_stmt(), {"employee_id": employee_id})
        return [MyEnrolment(*row) for row in rows]

    return kept(key, read)


def my_enrolments(
    employee_id: int, statuses: tuple[str, ...], limit: int | None = None
) -> list[MyEnrolment]:
    """The employee's enrolments in ``statuses``: open ones first, then finished ones, each
    most recently seen first (rows of the columns shown, see :class:`MyEnrolment`)."""
    found = [row for row in learner_enrolments(employee_id) if row.status in statuses]
    return found if limit is None else found[:limit]


def enrolled_courses(employee_id: int) -> list[tuple[int, str]]:
    """Every course the employee enrolled in, with the enrolment's status: the learner's
    dashboard counts them and leaves them out of suggestions."""
    return [(row.course_id, row.status) for row in learner_enrolments(employee_id)]


class ListedEnrolment(NamedTuple):
    """The learner's enrolment in a listed course: what its state chip needs (the course's
    completion rules ride along, so ``completion.states`` judges it without loading the course)."""

    id: int
    course_id: int
    employee_id: int
    status: str
    progress: int
    require_lessons: bool
    require_posttest: bool
    require_evaluation: bool


def enrolment_map(employee_id: int, course_ids: list[int]) -> dict[int, ListedEnrolment]:
    """The employee's enrolments in the listed courses, by course id (from
    :func:`learner_enrolments`: the next catalogue page, search or filter asks nothing)."""
    if not course_ids:
        return {}
    wanted = set(course_ids)
    return {
        row.course_id: ListedEnrolment(*row[:5], *row[7:10])
        for row in learner_enrolments(employee_id)
        if row.course_id in wanted
    }


def seats_taken_map(course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    return dict(
        db.session.execute(
            select(Enrolment.course_id, func.count())
            .where(
                Enrolment.course_id.in_(course_ids), Enrolment.status.in_(("active", "completed"))
            )
            .group_by(Enrolment.course_id)
        ).all()
    )


class Suggestion(NamedTuple):
    """A course to suggest: its code, and its published version's title and JP."""

    code: str
    title: str
    jp: Decimal


@lru_cache(maxsize=1)
def _suggestions_stmt() -> Select:
    """``suggestions``'s statement, built once (the employee and the limit are parameters)."""
    enrolled = select(Enrolment.course_id).where(Enrolment.employee_id == bindparam("employee_id"))
    return (
        select(Course.code, CourseVersion.title, CourseVersion.jp)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False), Course.id.not_in(enrolled))
        .order_by(CourseVersion.published_at.desc(), Course.id)
        .limit(bindparam("limit"))
    )


#: The fewest newest published courses kept for suggestions (:func:`suggestions`).
NEWEST_KEPT = 32


@lru_cache(maxsize=1)
def _newest_stmt() -> Select:
    return (
        select(Course.id, Course.code, CourseVersion.title, CourseVersion.jp)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
        .order_by(CourseVersion.published_at.desc(), Course.id)
        .limit(bindparam("kept"))
    )


def suggestions(
    employee_id: int, limit: int = 3, enrolled: set[int] | None = None
) -> list[Suggestion]:
    """Published courses the employee has not enrolled in, newest first. Given the ids of the
    courses they ``enrolled`` in, without a query: from the newest courses kept for everybody
    under the catalogue's generation, as many as leave ``limit`` whatever those enrolments are
    (at least ``NEWEST_KEPT``, else the next power of two)."""
    if enrolled is None:
        rows = db.session.execute(_suggestions_stmt(), {"employee_id": employee_id, "limit": limit})
        return [Suggestion(*row) for row in rows]
    kept = max(NEWEST_KEPT, 1 << (limit + len(enrolled) - 1).bit_length())
    newest = course_cache.cached(
        "newest",
        (kept,),
        lambda: [tuple(r) for r in db.session.execute(_newest_stmt(), {"kept": kept})],
    )
    return [Suggestion(*row[1:]) for row in newest if row[0] not in enrolled][:limit]


def lesson_outline(version_id: int) -> list[Module]:
    return list(
        db.session.scalars(
            select(Module)
            .options(selectinload(Module.lessons))
            .where(Module.version_id == version_id)
            .order_by(Module.position)
        )
    )
