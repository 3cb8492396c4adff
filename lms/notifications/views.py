"""The notification list and marking read: every signed-in account has one."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.db import db_int
from lms.extensions import db
from lms.notifications import bp, queries, services
from lms.notifications.forms import MarkReadForm
from lms.notifications.messages import text_of

# `{{ n | notification_text }}`: what a notification says, in the reader's language.
bp.add_app_template_filter(text_of, "notification_text")


@bp.route("/pemberitahuan")
@login_required
def index() -> ResponseReturnValue:
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows, total = queries.notifications_for(current_user, page)
    return render_template(
        "notifications/list.html",
        rows=rows,
        total=total,
        unread=queries.unread_count(current_user),
        page=page,
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        action_form=MarkReadForm(),
    )


@bp.route("/pemberitahuan/tandai-dibaca", methods=["POST"])
@login_required
def mark_read() -> ResponseReturnValue:
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    raw = (form.notification_id.data or "").strip()
    if raw and not raw.isdigit():
        abort(400)
    changed = services.mark_read(current_user, int(raw) if raw else None)
    db.session.commit()
    # Every worker's kept bell count for this reader is now stale (lms/__init__.py reads it).
    session[queries.READ_STAMP] = uuid.uuid4().hex[:12]
    if not raw:
        flash(_("%(n)s pemberitahuan ditandai sudah dibaca.", n=changed), "success")
    page = request.args.get("page", 1, type=db_int)
    return redirect(url_for("notifications.index", page=page if page > 1 else None))
