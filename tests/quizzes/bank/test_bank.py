"""The question bank through HTTP: upload → preview → confirm, export → import, access."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Course
from lms.extensions import db
from lms.permissions import Role
from lms.quizzes.bank import services
from lms.quizzes.models import Question
from tests.conftest import csrf_token, login
from tests.factories import make_course, make_user
from tests.shared import SHARED_FIXTURES

SHARED = SHARED_FIXTURES


def fixture_bytes(name: str) -> bytes:
    """Bytes of a shared Moodle fixture; skip (not fail) when the fixtures are not checked out."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared fixture {path} is absent (it lives beside the checkout, not in it)")
    return path.read_bytes()


@pytest.fixture
def courses(app, world) -> dict[str, int]:
    """Two courses taught by `pengajar`, and a second trainer who teaches neither."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        ids = {
            "bank": make_course("BANK-101", trainer=trainer).id,
            "copy": make_course("BANK-102", trainer=trainer).id,
        }
        make_user("pengajar.lain", {Role.PENGAJAR})
        db.session.commit()
    return ids


def bank_url(course_id: int, tail: str = "") -> str:
    return f"/kelola/pelatihan/{course_id}/bank-soal{tail}"


def upload(client, course_id: int, data: bytes, fmt: str, filename: str = "soal.txt"):
    url = bank_url(course_id, "/impor")
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "file": (io.BytesIO(data), filename),
            "format": fmt,
            "category": "",
        },
        content_type="multipart/form-data",
    )


def confirm(client, course_id: int, preview):
    """Press the preview's import button (its CSRF token and key)."""
    form = re.search(
        rb'<form method="post" action="[^"]*konfirmasi">(.*?)</form>', preview.data, re.S
    )
    assert form, "the preview has no import button"
    fields = dict(re.findall(rb'name="(\w+)" type="hidden" value="([^"]*)"', form.group(1)))
    return client.post(
        bank_url(course_id, "/impor/konfirmasi"),
        data={k.decode(): v.decode() for k, v in fields.items()},
    )


def import_file(client, course_id: int, data: bytes, fmt: str) -> None:
    response = confirm(client, course_id, upload(client, course_id, data, fmt))
    assert response.status_code == 302
    follow_job(client, course_id, response)


def follow_job(client, course_id: int, response):
    """The confirm answers with the import's progress page; the task ran after that response
    (inline in the tests), so the page sends on to the bank with the result flashed."""
    assert re.search(r"/bank-soal/impor/\d+$", response.headers["Location"])
    job_page = client.get(response.headers["Location"])
    assert job_page.status_code == 302
    assert job_page.headers["Location"].endswith(bank_url(course_id))
    return client.get(job_page.headers["Location"])


def stored(app, course_id: int) -> list[tuple]:
    """What a question is, independent of ids and file lines."""
    with app.app_context():
        course = db.session.get(Course, course_id)
        return [
            (
                q.type,
                q.name,
                q.text,
                q.text_format,
                q.general_feedback,
                q.data,
                q.category.name if q.category else None,
            )
            for q in services.bank_questions(course)
        ]


def test_preview_lists_errors_with_lines(app, client, courses) -> None:
    login(client, "pengajar")
    response = upload(client, courses["bank"], fixture_bytes("aiken/aiken_errors.txt"), "aiken")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 soal siap diimpor" in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td></tr>", page)
    assert [int(line) for line, _message in rows] == [3, 5, 7, 18]
    assert "Impor 3 soal" in page
    assert stored(app, courses["bank"]) == []  # nothing is stored before the confirmation


def test_confirm_imports_and_bank_lists_them(app, client, courses) -> None:
    login(client, "pengajar")
    preview = upload(client, courses["bank"], fixture_bytes("gift/questions.gift.txt"), "gift")
    response = confirm(client, courses["bank"], preview)
    assert response.status_code == 302
    rows = stored(app, courses["bank"])
    assert len(rows) == 9
    assert sorted(r[0] for r in rows).count("fill_blank") == 2
    page = follow_job(client, courses["bank"], response).get_data(as_text=True)
    assert "9 soal diimpor ke bank soal" in page
    assert "Moodle activities" in page
    assert "Match the <b>activity</b> to the description." in page  # Moodle format: HTML kept
    # A second confirmation of the same preview imports nothing more.
    assert confirm(client, courses["bank"], preview).status_code == 302
    assert len(stored(app, courses["bank"])) == 9


def test_confirm_needs_the_sessions_key(app, client, courses) -> None:
    login(client, "pengajar")
    upload(client, courses["bank"], fixture_bytes("aiken/questions.aiken.txt"), "aiken")
    url = bank_url(courses["bank"], "/impor/konfirmasi")
    key = "question-imports/" + "0" * 32 + ".txt"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, bank_url(courses["bank"], "/impor")), "key": key},
    )
    assert response.status_code == 302
    assert stored(app, courses["bank"]) == []


