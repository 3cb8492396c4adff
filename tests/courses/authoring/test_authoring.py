"""Authoring through the HTTP client: create, edit, reorder, upload, submit, review, publish."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses import services
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.courses.models import Course, CourseFile, CourseVersion, Lesson, Module
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.learning import services as learning
from lms.permissions import Role
from tests.conftest import csrf_token, login
from tests.courses.access import png_bytes
from tests.factories import make_course, make_user
from tests.test_query_counts import count_queries

CONFIRM = {"confirm": "1"}  # a destructive button's second step (lms.forms.ask)
NEW_COURSE = {
    "code": "ti-210",
    "category": "Teknologi Informasi",
    "title": "Keamanan Informasi untuk ASN",
    "summary": "Dasar menjaga data pegawai dan warga.",
    "objectives": "Mengenali phishing\nMembuat kata sandi yang kuat\n\n",
    "competency_kind": "teknis",
    "jenis_diklat_code": "16",
    "jp": "2,5",
    "delivery_mode": "e-learning",
    "organiser": "BKPSDM Kota Palembang",
    "tags": "keamanan, Data",
}


def _files_on_disk(app) -> set[Path]:
    root = Path(app.config["FILES_DIR"])
    return {p for p in root.rglob("*") if p.is_file()}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _flashes(response) -> list[str]:
    return [
        m.decode()
        for m in re.findall(rb'class="(?:flash[^"]*|field-error)"[^>]*>([^<]*)', response.data)
    ]


@pytest.fixture
def draft_course(app, world) -> dict:
    """A draft course taught by `pengajar`: one module with two lessons."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course(
            "TULIS-101", title="Menulis Surat Dinas", lessons=2, published=False, trainer=trainer
        )
        version = course.latest_version
        ids = {
            "course": course.id,
            "version": version.id,
            "module": version.modules[0].id,
            "lessons": [lesson.id for lesson in version.modules[0].lessons],
        }
        db.session.commit()
        db.session.remove()
    return ids


@pytest.fixture
def trainer(client, world):
    login(client, "pengajar")
    return client


# --- create ----------------------------------------------------------------------------------


def test_trainer_creates_a_course_with_a_cover(app, world, trainer, no_csrf) -> None:
    data = dict(NEW_COURSE, cover=(io.BytesIO(png_bytes()), "sampul kelas.png"))
    response = trainer.post("/kelola/pelatihan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, _flashes(response)
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "TI-210"))
        version = course.latest_version
        assert (version.status, version.number, version.title) == (
            "draft",
            1,
            "Keamanan Informasi untuk ASN",
        )
        assert version.objectives == ["Mengenali phishing", "Membuat kata sandi yang kuat"]
        assert str(version.jp) == "2.50"
        assert version.jenis_diklat_code == 16
        assert version.tags == ["keamanan", "data"]
        assert [t.user_id for t in course.trainers] == [world.users["pengajar"].id]
        cover = db.session.scalar(
            select(CourseFile).where(CourseFile.storage_key == version.cover_key)
        )
        assert (cover.kind, cover.mimetype, cover.filename) == (
            "image",
            "image/png",
            "sampul kelas.png",
        )
        course_id = course.id
    assert response.headers["Location"].endswith(f"/kelola/pelatihan/{course_id}")
    page = trainer.get(f"/kelola/pelatihan/{course_id}")
    assert "Keamanan Informasi untuk ASN" in page.get_data(as_text=True)
    image = trainer.get(f"/berkas/sampul/{course_id}?versi=1")
    assert image.status_code == 200 and image.mimetype == "image/png"
    listing = trainer.get("/kelola/pelatihan").get_data(as_text=True)
    assert "TI-210" in listing and "Pelatihan saya" in listing
    dashboard = trainer.get("/dasbor").get_data(as_text=True)
    assert "Keamanan Informasi untuk ASN" in dashboard and "Draf" in dashboard


