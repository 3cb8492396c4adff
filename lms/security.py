"""Security headers on every response: a strict CSP without inline script, no framing, and no
cached copies of pages or downloaded files."""

from __future__ import annotations

from flask import Flask, Response

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
        if is_download(response):
            # Every download (reports, SIASN rows, certificates, evidence, employee lists) may
            # carry personal data: no browser, proxy or shared computer keeps a copy. One rule
            # here rather than a header at each of the views that send files.
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response


def is_download(response: Response) -> bool:
    """A response the browser saves as a file (``Content-Disposition: attachment``)."""
    disposition = response.headers.get("Content-Disposition", "")
    return disposition.strip().lower().startswith("attachment")
