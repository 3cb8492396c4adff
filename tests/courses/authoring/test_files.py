"""Upload checks for course images and attachments: judged by content, never by name alone."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from lms.courses.authoring import files
from tests.courses.access import png_bytes


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


def _image(fmt: str, size: tuple[int, int] = (20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt)
    return out.getvalue()


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "extension", "mimetype"),
    [
        ("PNG", "png", "image/png"),
        ("JPEG", "jpg", "image/jpeg"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_allowed_image_formats_pass_whatever_their_name(ctx, fmt, extension, mimetype) -> None:
    checked = files.check_image("foto tanpa ekstensi", _image(fmt))
    assert (checked.kind, checked.extension, checked.mimetype) == ("image", extension, mimetype)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"hanya teks biasa",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        png_bytes()[:40],  # truncated
        b"GIF89a<script>alert(1)</script>",
        None,  # a BMP: a real image, but not on the allow-list
    ],
)
def test_non_images_and_other_formats_are_refused(ctx, payload) -> None:
    data = _image("BMP") if payload is None else payload
    with pytest.raises(files.FileRefused) as info:
        files.check_image("gambar.png", data)
    assert "gambar.png" in str(info.value)


def test_images_over_the_size_limit_are_refused(ctx, monkeypatch) -> None:
    monkeypatch.setitem(ctx.config, "COURSE_IMAGE_MAX_BYTES", 100)
    with pytest.raises(files.FileRefused, match="terlalu besar"):
        files.check_image("besar.png", _image("PNG", (200, 200)))


def test_decompression_bombs_are_refused(ctx, monkeypatch) -> None:
    monkeypatch.setattr(files, "IMAGE_MAX_PIXELS", 100)
    with pytest.raises(files.FileRefused, match="ukuran piksel"):
        files.check_image("lebar.png", _image("PNG", (20, 10)))


def test_attachments_are_checked_by_magic_bytes_and_container(ctx) -> None:
    docx = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<d/>"})
    xlsx = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"})
    pptx = _zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})
    plain = _zip({"bacaan.txt": "isi"})
    assert files.check_attachment("Materi.PDF", b"%PDF-1.7\n...").mimetype == "application/pdf"
    assert files.check_attachment("a.docx", docx).extension == "docx"
    assert files.check_attachment("a.xlsx", xlsx).mimetype.endswith("spreadsheetml.sheet")
    assert files.check_attachment("a.pptx", pptx).mimetype.endswith("presentationml.presentation")
    assert files.check_attachment("arsip.zip", plain).mimetype == "application/zip"
    assert files.check_attachment("arsip.zip", docx).mimetype == "application/zip"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("materi.pdf", b"<html>bukan pdf</html>"),
        ("materi.docx", b"%PDF-1.4"),
        ("materi.docx", b"PK\x03\x04 rusak"),
        ("tabel.xlsx", "docx-as-xlsx"),
        ("arsip.zip", b"Rar!\x1a\x07"),
        ("program.exe", b"MZ\x90\x00"),
        ("tanpa-ekstensi", b"%PDF-1.4"),
        ("kosong.pdf", b""),
    ],
)
def test_wrong_or_disguised_attachments_are_refused(ctx, name, data) -> None:
    if data == "docx-as-xlsx":
        data = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<d/>"})
    with pytest.raises(files.FileRefused):
        files.check_attachment(name, data)


def test_attachment_size_limit(ctx, monkeypatch) -> None:
    monkeypatch.setitem(ctx.config, "COURSE_ATTACHMENT_MAX_BYTES", 10)
    with pytest.raises(files.FileRefused, match="paling besar"):
        files.check_attachment("besar.pdf", b"%PDF-1.4 lebih dari sepuluh byte")


def test_filenames_lose_paths_and_control_characters() -> None:
    assert files.clean_filename("C:\\Users\\dewi\\Materi Rapat.pdf", "x") == "Materi Rapat.pdf"
    assert files.clean_filename("../../etc/passwd", "x") == "passwd"
    assert files.clean_filename("a\x00b\nc.png", "x") == "abc.png"
    assert files.clean_filename("   ", "lampiran") == "lampiran"
    assert len(files.clean_filename("a" * 500 + ".pdf", "x")) == 200


def test_a_name_over_200_characters_is_shortened_before_its_extension(ctx) -> None:
    """Cut at 200 characters, the extension used to go: a real PDF was refused as an unknown
    type, and a name cut mid-extension ('….pd') was what the learner downloaded."""
    long = "Materi Pelatihan Kepemimpinan Pengawas " * 8 + "bagian akhir.pdf"  # 328 characters
    name = files.clean_filename(long, "lampiran")
    assert len(name) == 200 and name.endswith(".pdf")
    assert name.startswith("Materi Pelatihan Kepemimpinan Pengawas")
    checked = files.check_attachment(long, b"%PDF-1.7\n...")
    assert checked.extension == "pdf" and checked.filename == name
    docx = _zip({"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"})
    assert files.check_attachment("x" * 300 + ".DOCX", docx).filename == "x" * 195 + ".DOCX"
    # No extension, or a "dot" deep in a very long tail: cut plainly at 200.
    assert files.clean_filename("a" * 300, "f") == "a" * 200
    assert len(files.clean_filename("a." + "b" * 300, "f")) == 200
    assert files.clean_filename("pendek.pdf", "f") == "pendek.pdf"


def test_unknown_upload_kind_is_refused(ctx) -> None:
    with pytest.raises(files.FileRefused):
        files.check_upload("video", "a.mp4", b"....")


def test_megabytes_reads_well_in_indonesian() -> None:
    assert files.megabytes(5 * 1024 * 1024) == "5"
    assert files.megabytes(1536 * 1024) == "1,5"
    assert files.megabytes(15 * 1024 * 1024) == "15"
