"""Communities, their members, and forums with threads, posts, attachments, subscriptions and
reports.

A forum belongs to exactly one place: a community (which may have several forums, so a thread
can be moved between them), a course or a cohort (one forum each, created when someone first
starts a thread or subscribes: a page view never writes). Members are accounts, not employee
records: a trainer without an employee record can moderate. Moderator actions go to the shared
audit log (``lms.auth.models.AuditLog``, object type ``Forum``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.courses.models import Course
from lms.db import TimestampMixin, in_values, utcnow
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db

JOIN_POLICIES = ("open", "invitation")
MEMBER_ROLES = ("member", "moderator")
MEMBER_STATES = ("active", "invited")
FORUM_KINDS = ("community", "course", "cohort")
ATTACHMENT_KINDS = ("image", "attachment")
REPORT_STATES = ("open", "upheld", "dismissed")

#: The longest post body (Markdown source), checked by the form with a clear message and by the
#: database as a last wall.
POST_MAX_CHARS = 20_000
TITLE_MAX_CHARS = 200
REASON_MAX_CHARS = 1_000


class Community(TimestampMixin, db.Model):
    __tablename__ = "communities"
    __table_args__ = (CheckConstraint(in_values("join_policy", JOIN_POLICIES), name="join_policy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: ``description`` rendered and sanitised on write; pages show only this copy.
    description_html: Mapped[str] = mapped_column(Text, default="")
    join_policy: Mapped[str] = mapped_column(String(20), default="open")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    forums: Mapped[list[Forum]] = relationship(
        back_populates="community", order_by="Forum.position, Forum.id"
    )


class CommunityMember(db.Model):
    """An account in a community: invited (not yet a member) or active; a member or moderator."""

    __tablename__ = "community_members"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        CheckConstraint(in_values("role", MEMBER_ROLES), name="role"),
        CheckConstraint(in_values("status", MEMBER_STATES), name="status"),
        Index("ix_community_members_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20), default="member")
    status: Mapped[str] = mapped_column(String(20), default="active")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]

    community: Mapped[Community] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Forum(db.Model):
    __tablename__ = "forums"
    __table_args__ = (
        CheckConstraint(in_values("kind", FORUM_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'community' AND community_id IS NOT NULL AND course_id IS NULL"
            " AND cohort_id IS NULL)"
            " OR (kind = 'course' AND course_id IS NOT NULL AND community_id IS NULL"
            " AND cohort_id IS NULL)"
            " OR (kind = 'cohort' AND cohort_id IS NOT NULL AND community_id IS NULL"
            " AND course_id IS NULL)",
            name="one_place",
        ),
        # One forum per course and per cohort (NULLs never collide).
        UniqueConstraint("course_id"),
        UniqueConstraint("cohort_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community | None] = relationship(back_populates="forums")
    course: Mapped[Course | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()


class ForumThread(db.Model):
    __tablename__ = "forum_threads"
    __table_args__ = (
        CheckConstraint("post_count >= 0", name="post_count_not_negative"),
        # The forum page: pinned first, then the latest activity.
        Index("ix_forum_threads_listing", "forum_id", "pinned", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    #: Its first post is hidden by a moderator: the title is not shown to others either.
    hidden: Mapped[bool] = mapped_column(default=False)
    #: Posts written so far, the first included; numbers posts and pages without counting.
    post_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    forum: Mapped[Forum] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    last_author: Mapped[User | None] = relationship(foreign_keys=[last_author_id])


class ForumPost(db.Model):
    __tablename__ = "forum_posts"
    __table_args__ = (
        # A thread page is a range of numbers: the same cost on page 1 and page 50.
        UniqueConstraint("thread_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(f"length(body) <= {POST_MAX_CHARS}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Markdown as written (shown again only as text in an edit box, never as HTML).
    body: Mapped[str] = mapped_column(Text)
    #: Rendered and sanitised on write (``lms.courses.rendering.render_markdown``).
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX_CHARS), default="")

    thread: Mapped[ForumThread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    attachments: Mapped[list[ForumAttachment]] = relationship(
        order_by="ForumAttachment.id", cascade="all, delete-orphan"
    )


class ForumAttachment(db.Model):
    """A file of a post, checked by content before it was written (``forums.files``)."""

    __tablename__ = "forum_attachments"
    __table_args__ = (
        CheckConstraint(in_values("kind", ATTACHMENT_KINDS), name="kind"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)


class ForumSubscription(db.Model):
    """Someone told of new threads in a forum, or of new replies in a thread."""

    __tablename__ = "forum_subscriptions"
    __table_args__ = (
        CheckConstraint("(forum_id IS NULL) <> (thread_id IS NULL)", name="one_subject"),
        UniqueConstraint("user_id", "forum_id"),
        UniqueConstraint("user_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    forum_id: Mapped[int | None] = mapped_column(
        ForeignKey("forums.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ForumReport(db.Model):
    """A reader's "laporkan" of a post, with a reason, until a moderator handles it."""

    __tablename__ = "forum_reports"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id"),
        CheckConstraint(in_values("status", REPORT_STATES), name="status"),
        CheckConstraint(f"length(reason) <= {REASON_MAX_CHARS}", name="reason_length"),
        Index("ix_forum_reports_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]

    post: Mapped[ForumPost] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