BAD_CODE = (
    "Kode pelatihan hanya boleh memuat huruf A-Z, angka 0-9, titik (.), garis bawah (_) dan "
    "tanda hubung (-), diawali huruf atau angka."
)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "Judul pelatihan wajib diisi."),
        ("jp", "0", "JP harus lebih dari 0 dan paling banyak 2000."),
        ("jp", "dua", "JP harus berupa angka."),
        ("code", "", "Kode pelatihan wajib diisi."),
        ("code", "TI 201", BAD_CODE),
        ("code", "TI/201", BAD_CODE),
        ("code", "<b>TI</b>", BAD_CODE),
        ("code", "-TI", BAD_CODE),
        ("code", "PELATIHAN-É", BAD_CODE),
    ],
)
def test_create_refuses_bad_input(app, world, trainer, no_csrf, field, value, message) -> None:
    response = trainer.post("/kelola/pelatihan/baru", data=dict(NEW_COURSE, **{field: value}))
    assert response.status_code == 200
    assert message in _flashes(response)
    assert _count(app, Course) == 0


def test_create_refuses_a_duplicate_code(app, world, trainer, no_csrf, draft_course) -> None:
    response = trainer.post("/kelola/pelatihan/baru", data=dict(NEW_COURSE, code="tulis-101"))
    assert response.status_code == 200
    assert "Kode pelatihan TULIS-101 sudah dipakai." in _flashes(response)
    assert _count(app, Course) == 1


def test_a_text_file_as_cover_is_refused_and_nothing_is_written(
    app, world, trainer, no_csrf
) -> None:
    before = _files_on_disk(app)
    data = dict(NEW_COURSE, cover=(io.BytesIO(b"ini bukan gambar"), "sampul.png"))
    response = trainer.post("/kelola/pelatihan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert any("bukan gambar" in m for m in _flashes(response))
    assert _count(app, Course) == 0 and _count(app, CourseFile) == 0
    assert _files_on_disk(app) == before


def test_forms_need_the_csrf_token(app, world, trainer) -> None:
    response = trainer.post("/kelola/pelatihan/baru", data=NEW_COURSE)
    assert response.status_code == 400
    token = csrf_token(trainer, "/kelola/pelatihan/baru")
    response = trainer.post("/kelola/pelatihan/baru", data=dict(NEW_COURSE, csrf_token=token))
    assert response.status_code == 302


# --- modules, lessons, reorder ---------------------------------------------------------------


def test_modules_and_lessons_are_added_renamed_reordered_and_deleted(
    app, trainer, no_csrf, draft_course
) -> None:
    cid, mid = draft_course["course"], draft_course["module"]
    first, second = draft_course["lessons"]
    assert (
        trainer.post(f"/kelola/pelatihan/{cid}/modul", data={"baru-title": "Modul 2"}).status_code
        == 302
    )
    empty = trainer.post(f"/kelola/pelatihan/{cid}/modul", data={"baru-title": " "})
    assert "Judul modul wajib diisi." in _flashes(empty)
    with app.app_context():
        m2 = db.session.scalar(select(Module).where(Module.title == "Modul 2"))
        m2_id = m2.id
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/modul/{m2_id}/pelajaran/baru",
        data={
            "title": "Penutup",
            "minutes": "10",
            "body_md": "## Rangkuman\n\nSelesai.",
            "action": "save",
        },
    )
    assert response.status_code == 302
    # Lesson 2 up, module 2 up, rename module 1, delete lesson 1.
    assert (
        trainer.post(
            f"/kelola/pelatihan/{cid}/pelajaran/{second}/pindah", data={"arah": "naik"}
        ).status_code
        == 302
    )
    assert (
        trainer.post(
            f"/kelola/pelatihan/{cid}/modul/{m2_id}/pindah", data={"arah": "naik"}
        ).status_code
        == 302
    )
    assert (
        trainer.post(
            f"/kelola/pelatihan/{cid}/modul/{mid}/pindah", data={"arah": "ke-samping"}
        ).status_code
        == 400
    )
    assert (
        trainer.post(
            f"/kelola/pelatihan/{cid}/modul/{mid}", data={f"m{mid}-title": "Dasar surat"}
        ).status_code
        == 302
    )
    with app.app_context():
        version = db.session.get(CourseVersion, draft_course["version"])
        assert [m.title for m in version.modules] == ["Modul 2", "Dasar surat"]
        assert [lesson.id for lesson in version.modules[1].lessons] == [second, first]
        assert [lesson.position for lesson in version.modules[1].lessons] == [0, 1]
        penutup = version.modules[0].lessons[0]
        assert penutup.title == "Penutup" and "<h2>Rangkuman</h2>" in penutup.body_html
    assert (
        trainer.post(f"/kelola/pelatihan/{cid}/pelajaran/{second}/hapus", data=CONFIRM).status_code
        == 302
    )
    with app.app_context():
        module = db.session.get(Module, mid)
        assert [(lesson.id, lesson.position) for lesson in module.lessons] == [(first, 0)]
    assert (
        trainer.post(f"/kelola/pelatihan/{cid}/modul/{m2_id}/hapus", data=CONFIRM).status_code
        == 302
    )
    assert _count(app, Module) == 1
    page = trainer.get(f"/kelola/pelatihan/{cid}").get_data(as_text=True)
    assert "Dasar surat" in page and "Penutup" not in page


