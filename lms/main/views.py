"""Landing, dashboards, health checks and metrics, and the language switch."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms import dashboard as dashboard_sections
from lms.extensions import csrf, db
from lms.imports import forget_pending
from lms.main import bp
from lms.observability import health
from lms.observability import metrics as observed
from lms.org import queries as org_queries
from lms.security import safe_next


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dasbor")
@login_required
def dashboard():
    """The person's work first (queues, team, organisation), their own learning after it.

    The account is looked up once: every section reads it many times, and each read through
    the ``current_user`` proxy asks Flask-Login again."""
    user = current_user._get_current_object()
    context = org_queries.dashboard_context(user)
    parts = dashboard_sections.shown_for(user)
    return render_template(
        "main/dashboard.html",
        work=dashboard_sections.rows(parts[dashboard_sections.WORK]),
        learning=dashboard_sections.rows(parts[dashboard_sections.LEARNING]),
        **context,
    )


@bp.route("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/livez")
@csrf.exempt
def livez():
    """Liveness: the process answers; no database, no Redis (a restart would not fix those)."""
    return jsonify(status="ok")


@bp.route("/readyz")
@csrf.exempt
def readyz():
    """Readiness: database, Redis when configured, migrations at head; 503 names what failed."""
    checks = health.readiness()
    failed = sorted(name for name, outcome in checks.items() if outcome != health.OK)
    if failed:
        return jsonify(status="error", failed=failed, checks=checks), 503
    return jsonify(status="ok", checks=checks)


@bp.route("/metrics")
@csrf.exempt
def metrics():
    """Prometheus text format, for loopback, ``METRICS_ALLOW`` or the bearer token; else 404."""
    if not observed.allowed(request):
        abort(404)
    return observed.render()


@bp.route("/bahasa", methods=["POST"])
def set_language():
    lang = request.form.get("lang", "id")
    if lang in ("id", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/impor/batal", methods=["POST"])
@login_required
def import_cancel():
    """Cancel any import waiting for confirmation in this session: its kept upload is deleted.

    Only a key this session holds is honoured, so nobody can delete someone else's upload.
    """
    if forget_pending(request.form.get("key") or ""):
        flash(_("Impor dibatalkan; berkas yang diunggah sudah dihapus."), "info")
    else:
        flash(_("Tidak ada impor yang menunggu konfirmasi."), "info")
    return redirect(safe_next(request.form.get("next")))
