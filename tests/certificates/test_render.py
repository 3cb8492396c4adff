"""Certificate PDFs: the printed text, the QR code, the pages, the stored SHA-256, and a URL fetcher
that fetches nothing but data: URLs and the app's own static files.

The text and QR checks need poppler-utils (pdftotext, pdftoppm) and zbar-tools (zbarimg). They are
skipped when those are missing, except when the environment variable CI is set (CI installs them,
so a missing binary there is a failure, not a silent skip).
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lms.certificates import render
from lms.certificates.models import Certificate, CertificateSeries
from lms.certificates.render import (
    STATIC_DIR,
    FetchRefused,
    StaticOnlyFetcher,
    ensure_pdf,
    html_to_pdf,
    render_pdf,
    store_pdf,
    verify_url,
)
from lms.certificates.services import current_certificate
from lms.extensions import db as _db
from lms.org.nip import format_nip
from lms.storage import get_storage
from lms.tasks import run_ready

SHOTS = Path(__file__).resolve().parents[1] / "_artifacts" / "screenshots"
TITLE = "Pelayanan Publik Prima bagi Aparatur Sipil Negara"
SIGNATORY_NIP = "197203151998032004"


def need(*binaries: str) -> None:
    missing = [b for b in binaries if shutil.which(b) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {', '.join(missing)} (poppler-utils, zbar-tools)")
        pytest.skip(f"{', '.join(missing)} not installed")


def squash(text: str) -> str:
    """Whitespace removed: letter-spacing makes pdftotext split words ("S E R T I F I K AT")."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    need("pdftotext")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_count(pdf: bytes, tmp_path: Path) -> int:
    need("pdfinfo")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def page_png(pdf: bytes, tmp_path: Path, page: int, name: str) -> Path:
    need("pdftoppm")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(path), str(prefix)],
        check=True,
        capture_output=True,
    )
    png = prefix.with_suffix(".png")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, SHOTS / name)
    return png


def build_completion(*, modules: int = 2, lessons_per_module: int = 2, jp: int = 20):
    """A published course of ``modules`` modules completed through the services; committed."""
    from lms.completion.services import complete_course
    from lms.courses import services as courses
    from tests.factories import build_world, make_course

    w = build_world()
    w.instansi.city = "Palembang"
    _db.session.add(
        CertificateSeries(
            code="STTP-BKPSDM",
            name="Surat Tanda Tamat Pelatihan",
            number_format="{seq:04d}/{prefix}/BKPSDM/{year}",
            prefix="STTP",
            is_default=True,
            issuer_name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            issuer_parent="Pemerintah Kota Palembang",
            place_of_issue="Palembang",
            signatory_name="Dr. Hj. Ratna Sari Dewi, S.H., M.Si.",
            signatory_position="Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            signatory_nip=SIGNATORY_NIP,
        )
    )
    employee = w.employees["pegawai"]
    employee.birth_place = "Palembang"
    course = make_course("PPP-01", title=TITLE, lessons=lessons_per_module, published=False)
    version = course.latest_version
    version.jp = Decimal(jp)
    for m in range(2, modules + 1):
        module = courses.add_module(version, f"Etika dan Standar Pelayanan {m}")
        for i in range(lessons_per_module):
            courses.save_lesson(module, None, f"Materi {m}.{i + 1}", "Isi.", 45)
    courses.publish(None, version)
    completion = complete_course(
        employee,
        course,
        completed_at=datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
        started_on=date(2026, 11, 3),
        score=Decimal("88.5"),
        source="online",
    )
    _db.session.commit()
    return employee, completion


@pytest.fixture
def issued(db):
    """(employee, certificate) after the completion's commit ran its render task in-process."""
    employee, completion = build_completion()
    assert run_ready() >= 1  # the render task queued by issue_for, run after the commit
    certificate = current_certificate(completion.id)
    assert certificate is not None
    return employee, certificate


def test_rendered_after_commit_and_stored_with_its_sha256(issued, monkeypatch) -> None:
    _, certificate = issued
    assert certificate.pdf_key == f"certificates/{certificate.year}/{certificate.token}.pdf"
    assert certificate.rendered_at is not None
    assert certificate.render_error == ""
    stored = get_storage().read(certificate.pdf_key)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    assert ensure_pdf(certificate) == stored  # served from storage, not rendered again
    # Deterministic: the same fields give the same bytes, so a lost file rendered again from
    # the database matches the SHA-256 already published on the verify page, also an hour later
    # (fontTools would stamp each embedded font with the current time).
    from types import SimpleNamespace

    from fontTools.misc import timeTools

    an_hour_later = time.time() + 3600
    monkeypatch.setattr(timeTools, "time", SimpleNamespace(time=lambda: an_hour_later))
    assert render_pdf(certificate) == stored


