"""Forum pages: a forum (a community's, a course's, a cohort's), starting a thread, a thread page
with its replies, following, and attachments.

Every route needs ``DISCUSS``; then the place decides (``lms.community.access``). A forum or
course or cohort is no secret (403 when out of scope); a thread, a post or a file out of scope
answers 404, exactly like a missing id.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.community import access, bp
from lms.community import queries as community_queries
from lms.community.access import Place
from lms.community.forums import files, queries, services
from lms.community.forums.forms import MoveForm, ReasonForm, ReplyForm, SwitchForm, ThreadForm
from lms.community.forums.moderation.services import move_targets
from lms.community.models import ForumAttachment, ForumPost, ForumThread
from lms.courses.models import Course
from lms.db import db_int
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.permissions import Capability, refuse, require
from lms.storage import StorageError, get_storage

C = Capability
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _page() -> int:
    return max(request.args.get("page", 1, type=db_int), 1)


def _forum_place(forum_id: int) -> Place:
    forum = queries.forum_by_id(forum_id)
    if forum is None:
        abort(404)
    return Place.of(forum)


def _course_place(course_key: str) -> Place:
    course = db.session.scalar(
        select(Course)
        .options(joinedload(Course.published_version))
        .where(Course.code == course_key.upper())
    )
    if course is None or course.published_version is None:
        abort(404)
    return Place("course", course=course, forum=queries.forum_of_course(course))


def _cohort_place(cohort_key: str) -> Place:
    cohort = db.session.scalar(
        select(Cohort).options(joinedload(Cohort.programme)).where(Cohort.code == cohort_key)
    )
    if cohort is None:
        abort(404)
    return Place("cohort", cohort=cohort, forum=queries.forum_of_cohort(cohort))


def _readable(place: Place) -> access.Standing:
    standing = access.standing(current_user, place)
    if not standing.read:
        refuse(place.forum or place.course or place.cohort, 403)  # a place is no secret
    return standing


def _back(place: Place) -> str:
    if place.forum is not None:
        return url_for("community.forum", forum_id=place.forum.id)
    if place.course is not None:
        return url_for("community.course_forum", course_key=place.course.code)
    return url_for("community.cohort_forum", cohort_key=place.cohort.code)


def _new_thread_url(place: Place) -> str:
    if place.course is not None:
        return url_for("community.new_course_thread", course_key=place.course.code)
    if place.cohort is not None:
        return url_for("community.new_cohort_thread", cohort_key=place.cohort.code)
    return url_for("community.new_thread", forum_id=place.forum.id)


def _follow_url(place: Place) -> str:
    if place.course is not None:
        return url_for("community.follow_course_forum", course_key=place.course.code)
    if place.cohort is not None:
        return url_for("community.follow_cohort_forum", cohort_key=place.cohort.code)
    return url_for("community.follow_forum", forum_id=place.forum.id)


def _show_forum(place: Place):
    standing = _readable(place)
    rows, total = queries.threads_page(place.forum, _page(), show_hidden=standing.moderate)
    following, _thread = queries.subscriptions(current_user, place.forum, None)
    return render_template(
        "community/forum.html",
        place=place,
        title=services.place_title(place),
        standing=standing,
        rows=rows,
        page=_page(),
        pages=max((total + queries.THREADS_PAGE_SIZE - 1) // queries.THREADS_PAGE_SIZE, 1),
        following=following,
        new_thread_url=_new_thread_url(place),
        follow_url=_follow_url(place),
        switch=SwitchForm(),
    )


@bp.route("/diskusi/forum/<int:forum_id>")
@require(C.DISCUSS)
def forum(forum_id: int):
    return _show_forum(_forum_place(forum_id))


@bp.route("/diskusi/pelatihan/<course_key>")
@require(C.DISCUSS)
def course_forum(course_key: str):
    return _show_forum(_course_place(course_key))


@bp.route("/diskusi/angkatan/<cohort_key>")
@require(C.DISCUSS)
def cohort_forum(cohort_key: str):
    return _show_forum(_cohort_place(cohort_key))


def _start(place: Place):
    standing = _readable(place)
    if not standing.post:
        refuse(place.forum or place.course or place.cohort, 403)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            checked = files.check_all(form.files.data or [])
            thread = services.start_thread(
                current_user, place, form.title.data, form.body.data, checked
            )
        except (files.FileRefused, services.ForumError) as exc:
            db.session.rollback()
            target = form.files if isinstance(exc, files.FileRefused) else form.body
            target.errors = [*target.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Topik dimulai. Anda akan diberi tahu bila ada balasan."), "success")
            return redirect(url_for("community.thread", thread_id=thread.id))
    return render_template(
        "community/new_thread.html",
        place=place,
        title=services.place_title(place),
        form=form,
        back=_back(place),
        action=_new_thread_url(place),
    )


@bp.route("/diskusi/forum/<int:forum_id>/topik-baru", methods=["GET", "POST"])
@require(C.DISCUSS)
def new_thread(forum_id: int):
    return _start(_forum_place(forum_id))


@bp.route("/diskusi/pelatihan/<course_key>/topik-baru", methods=["GET", "POST"])
@require(C.DISCUSS)
def new_course_thread(course_key: str):
    return _start(_course_place(course_key))


@bp.route("/diskusi/angkatan/<cohort_key>/topik-baru", methods=["GET", "POST"])
@require(C.DISCUSS)
def new_cohort_thread(cohort_key: str):
    return _start(_cohort_place(cohort_key))


def _follow(place: Place):
    _readable(place)
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_forum_subscription(current_user, place, form.on)
    db.session.commit()
    if form.on:
        flash(_("Anda akan diberi tahu setiap ada topik baru di forum ini."), "success")
    else:
        flash(_("Anda tidak lagi mengikuti forum ini."), "success")
    return redirect(_back(place))


@bp.route("/diskusi/forum/<int:forum_id>/ikuti", methods=["POST"])
@require(C.DISCUSS)
def follow_forum(forum_id: int):
    return _follow(_forum_place(forum_id))


@bp.route("/diskusi/pelatihan/<course_key>/ikuti", methods=["POST"])
@require(C.DISCUSS)
def follow_course_forum(course_key: str):
    return _follow(_course_place(course_key))


@bp.route("/diskusi/angkatan/<cohort_key>/ikuti", methods=["POST"])
@require(C.DISCUSS)
def follow_cohort_forum(cohort_key: str):
    return _follow(_cohort_place(cohort_key))


# --- a thread ------------------------------------------------------------------------------------


def _thread(thread_id: int) -> tuple[ForumThread, Place, access.Standing]:
    """The thread, its place and the user's standing there; 404 when it is not theirs to read."""
    thread = queries.thread_by_id(thread_id)
    if thread is None:
        abort(404)
    place = Place.of(thread.forum)
    standing = access.standing(current_user, place)
    if not standing.read:
        refuse(thread)
    return thread, place, standing


