"""The content origin: package files, served where the app's cookies never go.

A SCORM package is somebody else's HTML and JavaScript. It runs on a second origin
(``CONTENT_ORIGIN``: another host name or port), so the browser itself keeps it away from the
app: it cannot read the app's cookies (they are host-only cookies of the app's host), cannot call
the app's routes as the learner (a request from the content origin carries no app cookie, and the
app's CSP and CSRF refuse the rest), and cannot touch the player page's DOM (cross-origin).

The same WSGI app answers both origins. This blueprint answers ONLY on the content host, and
every other route refuses there (404): the content host serves no page of the app and sets no
cookie. Access is a signed token in the URL path (``/c/<token>/...``), not a session: it names
the user, the package version and a path prefix, and expires after ``CONTENT_URL_MINUTES``.
Relative links inside the package resolve under the same token, so a package works unchanged.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, send_file
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import safe_join

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
    prefix: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(user_id: int, version_id: int, prefix: str = "") -> str:
    return _serializer().dumps({"u": user_id, "v": version_id, "p": prefix})


def read_token(token: str) -> Grant | None:
    """The grant of a token that is genuine and not expired, else None."""
    max_age = int(current_app.config["CONTENT_URL_MINUTES"]) * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return Grant(int(data["u"]), int(data["v"]), str(data.get("p", "")))
    except (KeyError, TypeError, ValueError):
        return None


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
