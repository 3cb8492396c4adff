"""Read side of communities: the list, one community's page, its members."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.community.models import Community, CommunityMember, Forum, ForumThread
from lms.extensions import db
from lms.org.models import Employee, Unit

PAGE_SIZE = 25
MEMBERS_PAGE_SIZE = 50


@dataclass(frozen=True)
class Listed:
    community: Community
    members: int
    my_status: str | None  # "active", "invited" or None
    my_role: str | None


def _member_counts():
    return (
        select(CommunityMember.community_id, func.count().label("n"))
        .where(CommunityMember.status == "active")
        .group_by(CommunityMember.community_id)
        .subquery()
    )


def communities_page(user: User, page: int = 1, mine: bool = False) -> tuple[list[Listed], int]:
    """Every community (or only those ``user`` belongs to or is invited to), by name, with its
    number of members and the user's own standing: two queries."""
    counts = _member_counts()
    me = (
        select(CommunityMember.community_id, CommunityMember.status, CommunityMember.role)
        .where(CommunityMember.user_id == user.id)
        .subquery()
    )
    base = (
        select(Community, func.coalesce(counts.c.n, 0), me.c.status, me.c.role)
        .outerjoin(counts, counts.c.community_id == Community.id)
        .outerjoin(me, me.c.community_id == Community.id)
    )
    if mine:
        base = base.where(me.c.status.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        base.order_by(Community.name, Community.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [Listed(c, n, status, role) for c, n, status, role in rows], total


def community_by_slug(slug: str) -> Community | None:
    return db.session.scalar(
        select(Community)
        .options(joinedload(Community.owner).joinedload(User.employee))
        .where(Community.slug == slug)
    )


@dataclass(frozen=True)
class ForumSummary:
    forum: Forum
    threads: int
    last_post_at: datetime | None


def forum_summaries(community: Community) -> list[ForumSummary]:
    """The community's forums with their number of threads (shown ones) and latest activity."""
    rows = db.session.execute(
        select(Forum, func.count(ForumThread.id), func.max(ForumThread.last_post_at))
        .outerjoin(
            ForumThread, and_(ForumThread.forum_id == Forum.id, ForumThread.hidden.is_(False))
        )
        .where(Forum.community_id == community.id)
        .group_by(Forum.id)
        .order_by(Forum.position, Forum.id)
    ).all()
    return [ForumSummary(f, n, last) for f, n, last in rows]


def member_count(community: Community) -> int:
    return (
        db.session.scalar(
            select(func.count(CommunityMember.id)).where(
                CommunityMember.community_id == community.id, CommunityMember.status == "active"
            )
        )
        or 0
    )


def _members_query(community: Community):
    return (
        select(CommunityMember)
        .options(
            joinedload(CommunityMember.user).joinedload(User.employee).joinedload(Employee.unit)
        )
        .join(User, User.id == CommunityMember.user_id)
        .outerjoin(Employee, Employee.id == User.employee_id)
        .where(CommunityMember.community_id == community.id)
    )


def moderators(community: Community) -> list[CommunityMember]:
    return list(
        db.session.scalars(
            _members_query(community)
            .where(CommunityMember.role == "moderator", CommunityMember.status == "active")
            .order_by(func.coalesce(Employee.full_name, User.display_name, User.username))
        )
    )


def members_page(community: Community, page: int = 1) -> tuple[list[CommunityMember], int]:
    """Moderators first, then members, then open invitations; each by name."""
    total = (
        db.session.scalar(
            select(func.count(CommunityMember.id)).where(
                CommunityMember.community_id == community.id
            )
        )
        or 0
    )
    order = case(
        (CommunityMember.status == "invited", 2),
        (CommunityMember.role == "moderator", 0),
        else_=1,
    )
    rows = db.session.scalars(
        _members_query(community)
        .order_by(order, func.coalesce(Employee.full_name, User.display_name, User.username))
        .limit(MEMBERS_PAGE_SIZE)
        .offset((max(page, 1) - 1) * MEMBERS_PAGE_SIZE)
    ).all()
    return list(rows), total


def member_by_id(community: Community, member_id: int) -> CommunityMember | None:
    return db.session.scalar(
        select(CommunityMember)
        .options(joinedload(CommunityMember.user).joinedload(User.employee))
        .where(CommunityMember.id == member_id, CommunityMember.community_id == community.id)
    )


def opd_names(users: Iterable[User | None]) -> dict[int, str]:
    """Account id → the name of its OPD (the top of its unit's path): in a community across
    OPDs, "Dinas Kesehatan" says more than "Seksi Pelayanan Kesehatan Primer". One query for any
    number of people, whose employee and unit are already loaded."""
    tops: dict[int, int] = {}
    for user in users:
        unit = user.employee.unit if user is not None and user.employee is not None else None
        if unit is not None and unit.path.strip("/"):
            tops[user.id] = int(unit.path.strip("/").split("/")[0])
    if not tops:
        return {}
    names = dict(
        db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(tops.values())))).all()
    )
    return {user_id: names.get(top, "") for user_id, top in tops.items()}
