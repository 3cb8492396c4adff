"""Upload checks for course images and attachments, and where their bytes are stored.

A file is judged by its content, never by its name or the browser's content type: images must
open and verify with Pillow and be one of a few raster formats (no SVG: it can carry script);
attachments must start with the magic bytes of an allowed format, and Office files must be
ZIP containers holding the part that makes them a document, sheet or presentation. A refused
upload raises ``FileRefused`` before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from lms.storage import get_storage

IMAGE_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 15 * 1024 * 1024  # the request as a whole is capped at MAX_CONTENT_LENGTH
IMAGE_MAX_PIXELS = 40_000_000

# Pillow format name → (extension, mimetype)
IMAGE_FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}

OFFICE_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class FileRefused(ValueError):
    """An upload that is not accepted; the message says why, for the person uploading."""


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed its checks, ready to be stored."""

    kind: str  # "image" | "attachment"
    filename: str
    extension: str
    mimetype: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def image_limit() -> int:
    return int(current_app.config.get("COURSE_IMAGE_MAX_BYTES", IMAGE_MAX_BYTES))


def attachment_limit() -> int:
    return int(current_app.config.get("COURSE_ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES))


def megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return (
        f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")
    )


#: Longest display name kept (the column's width); a longer one is shortened before its extension.
FILENAME_MAX = 200


def clean_filename(name: str | None, fallback: str) -> str:
    """A display name without directories or control characters (the stored key is random),
    at most FILENAME_MAX characters: a longer name loses the end of its stem, not its extension
    (the extension decides the file's type, and the learner downloads it under this name)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = re.sub(r"\s+", " ", name) or fallback
    if len(name) <= FILENAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return name[:FILENAME_MAX].rstrip(" .")
    return f"{stem[: FILENAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_image(filename: str | None, data: bytes) -> CheckedFile:
    name = clean_filename(filename, "gambar")
    if not data:
        raise FileRefused(_("Berkas %(f)s kosong.", f=name))
    if len(data) > image_limit():
        raise FileRefused(
            _(
                "Gambar %(f)s terlalu besar: paling besar %(n)s MB.",
                f=name,
                n=megabytes(image_limit()),
            )
        )
    refused = FileRefused(
        _(
            "Berkas %(f)s bukan gambar yang dapat dipakai. Unggah gambar PNG, JPEG, GIF, atau WebP.",
            f=name,
        )
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                probe.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused from None
    except Exception:
        raise refused from None
    if fmt not in IMAGE_FORMATS:
        raise refused
    if width * height > IMAGE_MAX_PIXELS:
        raise FileRefused(_("Gambar %(f)s terlalu besar ukuran pikselnya.", f=name))
    extension, mimetype = IMAGE_FORMATS[fmt]
    return CheckedFile("image", name, extension, mimetype, data)


def _office_kind(data: bytes) -> str:
    """'docx', 'xlsx', 'pptx' for Office documents, 'zip' for any other readable ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ""
    for kind, part in OFFICE_PARTS.items():
        if part in names and "[Content_Types].xml" in names:
            return kind
    return "zip"


def check_attachment(filename: str | None, data: bytes) -> CheckedFile:
    name = clean_filename(filename, "lampiran")
    if not data:
        raise FileRefused(_("Berkas %(f)s kosong.", f=name))
    if len(data) > attachment_limit():
        raise FileRefused(
            _(
                "Lampiran %(f)s terlalu besar: paling besar %(n)s MB.",
                f=name,
                n=megabytes(attachment_limit()),
            )
        )
    extension = _extension(name)
    refused = FileRefused(
        _(
            "Lampiran %(f)s tidak dapat diterima. Jenis yang diizinkan: PDF, DOCX, XLSX, PPTX, "
            "dan ZIP, dan isi berkas harus sesuai dengan jenisnya.",
            f=name,
        )
    )
    if extension not in ATTACHMENT_TYPES:
        raise refused
    if extension == "pdf":
        if not data.startswith(b"%PDF-"):
            raise refused
    else:
        if not data.startswith(ZIP_MAGIC):
            raise refused
        found = _office_kind(data)
        if not found or (extension != "zip" and found != extension):
            raise refused
    return CheckedFile("attachment", name, extension, ATTACHMENT_TYPES[extension], data)


def check_upload(kind: str, filename: str | None, data: bytes) -> CheckedFile:
    if kind == "image":
        return check_image(filename, data)
    if kind == "attachment":
        return check_attachment(filename, data)
    raise FileRefused(_("Pilih jenis berkas: gambar atau lampiran."))


def store(checked: CheckedFile, folder: str) -> tuple[str, str]:
    """Write the bytes under a random key; returns (key, sha256)."""
    storage = get_storage()
    key = storage.new_key(folder, f".{checked.extension}")
    digest = storage.save(key, checked.data)
    return key, digest


def read_limited(stream: object, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, so an oversized upload is noticed without reading it all."""
    return stream.read(limit + 1)  # type: ignore[attr-defined]
