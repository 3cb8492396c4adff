"""Forum input treated as hostile: script, event handlers, ``javascript:`` and ``data:`` URLs, huge
posts, and attachments of the wrong type or in disguise are neutralised or refused with a clear
Indonesian message that names the field or the file; nothing of a refused post is kept."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.community import services
from lms.community.forums import files
from lms.community.models import POST_MAX_CHARS, Community, ForumAttachment, ForumPost
from lms.courses.rendering import render_markdown
from lms.extensions import db
from tests.community.builders import PDF, make_community, user
from tests.community.conftest import signed_in

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)></svg>",
    '<iframe src="https://jahat.example"></iframe>',
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](  javascript:alert(1))",
    "[klik](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![gambar](data:image/png;base64,iVBORw0KGgo=)",
    "![gambar](javascript:alert(1))",
    '[klik](https://contoh.go.id "judul" onmouseover="alert(1)")',
    '<div style="background:url(javascript:alert(1))">x</div>',
]


def _png(size: tuple[int, int] = (4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from a piece of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k.lower(): (v or "") for k, v in attrs}))


def dangers(html: str) -> list[str]:
    """What in ``html`` could run script or load something: tags, handlers, URLs, styles."""
    parser = _Elements()
    parser.feed(html)
    out = []
    for tag, attrs in parser.found:
        if tag in ("script", "iframe", "svg", "object", "embed", "style", "form", "base"):
            out.append(tag)
        for name, value in attrs.items():
            url = "".join(value.split()).lower()
            if name.startswith("on") or name == "style":
                out.append(f"{tag}[{name}]")
            if name in ("href", "src") and url.startswith(("javascript:", "data:", "vbscript:")):
                out.append(f"{tag}[{name}={value}]")
    return out


@pytest.mark.parametrize("source", HOSTILE)
def test_markdown_is_neutralised_on_write(source: str) -> None:
    assert dangers(render_markdown(source)) == []


def test_hostile_posts_reach_the_page_as_text(app, world, built, no_csrf) -> None:
    client = signed_in(app, "pegawai")
    body = "\n\n".join(HOSTILE)
    response = client.post(
        f"/diskusi/forum/{built.forum_id}/topik-baru",
        data={"title": '<script>alert("judul")</script>', "body": body},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert '<script>alert("judul")</script>' not in page
    assert "&lt;script&gt;alert(&#34;judul&#34;)&lt;/script&gt;" in page
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    post = re.search(r'<div class="prose">(.*?)</div>', page, re.S).group(1)
    assert dangers(post) == [] and "&lt;iframe" in post
    # The page's own scripts are the app's, never the post's.
    assert "alert(" not in "".join(re.findall(r"<script[^>]*>(.*?)</script>", page, re.S))
    # The forum list and the dashboard escape the title too.
    assert '<script>alert("judul")' not in client.get(f"/diskusi/forum/{built.forum_id}").text
    assert '<script>alert("judul")' not in client.get("/dasbor").text


def test_a_plain_link_keeps_working_and_opens_no_window_to_the_opener() -> None:
    html = render_markdown("[Maklumat](https://jdih.palembang.go.id/maklumat)")
    assert 'href="https://jdih.palembang.go.id/maklumat"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_the_community_description_is_sanitised_too(app, world) -> None:
    with app.app_context():
        community = make_community(user("pengajar"))
        services.update_community(
            user("pengajar"),
            community,
            {"name": community.name, "description": "<script>x()</script> [a](javascript:x())"},
        )
        db.session.commit()
        html = db.session.scalar(select(Community.description_html))
    assert dangers(html) == [] and "&lt;script&gt;" in html


def test_a_huge_post_is_refused_with_its_length(app, world, built, no_csrf) -> None:
    client = signed_in(app, "pegawai")
    response = client.post(
        f"/diskusi/topik/{built.thread_id}/balas", data={"body": "a" * (POST_MAX_CHARS + 1)}
    )
    assert response.status_code == 200
    assert (
        "Isi tulisan terlalu panjang: 20.001 karakter, paling banyak 20.000 karakter."
        in response.text
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(ForumPost.id))) == 2
    ok = client.post(f"/diskusi/topik/{built.thread_id}/balas", data={"body": "a" * POST_MAX_CHARS})
    assert ok.status_code == 302


def test_a_body_past_the_form_limit_is_a_readable_refusal(app, world, built, no_csrf) -> None:
    response = signed_in(app, "pegawai").post(
        f"/diskusi/topik/{built.thread_id}/balas",
        data={"body": "a" * 1_200_000},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.text


def test_the_database_refuses_a_too_long_post_as_a_last_wall(app, world, built) -> None:
    with app.app_context():
        db.session.add(
            ForumPost(
                thread_id=built.thread_id,
                number=99,
                author_id=user("pegawai").id,
                body="a" * (POST_MAX_CHARS + 1),
                body_html="",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


REFUSED = [
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 64, "Lampiran program.exe tidak dapat diterima"),
    ("laporan.pdf", b"MZ\x90\x00" + b"\x00" * 64, "Lampiran laporan.pdf tidak dapat diterima"),
    ("halaman.html", b"<html><script>alert(1)</script></html>", "Lampiran halaman.html tidak"),
    ("gambar.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "gambar.svg"),
    ("foto.png", None, "Lampiran foto.png tidak dapat diterima"),  # a JPEG named .png
    ("foto.jpg", b"<script>alert(1)</script>", "Berkas foto.jpg bukan gambar"),
    ("arsip.zip", None, "Lampiran arsip.zip tidak dapat diterima"),
    ("dokumen.docx", None, "Lampiran dokumen.docx tidak dapat diterima"),  # a ZIP, no document
    ("kosong.pdf", b"", "Berkas kosong.pdf kosong."),
    ("tanpa-ekstensi", PDF, "Lampiran tanpa-ekstensi tidak dapat diterima"),
    ("foto.png.exe", b"\x89PNG\r\n\x1a\n", "Lampiran foto.png.exe tidak dapat diterima"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_wrong_or_disguised_files_are_refused_by_name(
    app, world, built, no_csrf, name, data, message
) -> None:
    if data is None:
        data = (
            _jpeg()
            if name.endswith(".png")
            else _zip({"isi.txt": b"x"})
            if name.endswith((".zip", ".docx"))
            else b""
        )
    response = signed_in(app, "pegawai").post(
        f"/diskusi/topik/{built.thread_id}/balas",
        data={"body": "Lampiran saya.", "files": [(io.BytesIO(data), name)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(ForumPost.id))) == 2  # nothing written
        assert db.session.scalar(select(func.count(ForumAttachment.id))) == 1


def test_an_oversized_file_names_the_limit(app, world, built, no_csrf, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "FORUM_ATTACHMENT_MAX_BYTES", 1024 * 1024)
    response = signed_in(app, "pegawai").post(
        f"/diskusi/topik/{built.thread_id}/balas",
        data={"body": "Besar.", "files": [(io.BytesIO(PDF + b"0" * 1024 * 1024), "besar.pdf")]},
        content_type="multipart/form-data",
    )
    assert "Lampiran besar.pdf terlalu besar: paling besar 1 MB." in response.text


def test_at_most_three_files(app, world, built, no_csrf) -> None:
    response = signed_in(app, "pegawai").post(
        f"/diskusi/topik/{built.thread_id}/balas",
        data={
            "body": "Banyak.",
            "files": [(io.BytesIO(PDF), f"f{i}.pdf") for i in range(4)],
        },
        content_type="multipart/form-data",
    )
    assert "Paling banyak 3 lampiran untuk satu tulisan." in response.text


def test_good_files_are_kept_and_served_safely(app, world, built, no_csrf) -> None:
    client = signed_in(app, "pegawai")
    response = client.post(
        f"/diskusi/topik/{built.thread_id}/balas",
        data={
            "body": "Foto loket dan panduan.",
            "files": [(io.BytesIO(_png()), "../../loket.png"), (io.BytesIO(PDF), "panduan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(ForumAttachment).order_by(ForumAttachment.id.desc()).limit(2)
        ).all()
        image = next(r for r in rows if r.kind == "image")
        assert image.filename == "loket.png" and image.mimetype == "image/png"
        assert image.storage_key.startswith("forum/") and ".." not in image.storage_key
        assert Path(app.config["FILES_DIR"], image.storage_key).exists()
    served = client.get(f"/diskusi/lampiran/{image.id}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "attachment" not in served.headers.get("Content-Disposition", "")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    page = client.get(f"/diskusi/topik/{built.thread_id}").text
    assert f'src="/diskusi/lampiran/{image.id}"' in page and "Gambar lampiran: loket.png" in page


def test_the_checker_alone(app) -> None:
    with app.test_request_context():
        assert files.check("foto.jpeg", _jpeg()).mimetype == "image/jpeg"
        assert files.check("Dokumen.PDF", PDF).mimetype == "application/pdf"
        with pytest.raises(files.FileRefused, match="foto.gif"):
            files.check("foto.gif", _png())
