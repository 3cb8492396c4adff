"""Certificate PDFs: rendered with WeasyPrint from the frozen printed fields, stored with their SHA-256.

- ``render_pdf(certificate)`` builds the PDF from ``certificate.fields`` (never a live join) plus the
  series' logo and signature images, with a QR code to ``{BASE_URL}/verify/{token}``.
- ``store_pdf(certificate)`` renders, saves to storage under ``certificates/<year>/<token>.pdf`` and
  records ``pdf_key``, ``pdf_sha256`` and ``rendered_at`` (``render_error`` on failure, re-raised).
- ``ensure_pdf(certificate)`` returns the stored bytes, rendering and storing them first if missing.

Security: WeasyPrint fetches every URL a document mentions (images, stylesheets, fonts, SVG
``<image>``). :class:`StaticOnlyFetcher` allows only ``data:`` URLs and regular files inside the
app's own ``lms/static/`` directory (resolved, so ``..`` and symlinks cannot escape); everything
else (``file:///etc/passwd``, ``http://``, ``https://``, ``ftp://`` …) raises, and WeasyPrint skips
the resource. The series images come from storage and are inlined as ``data:`` URLs, so an uploaded
SVG that points elsewhere is held by the same fetcher.

Time limit: the Celery task (``lms.certificates.tasks.render_certificate``) has a soft limit of
60 s and a hard limit of 90 s when a worker runs it. In-process (no broker; eager tasks run right
after the request) Celery enforces no limit; WeasyPrint offers no way to interrupt a render, and a
signal-based alarm works only in the main thread, not in a gunicorn worker thread. What bounds the
in-process render is its input: one fixed template, the frozen fields, no
network (the fetcher), fonts shipped with the app: a few tenths of a second per certificate (see
``bench/certificates.py``).

Deterministic output: the PDF's dates come from ``issued_at`` (``dcterms.created``), so the same
fields give byte-identical PDFs (tested; also checked across processes): a stored file that is lost can be
rendered again and still match the SHA-256 already shown on the verify page, as long as the
template, the shipped fonts and the WeasyPrint version are unchanged.

Thread-safety: one :class:`~weasyprint.text.fonts.FontConfiguration` (and the parsed stylesheet)
is shared by every render of a thread, which saves most of the per-render font work; each thread
gets its own because Fontconfig/Pango font maps are not meant to be shared between threads.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import os
import threading
from datetime import UTC
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import segno
from flask import current_app
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.certificates.models import Certificate, is_online_place
from lms.db import as_utc, utcnow
from lms.extensions import db
from lms.org.nip import format_nip
from lms.storage import get_storage

log = logging.getLogger(__name__)

# fontTools stamps every embedded font subset with the time it was made, unless the reproducible
# builds' SOURCE_DATE_EPOCH says otherwise: a fixed stamp keeps a certificate rendered again (a
# lost file) byte-identical to the stored one whose SHA-256 the verify page publishes.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z

STATIC_DIR = (Path(__file__).resolve().parents[1] / "static").resolve()
STYLESHEET = STATIC_DIR / "css" / "certificate.css"
DEFAULT_EMBLEM = "img/certificate-emblem.svg"  # relative to STATIC_DIR (the base URL)
TEMPLATE = "certificates/pdf.html"
TEXT_ID, SIGNATURES_ID = "sertifikat-teks", "sertifikat-ttd"  # element ids on page 1
GAP_PX = 6  # at least this much (CSS px, about 1.6 mm) between the text and the signatures
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class FetchRefused(PermissionError):
    """A URL the certificate renderer will not fetch (WeasyPrint logs it and skips the resource)."""


class StaticOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URLs and files under one directory (``lms/static/``); refuses the rest."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        super().__init__(timeout=2, allowed_protocols=("data",), allow_redirects=False)
        self.root = Path(root).resolve()

    def static_path(self, url: str) -> Path:
        """The file a ``file:`` URL names, if it is a regular file inside the root; else raise."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise FetchRefused(f"not a file URL: {url[:200]!r}")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"file URL with a host: {url[:200]!r}")
        raw = unquote(parts.path)
        pure = PurePosixPath(raw)
        if not pure.is_absolute() or ".." in pure.parts or "\x00" in raw:
            raise FetchRefused(f"file URL escapes the static directory: {url[:200]!r}")
        try:
            path = Path(raw).resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise FetchRefused(f"no such static file: {url[:200]!r}") from exc
        if self.root not in path.parents or not path.is_file():
            raise FetchRefused(f"outside the static directory: {url[:200]!r}")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)  # urllib's DataHandler: decoded in memory
        if scheme == "file":
            path = self.static_path(url)
            content_type = (
                IMAGE_TYPES.get(path.suffix.lower())
                or mimetypes.guess_type(path.name)[0]
                or "application/octet-stream"
            )
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
            )
        raise FetchRefused(f"scheme not allowed: {url[:200]!r}")


class _Renderer:
    """Per-thread WeasyPrint state: the font configuration and the parsed stylesheet."""

    def __init__(self) -> None:
        self.font_config = FontConfiguration()
        self.fetcher = StaticOnlyFetcher()
        self.stylesheet = CSS(
            string=STYLESHEET.read_text(encoding="utf-8"),
            base_url=STYLESHEET.as_uri(),
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )

    def render(self, html: str) -> Document:
        source = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=self.fetcher)
        return source.render(stylesheets=[self.stylesheet], font_config=self.font_config)


_local = threading.local()


def _renderer() -> _Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = _Renderer()
    return renderer