def test_lesson_bad_input_names_the_field_and_saves_nothing(
    app, trainer, no_csrf, draft_course
) -> None:
    cid, mid = draft_course["course"], draft_course["module"]
    lesson_id = draft_course["lessons"][0]
    for data, message in [
        ({"title": "", "minutes": "5"}, "Judul pelajaran wajib diisi."),
        (
            {"title": "Ok", "minutes": "lima"},
            "Perkiraan durasi (menit) harus berupa bilangan bulat.",
        ),
        ({"title": "Ok", "minutes": "900"}, "Perkiraan durasi harus 0 sampai 600 menit."),
    ]:
        response = trainer.post(
            f"/kelola/pelatihan/{cid}/pelajaran/{lesson_id}", data=dict(data, action="save")
        )
        assert response.status_code == 200
        assert message in _flashes(response)
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).title == "Pelajaran 1"
    assert _count(app, Lesson) == 2
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/modul/{mid}/pelajaran/baru", data={"title": "", "action": "save"}
    )
    assert response.status_code == 200 and _count(app, Lesson) == 2


HOSTILE = """# Uji

<script>alert('xss')</script>

[klik saya](javascript:alert(1))

<img src="x" onerror="alert(2)">

<iframe src="https://contoh.test/"></iframe>

![gambar](javascript:alert(3))

<a href="#" onclick="alert(4)">tautan</a>
"""


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert not re.search(r"<iframe", html, re.I)
    assert not re.search(r'href="javascript:', html, re.I)
    assert not re.search(r'src="javascript:', html, re.I)
    assert not re.search(r"<[^>]+\son\w+=", html, re.I)  # no event handler on any real tag


def test_lesson_preview_renders_hostile_markdown_inert_and_saves_nothing(
    app, trainer, no_csrf, draft_course
) -> None:
    cid, lesson_id = draft_course["course"], draft_course["lessons"][0]
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lesson_id}",
        data={"title": "Uji aman", "minutes": "5", "body_md": HOSTILE, "action": "preview"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    preview = html.split('id="preview-title"', 1)[1].split("</article>", 1)[0]
    assert "<h1>Uji</h1>" in preview
    assert "&lt;script&gt;" in preview  # shown as text, not run
    _assert_inert(preview)
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).title == "Pelajaran 1"  # a preview saves nothing
    # Saved, the stored HTML is just as inert, and so is the learner preview.
    trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lesson_id}",
        data={"title": "Uji aman", "minutes": "5", "body_md": HOSTILE, "action": "save"},
    )
    with app.app_context():
        _assert_inert(db.session.get(Lesson, lesson_id).body_html)
    page = trainer.get(f"/kelola/pelatihan/{cid}/pratinjau").get_data(as_text=True)
    body = page.split(f'id="p-{lesson_id}-title"', 1)[1]
    _assert_inert(body)
    assert "<script>alert" not in page


# --- files -----------------------------------------------------------------------------------