def test_pdf_prints_the_fields_and_its_qr_decodes_to_the_verify_url(issued, tmp_path) -> None:
    employee, certificate = issued
    pdf = get_storage().read(certificate.pdf_key)
    assert page_count(pdf, tmp_path) == 2  # the certificate, then the list of subjects

    text = squash(pdf_text(pdf, tmp_path))
    fields = certificate.fields
    for expected in (
        "SERTIFIKAT",
        "SURATTANDATAMATPELATIHAN",
        certificate.number,
        employee.display_name,
        format_nip(employee.nip),
        TITLE,
        "20(duapuluh)jampelajaran",
        fields["qualification"],
        fields["birth"],
        fields["pangkat_golongan"],
        "Palembang, " + fields["issue_date"],
        "Dr. Hj. Ratna Sari Dewi",
        "NIP. " + format_nip(SIGNATORY_NIP),
        "DAFTARMATAPELATIHAN",
        "Modul1",
        "EtikadanStandarPelayanan2",  # numbered by the table, not in the title
        verify_url(certificate),
    ):
        assert squash(expected) in text, expected
    assert format_nip(employee.nip) != employee.nip  # printed with spaces

    page1 = page_png(pdf, tmp_path, 1, "certificate-page1.png")
    page_png(pdf, tmp_path, 2, "certificate-page2.png")
    need("zbarimg")
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(page1)], capture_output=True, text=True
    ).stdout.split()
    assert decoded == [f"http://127.0.0.1:5000/verify/{certificate.token}"]


def test_pdf_reads_only_the_frozen_fields(issued, tmp_path) -> None:
    """A later change of the employee or the course does not reach a re-render."""
    employee, certificate = issued
    employee.full_name = "Nama Sesudah Terbit"
    certificate.completion.title = "Judul Sesudah Terbit"
    _db.session.flush()
    text = squash(pdf_text(render_pdf(certificate), tmp_path))
    assert squash(certificate.fields["name"]) in text
    assert "NamaSesudahTerbit" not in text
    assert "JudulSesudahTerbit" not in text


def test_series_logo_and_signature_come_from_storage(issued, tmp_path) -> None:
    _, certificate = issued
    storage = get_storage()
    red = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#ff0000"/></svg>'
    )
    storage.save("series/logo.svg", red.encode())
    storage.save("series/ttd.svg", red.replace("#ff0000", "#0000ff").encode())
    certificate.series.logo_key = "series/logo.svg"
    certificate.series.signature_key = "series/ttd.svg"
    html = render.render_html(certificate)
    assert "data:image/svg+xml;base64," in html
    assert render.DEFAULT_EMBLEM not in html
    png = page_png(render_pdf(certificate), tmp_path, 1, "certificate-page1-custom-logo.png")
    from PIL import Image  # Pillow comes with WeasyPrint

    colours = {c for _, c in Image.open(png).convert("RGB").getcolors(1_000_000)}
    assert (255, 0, 0) in colours and (0, 0, 255) in colours

    certificate.series.logo_key = "series/missing.png"  # unreadable: the default emblem instead
    certificate.series.signature_key = None
    html = render.render_html(certificate)
    assert render.DEFAULT_EMBLEM in html
    assert 'class="signature"' not in html


def test_long_subject_lists_run_on_over_framed_numbered_pages(db, tmp_path) -> None:
    _, completion = build_completion(modules=28, lessons_per_module=1, jp=60)
    certificate = current_certificate(completion.id)
    assert len(certificate.fields["subjects"]) == 28
    pdf = render_pdf(certificate)
    pages = page_count(pdf, tmp_path)
    assert pages >= 3
    text = squash(pdf_text(pdf, tmp_path))
    assert f"Halaman{pages}dari{pages}" in text
    for n in range(2, 29):  # every subject printed, none cut off at a page end
        assert squash(f"Etika dan Standar Pelayanan {n}") in text
    assert "60(enampuluh)jampelajaran" in text
    page_png(pdf, tmp_path, 3, "certificate-page3-subjects-continued.png")


def test_long_fields_still_fit_page_one(issued, tmp_path) -> None:
    """A very long name, title and place: page 1 is laid out again densely, never split."""
    _, certificate = issued
    certificate.fields = {
        **certificate.fields,
        "name": "Prof. Dr. Ir. Raden Muhammad Abdurrahman Wahyudiningrat, S.T., M.Eng., M.Sc.",
        "title": "Pelatihan Kepemimpinan Administrator (PKA) bagi Pejabat Administrator di "
        "Lingkungan Pemerintah Kota Palembang Tahun Anggaran 2026",
        "cohort": "Angkatan XII",
        "place": "Gedung Diklat BKPSDM Kota Palembang, Jalan Merdeka Nomor 1, Palembang",
        "jabatan": "Kepala Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian",
        "unit": "Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian",
        "opd": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    }
    assert 'class="cert cert-dense"' in render.render_html(certificate, dense=True)
    assert not render.fits_page_one(render._renderer().render(render.render_html(certificate)))
    pdf = render_pdf(certificate)
    assert page_count(pdf, tmp_path) == 2
    need("pdftotext")
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    page1 = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, text=True
    ).stdout
    for expected in ("Wahyudiningrat", "Tahun Anggaran 2026", "Dr. Hj. Ratna Sari Dewi"):
        assert squash(expected) in squash(page1), expected
    page_png(pdf, tmp_path, 1, "certificate-page1-long-fields.png")


