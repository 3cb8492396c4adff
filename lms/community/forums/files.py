"""Attachments of forum posts: the course upload checks (``lms.courses.authoring.files``) with a
forum's own limits.

A file is judged by its content, never by its name or the browser's content type: an image must
open and verify as PNG, JPEG, GIF or WebP (never SVG); a document must start like a PDF or be the
Office container its extension names (DOCX, XLSX, PPTX). Archives are refused in a forum: a ZIP
hides what it carries from everyone who downloads it. At most ``MAX_FILES`` files a post, each at
most ``FORUM_ATTACHMENT_MAX_BYTES`` (5 MB by default). Every refusal names the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from lms.courses.authoring.files import (
    IMAGE_FORMATS,
    CheckedFile,
    FileRefused,
    check_attachment,
    check_image,
    clean_filename,
    megabytes,
    store,
)

__all__ = ["CheckedFile", "FileRefused", "check", "check_all", "limit", "store_for"]

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp"}
DOCUMENT_EXTENSIONS = {"pdf", "docx", "xlsx", "pptx"}
FOLDER = "forum"


def limit() -> int:
    return int(current_app.config.get("FORUM_ATTACHMENT_MAX_BYTES", MAX_BYTES))


def _refused(name: str) -> FileRefused:
    return FileRefused(
        _(
            "Lampiran %(f)s tidak dapat diterima. Jenis yang diizinkan: gambar PNG, JPEG, GIF, "
            "atau WebP, dan dokumen PDF, DOCX, XLSX, atau PPTX; isi berkas harus sesuai dengan "
            "jenisnya.",
            f=name,
        )
    )


def check(filename: str | None, data: bytes) -> CheckedFile:
    """Accept one file or raise ``FileRefused`` with a message that names it."""
    name = clean_filename(filename, "lampiran")
    if not data:
        raise FileRefused(_("Berkas %(f)s kosong.", f=name))
    if len(data) > limit():
        raise FileRefused(
            _(
                "Lampiran %(f)s terlalu besar: paling besar %(n)s MB.",
                f=name,
                n=megabytes(limit()),
            )
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in IMAGE_EXTENSIONS:
        checked = check_image(name, data)  # its own message: not an image, too many pixels
        # A JPEG named .png (or the other way round) is a disguise, not a typo to forgive.
        if IMAGE_FORMATS_BY_EXTENSION[extension] != checked.extension:
            raise _refused(name)
        return checked
    if extension in DOCUMENT_EXTENSIONS:
        try:
            return check_attachment(name, data)
        except FileRefused:  # its message offers ZIP, which a forum does not take
            raise _refused(name) from None
    raise _refused(name)


IMAGE_FORMATS_BY_EXTENSION = {
    "png": IMAGE_FORMATS["PNG"][0],
    "jpg": IMAGE_FORMATS["JPEG"][0],
    "jpeg": IMAGE_FORMATS["JPEG"][0],
    "gif": IMAGE_FORMATS["GIF"][0],
    "webp": IMAGE_FORMATS["WEBP"][0],
}


def check_all(uploads: Iterable[Any]) -> list[CheckedFile]:
    """The files of one form (werkzeug ``FileStorage`` objects; empty ones skipped), each read
    at most one byte past the limit, all checked before any is stored."""
    chosen = [u for u in uploads if u is not None and getattr(u, "filename", "")]
    if len(chosen) > MAX_FILES:
        raise FileRefused(_("Paling banyak %(n)s lampiran untuk satu tulisan.", n=MAX_FILES))
    return [check(u.filename, u.stream.read(limit() + 1)) for u in chosen]


def store_for(checked: CheckedFile) -> tuple[str, str]:
    """Write the bytes under a random key in the forum folder; returns (key, sha256)."""
    return store(checked, FOLDER)
