"""Error pages in the app's look, JSON errors for the API, and the base of every refusal a
service raises (``DomainError``) with the one way a view shows it (``flash_error``)."""

from __future__ import annotations

from flask import Flask, flash, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db
from lms.security import form_too_large


class DomainError(ValueError):
    """A refused action: the message is for the user, in their language; ``field`` names the
    form field it belongs to (None: the whole form). Each feature subclasses it (OrgError,
    EnrolmentError, ...) so a view can catch its own feature's refusals, and shared code
    (``flash_error``, the import flow) can handle any of them."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


def flash_error(exc: Exception, category: str = "error") -> None:
    """Undo what the refused service call flushed, then tell the user why.

    Services flush and never commit, so a refusal may leave half a change in the session; the
    view rolls it back before anything else touches the database, then flashes the message.
    """
    db.session.rollback()
    flash(str(exc), category)


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Permintaan tidak valid"),
            _("Permintaan tidak dapat diproses. Periksa isian Anda lalu coba lagi."),
        ),
        401: (_("Perlu masuk"), _("Silakan masuk terlebih dahulu.")),
        403: (_("Akses ditolak"), _("Anda tidak memiliki hak untuk membuka halaman ini.")),
        404: (
            _("Halaman tidak ditemukan"),
            _("Alamat yang Anda buka tidak ada atau sudah dipindahkan."),
        ),
        405: (_("Metode tidak diizinkan"), _("Halaman ini tidak menerima permintaan seperti itu.")),
        413: (
            _("Berkas terlalu besar"),
            _("Berkas yang diunggah melebihi batas ukuran yang diizinkan."),
        ),
        429: (
            _("Terlalu banyak percobaan"),
            _("Anda terlalu sering mencoba. Tunggu sebentar, lalu coba lagi."),
        ),
        500: (
            _("Terjadi kesalahan"),
            _(
                "Maaf, terjadi kesalahan pada sistem. Kesalahan ini sudah dicatat dan akan diperiksa tim kami."
            ),
        ),
        503: (
            _("Layanan tidak tersedia"),
            _("Layanan sedang tidak tersedia. Coba lagi beberapa saat lagi."),
        ),
    }


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:  # a JSON request gets a JSON answer
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, message: str, code: str | None = None):
    """A JSON error in the request's language (lms._select_locale: the session's choice, else the
    caller's Accept-Language, else Indonesian), saying which language it is."""
    body = {"error": {"code": code or _CODES.get(status, "error"), "message": message}}
    response = jsonify(body)
    response.headers["Content-Language"] = str(get_locale() or "id")
    response.vary.add("Accept-Language")
    return response, status


def _render(status: int, detail: str | None = None):
    title, message = _messages().get(status, (_("Terjadi kesalahan"), ""))
    if detail:
        message = detail
    if wants_json():
        return json_error(status, message)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            _(
                "Formulir kedaluwarsa atau tidak sah (token keamanan CSRF tidak valid). "
                "Muat ulang halaman lalu kirim kembali."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status not in _CODES:
            return error
        detail = None
        if status == 413 and request.mimetype != "multipart/form-data":
            error = form_too_large()  # a form or JSON body, not an upload: say so
        if status in (400, 404, 413) and error.description and getattr(error, "lms_message", False):
            detail = error.description
        response = _render(status, detail)
        if status == 429 and hasattr(error, "retry_after"):
            pass
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error", exc_info=error)
        db.session.rollback()
        return _render(500)

    app.register_error_handler(InternalServerError, lambda e: _render(500))
