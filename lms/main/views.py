"""Landing, dashboards, health check and the language switch."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.auth.views import _safe_next
from lms.extensions import csrf, db
from lms.main import bp
from lms.main import dashboard as dashboard_sections
from lms.org import queries as org_queries


@bp.route("/")
def index():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dasbor")
@login_required
def dashboard():  # noqa: ANN201
    context = org_queries.dashboard_context(current_user)
    return render_template(
        "main/dashboard.html", sections=dashboard_sections.sections_for(current_user), **context
    )


@bp.route("/healthz")
@csrf.exempt
def healthz():  # noqa: ANN201
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/bahasa", methods=["POST"])
def set_language():  # noqa: ANN201
    lang = request.form.get("lang", "id")
    if lang in ("id", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
