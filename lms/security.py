"""What every request and response goes through: security headers (a strict CSP without inline
script, no framing, no cached copies of pages or downloaded files), the bounds a request body is read
within, and the input refused before any view runs (NUL characters, JSON no database or calculation
can take)."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, Request, Response, current_app, g, request, session, url_for
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: Sent with every response whose view did not set its own (a SCORM player widens the CSP).
DEFAULT_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def register_security(app: Flask) -> None:
    app.request_class = BoundedRequest
    if type(app.session_interface) is SecureCookieSessionInterface:  # not one a feature set
        app.session_interface = KeptCookieSessions()
    app.json = SafeJSONProvider(app)
    app.before_request(check_request_input)
    app.before_request(reuse_csrf_token)
    app.after_request(keep_csrf_token)
    defaults = tuple((name.lower(), name, value) for name, value in DEFAULT_HEADERS)
    hsts = (HSTS[0].lower(), *HSTS)

    @app.after_request
    def set_headers(response: Response) -> Response:
        # One pass over the response's few headers instead of a search per default (every
        # response, so this is a third of what setdefault() cost).
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        wanted = defaults + (hsts,) if app.config.get("SESSION_COOKIE_SECURE") else defaults
        for key, name, value in wanted:
            if key not in present:
                headers.add(name, value)
        if "cache-control" not in present and response.mimetype == "text/html":
            headers["Cache-Control"] = "no-store"
        if "content-disposition" in present and is_download(response):
            # Every download (reports, SIASN rows, certificates, evidence, employee lists) may
            # carry personal data: no browser, proxy or shared computer keeps a copy. One rule
            # here rather than a header at each of the views that send files.
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response


# --- request bodies -------------------------------------------------------------------------------
#
# Werkzeug 3.1 applies ``max_form_memory_size`` and ``max_form_parts`` to multipart bodies only: a
# url-encoded body is read whole and split by ``parse_qsl`` under ``max_content_length`` alone
# (pallets/werkzeug#3251 removed the last check there on purpose), and that limit is 20 MiB here
# because uploads need it. So every body that is not multipart gets ``BODY_MAX_BYTES`` as its
# ``max_content_length`` (a login form or a JSON autosave never needs more), and a url-encoded
# form is held to ``MAX_FORM_MEMORY_SIZE`` bytes and ``MAX_FORM_PARTS`` fields, the same limits
# multipart fields have, counted before a single field is decoded.

BODY_MAX_BYTES = 1024 * 1024


class _BoundedFormParser(FormDataParser):
    def _parse_urlencoded(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> Any:
        limit = self.max_form_memory_size
        if limit is not None and content_length is not None and content_length > limit:
            raise form_too_large()
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise form_too_large()
        try:
            items = parse_qsl(
                body.decode(),
                keep_blank_values=True,
                errors="werkzeug.url_quote",
                max_num_fields=self.max_form_parts,
            )
        except ValueError:  # more separators than max_num_fields: nothing was decoded
            raise form_too_large() from None
        return stream, self.cls(items), self.cls()


def form_too_large() -> RequestEntityTooLarge:
    """The 413 for a body that is not an upload: what the limits are, in the user's language."""
    config = current_app.config
    if request.mimetype == "application/x-www-form-urlencoded":
        limit = config["MAX_FORM_MEMORY_SIZE"]
    else:
        limit = int(config.get("BODY_MAX_BYTES") or BODY_MAX_BYTES)
    error = RequestEntityTooLarge(
        _(
            "Data yang dikirim terlalu besar atau berisi terlalu banyak isian (paling besar "
            "%(kb)s KB dan %(n)s isian). Kurangi isiannya lalu kirim kembali.",
            kb=limit // 1024,
            n=config["MAX_FORM_PARTS"],
        )
    )
    error.lms_message = True  # type: ignore[attr-defined]
    return error


#: Endpoints whose multipart uploads may exceed MAX_CONTENT_LENGTH: endpoint → the config key of
#: their own limit (a module package of 200 MiB). Known from the URL match, so the limit holds
#: from the first byte the form parser reads (check_request_input parses before any view runs).
LARGE_UPLOADS: dict[str, str] = {}


