"""Read side of forums: a forum's threads, a thread's page of posts, subscriptions, the dashboard's
latest discussions, and participation per person (for JP recognition once its rules exist).

A thread page reads a range of post numbers with the authors (and their units) joined and the
attachments in one more query: the same handful of queries on page 1 of 10 posts and on page 50
of 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lms.auth.models import User
from lms.community.forums.services import PAGE_SIZE
from lms.community.models import (
    Community,
    CommunityMember,
    Forum,
    ForumPost,
    ForumSubscription,
    ForumThread,
)
from lms.courses.models import Course, CourseTrainer
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import WatchedGeneration, db
from lms.org.models import Employee

THREADS_PAGE_SIZE = 25
#: The state of every "Diskusi terbaru" list (``recent_for``) but the reader's own enrolments and
#: cohort places: forums, threads and posts, communities and their members, course trainers.
RECENT = WatchedGeneration(
    "community:recent", (Community, CommunityMember, Forum, ForumThread, ForumPost, CourseTrainer)
)
TAKING_PART = ("active", "completed")


def _with_place():
    return (
        joinedload(Forum.community),
        joinedload(Forum.course).joinedload(Course.published_version),
        joinedload(Forum.cohort).joinedload(Cohort.programme),
    )


def forum_by_id(forum_id: int) -> Forum | None:
    return db.session.scalar(select(Forum).options(*_with_place()).where(Forum.id == forum_id))


def forum_of_course(course: Course) -> Forum | None:
    return db.session.scalar(select(Forum).where(Forum.course_id == course.id))


def forum_of_cohort(cohort: Cohort) -> Forum | None:
    return db.session.scalar(select(Forum).where(Forum.cohort_id == cohort.id))


def threads_page(
    forum: Forum | None, page: int = 1, show_hidden: bool = False
) -> tuple[list[ForumThread], int]:
    """Pinned threads first, then by latest activity; two queries."""
    if forum is None:
        return [], 0
    base = select(ForumThread).where(ForumThread.forum_id == forum.id)
    if not show_hidden:
        base = base.where(ForumThread.hidden.is_(False))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.options(
            joinedload(ForumThread.author).joinedload(User.employee),
            joinedload(ForumThread.last_author).joinedload(User.employee),
        )
        .order_by(ForumThread.pinned.desc(), ForumThread.last_post_at.desc(), ForumThread.id.desc())
        .limit(THREADS_PAGE_SIZE)
        .offset((max(page, 1) - 1) * THREADS_PAGE_SIZE)
    ).all()
    return list(rows), total


def thread_by_id(thread_id: int) -> ForumThread | None:
    return db.session.scalar(
        select(ForumThread)
        .options(joinedload(ForumThread.forum).options(*_with_place()))
        .where(ForumThread.id == thread_id)
    )


def post_by_id(post_id: int) -> ForumPost | None:
    return db.session.scalar(
        select(ForumPost)
        .options(
            joinedload(ForumPost.thread).joinedload(ForumThread.forum).options(*_with_place()),
            joinedload(ForumPost.author).joinedload(User.employee),
        )
        .where(ForumPost.id == post_id)
    )


def pages_of(thread: ForumThread) -> int:
    return max((thread.post_count + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def posts_page(thread: ForumThread, page: int) -> list[ForumPost]:
    """Posts ``(page - 1) * PAGE_SIZE + 1`` to ``page * PAGE_SIZE`` by number: an index range."""
    first = (page - 1) * PAGE_SIZE + 1
    return list(
        db.session.scalars(
            select(ForumPost)
            .options(
                joinedload(ForumPost.author).joinedload(User.employee).joinedload(Employee.unit),
                selectinload(ForumPost.attachments),
            )
            .where(
                ForumPost.thread_id == thread.id,
                ForumPost.number >= first,
                ForumPost.number < first + PAGE_SIZE,
            )
            .order_by(ForumPost.number)
        )
    )


def subscriptions(user: User, forum: Forum | None, thread: ForumThread | None) -> tuple[bool, bool]:
    """(follows the forum, follows the thread) in one query."""
    if forum is None:
        return False, False
    rows = db.session.execute(
        select(ForumSubscription.forum_id, ForumSubscription.thread_id).where(
            ForumSubscription.user_id == user.id,
            or_(
                ForumSubscription.forum_id == forum.id,
                ForumSubscription.thread_id == (thread.id if thread is not None else -1),
            ),
        )
    ).all()
    return (
        any(f == forum.id for f, _t in rows),
        thread is not None and any(t == thread.id for _f, t in rows),
    )


# --- the dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recent:
    thread: ForumThread
    place: str  # the forum's title


@lru_cache(maxsize=4)
def _recent_stmt(with_employee: bool, limit: int) -> Select:
    """``recent_for``'s statement with the account and the employee as parameters, built once
    (the dashboard reads it on every visit)."""
    user_id = bindparam("user_id")
    in_community = select(CommunityMember.community_id).where(
        CommunityMember.user_id == user_id, CommunityMember.status == "active"
    )
    places = [Forum.community_id.in_(in_community)]
    teaches = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user_id)
    places.append(Forum.course_id.in_(teaches))
    if with_employee:
        employee_id = bindparam("employee_id")
        learns = select(Enrolment.course_id).where(
            Enrolment.employee_id == employee_id, Enrolment.status.in_(TAKING_PART)
        )
        cohorts = select(CohortMember.cohort_id).where(
            CohortMember.employee_id == employee_id, CohortMember.status.in_(TAKING_PART)
        )
        places += [Forum.course_id.in_(learns), Forum.cohort_id.in_(cohorts)]
    return (
        select(ForumThread, Forum.title)
        .join(Forum, Forum.id == ForumThread.forum_id)
        .options(joinedload(ForumThread.last_author).joinedload(User.employee))
        .where(ForumThread.hidden.is_(False), or_(*places))
        .order_by(ForumThread.last_post_at.desc(), ForumThread.id.desc())
        .limit(limit)
    )


def recent_for(user: User, limit: int = 5) -> list[Recent]:
    """The latest active threads of the forums ``user`` takes part in: communities they are a
    member of, courses they learn or teach, cohorts they are in. One query."""
    with_employee = user.employee_id is not None
    params = {"user_id": user.id}
    if with_employee:
        params["employee_id"] = user.employee_id
    rows = db.session.execute(_recent_stmt(with_employee, limit), params).all()
    return [Recent(thread, title) for thread, title in rows]


# --- participation (for JP recognition, issue 18 point 1) ---------------------------------------


def participation(community: Community, since: datetime, until: datetime) -> dict[int, int]:
    """Posts per account in the community's forums between ``since`` and ``until`` (shown posts
    only): what recognition rules for "community of practice" learning would read."""
    rows = db.session.execute(
        select(ForumPost.author_id, func.count(ForumPost.id))
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .join(Forum, Forum.id == ForumThread.forum_id)
        .where(
            Forum.community_id == community.id,
            ForumPost.hidden_at.is_(None),
            ForumPost.created_at >= since,
            ForumPost.created_at < until,
        )
        .group_by(ForumPost.author_id)
    ).all()
    return {author: n for author, n in rows}
