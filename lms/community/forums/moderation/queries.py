"""The moderation page: open reports of a community's (or one forum's) posts, and the log of
moderator actions read back from the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from lms.auth.models import AuditLog, User
from lms.community.models import ForumPost, ForumReport, ForumThread
from lms.extensions import db

LOG_LIMIT = 100

#: What each logged action is called on the moderation page (the audit row's summary).
ACTION_LABELS = {
    "pin": _l("menyematkan topik"),
    "unpin": _l("melepas sematan topik"),
    "lock": _l("mengunci topik"),
    "unlock": _l("membuka kunci topik"),
    "move": _l("memindahkan topik ke forum lain"),
    "move_in": _l("memindahkan topik ke forum ini"),
    "hide": _l("menyembunyikan tulisan"),
    "unhide": _l("menampilkan kembali tulisan"),
    "dismiss": _l("mengabaikan laporan"),
    "community created": _l("membuat komunitas"),
    "community updated": _l("mengubah data komunitas"),
    "moderator named": _l("menunjuk moderator"),
    "moderator removed": _l("mencabut peran moderator"),
    "member removed": _l("mengeluarkan anggota"),
    "forum created": _l("menambah forum"),
}


@dataclass
class Reported:
    """One reported post with its open reports."""

    post: ForumPost
    reports: list[ForumReport] = field(default_factory=list)


def open_reports(forum_ids: list[int]) -> list[Reported]:
    """Open reports of posts in these forums, grouped per post, oldest first: one query."""
    if not forum_ids:
        return []
    rows = db.session.scalars(
        select(ForumReport)
        .join(ForumPost, ForumPost.id == ForumReport.post_id)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .options(
            joinedload(ForumReport.reporter).joinedload(User.employee),
            joinedload(ForumReport.post).options(
                joinedload(ForumPost.thread), joinedload(ForumPost.author).joinedload(User.employee)
            ),
        )
        .where(ForumReport.status == "open", ForumThread.forum_id.in_(forum_ids))
        .order_by(ForumReport.created_at, ForumReport.id)
    ).all()
    grouped: dict[int, Reported] = {}
    for row in rows:
        grouped.setdefault(row.post_id, Reported(row.post)).reports.append(row)
    return list(grouped.values())


def log(forum_ids: list[int], community_id: int | None = None) -> list[tuple[AuditLog, str]]:
    """The latest moderator actions in these forums (and on the community itself), newest
    first, with the actor's name."""
    where = [and_(AuditLog.object_type == "Forum", AuditLog.object_id.in_(map(str, forum_ids)))]
    if community_id is not None:
        where.append(
            and_(AuditLog.object_type == "Community", AuditLog.object_id == str(community_id))
        )
    rows = db.session.execute(
        select(AuditLog, User)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .options(joinedload(User.employee))
        .where(or_(*where))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(LOG_LIMIT)
    ).all()
    return [(row, user.name if user is not None else "—") for row, user in rows]