def _docx() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_upload_images_and_attachments_and_serve_them_safely(
    app, world, trainer, no_csrf, draft_course
) -> None:
    cid = draft_course["course"]
    for kind, payload, name in [
        ("image", png_bytes(), "bagan alur.png"),
        ("attachment", b"%PDF-1.4\n%test\n", "Contoh Surat.pdf"),
        ("attachment", _docx(), "templat.docx"),
    ]:
        response = trainer.post(
            f"/kelola/pelatihan/{cid}/berkas",
            data={"kind": kind, "file": (io.BytesIO(payload), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, _flashes(response)
    with app.app_context():
        rows = {
            f.filename: (f.id, f.kind, f.mimetype) for f in db.session.scalars(select(CourseFile))
        }
    image_id, _, mime = rows["bagan alur.png"]
    assert mime == "image/png"
    image = trainer.get(f"/berkas/{image_id}")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in image.headers.get("Content-Disposition", "")
    assert image.data == png_bytes()
    pdf_id = rows["Contoh Surat.pdf"][0]
    pdf = trainer.get(f"/berkas/{pdf_id}")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in pdf.headers["Content-Security-Policy"]
    docx = trainer.get(f"/berkas/{rows['templat.docx'][0]}")
    assert docx.mimetype.endswith("wordprocessingml.document")
    page = trainer.get(f"/kelola/pelatihan/{cid}").get_data(as_text=True)
    assert f"![bagan alur](/berkas/{image_id})" in page
    assert f"[Contoh Surat.pdf](/berkas/{pdf_id})" in page
    # A draft's files are for its authors and BKPSDM only.
    other = app.test_client()
    login(other, "pegawai")
    assert other.get(f"/berkas/{image_id}").status_code == 404
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert hr.get(f"/berkas/{image_id}").status_code == 200
    anon = app.test_client()
    assert anon.get(f"/berkas/{image_id}").status_code == 302
    # Delete one: the row and (as nothing else uses them) the bytes go.
    before = _files_on_disk(app)
    assert (
        trainer.post(f"/kelola/pelatihan/{cid}/berkas/{pdf_id}/hapus", data=CONFIRM).status_code
        == 302
    )
    assert _count(app, CourseFile) == 2
    assert len(_files_on_disk(app)) == len(before) - 1


@pytest.mark.parametrize(
    ("kind", "payload", "name", "message"),
    [
        ("image", b"halo, ini teks biasa", "foto.png", "bukan gambar"),
        (
            "image",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "bukan gambar",
        ),
        ("attachment", b"MZ\x90\x00 program", "materi.pdf", "tidak dapat diterima"),
        ("attachment", b"%PDF-1.4", "skrip.exe", "tidak dapat diterima"),
    ],
)
def test_refused_uploads_say_why_and_write_nothing(
    app, trainer, no_csrf, draft_course, kind, payload, name, message
) -> None:
    cid = draft_course["course"]
    before = _files_on_disk(app)
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/berkas",
        data={"kind": kind, "file": (io.BytesIO(payload), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    errors = _flashes(response)
    assert any(message in e and name in e for e in errors), errors
    assert _count(app, CourseFile) == 0
    assert _files_on_disk(app) == before


def test_a_text_file_sent_as_lesson_image_is_refused_and_the_lesson_unchanged(
    app, trainer, no_csrf, draft_course
) -> None:
    cid, lesson_id = draft_course["course"], draft_course["lessons"][0]
    before = _files_on_disk(app)
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lesson_id}",
        data={
            "title": "Baru",
            "minutes": "5",
            "body_md": "Isi baru",
            "action": "save",
            "image": (io.BytesIO(b"bukan gambar sama sekali"), "diagram.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert any("diagram.jpg bukan gambar" in e for e in _flashes(response))
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).title == "Pelajaran 1"
    assert _count(app, CourseFile) == 0 and _files_on_disk(app) == before


def test_an_image_sent_with_a_lesson_is_placed_in_its_text(
    app, trainer, no_csrf, draft_course
) -> None:
    cid, lesson_id = draft_course["course"], draft_course["lessons"][0]
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lesson_id}",
        data={
            "title": "Alur layanan",
            "minutes": "20",
            "body_md": "Perhatikan alurnya.",
            "action": "save",
            "image_alt": "Alur layanan KTP",
            "image": (io.BytesIO(png_bytes()), "alur.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, _flashes(response)
    with app.app_context():
        row = db.session.scalar(select(CourseFile))
        lesson = db.session.get(Lesson, lesson_id)
        assert row.lesson_id == lesson_id
        assert lesson.body_md == f"Perhatikan alurnya.\n\n![Alur layanan KTP](/berkas/{row.id})\n"
        assert f'<img src="/berkas/{row.id}" alt="Alur layanan KTP">' in lesson.body_html


# --- object checks ---------------------------------------------------------------------------


def test_another_trainer_cannot_touch_the_course_but_bkpsdm_can(
    app, world, no_csrf, draft_course
) -> None:
    with app.app_context():
        make_user("pengajar.lain", {Role.PENGAJAR})
        db.session.commit()
    cid, mid, lid = draft_course["course"], draft_course["module"], draft_course["lessons"][0]
    other = app.test_client()
    login(other, "pengajar.lain")
    for method, url, data in [
        ("GET", f"/kelola/pelatihan/{cid}", None),
        ("GET", f"/kelola/pelatihan/{cid}/info", None),
        (
            "POST",
            f"/kelola/pelatihan/{cid}/info",
            {"title": "Dibajak", "jp": "1", "competency_kind": "teknis"},
        ),
        ("POST", f"/kelola/pelatihan/{cid}/modul", {"baru-title": "Sisipan"}),
        (
            "POST",
            f"/kelola/pelatihan/{cid}/pelajaran/{lid}",
            {"title": "Dibajak", "minutes": "1", "action": "save"},
        ),
        ("POST", f"/kelola/pelatihan/{cid}/pelajaran/{lid}/hapus", {}),
        ("POST", f"/kelola/pelatihan/{cid}/modul/{mid}/pindah", {"arah": "turun"}),
        ("GET", f"/kelola/pelatihan/{cid}/pratinjau", None),
        ("POST", f"/kelola/pelatihan/{cid}/ajukan", {}),
    ]:
        assert other.open(url, method=method, data=data).status_code == 403, url
    assert "TULIS-101" not in other.get("/kelola/pelatihan").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lesson, lid).title == "Pelajaran 1"
        assert _count(app, Module) == 1
    hr = app.test_client()
    login(hr, "bkpsdm")
    response = hr.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lid}",
        data={"title": "Diperbaiki BKPSDM", "minutes": "7", "action": "save"},
    )
    assert response.status_code == 302
    assert "TULIS-101" in hr.get("/kelola/pelatihan").get_data(as_text=True)
    # Settings and archive are BKPSDM's only.
    trainer = app.test_client()
    login(trainer, "pengajar")
    assert trainer.get(f"/kelola/pelatihan/{cid}/pengaturan").status_code == 403
    assert trainer.get("/kelola/pelatihan/telaah").status_code == 403
    # A module or lesson of another course is not found through this course's URL.
    with app.app_context():
        foreign = make_course(
            "ASING-1", published=False, trainer=db.session.get(User, world.users["pengajar"].id)
        )
        foreign_lesson = foreign.latest_version.modules[0].lessons[0].id
        db.session.commit()
    assert trainer.get(f"/kelola/pelatihan/{cid}/pelajaran/{foreign_lesson}").status_code == 404


# --- review and publish ----------------------------------------------------------------------


def test_submit_send_back_with_comment_then_publish(app, world, no_csrf, draft_course) -> None:
    cid, lid = draft_course["course"], draft_course["lessons"][0]
    trainer = app.test_client()
    login(trainer, "pengajar")
    assert trainer.post(f"/kelola/pelatihan/{cid}/ajukan").status_code == 302
    with app.app_context():
        version = db.session.get(CourseVersion, draft_course["version"])
        assert version.status == "in_review" and version.submitted_at is not None
        vid = version.id
    # While in review the trainer cannot change it.
    response = trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lid}",
        data={"title": "X", "minutes": "1", "action": "save"},
    )
    assert response.status_code == 302
    page = trainer.get(response.headers["Location"]).get_data(as_text=True)
    assert "sedang ditelaah BKPSDM" in page

    hr = app.test_client()
    login(hr, "bkpsdm")
    queue = hr.get("/kelola/pelatihan/telaah").get_data(as_text=True)
    assert "Menulis Surat Dinas" in queue and f"/kelola/pelatihan/telaah/{vid}" in queue
    assert "1</strong>" in hr.get("/dasbor").get_data(as_text=True)  # "Antrean telaah" count
    review = hr.get(f"/kelola/pelatihan/telaah/{vid}").get_data(as_text=True)
    assert "Pelajaran 1" in review and "Isi pelajaran 1." in review
    empty = hr.post(f"/kelola/pelatihan/telaah/{vid}/kembalikan", data={"comment": "  "})
    assert "Tuliskan catatan perbaikan untuk pengajar." in _flashes(empty)
    with app.app_context():
        assert db.session.get(CourseVersion, vid).status == "in_review"
    hr.post(
        f"/kelola/pelatihan/telaah/{vid}/kembalikan",
        data={"comment": "Tambahkan contoh surat undangan.\nPerbaiki ejaan."},
    )
    with app.app_context():
        version = db.session.get(CourseVersion, vid)
        assert version.status == "draft" and version.review_comment.startswith("Tambahkan contoh")
    page = trainer.get(f"/kelola/pelatihan/{cid}").get_data(as_text=True)
    assert "Catatan perbaikan dari BKPSDM" in page and "Tambahkan contoh surat undangan." in page
    assert "dikembalikan" in trainer.get("/kelola/pelatihan").get_data(as_text=True)

    trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{lid}",
        data={"title": "Contoh undangan", "minutes": "10", "action": "save"},
    )
    trainer.post(f"/kelola/pelatihan/{cid}/ajukan")
    # Publishing a draft straight from the queue URL is refused: it must be submitted first.
    response = hr.post(f"/kelola/pelatihan/telaah/{vid}/terbitkan")
    assert response.status_code == 302
    with app.app_context():
        version = db.session.get(CourseVersion, vid)
        assert (
            version.status == "published"
            and version.reviewed_by_id == world.users["admin_bkpsdm"].id
        )
        assert version.course.published_version_id == vid
    assert _count(app, CourseVersion) == 1
    learner = app.test_client()
    login(learner, "pegawai")
    catalogue = learner.get("/pelatihan?q=surat+dinas").get_data(as_text=True)
    assert "Menulis Surat Dinas" in catalogue
    again = hr.post(f"/kelola/pelatihan/telaah/{vid}/terbitkan", follow_redirects=True)
    assert "Hanya versi yang sedang ditelaah dapat diterbitkan" in again.get_data(as_text=True)


