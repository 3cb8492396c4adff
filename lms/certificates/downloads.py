"""A certificate's PDF as a response, and a cohort's PDFs as one streamed ZIP."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import Response, abort, current_app

from lms.certificates.models import Certificate
from lms.db import as_utc
from lms.extensions import db


def pdf_filename(certificate: Certificate) -> str:
    nip = re.sub(r"[^0-9A-Za-z]", "", str(certificate.fields.get("nip", ""))) or "sertifikat"
    number = re.sub(r"[^0-9A-Za-z._-]", "-", certificate.number.replace("/", "-"))
    return f"{nip}_{number}.pdf"


def pdf_bytes(certificate: Certificate) -> bytes:
    """The stored PDF (rendered and stored now if it is not yet); commits what rendering stored."""
    from lms.certificates import render

    before = (certificate.pdf_key, certificate.pdf_sha256)
    data = render.ensure_pdf(certificate)
    if (certificate.pdf_key, certificate.pdf_sha256) != before:
        db.session.commit()
    return data


def pdf_response(certificate: Certificate, inline: bool = False) -> Response:
    try:
        data = pdf_bytes(certificate)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("certificate %s: PDF unavailable", certificate.id)
        abort(503)
    disposition = "inline" if inline else "attachment"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{pdf_filename(certificate)}"'
    )
    response.headers["Cache-Control"] = "no-store"  # inline too: it carries personal data
    return response


class _ChunkWriter(io.RawIOBase):
    """A write-only, unseekable sink: zipfile writes into it, the generator drains it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def zip_stream(ids: list[int]) -> Iterator[bytes]:
    """Yield a ZIP of the certificates' PDFs, one PDF in memory at a time."""
    sink = _ChunkWriter()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate_id in ids:
            certificate = db.session.get(Certificate, certificate_id)
            if certificate is None:
                continue
            data = pdf_bytes(certificate)
            issued = as_utc(certificate.issued_at)
            moment = max(issued, datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]
            info = zipfile.ZipInfo(pdf_filename(certificate), date_time=moment)
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, data)
            db.session.expunge(certificate)
            del data
            yield sink.drain()
    yield sink.drain()
