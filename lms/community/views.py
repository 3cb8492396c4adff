"""Community pages: the list, one community, starting and editing one, joining and leaving,
members, invitations, moderators and forums; plus the dashboard's "Diskusi terbaru" card and the
course page's link to its forum."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.account_cache import ACCOUNTS
from lms.community import access, bp, queries, services
from lms.community.forms import (
    JOIN_POLICY_LABELS,
    ROLE_LABELS,
    CommunityForm,
    ForumForm,
    InviteForm,
    RoleForm,
)
from lms.community.forums import queries as forum_queries
from lms.community.models import Community, CommunityMember
from lms.courses import cache as course_cache
from lms.dashboard import LEARNING, section
from lms.db import db_int
from lms.enrolments.cohorts.queries import MEMBERS
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.permissions import Capability, can, refuse, require

C = Capability


def _community(community_slug: str) -> tuple[Community, CommunityMember | None, access.Standing]:
    community = queries.community_by_slug(community_slug)
    if community is None:
        abort(404)
    member = access.membership(current_user, community)
    return community, member, access.community_standing(current_user, community, member)


def _page() -> int:
    return max(request.args.get("page", 1, type=db_int), 1)


def _owner_from(form: CommunityForm) -> Any:
    """The account named as owner (BKPSDM only), or None; an unknown name is a form error."""
    text = (form.owner.data or "").strip()
    if not text or not can(current_user, C.MANAGE_COMMUNITIES):
        return None
    account = services.find_account(text)
    if account is None:
        form.owner.errors = [_("Akun %(n)s tidak ditemukan atau tidak aktif.", n=text)]
    return account


@bp.route("/komunitas")
@require(C.DISCUSS)
def index():
    mine = request.args.get("saya") == "1"
    rows, total = queries.communities_page(current_user, _page(), mine=mine)
    return render_template(
        "community/index.html",
        rows=rows,
        page=_page(),
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        mine=mine,
        policies=JOIN_POLICY_LABELS,
        may_start=can(current_user, C.START_COMMUNITIES),
    )


@bp.route("/komunitas/baru", methods=["GET", "POST"])
@require(C.START_COMMUNITIES)
def create():
    form = CommunityForm()
    if form.validate_on_submit():
        owner = _owner_from(form)
        if not form.owner.errors:
            try:
                community = services.create_community(current_user, form.data, owner)
            except services.CommunityError as exc:
                db.session.rollback()
                form.name.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("Komunitas %(n)s dibuat.", n=community.name), "success")
                return redirect(url_for("community.detail", community_slug=community.slug))
    return render_template("community/form.html", form=form, community=None)


@bp.route("/komunitas/<community_slug>")
@require(C.DISCUSS)
def detail(community_slug: str):
    community, member, standing = _community(community_slug)
    moderators = queries.moderators(community)
    return render_template(
        "community/detail.html",
        community=community,
        member=member,
        standing=standing,
        forums=queries.forum_summaries(community) if standing.read else [],
        moderators=moderators,
        opds=queries.opd_names(m.user for m in moderators),
        members=queries.member_count(community),
        policies=JOIN_POLICY_LABELS,
        manage=access.may_manage_members(current_user, community),
        forum_form=ForumForm(),
        post_form=CsrfForm(),
    )


@bp.route("/komunitas/<community_slug>/ubah", methods=["GET", "POST"])
@require(C.DISCUSS)
def edit(community_slug: str):
    community, _member, _standing = _community(community_slug)
    if not access.may_manage_members(current_user, community):
        refuse(community, 403)  # listed to everyone who discusses: no secret
    form = CommunityForm(obj=community if request.method == "GET" else None)
    if request.method == "GET":
        form.owner.data = ""
    if form.validate_on_submit():
        owner = _owner_from(form)
        if not form.owner.errors:
            try:
                services.update_community(current_user, community, form.data, owner)
            except services.CommunityError as exc:
                db.session.rollback()
                form.name.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("Data komunitas disimpan."), "success")
                return redirect(url_for("community.detail", community_slug=community.slug))
    return render_template("community/form.html", form=form, community=community)


@bp.route("/komunitas/<community_slug>/gabung", methods=["POST"])
@require(C.DISCUSS)
def join(community_slug: str):
    community, _member, _standing = _community(community_slug)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        services.join(current_user, community)
    except services.CommunityError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Selamat bergabung di %(n)s.", n=community.name), "success")
    return redirect(url_for("community.detail", community_slug=community.slug))


@bp.route("/komunitas/<community_slug>/keluar", methods=["POST"])
@require(C.DISCUSS)
def leave(community_slug: str):
    community, member, _standing = _community(community_slug)
    if not CsrfForm().validate_on_submit():
        abort(400)
    invited = member is not None and member.status == "invited"
    if member is not None and not confirmed():
        return ask(
            Confirmation(
                _("Tolak undangan %(n)s?", n=community.name)
                if invited
                else _("Keluar dari %(n)s?", n=community.name),
                [
                    _("Anda tidak lagi menerima pemberitahuan dari forum komunitas ini."),
                    _("Tulisan Anda tetap ada di forum."),
                ],
                _("Ya, tolak undangan") if invited else _("Ya, keluar"),
                url_for("community.detail", community_slug=community.slug),
            )
        )
    try:
        services.leave(current_user, community)
    except services.CommunityError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Anda keluar dari %(n)s.", n=community.name), "success")
    return redirect(url_for("community.detail", community_slug=community.slug))


def _members_page(community: Community, invite: InviteForm | None = None, code: int = 200):
    rows, total = queries.members_page(community, _page())
    manage = access.may_manage_members(current_user, community)
    return render_template(
        "community/members.html",
        community=community,
        rows=rows,
        opds=queries.opd_names(m.user for m in rows),
        page=_page(),
        pages=max((total + queries.MEMBERS_PAGE_SIZE - 1) // queries.MEMBERS_PAGE_SIZE, 1),
        manage=manage,
        moderate=access.community_standing(
            current_user, community, access.membership(current_user, community)
        ).moderate,
        invite_form=invite or InviteForm(),
        role_labels=ROLE_LABELS,
        post_form=CsrfForm(),
    ), code


@bp.route("/komunitas/<community_slug>/anggota")
@require(C.DISCUSS)
def members(community_slug: str):
    community, _member, standing = _community(community_slug)
    if not standing.read:
        refuse(community, 403)
    return _members_page(community)


@bp.route("/komunitas/<community_slug>/anggota/undang", methods=["POST"])
@require(C.DISCUSS)
def invite(community_slug: str):
    community, _member, standing = _community(community_slug)
    if not standing.moderate:
        refuse(community, 403)
    form = InviteForm()
    if form.validate_on_submit():
        account = services.find_account(form.identifier.data)
        if account is None:
            form.identifier.errors = [
                _("Akun %(n)s tidak ditemukan atau tidak aktif.", n=form.identifier.data.strip())
            ]
        else:
            name = form.as_moderator.data and access.may_manage_members(current_user, community)
            try:
                if name:
                    services.name_moderator(current_user, community, account)
                else:
                    services.invite(current_user, community, account)
            except services.CommunityError as exc:
                db.session.rollback()
                form.identifier.errors = [str(exc)]
            else:
                db.session.commit()
                if name:
                    flash(_("%(n)s menjadi moderator.", n=account.name), "success")
                else:
                    flash(_("Undangan terkirim kepada %(n)s.", n=account.name), "success")
                return redirect(url_for("community.members", community_slug=community.slug))
    return _members_page(community, form, 200)


@bp.route("/komunitas/<community_slug>/anggota/<int:member_id>/peran", methods=["POST"])
@require(C.DISCUSS)
def member_role(community_slug: str, member_id: int):
    community, _member, _standing = _community(community_slug)
    if not access.may_manage_members(current_user, community):
        refuse(community, 403)
    target = queries.member_by_id(community, member_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_role(current_user, target, form.role.data)
    except services.CommunityError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Peran %(n)s disimpan.", n=target.user.name), "success")
    return redirect(url_for("community.members", community_slug=community.slug))


@bp.route("/komunitas/<community_slug>/anggota/<int:member_id>/keluarkan", methods=["POST"])
@require(C.DISCUSS)
def member_remove(community_slug: str, member_id: int):
    community, _member, standing = _community(community_slug)
    if not standing.moderate:
        refuse(community, 403)
    target = queries.member_by_id(community, member_id) or abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not confirmed():
        return ask(
            Confirmation(
                _("Keluarkan %(n)s dari %(c)s?", n=target.user.name, c=community.name),
                [
                    _("Ia tidak lagi dapat menulis di forum komunitas ini."),
                    _("Langganannya di komunitas ini dihapus; tulisannya tetap ada."),
                ],
                _("Ya, keluarkan"),
                url_for("community.members", community_slug=community.slug),
            )
        )
    try:
        services.remove_member(current_user, target)
    except services.CommunityError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("%(n)s dikeluarkan dari komunitas.", n=target.user.name), "success")
    return redirect(url_for("community.members", community_slug=community.slug))


@bp.route("/komunitas/<community_slug>/forum", methods=["POST"])
@require(C.DISCUSS)
def add_forum(community_slug: str):
    community, _member, standing = _community(community_slug)
    if not standing.moderate:
        refuse(community, 403)
    form = ForumForm()
    if not form.validate_on_submit():
        flash(_("Nama forum wajib diisi (paling banyak 200 karakter)."), "error")
        return redirect(url_for("community.detail", community_slug=community.slug))
    try:
        forum = services.add_forum(current_user, community, form.title.data, form.description.data)
    except services.CommunityError as exc:
        flash_error(exc)
        return redirect(url_for("community.detail", community_slug=community.slug))
    db.session.commit()
    flash(_("Forum %(t)s ditambahkan.", t=forum.title), "success")
    return redirect(url_for("community.forum", forum_id=forum.id))


# --- the dashboard and the course page ----------------------------------------------------------


def _recent_tokens(user: Any) -> tuple | None:
    """What ``recent_for`` reads: the forums' state, the reader's courses and cohorts (when they
    are an employee), the authors' names (``ACCOUNTS``)."""
    person = user.employee_id
    return (
        forum_queries.RECENT.token(),
        ACCOUNTS.token(),
        course_cache.generation(),
        course_cache.MINE.token(person) if person else None,
        MEMBERS.token(person) if person else None,
    )


@section(35, part=LEARNING, keep=_recent_tokens)
def _recent_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """Diskusi terbaru: the latest threads where the person takes part (none: no card)."""
    if not can(user, C.DISCUSS):
        return None
    recent = forum_queries.recent_for(user)
    if not recent:
        return None
    return "community/_dashboard_recent.html", {"recent": recent}


@bp.app_template_global("course_forum_link")
def course_forum_link(course: Any, enrolment: Any) -> str | None:
    """The course page's link to its forum: for its learners (from the enrolment the page has
    already loaded) and its staff; no query for anyone else."""
    learner = enrolment is not None and enrolment.status in access.TAKING_PART
    if learner or access.course_staff(current_user, course):
        return url_for("community.course_forum", course_key=course.code)
    return None