def test_an_empty_draft_cannot_be_submitted(app, world, trainer, no_csrf) -> None:
    trainer.post("/kelola/pelatihan/baru", data=NEW_COURSE)
    with app.app_context():
        course_id = db.session.scalar(select(Course.id))
    response = trainer.post(f"/kelola/pelatihan/{course_id}/ajukan", follow_redirects=True)
    assert "Tambahkan minimal satu pelajaran sebelum mengajukan telaah." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(CourseVersion.status)) == "draft"


def test_editing_a_published_course_makes_version_2_and_learners_keep_version_1(
    app, world, no_csrf
) -> None:
    with app.app_context():
        teacher = db.session.get(User, world.users["pengajar"].id)
        course = make_course("LAYAN-1", title="Pelayanan Prima", lessons=2, trainer=teacher)
        pegawai = db.session.get(User, world.users["pegawai"].id)
        enrolment = enrolments.enrol_self(pegawai, course)
        v1 = course.published_version
        first, second = v1.modules[0].lessons
        learning.mark_done(enrolment, first)
        ids = {"course": course.id, "v1": v1.id, "first_key": first.key, "second_key": second.key}
        db.session.commit()
    cid = ids["course"]
    trainer = app.test_client()
    login(trainer, "pengajar")
    learner = app.test_client()
    login(learner, "pegawai")
    # Not editable until a draft exists.
    assert trainer.get(f"/kelola/pelatihan/{cid}/info").status_code == 302
    assert trainer.post(f"/kelola/pelatihan/{cid}/draf").status_code == 302
    with app.app_context():
        course = db.session.get(Course, cid)
        v2 = course.latest_version
        assert (v2.number, v2.status) == (2, "draft")
        assert course.published_version_id == ids["v1"]
        v2_first, v2_second = v2.modules[0].lessons
        assert (v2_first.key, v2_second.key) == (ids["first_key"], ids["second_key"])
        v2_ids = (v2.id, v2_first.id, v2_second.id)
    assert trainer.post(f"/kelola/pelatihan/{cid}/draf", follow_redirects=True).status_code == 200
    assert _count(app, CourseVersion) == 2  # asking again reuses the draft
    trainer.post(
        f"/kelola/pelatihan/{cid}/pelajaran/{v2_ids[1]}",
        data={
            "title": "Pelajaran 1 (revisi)",
            "minutes": "25",
            "body_md": "Isi revisi.",
            "action": "save",
        },
    )
    trainer.post(f"/kelola/pelatihan/{cid}/pelajaran/{v2_ids[2]}/hapus", data=CONFIRM)
    # The learner still reads version 1.
    page = learner.get(f"/belajar/LAYAN-1/{ids['first_key']}").get_data(as_text=True)
    assert "Isi pelajaran 1." in page and "Isi revisi." not in page
    assert learner.get(f"/belajar/LAYAN-1/{ids['second_key']}").status_code == 200
    assert "Pelajaran 1 (revisi)" not in learner.get("/pelatihan/LAYAN-1").get_data(as_text=True)
    # Submit and publish version 2.
    trainer.post(f"/kelola/pelatihan/{cid}/ajukan")
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert hr.post(f"/kelola/pelatihan/telaah/{v2_ids[0]}/terbitkan").status_code == 302
    with app.app_context():
        course = db.session.get(Course, cid)
        assert course.published_version_id == v2_ids[0]
        assert db.session.get(CourseVersion, ids["v1"]).status == "archived"
        enrolment = db.session.scalar(select(Enrolment))
        assert enrolment.progress == 100  # the one lesson left was already done
    page = learner.get(f"/belajar/LAYAN-1/{ids['first_key']}").get_data(as_text=True)
    assert "Isi revisi." in page
    assert learner.get(f"/belajar/LAYAN-1/{ids['second_key']}").status_code == 404