def test_preview_in_another_course_cannot_be_confirmed_here(app, client, courses) -> None:
    login(client, "pengajar")
    preview = upload(client, courses["bank"], fixture_bytes("aiken/questions.aiken.txt"), "aiken")
    response = confirm(client, courses["copy"], preview)
    assert response.status_code == 302
    assert stored(app, courses["copy"]) == [] and stored(app, courses["bank"]) == []


def test_windows_1252_is_refused_whole(app, client, courses) -> None:
    login(client, "pengajar")
    data = fixture_bytes("gift/questions_encoding_windows-1252.gift.txt")
    response = upload(client, courses["bank"], data, "gift")
    assert response.status_code == 422  # an unreadable file: the one status of lms/imports.py
    page = response.get_data(as_text=True)
    assert "Tidak ada soal yang dapat diimpor" in page
    assert "Berkas bukan UTF-8" in page
    assert "konfirmasi" not in page


def test_bad_upload_names_the_field(client, courses) -> None:
    login(client, "pengajar")
    response = upload(client, courses["bank"], b"x", "gift", filename="soal.docx")
    assert response.status_code == 200
    assert "Berkas soal harus berakhiran .txt atau .gift." in response.get_data(as_text=True)


def test_other_trainer_is_forbidden(client, courses, no_csrf) -> None:
    login(client, "pengajar.lain")
    course_id = courses["bank"]
    assert client.get(bank_url(course_id)).status_code == 403
    assert client.get(bank_url(course_id, "/impor")).status_code == 403
    assert client.get(bank_url(course_id, "/ekspor?format=gift")).status_code == 403
    response = client.post(bank_url(course_id, "/impor/konfirmasi"), data={})
    assert response.status_code == 403


def test_bkpsdm_may_use_any_bank_and_unknown_course_is_404(client, courses) -> None:
    login(client, "bkpsdm")
    assert client.get(bank_url(courses["bank"])).status_code == 200
    assert client.get(bank_url(99999)).status_code == 404
    assert client.get(bank_url(courses["bank"], "/ekspor?format=pdf")).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "files", "suffix"),
    [
        ("gift", ["gift/questions.gift.txt", "gift/questions_in_category.gift.txt"], ".gift"),
        ("aiken", ["aiken/questions.aiken.txt", "aiken/aiken_errors.txt"], ".txt"),
    ],
)
def test_export_then_import_gives_the_same_questions(
    app, client, courses, fmt, files, suffix
) -> None:
    login(client, "pengajar")
    for name in files:
        import_file(client, courses["bank"], fixture_bytes(name), fmt)
    original = stored(app, courses["bank"])
    assert len(original) == (13 if fmt == "gift" else 5)
    response = client.get(bank_url(courses["bank"], f"/ekspor?format={fmt}"))
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="bank-soal-BANK-101{suffix}"'
    )
    import_file(client, courses["copy"], response.data, fmt)
    assert stored(app, courses["copy"]) == original


def test_aiken_text_is_stored_escaped(app, client, courses) -> None:
    login(client, "pengajar")
    import_file(client, courses["bank"], fixture_bytes("aiken/questions.aiken.txt"), "aiken")
    with app.app_context():
        question = db.session.scalars(select(Question).where(Question.text.contains("cool"))).one()
        assert question.text_format == "plain"
        assert '<html class="cool"> &' in question.text
        assert '&lt;html class="cool"&gt; &amp; images:' in question.text_html
        assert "<html" not in question.text_html
    page = client.get(bank_url(courses["bank"])).get_data(as_text=True)
    assert '<html class="cool">' not in page
    assert "&lt;html class=&#34;cool&#34;&gt;" in page or '&lt;html class="cool"&gt;' in page


def test_render_text_sanitises_every_format() -> None:
    assert (
        services.render_text("a < b & <b>c</b>\nd", "plain")
        == "a &lt; b &amp; &lt;b&gt;c&lt;/b&gt;<br>\nd"
    )
    assert services.render_text("<b>x</b><script>alert(1)</script>", "html") == "<b>x</b>"
    assert services.render_text("**x** <i onclick=y>z</i>", "markdown").startswith(
        "<p><strong>x</strong> &lt;i"
    )
    moodle = services.render_text(
        '<p onclick="x">a\nb</p><img src="javascript:alert(1)">', "moodle"
    )
    assert "onclick" not in moodle and "javascript" not in moodle and "<br>" in moodle


def test_bank_page_queries_do_not_grow_with_questions(app, client, courses) -> None:
    from tests.test_query_counts import count_queries

    login(client, "pengajar")
    import_file(client, courses["bank"], fixture_bytes("aiken/questions.aiken.txt"), "aiken")
    with count_queries(app) as few:
        assert client.get(bank_url(courses["bank"])).status_code == 200
    import_file(client, courses["bank"], fixture_bytes("gift/questions.gift.txt"), "gift")
    import_file(
        client, courses["bank"], fixture_bytes("gift/questions_in_category.gift.txt"), "gift"
    )
    with count_queries(app) as many:
        assert client.get(bank_url(courses["bank"])).status_code == 200
    assert len(stored(app, courses["bank"])) == 15
    assert many["n"] == few["n"]
