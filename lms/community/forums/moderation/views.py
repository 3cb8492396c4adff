"""Moderation: pin, lock, move, hide and unhide, a reader's report, and the moderation page (open
reports and the log of moderator actions) of a community or of a course's or cohort's forum."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.community import access, bp
from lms.community import queries as community_queries
from lms.community.access import Place
from lms.community.forums import queries as forum_queries
from lms.community.forums.forms import HandleForm, MoveForm, ReasonForm, SwitchForm
from lms.community.forums.moderation import queries, services
from lms.community.forums.services import ForumError, page_of
from lms.community.models import ForumPost, ForumReport, ForumThread
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.permissions import Capability, refuse, require

C = Capability


def _moderated_thread(thread_id: int) -> tuple[ForumThread, Place]:
    thread = forum_queries.thread_by_id(thread_id)
    if thread is None:
        abort(404)
    place = Place.of(thread.forum)
    standing = access.standing(current_user, place)
    if not standing.read:
        refuse(thread)
    if not standing.moderate:
        refuse(thread, 403)  # they can read it: no secret
    return thread, place


def _post(post_id: int, moderate: bool = True) -> tuple[ForumPost, Place, access.Standing]:
    post = forum_queries.post_by_id(post_id)
    if post is None:
        abort(404)
    place = Place.of(post.thread.forum)
    standing = access.standing(current_user, place)
    if not standing.read:
        refuse(post)
    if moderate and not standing.moderate:
        refuse(post, 403)
    return post, place, standing


def _to_post(post: ForumPost):
    page = page_of(post.number)
    return redirect(
        url_for(
            "community.thread",
            thread_id=post.thread_id,
            page=page if page > 1 else None,
            _anchor=f"tulisan-{post.number}",
        )
    )


def _switch(thread_id: int, apply, on_text: str, off_text: str):
    thread, _place = _moderated_thread(thread_id)
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    apply(current_user, thread, form.on)
    db.session.commit()
    flash(on_text if form.on else off_text, "success")
    return redirect(url_for("community.thread", thread_id=thread.id))


@bp.route("/diskusi/topik/<int:thread_id>/sematkan", methods=["POST"])
@require(C.DISCUSS)
def pin(thread_id: int):
    return _switch(
        thread_id,
        services.set_pinned,
        _("Topik disematkan di atas daftar forum."),
        _("Sematan topik dilepas."),
    )


@bp.route("/diskusi/topik/<int:thread_id>/kunci", methods=["POST"])
@require(C.DISCUSS)
def lock(thread_id: int):
    return _switch(
        thread_id,
        services.set_locked,
        _("Topik dikunci: hanya moderator yang dapat membalas."),
        _("Kunci topik dibuka: anggota dapat membalas lagi."),
    )


@bp.route("/diskusi/topik/<int:thread_id>/pindah", methods=["POST"])
@require(C.DISCUSS)
def move(thread_id: int):
    thread, _place = _moderated_thread(thread_id)
    targets = {f.id: f for f in services.move_targets(thread)}
    form = MoveForm()
    form.target.choices = [(i, f.title) for i, f in targets.items()]
    if not targets or not form.validate_on_submit():
        flash(_("Pilih forum tujuan dalam komunitas yang sama."), "error")
        return redirect(url_for("community.thread", thread_id=thread.id))
    target = targets[form.target.data]
    if not confirmed():
        return ask(
            Confirmation(
                _("Pindahkan topik “%(t)s” ke forum %(f)s?", t=thread.title, f=target.title),
                [
                    _("Topik beserta semua balasannya pindah ke forum %(f)s.", f=target.title),
                    _("Pengikut topik tetap diberi tahu bila ada balasan."),
                ],
                _("Ya, pindahkan"),
                url_for("community.thread", thread_id=thread.id),
            )
        )
    try:
        services.move(current_user, thread, target)
    except ForumError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Topik dipindah ke forum %(f)s.", f=target.title), "success")
    return redirect(url_for("community.thread", thread_id=thread.id))


@bp.route("/diskusi/tulisan/<int:post_id>/sembunyikan", methods=["POST"])
@require(C.DISCUSS)
def hide(post_id: int):
    post, _place, _standing = _post(post_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Tulis alasan menyembunyikan tulisan ini (paling banyak 1.000 karakter)."), "error")
        return _to_post(post)
    if not confirmed():
        return ask(
            Confirmation(
                _("Sembunyikan tulisan %(who)s?", who=post.author.name),
                [
                    _("Pembaca lain hanya melihat “disembunyikan oleh moderator”."),
                    _("Penulis diberi tahu beserta alasannya; moderator masih dapat membacanya."),
                    _("Laporan yang terbuka atas tulisan ini dianggap selesai."),
                ],
                _("Ya, sembunyikan"),
                url_for("community.thread", thread_id=post.thread_id),
                details=[(_("Alasan"), form.reason.data.strip())],
            )
        )
    try:
        services.hide(current_user, post, form.reason.data)
    except ForumError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Tulisan disembunyikan."), "success")
    return _to_post(post)


@bp.route("/diskusi/tulisan/<int:post_id>/tampilkan", methods=["POST"])
@require(C.DISCUSS)
def unhide(post_id: int):
    post, _place, _standing = _post(post_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        services.unhide(current_user, post)
    except ForumError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Tulisan ditampilkan kembali."), "success")
    return _to_post(post)


@bp.route("/diskusi/tulisan/<int:post_id>/laporkan", methods=["GET", "POST"])
@require(C.DISCUSS)
def report(post_id: int):
    post, place, standing = _post(post_id, moderate=False)
    if post.hidden_at is not None and not standing.moderate:
        flash(_("Tulisan ini sudah disembunyikan oleh moderator."), "info")
        return _to_post(post)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.report(current_user, place, post, form.reason.data)
        except ForumError as exc:
            flash_error(exc)
        else:
            db.session.commit()
            flash(_("Terima kasih. Laporan Anda diteruskan kepada moderator."), "success")
        return _to_post(post)
    return render_template("community/report.html", post=post, form=form)


# --- the moderation page -------------------------------------------------------------------------


def _queue(title: str, forum_ids: list[int], back: str, community_id: int | None = None):
    return render_template(
        "community/moderation.html",
        title=title,
        back=back,
        reported=queries.open_reports(forum_ids),
        log=queries.log(forum_ids, community_id),
        labels=queries.ACTION_LABELS,
        form=HandleForm(),
    )


@bp.route("/komunitas/<community_slug>/moderasi")
@require(C.DISCUSS)
def community_moderation(community_slug: str):
    community = community_queries.community_by_slug(community_slug)
    if community is None:
        abort(404)
    member = access.membership(current_user, community)
    if not access.community_standing(current_user, community, member).moderate:
        refuse(community, 403)
    return _queue(
        _("Moderasi %(n)s", n=community.name),
        [f.id for f in community.forums],
        url_for("community.detail", community_slug=community.slug),
        community.id,
    )


@bp.route("/diskusi/forum/<int:forum_id>/moderasi")
@require(C.DISCUSS)
def forum_moderation(forum_id: int):
    forum = forum_queries.forum_by_id(forum_id)
    if forum is None:
        abort(404)
    if not access.standing(current_user, Place.of(forum)).moderate:
        refuse(forum, 403)
    if forum.community is not None:
        return redirect(
            url_for("community.community_moderation", community_slug=forum.community.slug)
        )
    return _queue(
        _("Moderasi %(n)s", n=forum.title),
        [forum.id],
        url_for("community.forum", forum_id=forum.id),
    )


@bp.route("/diskusi/laporan/<int:report_id>/tangani", methods=["POST"])
@require(C.DISCUSS)
def handle_report(report_id: int):
    row = db.session.get(ForumReport, report_id)
    if row is None:
        abort(404)
    post, _place, standing = _post(row.post_id, moderate=False)
    if not standing.moderate:
        refuse(row)  # a report is the moderators' business: like a missing one
    form = HandleForm()
    back = url_for("community.forum_moderation", forum_id=post.thread.forum_id)
    if not form.validate_on_submit():
        flash(_("Pilih tindakan: sembunyikan tulisan atau abaikan laporan."), "error")
        return redirect(back)
    try:
        services.handle_report(current_user, row, form.action.data, form.reason.data or "")
    except ForumError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        if form.action.data == "hide":
            flash(_("Tulisan disembunyikan dan laporan ditutup."), "success")
        else:
            flash(_("Laporan diabaikan; tulisan tetap tampil."), "success")
    return redirect(back)
