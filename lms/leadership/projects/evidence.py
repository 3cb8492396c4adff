"""Evidence files of a logbook entry: judged by content with the codebase's upload checks
(``lms.courses.authoring.files``: images open and verify with Pillow, PDFs start like a PDF,
Office files are ZIPs holding their document part), then narrowed to an allow-list and a size
limit of their own, and stored under a random key (``lms.storage``).

Allowed: PDF, PNG, JPEG, DOCX, XLSX, PPTX; at most ``EVIDENCE_MAX_BYTES`` each (the app setting
outside learning's evidence uses too, 5 MB by default) and ``MAX_FILES`` per entry. A refused file
raises ``EvidenceRefused`` before anything is written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from lms.courses.authoring.files import (
    CheckedFile,
    FileRefused,
    check_attachment,
    check_image,
    clean_filename,
    megabytes,
    store,
)

FOLDER = "project-evidence"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
ALLOWED = ("pdf", "png", "jpg", "docx", "xlsx", "pptx")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


class EvidenceRefused(ValueError):
    """A file that is not accepted; the message names it, for the person uploading."""


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_upload(stream: BinaryIO) -> bytes:
    """At most one byte more than the limit: enough to know a file is too big."""
    return stream.read(max_bytes() + 1)


def check(filename: str | None, data: bytes) -> CheckedFile:
    name = clean_filename(filename, "bukti")
    if not data:
        raise EvidenceRefused(_("Berkas %(f)s kosong.", f=name))
    if len(data) > max_bytes():
        raise EvidenceRefused(
            _(
                "Berkas %(f)s terlalu besar: paling besar %(n)s MB.",
                f=name,
                n=megabytes(max_bytes()),
            )
        )
    refused = EvidenceRefused(
        _(
            "Berkas %(f)s tidak dapat diterima. Jenis yang diizinkan: PDF, PNG, JPEG, DOCX, "
            "XLSX, dan PPTX, dan isi berkas harus sesuai dengan jenisnya.",
            f=name,
        )
    )
    try:
        checked = (
            check_image(name, data)
            if data.startswith(IMAGE_MAGIC)
            else check_attachment(name, data)
        )
    except FileRefused:
        raise refused from None
    if checked.extension not in ALLOWED:
        raise refused
    stem, dot, extension = checked.filename.rpartition(".")
    if not dot or extension.lower() not in (checked.extension, "jpeg"):
        # The name says something else than the content: download it under what it is.
        return replace(checked, filename=f"{checked.filename}.{checked.extension}"[-200:])
    return checked


def check_all(uploads: list[tuple[str | None, bytes]], required: bool) -> list[CheckedFile]:
    """Every upload checked; the first refusal stops them all (nothing is stored)."""
    uploads = [(n, d) for n, d in uploads if n or d]
    if required and not uploads:
        raise EvidenceRefused(_("Lampirkan paling sedikit satu berkas bukti."))
    if len(uploads) > MAX_FILES:
        raise EvidenceRefused(_("Paling banyak %(n)s berkas bukti per catatan.", n=MAX_FILES))
    return [check(name, data) for name, data in uploads]


def save(checked: CheckedFile) -> tuple[str, str]:
    """Store the bytes; returns (storage key, sha256)."""
    return store(checked, FOLDER)
