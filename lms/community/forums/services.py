"""Threads, replies and subscriptions, and who is told of them.

A post's Markdown is rendered and sanitised once, on write (``render_markdown``: raw HTML off,
links only http(s) and mailto, nh3 as a second wall); pages show only that copy. Posts are
numbered per thread by one atomic ``UPDATE ... RETURNING`` of the thread's count, so two replies
at the same moment get two numbers, and a thread page is a range of numbers.

Whoever starts a thread follows it. A new thread tells the forum's subscribers; a reply tells the
thread's and the forum's subscribers, except the writer and anyone who can no longer read the
place (left the course, the cohort or the community): in-app now, by e-mail after the commit
(``lms.notifications``). Services flush, never commit.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lms.auth.models import User
from lms.community.access import Place, readers_among
from lms.community.forums import files
from lms.community.models import (
    POST_MAX_CHARS,
    TITLE_MAX_CHARS,
    Forum,
    ForumAttachment,
    ForumPost,
    ForumSubscription,
    ForumThread,
)
from lms.courses.rendering import render_markdown
from lms.db import utcnow
from lms.enrolments.cohorts.queries import course_title
from lms.extensions import db
from lms.notifications.messages import N_
from lms.notifications.services import notify

#: Posts on one page of a thread.
PAGE_SIZE = 20


class ForumError(ValueError):
    """A refused post or change; the message says why, for the person writing."""


def clean_title(title: str | None) -> str:
    text = " ".join((title or "").split())
    if not text:
        raise ForumError(_("Judul topik wajib diisi."))
    if len(text) > TITLE_MAX_CHARS:
        raise ForumError(
            _("Judul topik terlalu panjang: paling banyak %(n)s karakter.", n=TITLE_MAX_CHARS)
        )
    return text


def clean_body(body: str | None) -> str:
    """The Markdown as written, without trailing blanks; refused when empty or too long."""
    text = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise ForumError(_("Isi tulisan wajib diisi."))
    if len(text) > POST_MAX_CHARS:
        raise ForumError(body_too_long(len(text)))
    return text


def body_too_long(length: int) -> str:
    return _(
        "Isi tulisan terlalu panjang: %(n)s karakter, paling banyak %(max)s karakter. "
        "Bagi menjadi beberapa tulisan.",
        n=f"{length:,}".replace(",", "."),
        max=f"{POST_MAX_CHARS:,}".replace(",", "."),
    )


def page_of(number: int) -> int:
    """The thread page on which post ``number`` is shown."""
    return (max(number, 1) - 1) // PAGE_SIZE + 1


def place_title(place: Place) -> str:
    if place.forum is not None:
        return place.forum.title
    if place.course is not None:
        return _("Forum %(t)s", t=course_title(place.course))
    if place.cohort is not None:
        return _("Forum %(t)s", t=place.cohort.name)
    return ""


def ensure_forum(place: Place) -> Forum:
    """The place's forum; a course's or cohort's is written now when it has none yet (two people
    starting the first thread at once: the second finds the first one's row)."""
    if place.forum is not None:
        return place.forum
    if place.course is not None:
        where = Forum.course_id == place.course.id
        forum = Forum(kind="course", course_id=place.course.id, title=place_title(place))
    elif place.cohort is not None:
        where = Forum.cohort_id == place.cohort.id
        title = f"{place.cohort.programme.title} · {place.cohort.name}"
        forum = Forum(kind="cohort", cohort_id=place.cohort.id, title=title[:200])
    else:
        raise ForumError(_("Forum tidak ditemukan."))
    try:
        with db.session.begin_nested():
            db.session.add(forum)
    except IntegrityError:
        forum = db.session.scalar(select(Forum).where(where))
    place.forum = forum
    return forum