def test_files_of_a_once_published_version_stay_visible_to_learners(app, world, no_csrf) -> None:
    """Lessons copied into version 2 still link to version 1's file URLs."""
    with app.app_context():
        teacher = db.session.get(User, world.users["pengajar"].id)
        course = make_course("GAMBAR-1", lessons=1, published=False, trainer=teacher)
        row = authoring.attach_file(course.latest_version, files.check_image("a.png", png_bytes()))
        services.publish(None, course.latest_version)
        services.draft_for_edit(course)
        file_id = row.id
        db.session.commit()
    learner = app.test_client()
    login(learner, "pegawai")
    assert learner.get(f"/berkas/{file_id}").status_code == 200


# --- BKPSDM settings and archive -------------------------------------------------------------


def test_bkpsdm_sets_enrolment_settings_and_trainers(app, world, no_csrf, draft_course) -> None:
    cid = draft_course["course"]
    hr = app.test_client()
    login(hr, "bkpsdm")
    page = hr.get(f"/kelola/pelatihan/{cid}/pengaturan").get_data(as_text=True)
    assert "Alur persetujuan" in page and "pengajar" in page
    bad = hr.post(
        f"/kelola/pelatihan/{cid}/pengaturan",
        data={
            "category": "Komunikasi",
            "approval_steps": "supervisor,hr",
            "capacity": "30",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-01",
            "trainers": [str(world.users["pengajar"].id)],
        },
    )
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in _flashes(bad)
    for data, message in [
        ({"capacity": "0"}, "Kapasitas harus lebih dari 0."),
        ({"capacity": "banyak"}, "Kapasitas (kursi) harus berupa bilangan bulat."),
        ({"enrol_deadline": "31-02-2026"}, "Batas pendaftaran bukan tanggal yang valid."),
        ({"trainers": "999999"}, "Pilihan “999999” tidak valid."),
    ]:
        response = hr.post(
            f"/kelola/pelatihan/{cid}/pengaturan", data=dict({"category": "Komunikasi"}, **data)
        )
        assert response.status_code == 200
        assert any(message in e for e in _flashes(response)), _flashes(response)
    with app.app_context():
        course = db.session.get(Course, cid)
        assert (course.capacity, course.approval_steps, course.category.name) == (
            None,
            "",
            "Teknologi Informasi",
        )
    ok = hr.post(
        f"/kelola/pelatihan/{cid}/pengaturan",
        data={
            "category": "Komunikasi",
            "approval_steps": "supervisor,hr",
            "capacity": "30",
            "self_enrol": "y",
            "enrol_deadline": "2026-02-28",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-10",
        },
    )
    assert ok.status_code == 302, _flashes(ok)
    with app.app_context():
        course = db.session.get(Course, cid)
        assert (course.capacity, course.approval_steps, course.category.name) == (
            30,
            "supervisor,hr",
            "Komunikasi",
        )
        assert str(course.starts_on) == "2026-03-01" and course.self_enrol
        assert course.trainers == []  # no trainer ticked: the trainer is removed
    trainer = app.test_client()
    login(trainer, "pengajar")
    assert trainer.get(f"/kelola/pelatihan/{cid}").status_code == 403
    # What a browser sends for untouched fields: empty strings, which clear the values.
    cleared = hr.post(
        f"/kelola/pelatihan/{cid}/pengaturan",
        data={
            "category": "Komunikasi",
            "approval_steps": "",
            "capacity": "",
            "enrol_deadline": "",
            "starts_on": "",
            "ends_on": "",
            "trainers": str(world.users["pengajar"].id),
        },
    )
    assert cleared.status_code == 302, _flashes(cleared)
    with app.app_context():
        course = db.session.get(Course, cid)
        assert (course.capacity, course.starts_on, course.self_enrol) == (None, None, False)
        assert [t.user_id for t in course.trainers] == [world.users["pengajar"].id]