def html_to_pdf(html: str) -> bytes:
    """Any HTML through the certificate renderer (shared fonts, the strict fetcher)."""
    return _renderer().render(html).write_pdf()


# --- the document ------------------------------------------------------------------------------


def verify_url(certificate: Certificate) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/verify/{certificate.token}"


def qr_data_url(data: str) -> str:
    """A QR code (full-size QR, never Micro QR: phones cannot read those) as an SVG data URL."""
    return segno.make_qr(data, error="m").svg_data_uri(scale=4, border=0, dark="#111111")


def _image_data_url(key: str | None) -> str | None:
    """A stored image (series logo or signature) inlined as a data: URL; None if unusable."""
    if not key:
        return None
    content_type = IMAGE_TYPES.get(PurePosixPath(key).suffix.lower())
    if content_type is None:
        log.warning("certificate image %r: unsupported type, skipped", key)
        return None
    try:
        data = get_storage().read(key)
    except (OSError, ValueError):
        log.warning("certificate image %r: cannot be read, skipped", key, exc_info=True)
        return None
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def organised_by(fields: dict) -> str:
    """Who ran the training, for a partner's course: "oleh BKPSDM Kota Palembang bekerja sama
    dengan BPSDMD Provinsi Sumatera Selatan" (just "oleh <partner>" when the organiser is the
    partner itself); "" for the agency's own courses, which print no organiser phrase. An STTPP
    always names its organiser, and BKPSDM beside a partner that ran the cohort."""
    if fields.get("document") == "STTPP":
        organiser = (fields.get("organiser") or fields.get("issuer") or "").strip()
        beside = (fields.get("co_organiser") or "").strip()
        if beside and beside.casefold() != organiser.casefold():
            return f"oleh {organiser} bekerja sama dengan {beside}"
        return f"oleh {organiser}" if organiser else ""
    partner = (fields.get("partner") or "").strip()
    if not partner:
        return ""
    organiser = (fields.get("organiser") or fields.get("issuer") or "").strip()
    if not organiser or organiser.casefold() == partner.casefold():
        return f"oleh {partner}"
    return f"oleh {organiser} bekerja sama dengan {partner}"


def render_html(certificate: Certificate, dense: bool = False) -> str:
    """The certificate's HTML (from the frozen fields only, plus the series images).

    ``dense`` sets smaller type on page 1, for when the normal layout does not fit one page.
    """
    fields = dict(certificate.fields or {})
    series = certificate.series
    url = verify_url(certificate)
    issued = as_utc(certificate.issued_at or utcnow())
    template = current_app.jinja_env.get_template(TEMPLATE)
    return template.render(
        f=fields,
        nip=format_nip(fields.get("nip") or ""),
        signatory_nip=format_nip(fields.get("signatory_nip") or ""),
        online=is_online_place(fields.get("place")),
        organised_by=organised_by(fields),
        sttpp=fields.get("document") == "STTPP",
        logo=_image_data_url(series.logo_key if series else None) or DEFAULT_EMBLEM,
        signature=_image_data_url(series.signature_key if series else None),
        qr=qr_data_url(url),
        verify_url=url,
        dense=dense,
        created=issued.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def fits_page_one(document: Document) -> bool:
    """Whether page 1's text ends on page 1, above the signatures (placed at the page bottom)."""
    anchors = document.pages[0].anchors
    if TEXT_ID not in anchors or SIGNATURES_ID not in anchors:
        return False
    text_bottom = anchors[TEXT_ID][3]
    signatures_top = anchors[SIGNATURES_ID][1]
    return text_bottom + GAP_PX <= signatures_top


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes (A4 landscape; page 1 the certificate, then the subjects).

    If page 1's text does not fit above the signatures (a very long name, title or place), the
    page is laid out again in the dense style; only that rare case costs a second layout.
    """
    renderer = _renderer()
    document = renderer.render(render_html(certificate))
    if not fits_page_one(document):
        log.info("certificate %s: page 1 too long, rendering dense", certificate.number)
        document = renderer.render(render_html(certificate, dense=True))
    return document.write_pdf()


def pdf_key(certificate: Certificate) -> str:
    return f"certificates/{certificate.year}/{certificate.token}.pdf"


def store_pdf(certificate: Certificate) -> bytes:
    """Render, save and record the PDF (flushes, never commits); returns the bytes.

    On failure ``render_error`` is set on the row and the exception re-raised: the caller decides
    whether to commit that (the task does, in a fresh transaction).
    """
    try:
        data = render_pdf(certificate)
        key = pdf_key(certificate)
        digest = get_storage().save(key, data)
    except Exception as exc:
        certificate.render_error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    certificate.pdf_key = key
    certificate.pdf_sha256 = digest
    certificate.rendered_at = utcnow()
    certificate.render_error = ""
    db.session.flush()
    return data


def ensure_pdf(certificate: Certificate) -> bytes:
    """The stored PDF; rendered and stored now (flushed, not committed) when missing or altered.

    Bytes that no longer match the recorded SHA-256 are not served: the fields in the database
    are the authority, so the PDF is rendered again from them (and the mismatch logged).
    """
    if certificate.pdf_key:
        try:
            data = get_storage().read(certificate.pdf_key)
        except (OSError, ValueError):
            log.warning("certificate %s: stored PDF missing, rendering again", certificate.id)
        else:
            if hashlib.sha256(data).hexdigest() == certificate.pdf_sha256:
                return data
            log.error("certificate %s: stored PDF does not match its SHA-256", certificate.id)
    return store_pdf(certificate)