def _add_post(thread: ForumThread, author: User, body: str, checked: list) -> ForumPost:
    now = utcnow()
    number = db.session.execute(
        update(ForumThread)
        .where(ForumThread.id == thread.id)
        .values(post_count=ForumThread.post_count + 1, last_post_at=now, last_author_id=author.id)
        .returning(ForumThread.post_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(thread, "post_count", number)
    set_committed_value(thread, "last_post_at", now)
    set_committed_value(thread, "last_author_id", author.id)
    post = ForumPost(
        thread_id=thread.id,
        number=number,
        author_id=author.id,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    for item in checked:
        key, digest = files.store_for(item)
        post.attachments.append(
            ForumAttachment(
                kind=item.kind,
                filename=item.filename,
                mimetype=item.mimetype,
                size=item.size,
                sha256=digest,
                storage_key=key,
            )
        )
    db.session.flush()
    return post


def start_thread(
    author: User, place: Place, title: str, body: str, checked: list | None = None
) -> ForumThread:
    forum = ensure_forum(place)
    thread = ForumThread(
        forum_id=forum.id,
        author_id=author.id,
        title=clean_title(title),
        post_count=0,
        last_author_id=author.id,
    )
    db.session.add(thread)
    db.session.flush()
    _add_post(thread, author, clean_body(body), checked or [])
    _subscribe(author.id, thread_id=thread.id)
    _tell(
        place,
        _forum_subscribers(forum.id) - {author.id},
        N_(
            "%(who)s memulai topik “%(t)s” di %(f)s.",
            who=author.name,
            t=thread.title,
            f=forum.title,
        ),
        thread.id,
        1,
    )
    return thread


def reply(
    author: User,
    place: Place,
    thread: ForumThread,
    body: str,
    checked: list | None = None,
    moderator: bool = False,
) -> ForumPost:
    if thread.locked and not moderator:
        raise ForumError(_("Topik ini dikunci moderator: balasan baru tidak diterima."))
    post = _add_post(thread, author, clean_body(body), checked or [])
    told = (_thread_subscribers(thread.id) | _forum_subscribers(thread.forum_id)) - {author.id}
    _tell(
        place,
        told,
        N_("%(who)s membalas topik “%(t)s”.", who=author.name, t=thread.title),
        thread.id,
        post.number,
    )
    return post


def _tell(place: Place, user_ids: set[int], message, thread_id: int, number: int) -> None:
    page = page_of(number)
    for user_id in sorted(readers_among(place, user_ids)):
        notify(
            user_id,
            message,
            "community.thread",
            thread_id=thread_id,
            page=page if page > 1 else None,
        )


def _forum_subscribers(forum_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(ForumSubscription.user_id).where(ForumSubscription.forum_id == forum_id)
        )
    )


def _thread_subscribers(thread_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(ForumSubscription.user_id).where(ForumSubscription.thread_id == thread_id)
        )
    )


def _subscribe(user_id: int, *, forum_id: int | None = None, thread_id: int | None = None) -> None:
    found = db.session.scalar(
        select(ForumSubscription.id).where(
            ForumSubscription.user_id == user_id,
            ForumSubscription.forum_id == forum_id
            if forum_id is not None
            else ForumSubscription.thread_id == thread_id,
        )
    )
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    ForumSubscription(user_id=user_id, forum_id=forum_id, thread_id=thread_id)
                )
        except IntegrityError:
            pass  # subscribed a moment ago in another request: the same outcome


def set_forum_subscription(user: User, place: Place, on: bool) -> Forum | None:
    """Follow a forum's new threads (its row is written if a course's or cohort's has none)."""
    if on:
        forum = ensure_forum(place)
        _subscribe(user.id, forum_id=forum.id)
        return forum
    if place.forum is not None:
        db.session.execute(
            delete(ForumSubscription).where(
                ForumSubscription.user_id == user.id,
                ForumSubscription.forum_id == place.forum.id,
            )
        )
    return place.forum


def set_thread_subscription(user: User, thread: ForumThread, on: bool) -> None:
    if on:
        _subscribe(user.id, thread_id=thread.id)
    else:
        db.session.execute(
            delete(ForumSubscription).where(
                ForumSubscription.user_id == user.id, ForumSubscription.thread_id == thread.id
            )
        )
    db.session.flush()
