"""Seats: capacity, waitlist and promotion, for course enrolments and cohort members alike.

A pool is a parent row with a limit (a course's ``capacity``, a cohort's ``quota``; ``None`` means
no limit) and the rows that hold or wait for its seats (enrolments, cohort members). A holder in a
seat state counts against the limit; the waitlist is served first come, first served. Every seat
decision is taken with the parent row locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
locks the whole file), so concurrent requests cannot oversell seats. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import db

SEAT_STATES = ("active", "completed")
OPEN_STATES = ("nominated", "waitlisted", "active")


@dataclass(frozen=True)
class Pool:
    """Where seats come from and who holds them."""

    parent: Any  # the mapped class with the limit: Course, Cohort
    holder: Any  # the mapped class holding seats: Enrolment, CohortMember
    parent_key: str  # the holder's column naming the parent
    limit: str  # the parent's attribute with the number of seats
    queue_by: str  # the holder's column that orders the waitlist (then id)
    stamps_activation: bool  # the holder records when it got its seat (``activated_at``)

    def key(self) -> Any:
        return getattr(self.holder, self.parent_key)


COURSE = Pool(Course, Enrolment, "course_id", "capacity", "requested_at", True)
COHORT = Pool(Cohort, CohortMember, "cohort_id", "quota", "updated_at", False)


def lock(pool: Pool, parent: Any) -> None:
    """Serialise seat decisions for one parent (a no-op on SQLite, which locks the file)."""
    db.session.execute(select(pool.parent.id).where(pool.parent.id == parent.id).with_for_update())


def taken(pool: Pool, parent: Any) -> int:
    holder = pool.holder
    return (
        db.session.scalar(
            select(func.count(holder.id)).where(
                pool.key() == parent.id, holder.status.in_(SEAT_STATES)
            )
        )
        or 0
    )


def left(pool: Pool, parent: Any, taken_now: int | None = None) -> int | None:
    """Seats still free (``None`` = no limit); pass ``taken_now`` when already counted."""
    limit = getattr(parent, pool.limit)
    if limit is None:
        return None
    return max(limit - (taken(pool, parent) if taken_now is None else taken_now), 0)


def counts(pool: Pool, parent_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Holders per parent and status, in one grouped query."""
    out: dict[int, dict[str, int]] = {pid: {} for pid in parent_ids}
    if not parent_ids:
        return out
    holder = pool.holder
    rows = db.session.execute(
        select(pool.key(), holder.status, func.count(holder.id))
        .where(pool.key().in_(list(parent_ids)))
        .group_by(pool.key(), holder.status)
    ).all()
    for parent_id, status, n in rows:
        out[parent_id][status] = n
    return out


def used(status_counts: Mapping[str, int]) -> int:
    """Seats held, from one parent's ``counts``."""
    return sum(status_counts.get(s, 0) for s in SEAT_STATES)


def left_many(pool: Pool, parents: Sequence[Any]) -> dict[int, int | None]:
    """Seats left per parent in one grouped query (``None`` = no limit)."""
    limited = {p.id: getattr(p, pool.limit) for p in parents if getattr(p, pool.limit) is not None}
    out: dict[int, int | None] = {p.id: None for p in parents}
    if not limited:
        return out
    holder = pool.holder
    held = dict(
        db.session.execute(
            select(pool.key(), func.count(holder.id))
            .where(pool.key().in_(list(limited)), holder.status.in_(SEAT_STATES))
            .group_by(pool.key())
        ).all()
    )
    for parent_id, limit in limited.items():
        out[parent_id] = max(limit - held.get(parent_id, 0), 0)
    return out


def _activate(pool: Pool, holder: Any) -> None:
    holder.status = "active"
    if pool.stamps_activation:
        holder.activated_at = utcnow()


def place(pool: Pool, parent: Any, holder: Any) -> bool:
    """Give ``holder`` a seat if one is free, else put it on the waitlist; True when seated."""
    lock(pool, parent)
    free = left(pool, parent)
    seated = free is None or free > 0
    if seated:
        _activate(pool, holder)
    else:
        holder.status = "waitlisted"
    db.session.flush()
    return seated


def promote(pool: Pool, parent: Any, seated: Callable[[Any], None]) -> list[Any]:
    """Give free seats to the head of the waitlist; ``seated`` runs for each one promoted."""
    lock(pool, parent)
    promoted = []
    free = left(pool, parent)
    holder = pool.holder
    while free is None or free > 0:
        head = db.session.scalar(
            select(holder)
            .where(pool.key() == parent.id, holder.status == "waitlisted")
            .order_by(getattr(holder, pool.queue_by), holder.id)
            .limit(1)
        )
        if head is None:
            break
        _activate(pool, head)
        db.session.flush()
        seated(head)
        promoted.append(head)
        free = None if free is None else free - 1
    return promoted
