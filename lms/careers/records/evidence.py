"""Evidence files of outside learning: PDF, PNG or JPEG, judged by content, at most 5 MB.

The name and the browser's content type say nothing: an executable renamed ``sertifikat.pdf`` is
refused because its bytes do not start like a PDF. Images must also open and verify with Pillow.
A refused file raises ``EvidenceRefused`` before anything is written.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from lms.storage import get_storage

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
FOLDER = "evidence"

# extension → (mimetype, magic bytes at the start)
TYPES = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
}
PILLOW_FORMATS = {"png": "PNG", "jpg": "JPEG"}


class EvidenceRefused(ValueError):
    """An evidence file that is not accepted; the message is for the person uploading."""


@dataclass(frozen=True)
class Evidence:
    filename: str  # a safe display name, with the extension of what the content is
    extension: str
    mimetype: str
    data: bytes


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES))


def _refused() -> EvidenceRefused:
    return EvidenceRefused(_("Berkas bukti bukan PDF/gambar yang sah (PDF, PNG, atau JPEG)."))


def sniff(data: bytes) -> str | None:
    """The extension the content is (pdf, png, jpg), or None."""
    for extension, (_mime, magic) in TYPES.items():
        if data.startswith(magic):
            return extension
    return None


def _safe_name(filename: str, extension: str) -> str:
    name = unicodedata.normalize("NFKD", filename or "").encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name.rsplit(".", 1)[0]).strip(".-")[:80]
    return f"{stem or 'bukti'}.{extension}"


def check(filename: str, data: bytes) -> Evidence:
    """Accept a PDF, PNG or JPEG by its bytes; raise ``EvidenceRefused`` otherwise."""
    limit = max_bytes()
    if len(data) > limit:
        raise EvidenceRefused(
            _("Berkas bukti terlalu besar; maksimal %(n)s MB.", n=f"{limit / 1024 / 1024:g}")
        )
    if not data:
        raise EvidenceRefused(_("Berkas bukti kosong."))
    extension = sniff(data)
    if extension is None:
        raise _refused()
    if extension == "pdf":
        # A real PDF ends with %%EOF (readers allow some trailing bytes).
        if b"%%EOF" not in data[-4096:]:
            raise _refused()
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    if image.format != PILLOW_FORMATS[extension]:
                        raise _refused()
                    image.verify()
        except EvidenceRefused:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning) as exc:
            raise _refused() from exc
    return Evidence(_safe_name(filename, extension), extension, TYPES[extension][0], data)


def read_upload(stream: BinaryIO) -> bytes:
    """Read at most one byte more than the limit (enough to know it is too big)."""
    return stream.read(max_bytes() + 1)


def store(evidence: Evidence) -> str:
    storage = get_storage()
    key = storage.new_key(FOLDER, f".{evidence.extension}")
    storage.save(key, evidence.data)
    return key


def mimetype_of(key: str) -> str:
    extension = key.rsplit(".", 1)[-1].lower()
    return TYPES.get(extension, ("application/octet-stream", b""))[0]
