"""The player page and the commit endpoint (app origin); package files and the shim (content
origin). Who may play: learners enrolled in the course the version became, BKPSDM reviewers."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms.courses import cache as course_cache
from lms.db import is_db_id
from lms.errors import DomainError, flash_error, json_error
from lms.extensions import db
from lms.packages import bp
from lms.packages.models import Package, PackageSco, PackageVersion
from lms.packages.runtime import content, queries, services
from lms.packages.runtime.cmi import CmiError
from lms.permissions import Capability, refuse, require
from lms.security import CSP, KeptCookieSessions
from lms.storage import get_storage

PLAYERS = (Capability.LEARN, Capability.REVIEW_PACKAGES)


def _playable(version_id: int) -> tuple[PackageVersion, str]:
    version = db.session.get(PackageVersion, version_id) or refuse(status=404)
    if version.package.kind not in ("scorm12", "scorm2004"):
        refuse(version, 404)
    mode = services.play_mode(current_user, version)
    if mode is None:
        refuse(version, 403)
    return version, mode


@bp.get("/paket/versi/<int:package_version_id>/main", endpoint="play")
@bp.get("/paket/versi/<int:package_version_id>/main/<int:sco_id>", endpoint="play")
@require(*PLAYERS)
def play(package_version_id: int, sco_id: int | None = None):
    version, mode = _playable(package_version_id)
    if mode == "normal":
        mine = services.version_for(current_user, version)
        if mine.id != version.id:  # learners stay on the version they started
            return redirect(url_for("packages.play", package_version_id=mine.id))
    scos = services.launchable(version)
    sco = next((s for s in scos if s.id == sco_id), None) if sco_id else next(iter(scos), None)
    if sco is None:
        refuse(version, 404)
    attempts = {s.id: services.attempt_of(current_user, s) for s in scos}
    standard = services.standard_of(version)
    state = services.launch_state(standard, current_user, attempts[sco.id], mode)
    index, token = scos.index(sco), content.sign(current_user.id, sco)
    response = current_app.make_response(
        render_template(
            "packages/play.html",
            version=version,
            sco=sco,
            scos=scos,
            attempts=attempts,
            mode=mode,
            standard=standard,
            state_json=json.dumps(state),
            token=token,
            shim_url=content.shim_url(token),
            renew_every=max(5, int(content.ttl().total_seconds()) // 3),
            content_origin=content.content_origin(),
            previous=scos[index - 1] if index > 0 else None,
            following=scos[index + 1] if index + 1 < len(scos) else None,
            is_done=services.is_done,
        )
    )
    response.headers["Content-Security-Policy"] = f"{CSP}; frame-src {content.content_origin()}"
    return response


def _sco_to_play(sco_id: int) -> tuple[PackageSco, str]:
    sco = db.session.get(PackageSco, sco_id) or refuse(status=404)
    return sco, _playable(sco.version_id)[1]


@bp.post("/paket/sco/<int:sco_id>/simpan", endpoint="commit")
@require(*PLAYERS)
def commit(sco_id: int):
    """The CMI of one SCO: JSON with the CSRF token in X-CSRFToken (commit, finish), or a form
    with csrf_token and ``payload`` (the beacon on page close, which cannot set headers). The
    body names the attempt it belongs to (``attempt``); a stale one answers 409."""
    sco, mode = _sco_to_play(sco_id)
    body = request.get_json(silent=True) if request.is_json else None
    if body is None and "payload" in request.form:
        try:
            body = json.loads(request.form["payload"])
        except ValueError:
            body = None
    if not isinstance(body, dict) or not isinstance(body.get("cmi"), dict):
        return json_error(400, _("Data SCORM tidak terbaca: kirim objek JSON dengan 'cmi'."))
    number = body.get("attempt")
    if number is not None and not is_db_id(number):
        return json_error(400, _("Nomor percobaan harus bilangan bulat positif."))
    try:
        attempt = services.store_commit(
            current_user, sco, mode, str(body.get("session") or ""), body["cmi"], number
        )
    except CmiError as error:
        db.session.rollback()
        return json_error(
            400, _("Nilai %(e)s ditolak: %(m)s", e=error.element, m=str(error.message))
        )
    except services.StaleState as stale:
        db.session.rollback()
        return json_error(409, str(stale))
    db.session.commit()
    return jsonify({"saved": True, "total_time_cs": services.effective_total_cs(attempt)})


@bp.post("/paket/sco/<int:sco_id>/perpanjang", endpoint="renew")
@require(*PLAYERS)
def renew(sco_id: int):
    """The open player keeps its package URLs working: one more TTL for the learner's own
    token (JSON ``{"token": ...}``, CSRF in X-CSRFToken)."""
    sco, _mode = _sco_to_play(sco_id)
    body = request.get_json(silent=True) if request.is_json else None
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return json_error(400, _("Token alamat modul tidak terkirim."))
    if content.renew(token, current_user.id, sco.id) is None:
        return json_error(404, _("Alamat modul tidak dikenal; muat ulang halaman."))
    db.session.commit()
    return jsonify({"renewed": True, "ttl": int(content.ttl().total_seconds())})


@bp.post("/paket/sco/<int:sco_id>/percobaan-baru", endpoint="new_attempt")
@require(Capability.LEARN)
def new_attempt(sco_id: int):
    """Mulai percobaan baru: a new attempt of a finished SCO, then its player."""
    sco, mode = _sco_to_play(sco_id)
    if mode != "normal":  # a reviewer plays in review mode: one attempt, never counted
        refuse(sco, 403)
    try:
        attempt = services.start_new_attempt(current_user, sco)
        db.session.commit()
    except DomainError as exc:
        flash_error(exc)
        course = sco.version.course
        return redirect(url_for("courses.course", code=course.code) if course else "/")
    flash(_("Percobaan ke-%(n)s dimulai.", n=attempt.attempt), "success")
    return redirect(url_for("packages.play", package_version_id=sco.version_id, sco_id=sco.id))


# A package approved, placed in or taken out of a course, renamed: a new catalogue generation.
course_cache.watch(Package, PackageVersion)


@bp.app_template_global("course_packages")
def course_packages(course_id: int) -> list[PackageVersion]:
    """The package versions the signed-in learner plays in a course (course page links). Most
    courses have none: whether one has any approved version is the same for every learner and
    kept in the courses cache, so such a course asks nothing."""
    placed = course_cache.cached(
        "packages", (course_id,), lambda: bool(services.approved_versions(course_id))
    )
    if not placed:
        return []
    user_id = current_user.id if current_user.is_authenticated else None
    return services.learner_versions(course_id, user_id)


@bp.app_template_global("package_items")
def package_items(version: PackageVersion) -> list[queries.ScoItem]:
    """The SCOs of a package as the signed-in learner sees them in the course outline."""
    return queries.learner_items(current_user, version)


# --- the content origin ------------------------------------------------------------------------


@content.bp.before_app_request
def _content_host_serves_content_only():
    """The content host answers the content routes and nothing else of the app (a bare 404, no
    page of the app); the content routes answer on the content host only."""
    if content.is_content_host(request.host) != (request.blueprint == "content"):
        if content.is_content_host(request.host):
            return Response("Not Found", 404, mimetype="text/plain")
        abort(404)
    return None


class _NoCookieOnContentHost(KeptCookieSessions):
    """The content host never sets a cookie, whatever a page rendered there touched."""

    def save_session(self, app, session, response) -> None:
        if content.is_content_host(request.host):
            return
        super().save_session(app, session, response)


@content.bp.record_once
def _install_session_interface(state) -> None:
    state.app.session_interface = _NoCookieOnContentHost()


@content.bp.get("/c/_rt/<name>")
def runtime_script(name: str):
    return content.content_headers(content.runtime_file(name), content.shim_csp())


@content.bp.get("/c/<grant>/shim")
def shim(grant: str):
    if content.read_token(grant) is None:
        abort(404)
    html = render_template("packages/shim.html", app_origin=content.app_origin())
    return content.content_headers(current_app.make_response(html), content.shim_csp())


@content.bp.get("/c/<grant>/f/<path:path>")
def package_file(grant: str, path: str):
    found = content.read_token(grant)
    if found is None or not path.startswith(found.prefix):
        abort(404)  # tampered, expired (not renewed), another version's path
    version = db.session.get(PackageVersion, found.version_id) or abort(404)
    root = get_storage().path(version.storage_key)
    return content.content_headers(content.package_file(root, path), content.package_csp())