def allow_large_upload(endpoint: str, config_key: str) -> None:
    LARGE_UPLOADS[endpoint] = config_key


class BoundedRequest(Request):
    """Flask's request with the body limits above."""

    form_data_parser_class = _BoundedFormParser

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self._max_content_length is None and self.mimetype == "multipart/form-data":
            key = LARGE_UPLOADS.get(self.endpoint or "")
            if key is not None:
                return int(current_app.config[key])
        if self._max_content_length is not None or self.mimetype == "multipart/form-data":
            return limit
        small = int(current_app.config.get("BODY_MAX_BYTES") or BODY_MAX_BYTES)
        return small if limit is None else min(limit, small)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not a JSON content type: Flask's own 415
            return super().on_json_loading_failed(e)
        if isinstance(e, JsonRefused):
            raise _refused(str(e))
        raise _refused(_("Data JSON tidak valid."))


# --- what a request may carry ---------------------------------------------------------------------
#
# PostgreSQL refuses a NUL character in any text value, and the error came back as a 500 from about
# 30 routes. NUL has no place in a path, a query, a form, a header or a JSON string, so a request
# carrying one is refused before any view runs: a 404 for the path (no page has that name), a 400
# naming the field otherwise. JSON is parsed up front by the app's provider, which refuses NaN,
# Infinity, numbers past a double (1e309), nesting deeper than JSON_MAX_DEPTH and NUL in any key or
# string, each with a message naming where.

JSON_MAX_DEPTH = 32


