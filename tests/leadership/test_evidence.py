"""Evidence files are judged by content with the codebase's upload checks, then an allow-list
(PDF, PNG, JPEG, DOCX, XLSX, PPTX) and the size limit; every refusal names the file."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from lms.leadership.projects import evidence
from tests.leadership.builders import PDF, png_bytes


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.mark.parametrize(
    ("name", "data", "extension", "shown_as"),
    [
        ("laporan.pdf", PDF, "pdf", "laporan.pdf"),
        ("foto.png", png_bytes(), "png", "foto.png"),
        ("foto.pdf", png_bytes(), "png", "foto.pdf.png"),  # named after what it is
        ("notulen.docx", DOCX, "docx", "notulen.docx"),
    ],
)
def test_accepted(app, name, data, extension, shown_as) -> None:
    with app.app_context():
        checked = evidence.check(name, data)
    assert (checked.extension, checked.filename) == (extension, shown_as)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("kosong.pdf", b"", "Berkas kosong.pdf kosong."),
        ("program.pdf", b"MZ\\x90\\x00", "Berkas program.pdf tidak dapat diterima"),
        ("arsip.zip", _zip({"a.txt": b"a"}), "Berkas arsip.zip tidak dapat diterima"),
        ("animasi.gif", _gif(), "Berkas animasi.gif tidak dapat diterima"),
        ("catatan.txt", b"teks biasa", "Berkas catatan.txt tidak dapat diterima"),
    ],
)
def test_refused(app, name, data, message) -> None:
    with app.app_context(), pytest.raises(evidence.EvidenceRefused, match=message):
        evidence.check(name, data)


def test_size_limit_and_count(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024)
    with app.app_context():
        with pytest.raises(evidence.EvidenceRefused, match="terlalu besar: paling besar"):
            evidence.check("besar.pdf", PDF + b" " * 2048)
        with pytest.raises(evidence.EvidenceRefused, match="Paling banyak 3 berkas"):
            evidence.check_all([(f"{i}.pdf", PDF) for i in range(4)], required=True)
        with pytest.raises(evidence.EvidenceRefused, match="paling sedikit satu"):
            evidence.check_all([], required=True)
        assert evidence.check_all([], required=False) == []
