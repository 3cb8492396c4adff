"""Communities: starting one, its details, joining and leaving, invitations, moderators, forums.

Services flush, never commit. A refused change raises ``CommunityError`` with a message for the
person acting. Changes to who moderates and removals of members are moderator actions: each
leaves an audit row (``lms.auth.services.audit``) that the community's moderation page shows.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from lms.auth.models import User
from lms.auth.services import audit
from lms.community.models import (
    Community,
    CommunityMember,
    Forum,
    ForumSubscription,
    ForumThread,
)
from lms.courses.rendering import render_markdown
from lms.db import utcnow
from lms.extensions import db
from lms.notifications.messages import N_
from lms.notifications.services import notify
from lms.org.models import Employee
from lms.org.nip import normalise_nip

#: The forum every community starts with.
FIRST_FORUM = "Diskusi umum"


class CommunityError(ValueError):
    """A refused change; the message says why, for the person acting."""


def slugify(name: str) -> str:
    """``Komunitas Pelayanan Publik`` → ``komunitas-pelayanan-publik`` (ASCII, at most 60)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or "komunitas"


def _free_slug(name: str, community_id: int | None = None) -> str:
    base = slugify(name)
    taken = set(
        db.session.scalars(
            select(Community.slug).where(
                or_(Community.slug == base, Community.slug.like(f"{base}-%")),
                Community.id != (community_id or 0),
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def find_account(identifier: str) -> User | None:
    """An active account by username or by its employee's NIP (spaces allowed)."""
    text = (identifier or "").strip()
    if not text:
        return None
    user = db.session.scalar(select(User).where(User.username == text, User.active.is_(True)))
    if user is not None:
        return user
    nip = normalise_nip(text)
    if not nip.isdigit():
        return None
    return db.session.scalar(
        select(User)
        .join(Employee, Employee.id == User.employee_id)
        .where(Employee.nip == nip, User.active.is_(True))
    )


def _name_taken(name: str, community_id: int | None) -> bool:
    return (
        db.session.scalar(
            select(Community.id).where(
                func.lower(Community.name) == name.lower(), Community.id != (community_id or 0)
            )
        )
        is not None
    )


def _ensure_moderator(community: Community, user: User, actor: User) -> CommunityMember:
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == user.id
        )
    )
    if member is None:
        member = CommunityMember(community_id=community.id, user_id=user.id)
        db.session.add(member)
    member.role = "moderator"
    if member.status != "active":
        member.status = "active"
        member.joined_at = utcnow()
    member.invited_by_id = member.invited_by_id or actor.id
    db.session.flush()
    return member


def create_community(actor: User, values: dict[str, Any], owner: User | None = None) -> Community:
    """A new community with its first forum; ``owner`` (default: whoever starts it) moderates."""
    name = " ".join(values["name"].split())
    if _name_taken(name, None):
        raise CommunityError(_("Nama komunitas %(n)s sudah dipakai.", n=name))
    owner = owner or actor
    community = Community(
        slug=_free_slug(name),
        name=name,
        description=values.get("description") or "",
        description_html=render_markdown(values.get("description") or ""),
        join_policy=values.get("join_policy") or "open",
        owner_id=owner.id,
        created_by_id=actor.id,
    )
    db.session.add(community)
    db.session.flush()
    community.forums.append(Forum(kind="community", title=FIRST_FORUM))
    _ensure_moderator(community, owner, actor)
    audit(actor, "create", community, "community created", after={"name": name})
    db.session.flush()
    return community


def update_community(
    actor: User, community: Community, values: dict[str, Any], owner: User | None = None
) -> None:
    name = " ".join(values["name"].split())
    if _name_taken(name, community.id):
        raise CommunityError(_("Nama komunitas %(n)s sudah dipakai.", n=name))
    before = {"name": community.name, "join_policy": community.join_policy}
    community.name = name
    community.description = values.get("description") or ""
    community.description_html = render_markdown(community.description)
    community.join_policy = values.get("join_policy") or community.join_policy
    if owner is not None and owner.id != community.owner_id:
        before["owner_id"] = community.owner_id
        community.owner_id = owner.id
        _ensure_moderator(community, owner, actor)
    after = {"name": name, "join_policy": community.join_policy, "owner_id": community.owner_id}
    audit(actor, "update", community, "community updated", before=before, after=after)
    db.session.flush()


def join(user: User, community: Community) -> CommunityMember:
    """Join an open community, or accept an invitation to any community."""
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == user.id
        )
    )
    if member is not None and member.status == "active":
        raise CommunityError(_("Anda sudah menjadi anggota komunitas ini."))
    if member is None:
        if community.join_policy != "open":
            raise CommunityError(
                _("Komunitas ini hanya untuk yang diundang. Minta undangan kepada moderatornya.")
            )
        member = CommunityMember(community_id=community.id, user_id=user.id)
        db.session.add(member)
    member.status = "active"
    member.joined_at = utcnow()
    db.session.flush()
    return member