def test_bkpsdm_archives_a_course(app, world, no_csrf) -> None:
    with app.app_context():
        course = make_course("ARSIP-1", title="Pelatihan Lama")
        cid = course.id
        db.session.commit()
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert hr.post(f"/kelola/pelatihan/{cid}/arsipkan", data=CONFIRM).status_code == 302
    with app.app_context():
        assert db.session.get(Course, cid).archived
    assert "Pelatihan Lama" not in hr.get("/pelatihan?q=lama").get_data(as_text=True)


# --- dashboards and query counts -------------------------------------------------------------


def test_dashboards_show_my_courses_and_the_queue_in_constant_queries(
    app, world, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")

    def add_courses(n: int, start: int) -> None:
        with app.app_context():
            teacher = db.session.get(User, world.users["pengajar"].id)
            for i in range(start, start + n):
                course = make_course(
                    f"DASH-{i}",
                    title=f"Kelas {i}",
                    lessons=1,
                    published=i % 3 == 0,
                    trainer=teacher,
                )
                if i % 3 == 1:
                    services.submit_for_review(course.latest_version)
                if i % 3 == 0:
                    enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
            db.session.commit()

    clients = {}
    for username in ("pengajar", "bkpsdm"):
        clients[username] = app.test_client()
        login(clients[username], username)
    pages = [
        ("pengajar", "/dasbor"),
        ("pengajar", "/kelola/pelatihan"),
        ("bkpsdm", "/dasbor"),
        ("bkpsdm", "/kelola/pelatihan"),
        ("bkpsdm", "/kelola/pelatihan/telaah"),
    ]

    def measure() -> dict[str, int]:
        counts = {}
        for username, path in pages:
            clients[username].get(path)
            with count_queries(app) as counter:
                assert clients[username].get(path).status_code == 200
            counts[f"{username} {path}"] = counter["n"]
        return counts

    add_courses(3, 0)
    small = measure()
    add_courses(30, 3)
    assert measure() == small
    page = clients["pengajar"].get("/dasbor").get_data(as_text=True)
    assert "Pelatihan saya" in page and "Semua 33 pelatihan saya" in page
    assert "11</strong>" in clients["bkpsdm"].get("/dasbor").get_data(as_text=True)


def test_raising_the_capacity_gives_waitlisted_learners_a_seat(app, world, no_csrf) -> None:
    with app.app_context():
        course = make_course("KURSI-1", capacity=1)
        first = enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        second = enrolments.enrol_self(db.session.get(User, world.users["atasan"].id), course)
        assert (first.status, second.status) == ("active", "waitlisted")
        cid, second_id = course.id, second.id
        db.session.commit()
    hr = app.test_client()
    login(hr, "bkpsdm")
    response = hr.post(
        f"/kelola/pelatihan/{cid}/pengaturan",
        data={
            "category": "Teknologi Informasi",
            "approval_steps": "",
            "capacity": "2",
            "self_enrol": "y",
        },
        follow_redirects=True,
    )
    assert "1 peserta dari daftar tunggu mendapat kursi." in response.get_data(as_text=True), (
        _flashes(response)
    )
    with app.app_context():
        assert db.session.get(Enrolment, second_id).status == "active"