class JsonRefused(ValueError):
    """JSON that parses but must not reach the app; the message names the field."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(_("Angka %(v)s terlalu besar.", v=text[:40]))
    return value


def _no_constant(name: str) -> Any:
    raise JsonRefused(_("Nilai %(v)s bukan angka yang sah.", v=name))


def _check_json_value(value: Any) -> None:
    """Depth and NUL, walked without recursion; the path in the message points at the field."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > JSON_MAX_DEPTH:
            raise JsonRefused(_("Data JSON bersarang lebih dari %(n)s tingkat.", n=JSON_MAX_DEPTH))
        if isinstance(item, str):
            if "\x00" in item:
                raise JsonRefused(
                    _("Isian “%(f)s” berisi karakter NUL yang tidak diizinkan.", f=where or "/")
                )
        elif isinstance(item, dict):
            for key, child in item.items():
                path = f"{where}.{key}" if where else str(key)
                if "\x00" in key:
                    raise JsonRefused(
                        _("Nama isian JSON berisi karakter NUL yang tidak diizinkan.")
                    )
                stack.append((child, path, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what a database or the grading code must never see."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _no_constant)
        kwargs.setdefault("parse_float", _finite)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise JsonRefused(
                _("Data JSON bersarang lebih dari %(n)s tingkat.", n=JSON_MAX_DEPTH)
            ) from None
        _check_json_value(value)
        return value


def _refused(message: str) -> BadRequest:
    error = BadRequest(message)
    error.lms_message = True  # type: ignore[attr-defined]
    return error


def _nul_field(name: str) -> BadRequest:
    return _refused(
        _(
            "Isian “%(f)s” berisi karakter NUL yang tidak diizinkan.",
            f=name.replace("\x00", "")[:60],
        )
    )


#: The two headers WSGI keeps without the HTTP_ prefix.
_BODY = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def check_request_input() -> None:
    """Refuse NUL anywhere in the request, and JSON the provider refuses, before any view."""
    if "\x00" in request.path:
        raise NotFound()
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise _nul_field(name)
    for key, value in request.environ.items():  # the headers, named only when one is refused
        if type(value) is str and "\x00" in value and (key.startswith("HTTP_") or key in _BODY):
            raise _nul_field(
                (key[5:] if key.startswith("HTTP_") else key).replace("_", "-").title()
            )
    for name, value in request.cookies.items(multi=True):
        if "\x00" in value:
            raise _nul_field(name)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise _nul_field(name)
        for name, upload in request.files.items(multi=True):
            if "\x00" in name or "\x00" in (upload.filename or ""):
                raise _nul_field(name)
    elif request.is_json and (request.content_length or request.headers.get("Transfer-Encoding")):
        request.get_json()  # parsed once and cached for the view; refusals raise here


def is_download(response: Response) -> bool:
    """A response the browser saves as a file (``Content-Disposition: attachment``)."""
    disposition = response.headers.get("Content-Disposition", "")
    return disposition.strip().lower().startswith("attachment")


# --- where to go next -----------------------------------------------------------------------------


def safe_next(target: str | None, default: str = "main.dashboard") -> str:
    """A ``next`` address from a form or query string, if it stays on this site; else the
    ``default`` endpoint's URL. Only a path is accepted: no scheme, no host, and not ``//`` or
    ``/\\`` (browsers read both as "another host"), so a crafted link cannot send a user who just
    logged in (or cancelled an import) to someone else's page."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not any(c < " " for c in target):
            return target
    return url_for(default)


# --- CSRF tokens ----------------------------------------------------------------------------------
#
# Every page carries a CSRF token (the menu's sign-out form, the language switch), and Flask-WTF
# signs a new one for every request: an HMAC with a timestamp, about a tenth of what the
# cheapest page costs. A token signed for the same session less than ``CSRF_TOKEN_REUSE_SECONDS``
# ago is used again instead: exactly what a page rendered that much earlier carried, valid as
# long (``WTF_CSRF_TIME_LIMIT``) less those seconds at most, and bound to the same session's
# secret. Kept per process for at most ``_KEPT_TOKENS_MAX`` sessions. Flask-WTF reads the
# request's token from ``g`` (templates and forms alike), so setting it there is all it takes.

CSRF_TOKEN_REUSE_SECONDS = 60
_KEPT_TOKENS_MAX = 20_000
_kept_tokens: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()
_kept_tokens_lock = threading.Lock()


def _csrf_key(field: str) -> tuple[str, str] | None:
    raw = session.get(field)
    return (str(current_app.secret_key), raw) if isinstance(raw, str) else None


def reuse_csrf_token() -> None:
    """Before a request: the session's token signed a moment ago, if there is one."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    key = _csrf_key(field)
    if key is None:
        return
    with _kept_tokens_lock:
        kept = _kept_tokens.get(key)
    if kept is not None and time.monotonic() - kept[0] < CSRF_TOKEN_REUSE_SECONDS:
        setattr(g, field, kept[1])
        g.lms_csrf_kept = True


def keep_csrf_token(response: Response) -> Response:
    """After a request that signed a token: keep it for the session's next pages."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g and not g.get("lms_csrf_kept"):
        key = _csrf_key(field)
        if key is not None:
            with _kept_tokens_lock:
                _kept_tokens[key] = (time.monotonic(), g.get(field))
                while len(_kept_tokens) > _KEPT_TOKENS_MAX:
                    _kept_tokens.popitem(last=False)
    return response


# --- the session cookie ---------------------------------------------------------------------------
#
# Flask's signed-cookie session builds an itsdangerous serializer and checks the cookie's HMAC,
# base64 and timestamp on every request: a tenth of a cached catalogue page. A browser sends the
# same cookie until the session changes, so a cookie that verified once is kept per process with
# the moment it was signed; the next request with it only checks its age. A cookie not kept (new,
# forged, tampered) is verified in full, and the kept ones belong to the keys that verified them.

_KEPT_COOKIES_MAX = 20_000


class KeptCookieSessions(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` with verified cookies kept (see above)."""

    def __init__(self) -> None:
        self._keys: tuple[Any, ...] | None = None
        self._signer: URLSafeTimedSerializer | None = None
        self._verified: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys != self._keys:  # a key rotated (or a test's app): nothing kept is trusted
            with self._lock:
                self._signer = super().get_signing_serializer(app)
                self._verified = {}
                self._keys = keys
        return self._signer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        kept = self._verified.get(cookie)
        if kept is not None and 0 <= time.time() - kept[0] <= max_age:
            return self.session_class(self.serializer.loads(kept[1]))
        try:
            data, signed = signer.loads(cookie, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        verified = self._verified
        if len(verified) >= _KEPT_COOKIES_MAX:
            verified.clear()
        verified[cookie] = (signed.timestamp(), self.serializer.dumps(data))
        return self.session_class(data)
