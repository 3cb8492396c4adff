"""The content origin: package files, served where the app's cookies never go.

A SCORM package is somebody else's HTML and JavaScript. It runs on a second origin
(``CONTENT_ORIGIN``: another host name or port), so the browser itself keeps it away from the
app: it cannot read the app's cookies (they are host-only cookies of the app's host), cannot call
the app's routes as the learner (a request from the content origin carries no app cookie, and the
app's CSP and CSRF refuse the rest), and cannot touch the player page's DOM (cross-origin).

The same WSGI app answers both origins. This blueprint answers ONLY on the content host, and
every other route refuses there (404): the content host serves no page of the app and sets no
cookie. Access is a signed token in the URL path (``/c/<token>/...``), not a session: it names
the user, the package version, the SCO launched, a path prefix and a random nonce (the key of
its lease, a ``ContentGrant`` row, once renewed). Relative links inside the package resolve under the same token, so a
package works unchanged.

Expiry: a token works for ``CONTENT_URL_TTL`` seconds (15 minutes by default) from the launch
that signed it. The player page renews it every third of that while it is open (``renew``: a POST with the learner's
own session and CSRF token, refused for anybody but the lease's learner and for a learner who may
no longer play the version). The package's URLs never change during a session, so pages the SCO
opens later, its lazy images and a long video's range requests keep working for hours; a URL
copied out of the session stops working, for anybody, at most one TTL after the learner's player
was closed. A token is bound to its learner, version and SCO: the signature covers them (any
change is a bad signature), a renewal must come from that learner for that SCO, and the lease row
must name the same three.
"""

from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, send_file
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import safe_join

from lms.db import as_utc, is_db_id, utcnow
from lms.extensions import db
from lms.packages.models import PackageSco
from lms.packages.runtime.models import ContentGrant

bp = Blueprint("content", __name__)

SALT = "lms.packages.content"
RUNTIME_FILES = {
    "scorm12.min.js": "vendor/scorm-again/scorm12.min.js",
    "scorm2004.min.js": "vendor/scorm-again/scorm2004.min.js",
    "scorm-shim.js": "js/scorm-shim.js",
    "scorm-shim.css": "css/scorm-shim.css",
}
STATIC = Path(__file__).resolve().parents[2] / "static"


def app_origin(app: Flask | None = None) -> str:
    return _origin_of((app or current_app).config["BASE_URL"])


def content_origin(app: Flask | None = None) -> str:
    """The configured content origin, or BASE_URL's with 127.0.0.1 and localhost swapped."""
    config = (app or current_app).config
    return _content_origin_of(config["BASE_URL"], str(config.get("CONTENT_ORIGIN") or ""))


def is_content_host(host: str) -> bool:
    """Whether a request's Host is the content origin's (the views' guard asks, and the session
    interface, on every request of the app: so the parsing below is cached per setting)."""
    config = current_app.config
    origin = _content_origin_of(config["BASE_URL"], str(config.get("CONTENT_ORIGIN") or ""))
    return host == _netloc_of(origin)


# Pure functions of the settings' strings, cached: the settings are read on every call, so a test
# (or anything) that changes BASE_URL or CONTENT_ORIGIN after the app starts is still obeyed.


@lru_cache(maxsize=32)
def _origin_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=32)
def _content_origin_of(base_url: str, configured: str) -> str:
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(_origin_of(base_url))
    host = parts.hostname or "127.0.0.1"
    other = "localhost" if host == "127.0.0.1" else "127.0.0.1"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{other}{port}"


@lru_cache(maxsize=32)
def _netloc_of(origin: str) -> str:
    return urlsplit(origin).netloc


# --- signed URLs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    user_id: int
    version_id: int
    sco_id: int
    prefix: str
    nonce: str
    age: float  # seconds since the launch signed it


#: Leases this long past their expiry are deleted when a lease is renewed (they serve nothing).
KEEP_EXPIRED = timedelta(days=1)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def ttl() -> timedelta:
    return timedelta(seconds=int(current_app.config["CONTENT_URL_TTL"]))


