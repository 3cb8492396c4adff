"""Security headers on every response (a strict CSP without inline script, no framing) and the
bounds every request body is read within."""

from __future__ import annotations

from typing import IO, Any
from urllib.parse import parse_qsl

from flask import Flask, Request, Response, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
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


def register_security(app: Flask) -> None:
    app.request_class = BoundedRequest

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
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
        mimetype: str,  # noqa: ARG002
        content_length: int | None,
        options: dict[str, str],  # noqa: ARG002
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


class BoundedRequest(Request):
    """Flask's request with the body limits above."""

    form_data_parser_class = _BoundedFormParser

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self._max_content_length is not None or self.mimetype == "multipart/form-data":
            return limit
        small = int(current_app.config.get("BODY_MAX_BYTES") or BODY_MAX_BYTES)
        return small if limit is None else min(limit, small)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
