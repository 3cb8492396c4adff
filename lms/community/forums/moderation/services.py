"""Moderator actions and readers' reports.

Pin, lock, move (to another forum of the same community), hide and unhide a post, and handle a
report (hide the post, or dismiss the reports on it). Each action leaves one audit row in the
shared audit log (``lms.auth.services.audit``) with the forum as its object and what was done
in ``after`` (``action``, ``thread``, ``post``, ``title``, ``reason``, ``to_forum``): the
moderation page reads them back. A hidden post keeps its text for moderators and its author;
everyone else sees that a moderator hid it. Services flush, never commit.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.auth.models import User
from lms.auth.services import audit
from lms.community.access import Place, moderator_ids
from lms.community.forums.services import ForumError, page_of
from lms.community.models import REASON_MAX_CHARS, Forum, ForumPost, ForumReport, ForumThread
from lms.db import utcnow
from lms.extensions import db
from lms.notifications.messages import N_
from lms.notifications.services import notify


def _audit(actor: User, forum: Forum, action: str, thread: ForumThread, **more: Any) -> None:
    after = {"action": action, "thread": thread.id, "title": thread.title, **more}
    audit(actor, "event", forum, action, after=after)


def clean_reason(reason: str | None, required: bool = True) -> str:
    text = " ".join((reason or "").split())
    if required and not text:
        raise ForumError(_("Alasan wajib diisi."))
    if len(text) > REASON_MAX_CHARS:
        raise ForumError(_("Alasan paling panjang %(n)s karakter.", n=REASON_MAX_CHARS))
    return text


def set_pinned(actor: User, thread: ForumThread, on: bool) -> None:
    if thread.pinned == on:
        return
    thread.pinned = on
    _audit(actor, thread.forum, "pin" if on else "unpin", thread)
    db.session.flush()


def set_locked(actor: User, thread: ForumThread, on: bool) -> None:
    if thread.locked == on:
        return
    thread.locked = on
    _audit(actor, thread.forum, "lock" if on else "unlock", thread)
    db.session.flush()


def move_targets(thread: ForumThread) -> list[Forum]:
    """The other forums of the thread's community (a course's or cohort's forum has none)."""
    forum = thread.forum
    if forum.community_id is None:
        return []
    return list(
        db.session.scalars(
            select(Forum)
            .where(Forum.community_id == forum.community_id, Forum.id != forum.id)
            .order_by(Forum.position, Forum.id)
        )
    )


def move(actor: User, thread: ForumThread, target: Forum) -> None:
    source = thread.forum
    if target.id == source.id:
        raise ForumError(_("Topik ini sudah berada di forum %(f)s.", f=target.title))
    if source.community_id is None or target.community_id != source.community_id:
        raise ForumError(_("Topik hanya dapat dipindah ke forum lain dalam komunitas yang sama."))
    thread.forum_id = target.id
    thread.forum = target
    _audit(actor, source, "move", thread, to_forum=target.id, to_title=target.title)
    _audit(actor, target, "move_in", thread, from_forum=source.id, from_title=source.title)
    db.session.flush()


def _close_reports(actor: User, post: ForumPost, status: str) -> int:
    result = db.session.execute(
        update(ForumReport)
        .where(ForumReport.post_id == post.id, ForumReport.status == "open")
        .values(status=status, handled_by_id=actor.id, handled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def hide(actor: User, post: ForumPost, reason: str) -> None:
    if post.hidden_at is not None:
        raise ForumError(_("Tulisan ini sudah disembunyikan."))
    reason = clean_reason(reason)
    thread = post.thread
    post.hidden_at = utcnow()
    post.hidden_by_id = actor.id
    post.hidden_reason = reason
    if post.number == 1:
        thread.hidden = True
    closed = _close_reports(actor, post, "upheld")
    _audit(
        actor,
        thread.forum,
        "hide",
        thread,
        post=post.id,
        number=post.number,
        reason=reason,
        reports=closed,
    )
    if post.author_id != actor.id:
        notify(
            post.author_id,
            N_(
                "Tulisan Anda di topik “%(t)s” disembunyikan oleh moderator. Alasan: %(r)s",
                t=thread.title,
                r=reason,
            ),
            "community.thread",
            thread_id=thread.id,
            page=page_of(post.number) if post.number > 1 else None,
        )
    db.session.flush()


def unhide(actor: User, post: ForumPost) -> None:
    if post.hidden_at is None:
        raise ForumError(_("Tulisan ini tidak sedang disembunyikan."))
    thread = post.thread
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = ""
    if post.number == 1:
        thread.hidden = False
    _audit(actor, thread.forum, "unhide", thread, post=post.id, number=post.number)
    db.session.flush()


def report(reporter: User, place: Place, post: ForumPost, reason: str) -> ForumReport:
    """A reader reports a post to the moderators (once while the report is open)."""
    if post.author_id == reporter.id:
        raise ForumError(_("Anda tidak dapat melaporkan tulisan Anda sendiri."))
    if post.hidden_at is not None:
        raise ForumError(_("Tulisan ini sudah disembunyikan oleh moderator."))
    reason = clean_reason(reason)
    row = db.session.scalar(
        select(ForumReport).where(
            ForumReport.post_id == post.id, ForumReport.reporter_id == reporter.id
        )
    )
    if row is not None and row.status == "open":
        raise ForumError(_("Anda sudah melaporkan tulisan ini; moderator sedang menanganinya."))
    if row is None:
        row = ForumReport(post_id=post.id, reporter_id=reporter.id, reason=reason)
        db.session.add(row)
    else:  # handled before: reported again, perhaps for something new
        row.reason, row.status, row.handled_by_id, row.handled_at = reason, "open", None, None
        row.created_at = utcnow()
    db.session.flush()
    thread = post.thread
    for user_id in sorted(moderator_ids(place) - {reporter.id}):
        notify(
            user_id,
            N_("Ada laporan baru tentang tulisan di topik “%(t)s”.", t=thread.title),
            "community.thread",
            thread_id=thread.id,
            page=page_of(post.number) if post.number > 1 else None,
        )
    return row


def handle_report(actor: User, report_row: ForumReport, action: str, reason: str = "") -> None:
    """``hide``: hide the reported post (every open report on it is upheld); ``dismiss``: the
    post stays, every open report on it is dismissed."""
    post = report_row.post
    if report_row.status != "open":
        raise ForumError(_("Laporan ini sudah ditangani."))
    if action == "hide":
        hide(actor, post, reason or report_row.reason)
        return
    if action != "dismiss":
        raise ForumError(_("Pilih tindakan: sembunyikan tulisan atau abaikan laporan."))
    closed = _close_reports(actor, post, "dismissed")
    _audit(
        actor,
        post.thread.forum,
        "dismiss",
        post.thread,
        post=post.id,
        number=post.number,
        reports=closed,
    )
    db.session.flush()