def _show_thread(thread: ForumThread, place: Place, standing, form: ReplyForm | None = None):
    pages = queries.pages_of(thread)
    page = min(_page(), pages) if form is None else pages
    follows_forum, follows_thread = queries.subscriptions(current_user, place.forum, thread)
    move = MoveForm()
    move.target.choices = (
        [(f.id, f.title) for f in move_targets(thread)] if standing.moderate else []
    )
    posts = queries.posts_page(thread, page)
    return render_template(
        "community/thread.html",
        thread=thread,
        veiled=thread.hidden and not standing.moderate and thread.author_id != current_user.id,
        place=place,
        standing=standing,
        posts=posts,
        opds=community_queries.opd_names(p.author for p in posts),
        page=page,
        pages=pages,
        form=form or ReplyForm(),
        follows_thread=follows_thread,
        follows_forum=follows_forum,
        switch=SwitchForm(),
        move_form=move,
        reason_form=ReasonForm(),
        back=_back(place),
    )


@bp.route("/diskusi/topik/<int:thread_id>")
@require(C.DISCUSS)
def thread(thread_id: int):
    found, place, standing = _thread(thread_id)
    return _show_thread(found, place, standing)


@bp.route("/diskusi/topik/<int:thread_id>/balas", methods=["POST"])
@require(C.DISCUSS)
def reply(thread_id: int):
    found, place, standing = _thread(thread_id)
    if not standing.post:
        refuse(found, 403)  # readable, so no secret: an open community's non-member
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            checked = files.check_all(form.files.data or [])
            post = services.reply(
                current_user, place, found, form.body.data, checked, standing.moderate
            )
        except (files.FileRefused, services.ForumError) as exc:
            db.session.rollback()
            target = form.files if isinstance(exc, files.FileRefused) else form.body
            target.errors = [*target.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("Balasan Anda terkirim."), "success")
            page = services.page_of(post.number)
            return redirect(
                url_for(
                    "community.thread",
                    thread_id=found.id,
                    page=page if page > 1 else None,
                    _anchor=f"tulisan-{post.number}",
                )
            )
    found, place, standing = _thread(thread_id)  # fresh after a rollback
    return _show_thread(found, place, standing, form)


@bp.route("/diskusi/topik/<int:thread_id>/ikuti", methods=["POST"])
@require(C.DISCUSS)
def follow_thread(thread_id: int):
    found, _place, _standing = _thread(thread_id)
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_thread_subscription(current_user, found, form.on)
    db.session.commit()
    if form.on:
        flash(_("Anda akan diberi tahu setiap ada balasan di topik ini."), "success")
    else:
        flash(_("Anda tidak lagi mengikuti topik ini."), "success")
    return redirect(url_for("community.thread", thread_id=found.id))


# --- attachments ---------------------------------------------------------------------------------


@bp.route("/diskusi/lampiran/<int:attachment_id>")
@require(C.DISCUSS)
def attachment(attachment_id: int):
    """An image (shown inline) or a document (always downloaded), with a sandboxing CSP; the
    file of a hidden post only for moderators and its author."""
    row = db.get_or_404(ForumAttachment, attachment_id)
    post = db.session.get(ForumPost, row.post_id)
    _found, _place, standing = _thread(post.thread_id)
    if post.hidden_at is not None and not standing.moderate and post.author_id != current_user.id:
        refuse(row)
    try:
        path = get_storage().path(row.storage_key)
    except StorageError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=row.mimetype,
        as_attachment=row.kind != "image",
        download_name=row.filename,
        conditional=True,
        etag=row.sha256,
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.cache_control.private = True  # behind a login: never in a shared cache
    response.cache_control.public = False
    return response