def sign(user_id: int, sco: PackageSco, prefix: str = "") -> str:
    """A token for this learner, version and SCO, good for one TTL unless renewed. Nothing is
    written: a launch (a GET) only signs; the first renewal writes the lease row."""
    payload = {
        "n": secrets.token_hex(16),
        "u": user_id,
        "v": sco.version_id,
        "s": sco.id,
        "p": prefix,
    }
    return _serializer().dumps(payload)


def _genuine(token: str) -> Grant | None:
    """The grant of a token signed here, whatever its age, else None."""
    try:
        data, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    ids = [data.get(k) for k in ("u", "v", "s")]
    nonce, prefix = data.get("n"), data.get("p", "")
    if not all(is_db_id(i) for i in ids) or not isinstance(nonce, str) or len(nonce) != 32:
        return None
    if not isinstance(prefix, str):
        return None
    age = (utcnow() - as_utc(signed_at)).total_seconds()
    return Grant(ids[0], ids[1], ids[2], prefix, nonce, age)  # type: ignore[arg-type]


def _lease(grant: Grant) -> ContentGrant | None:
    """The grant's lease row, when it names the same learner, version and SCO as the token."""
    lease = db.session.scalar(select(ContentGrant).where(ContentGrant.nonce == grant.nonce))
    if lease is None or (lease.user_id, lease.version_id, lease.sco_id) != (
        grant.user_id,
        grant.version_id,
        grant.sco_id,
    ):
        return None
    return lease


def read_token(token: str) -> Grant | None:
    """The grant of a genuine token within its TTL or its renewed lease, else None."""
    grant = _genuine(token)
    if grant is None:
        return None
    if grant.age <= ttl().total_seconds():
        return grant  # a fresh launch: no look-up
    lease = _lease(grant)
    if lease is None or as_utc(lease.expires_at) <= utcnow():
        return None
    return grant


def renew(token: str, user_id: int, sco_id: int) -> ContentGrant | None:
    """Extend the learner's own token for this SCO to one TTL from now (the lease row, flushed);
    None when the token is not genuine or names another learner or SCO. An expired token is
    renewed too: only its own learner, signed in, can ask (a laptop that slept)."""
    grant = _genuine(token)
    if grant is None or grant.user_id != user_id or grant.sco_id != sco_id:
        return None
    now = utcnow()
    lease = _lease(grant)
    if lease is None:
        db.session.execute(delete(ContentGrant).where(ContentGrant.expires_at < now - KEEP_EXPIRED))
        lease = ContentGrant(
            nonce=grant.nonce,
            user_id=grant.user_id,
            version_id=grant.version_id,
            sco_id=grant.sco_id,
            expires_at=now + ttl(),
        )
        try:
            with db.session.begin_nested():  # two renewals at once: one row
                db.session.add(lease)
        except IntegrityError:
            lease = _lease(grant)
            if lease is None:
                return None
    lease.expires_at = now + ttl()
    db.session.flush()
    return lease


def shim_url(token: str) -> str:
    return f"{content_origin()}/c/{token}/shim"


# --- headers ---------------------------------------------------------------------------------------


def package_csp() -> str:
    """Package pages may run their own (inline) scripts, on their own origin only: no request to
    the app (connect-src is the content origin), framed only by the shim and the player page."""
    return "; ".join(
        [
            "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors 'self' {app_origin()}",
        ]
    )


def shim_csp() -> str:
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-src 'self'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {app_origin()}",
        ]
    )


def content_headers(response, csp: str):
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Referrer-Policy"] = "no-referrer"
    # Framed by the player page: frame-ancestors decides (it overrides X-Frame-Options).
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers.pop("Set-Cookie", None)
    return response


def package_file(root: Path, path: str):
    """The file at ``path`` under the package folder, or 404 (no traversal, no folders)."""
    found = safe_join(str(root), path)
    if found is None or not Path(found).is_file():
        abort(404)
    mimetype = mimetypes.guess_type(found)[0] or "application/octet-stream"
    return send_file(found, mimetype=mimetype, conditional=True, max_age=300)


def runtime_file(name: str):
    relative = RUNTIME_FILES.get(name)
    if relative is None:
        abort(404)
    mimetype = "text/css" if name.endswith(".css") else "text/javascript"
    return send_file(STATIC / relative, mimetype=mimetype, max_age=300)