def test_store_records_the_error_and_reraises(issued, monkeypatch) -> None:
    _, certificate = issued

    def broken(_certificate: Certificate) -> bytes:
        raise RuntimeError("font subsetting failed")

    monkeypatch.setattr(render, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        store_pdf(certificate)
    assert certificate.render_error == "RuntimeError: font subsetting failed"


def test_task_commits_the_render_error(issued, monkeypatch) -> None:
    from lms.certificates.tasks import render_certificate

    _, certificate = issued
    certificate.pdf_key = None
    _db.session.commit()
    monkeypatch.setattr(render, "render_pdf", lambda c: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        render_certificate.apply(args=(certificate.id,), throw=True)
    _db.session.expire_all()
    row = _db.session.get(Certificate, certificate.id)
    assert row.render_error == "OSError: disk"
    assert row.pdf_key is None


def test_ensure_pdf_renders_when_missing_or_altered(issued) -> None:
    _, certificate = issued
    storage = get_storage()
    storage.delete(certificate.pdf_key)
    data = ensure_pdf(certificate)
    assert data.startswith(b"%PDF-") and storage.read(certificate.pdf_key) == data
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256

    storage.save(certificate.pdf_key, b"%PDF-1.7 forged")
    again = ensure_pdf(certificate)
    assert again != b"%PDF-1.7 forged"
    assert hashlib.sha256(storage.read(certificate.pdf_key)).hexdigest() == (certificate.pdf_sha256)


# --- the URL fetcher ----------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_recorder():
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    server.shutdown()
    server.server_close()


def test_hostile_document_fetches_nothing(http_recorder, tmp_path, app) -> None:
    base, requests = http_recorder
    secret = tmp_path / "secret.txt"
    secret.write_text("RAHASIA-TIDAK-BOLEH-BOCOR")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><image href="{base}/from-svg.png" width="10" height="10"/>'
        f'<image xlink:href="file://{secret}" width="10" height="10"/></svg>'
    )
    import base64

    svg_url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="file://{secret}">
      <style>
        @import url("{base}/import.css");
        @font-face {{ font-family: X; src: url("{base}/font.ttf"); }}
        body {{ background: url("{base}/bg.png"); font-family: X; }}
        p.a::after {{ content: url("{base}/after.png"); }}
      </style></head><body>
      <p class="a">Dokumen uji.</p>
      <img src="file:///etc/passwd"><img src="{base}/x.png"><img src="https://127.0.0.1:1/y.png">
      <img src="file://{secret}"><img src="img/../../../../../../etc/passwd">
      <img src="ftp://127.0.0.1/z.png"><img src="{svg_url}">
      <object data="file:///etc/passwd"></object><embed src="{base}/embed.png">
      <iframe src="file://{secret}"></iframe>
      <a href="{base}/link">a link is not fetched either</a>
    </body></html>"""
    with app.app_context():
        pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert requests == []
    assert b"RAHASIA" not in pdf
    need("pdftotext")
    text = pdf_text(pdf, tmp_path)
    assert "RAHASIA" not in text and "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/" + str(STATIC_DIR / "img/certificate-emblem.svg"),
        (STATIC_DIR / "img").as_uri() + "/../../../../etc/passwd",
        (STATIC_DIR / "img").as_uri() + "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        STATIC_DIR.as_uri() + "/fonts",  # a directory
        STATIC_DIR.as_uri() + "/nope.png",
        STATIC_DIR.parent.as_uri() + "/storage.py",  # next to static, not inside
        "http://127.0.0.1/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "javascript:alert(1)",
        "relative/path.png",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_refuses_a_symlink_out_of_static(tmp_path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (root / "leak.txt").symlink_to("/etc/passwd")
    (root / "ok.txt").write_text("ok")
    fetcher = StaticOnlyFetcher(root)
    with pytest.raises(FetchRefused):
        fetcher.fetch((root / "leak.txt").as_uri())
    assert fetcher.fetch((root / "ok.txt").as_uri()).read() == b"ok"


def test_fetcher_allows_static_files_and_data_urls() -> None:
    fetcher = StaticOnlyFetcher()
    font = fetcher.fetch((STATIC_DIR / "fonts/NotoSerif-Regular.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"
    emblem = fetcher.fetch((STATIC_DIR / "img/certificate-emblem.svg").as_uri())
    assert emblem.content_type == "image/svg+xml"
    assert fetcher.fetch("data:text/plain;base64,aGFsbw==").read() == b"halo"