def _drop_subscriptions(community: Community, user_id: int) -> None:
    forum_ids = select(Forum.id).where(Forum.community_id == community.id)
    thread_ids = select(ForumThread.id).where(ForumThread.forum_id.in_(forum_ids))
    db.session.execute(
        delete(ForumSubscription)
        .where(
            ForumSubscription.user_id == user_id,
            or_(
                ForumSubscription.forum_id.in_(forum_ids),
                ForumSubscription.thread_id.in_(thread_ids),
            ),
        )
        .execution_options(synchronize_session=False)
    )


def leave(user: User, community: Community) -> None:
    """Leave (or decline an invitation); the member's subscriptions in it go too."""
    if community.owner_id == user.id:
        raise CommunityError(
            _(
                "Pemilik komunitas tidak dapat keluar. Minta BKPSDM menunjuk pemilik lain "
                "terlebih dahulu."
            )
        )
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == user.id
        )
    )
    if member is None:
        raise CommunityError(_("Anda bukan anggota komunitas ini."))
    db.session.delete(member)
    _drop_subscriptions(community, user.id)
    db.session.flush()


def invite(actor: User, community: Community, account: User) -> CommunityMember:
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == account.id
        )
    )
    if member is not None:
        if member.status == "active":
            raise CommunityError(_("%(n)s sudah menjadi anggota.", n=account.name))
        raise CommunityError(_("%(n)s sudah diundang dan belum menjawab.", n=account.name))
    member = CommunityMember(
        community_id=community.id, user_id=account.id, status="invited", invited_by_id=actor.id
    )
    db.session.add(member)
    db.session.flush()
    notify(
        account.id,
        N_("%(who)s mengundang Anda bergabung ke %(c)s.", who=actor.name, c=community.name),
        "community.detail",
        community_slug=community.slug,
    )
    return member


def set_role(actor: User, member: CommunityMember, role: str) -> None:
    """Make an active member a moderator, or a moderator a member again (not the owner)."""
    community = member.community
    if member.status != "active":
        raise CommunityError(_("Hanya anggota aktif yang dapat dijadikan moderator."))
    if role == "member" and member.user_id == community.owner_id:
        raise CommunityError(_("Pemilik komunitas selalu menjadi moderator."))
    if member.role == role:
        return
    before = {"role": member.role, "user_id": member.user_id}
    member.role = role
    audit(
        actor,
        "event",
        community,
        "moderator named" if role == "moderator" else "moderator removed",
        before=before,
        after={"role": role, "user_id": member.user_id, "member": member.user.name},
    )
    if role == "moderator":
        notify(
            member.user_id,
            N_("Anda menjadi moderator komunitas %(c)s.", c=community.name),
            "community.detail",
            community_slug=community.slug,
        )
    db.session.flush()


def name_moderator(actor: User, community: Community, account: User) -> CommunityMember:
    """The owner or BKPSDM names someone moderator at once (a trainer, a named employee),
    member or not: no invitation to accept. Audited and told like ``set_role``."""
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == account.id
        )
    )
    if member is not None and member.status == "active" and member.role == "moderator":
        raise CommunityError(_("%(n)s sudah menjadi moderator.", n=account.name))
    before = None if member is None else {"role": member.role, "status": member.status}
    member = _ensure_moderator(community, account, actor)
    audit(
        actor,
        "event",
        community,
        "moderator named",
        before=before,
        after={"role": "moderator", "user_id": account.id, "member": account.name},
    )
    notify(
        account.id,
        N_("Anda menjadi moderator komunitas %(c)s.", c=community.name),
        "community.detail",
        community_slug=community.slug,
    )
    return member


def remove_member(actor: User, member: CommunityMember) -> None:
    community = member.community
    if member.user_id == community.owner_id:
        raise CommunityError(_("Pemilik komunitas tidak dapat dikeluarkan."))
    audit(
        actor,
        "delete",
        community,
        "member removed",
        before={"user_id": member.user_id, "role": member.role, "status": member.status},
        after={"member": member.user.name},
    )
    db.session.delete(member)
    _drop_subscriptions(community, member.user_id)
    db.session.flush()


def add_forum(actor: User, community: Community, title: str, description: str | None = "") -> Forum:
    title = " ".join(title.split())
    taken = {f.title.lower() for f in community.forums}
    if title.lower() in taken:
        raise CommunityError(_("Forum %(t)s sudah ada di komunitas ini.", t=title))
    position = max((f.position for f in community.forums), default=-1) + 1
    forum = Forum(
        kind="community", title=title, description=(description or "").strip(), position=position
    )
    community.forums.append(forum)
    db.session.flush()
    audit(actor, "create", forum, "forum created", after={"title": title})
    return forum
