"""The member's claim of JP for a month of taking part in a community of practice (form 23).
Deciding on a claim is the session screen's (``careers.session_view``): the community's
moderators and HR see and confirm it there."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.sessions import community as claims
from lms.careers.sessions.forms import CommunityClaimForm
from lms.careers.sessions.rules import rule_for
from lms.careers.view_helpers import apply_errors
from lms.community.queries import community_by_slug
from lms.errors import flash_error
from lms.extensions import db
from lms.indonesian import MONTHS, local_today
from lms.permissions import Capability, refuse, require


def _form(posts: dict[date, int], topic: str) -> CommunityClaimForm:
    """The claim form; each month's choice shows the member's shown posts in it (the evidence)."""
    form = CommunityClaimForm()
    form.month.choices = [
        (f"{m:%Y-%m}", _("%(m)s %(y)s (%(n)s tulisan)", m=MONTHS[m.month - 1], y=m.year, n=n))
        for m, n in posts.items()
    ]
    if request.method == "GET":
        form.topic.data = topic
    return form


@bp.route("/sesi/komunitas/<community_slug>", methods=["GET", "POST"])
@require(Capability.LEARN)
def community_claim(community_slug: str):
    community = community_by_slug(community_slug)
    if community is None:
        abort(404)
    if not claims.may_claim(current_user, community):
        refuse(community, status=403)
    posts = {
        m: claims.posts_in(current_user, community, m) for m in claims.recent_months(local_today())
    }
    form = _form(posts, community.name)
    if form.validate_on_submit():
        month = claims.parse_month(form.month.data)
        try:
            if month is None or month not in posts:
                raise RecordInvalid({"month": _("Bulan: pilih bulan dari daftar.")})
            session = claims.claim(
                current_user, community, month, form.minutes.data, form.topic.data or ""
            )
        except RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except CareerError as exc:
            flash_error(exc)
        else:
            db.session.commit()
            flash(_("Klaim JP untuk %(t)s diajukan.", t=session.topic), "success")
            return redirect(url_for("careers.session_view", learning_session_id=session.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "careers/sessions/community_claim.html",
        community=community,
        form=form,
        posts=posts,
        rule=rule_for(claims.FORM_CODE),
    ), status
