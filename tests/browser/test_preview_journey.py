"""Nothing is published unseen (issue 15, points 2 to 4), in Chromium.

A trainer previews the post-test of their course as a learner would see it: the intro, the
questions, and a result graded in memory that stores no attempt. The trainer uploads a cover
and submits the course; BKPSDM's review page lists the quiz with every question and its key,
the reviewer tries it as a learner, then publishes; an employee sees the cover in the catalogue
and on the course page, and each module numbered once. Screenshots at each step, axe on every
page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses import services as courses
from lms.extensions import db
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import Question, QuizAttempt
from tests.browser.conftest import SHOTS, loaded_width, sign_in, sign_out
from tests.factories import make_course

CODE = "SURAT-PRV-301"
TITLE = "Menulis Surat Dinas yang Ringkas"
QUIZ = "Post-test Surat Dinas"

QUESTIONS = [
    (
        "single_choice",
        "Bagian surat",
        "Bagian surat dinas yang memuat maksud surat secara singkat adalah…",
        {
            "answers": [
                {"text": "perihal", "fraction": 1.0, "feedback": "Benar: perihal merangkum isi."},
                {"text": "tembusan", "fraction": 0.0, "feedback": "Tembusan memuat penerima lain."},
                {"text": "lampiran", "fraction": 0.0, "feedback": ""},
            ]
        },
    ),
    (
        "true_false",
        "Salam penutup",
        "Surat dinas ditutup dengan salam penutup sebelum tanda tangan.",
        {"answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0.0}]},
    ),
    (
        "multiple_response",
        "Kalimat efektif",
        "Manakah ciri kalimat efektif? Pilih dua jawaban.",
        {
            "answers": [
                {"text": "hemat kata", "fraction": 0.5},
                {"text": "satu gagasan", "fraction": 0.5},
                {"text": "berbelit-belit", "fraction": -1.0},
            ]
        },
    ),
    (
        "short_answer",
        "Nomor surat",
        "Bagian surat yang menjadi rujukan arsip dan balasan disebut nomor…",
        {"answers": [{"text": "surat", "fraction": 1.0}]},
    ),
]


@pytest.fixture(scope="module")
def course(live_app) -> dict:
    """A draft course of `pengajar` with two modules (the second typed with its number, as the
    demo content did) and a post-test of four questions."""
    with live_app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        course = make_course(CODE, title=TITLE, lessons=1, published=False, trainer=trainer)
        version = course.latest_version
        version.modules[0].title = "Struktur surat dinas"
        courses.add_module(version, "Modul 2: Bahasa yang ringkas")
        questions = [
            Question(course_id=course.id, type=t, name=n, text=x, text_html=x, data=d)
            for t, n, x, d in QUESTIONS
        ]
        db.session.add_all(questions)
        db.session.flush()
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": QUIZ,
                "kind": "post_test",
                "pass_mark": 70,
                "attempts_allowed": 2,
                "time_limit_minutes": 15,
                "shuffle_answers": True,
                "question_ids": [q.id for q in questions],
            },
        )
        db.session.commit()
        out = {"course": course.id, "quiz": quiz.id}
        db.session.remove()
    return out


def _cover(path: Path) -> Path:
    img = Image.new("RGB", (960, 540), "#0b5d4b")
    draw = ImageDraw.Draw(img)
    for x in range(0, 960, 64):
        draw.line([(x, 0), (x + 260, 540)], fill="#14806a", width=20)
    draw.rectangle([120, 190, 840, 350], fill="#ffffff")
    draw.text((160, 260), "Surat Dinas", fill="#0b5d4b")
    img.save(path, "PNG")
    return path


def _attempts(live_app, quiz_id: int) -> int:
    with live_app.app_context():
        n = db.session.scalar(
            select(func.count()).select_from(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id)
        )
        db.session.remove()
    return n


def _answer_right(page) -> None:
    """Pick the right answers by their labels (the options are shuffled, as for a learner)."""
    boxes = page.locator("fieldset.quiz-question")
    boxes.filter(has_text="maksud surat").get_by_label("perihal").check()
    boxes.filter(has_text="salam penutup").get_by_label("Benar").check()
    multiple = boxes.filter(has_text="kalimat efektif")
    multiple.get_by_label("hemat kata").check()
    multiple.get_by_label("satu gagasan").check()
    boxes.filter(has_text="rujukan arsip").get_by_label("Jawaban Anda").fill("surat")


@pytest.mark.browser
def test_a_trainer_previews_a_quiz_as_a_learner(
    page, live_server, live_app, course, shot, axe_check
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "POST" else None)
    sign_in(page, live_server, "pengajar")
    page.goto(f"{live_server}/kelola/pelatihan/{course['course']}")
    page.get_by_role("button", name="Kuis", exact=True).click()
    row = page.locator("tr", has_text=QUIZ)
    # The link that answered 403 before: it opens the quiz as a learner sees it.
    row.get_by_role("link", name="Pratinjau sebagai peserta").click()
    expect(page.get_by_role("heading", level=1, name=QUIZ)).to_be_visible()
    expect(page.get_by_text("Pratinjau sebagai peserta.")).to_be_visible()
    expect(page.get_by_text("Batas waktu tidak berjalan dalam pratinjau.")).to_be_visible()
    key = page.locator("section.quiz-key")
    expect(key.locator("li.key-correct", has_text="perihal")).to_be_visible()
    expect(key.get_by_text("Tembusan memuat penerima lain.")).to_be_visible()
    axe_check("quiz preview intro with key")
    shot("preview-01-trainer-quiz-intro")

    page.get_by_role("button", name="Mulai mengerjakan").click()
    expect(page.locator("fieldset.quiz-question")).to_have_count(4)
    expect(page.locator("#quiz-status")).to_have_text("Pratinjau: jawaban tidak disimpan.")
    _answer_right(page)
    expect(page.locator("#quiz-answered")).to_have_text("4")
    axe_check("quiz preview questions")
    shot("preview-02-trainer-quiz-questions")
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    expect(page.get_by_role("heading", level=1, name="Hasil pratinjau")).to_be_visible()
    expect(page.locator("#attempt-score")).to_have_text("100,00")
    expect(page.locator("#preview-passed")).to_have_text("Lulus")
    expect(page.locator("article.quiz-review[data-state=right]")).to_have_count(4)
    expect(page.get_by_text("Benar: perihal merangkum isi.")).to_be_visible()
    axe_check("quiz preview result")
    shot("preview-03-trainer-quiz-result")
    # Nothing stored and nothing autosaved: the only POST was the check itself.
    assert _attempts(live_app, course["quiz"]) == 0
    assert [u for u in saves if "/jawab" in u or "/percobaan/" in u] == []

    # "Coba lagi" draws again; a wrong try-out is marked wrong.
    page.get_by_role("button", name="Coba lagi").click()
    boxes = page.locator("fieldset.quiz-question")
    boxes.filter(has_text="maksud surat").get_by_label("tembusan").check()
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    page.get_by_role("button", name="Tetap kumpulkan").click()  # 3 left unanswered: it asks
    expect(page.locator("#preview-passed")).to_have_text("Belum lulus")
    expect(page.locator("article.quiz-review[data-state=wrong]")).to_have_count(4)
    shot("preview-04-trainer-quiz-result-wrong")
    assert _attempts(live_app, course["quiz"]) == 0
    sign_out(page)


@pytest.mark.browser
def test_bkpsdm_reviews_a_course_with_its_quiz(
    page, live_server, live_app, course, shot, axe_check, tmp_path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    # The trainer uploads a cover and submits the course.
    sign_in(page, live_server, "pengajar")
    course_url = f"{live_server}/kelola/pelatihan/{course['course']}"
    page.goto(course_url)
    expect(page.get_by_role("heading", name="Modul 2: Bahasa yang ringkas")).to_be_visible()
    assert "Modul 2: Modul 2" not in page.content()
    page.get_by_role("button", name="Ubah informasi").click()
    page.get_by_label("Gambar sampul").set_input_files(str(_cover(tmp_path / "sampul.png")))
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(course_url)
    page.get_by_role("button", name="Ajukan telaah ke BKPSDM").click()
    expect(page.get_by_text("Versi 1 diajukan ke BKPSDM untuk ditelaah.")).to_be_visible()
    sign_out(page)

    # BKPSDM opens the review: the decision points at the quiz, which lists every question.
    sign_in(page, live_server, "bkpsdm")
    page.goto(f"{live_server}/kelola/pelatihan/telaah")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Keputusan telaah")).to_be_visible()
    shot("preview-05-review-top")
    page.get_by_role("link", name="Periksa juga 1 kuis dan soalnya.").click()
    key = page.locator(f"#kuis-{course['quiz']}")
    expect(key.get_by_role("heading", name=re.compile(QUIZ))).to_be_in_viewport()
    expect(key.locator("li.key-item")).to_have_count(4)
    for _type, _name, text, _data in QUESTIONS:
        expect(key.get_by_text(text)).to_be_visible()
    expect(key.locator("li.key-correct", has_text="perihal")).to_be_visible()
    expect(key.locator("li.key-correct")).to_have_count(5)  # perihal, Benar, two of three, surat
    axe_check("review page with the quiz key")
    page.screenshot(path=str(SHOTS / "preview-06-review-quiz-key.png"))  # what the link shows
    # The reviewer tries it as a learner, then publishes.
    key.get_by_role("button", name="Coba sebagai peserta").click()
    expect(page.get_by_text("Pratinjau sebagai peserta.")).to_be_visible()
    page.get_by_role("button", name="Mulai mengerjakan").click()
    _answer_right(page)
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    expect(page.locator("#preview-passed")).to_have_text("Lulus")
    shot("preview-07-reviewer-quiz-result")
    assert _attempts(live_app, course["quiz"]) == 0
    page.goto(f"{live_server}/kelola/pelatihan/telaah")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Terbitkan versi 1").click()
    expect(page.get_by_text(f"Versi 1 pelatihan {CODE} terbit")).to_be_visible()
    sign_out(page)

    # An employee sees the cover in the catalogue and on the course page, modules numbered once.
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/pelatihan?q=surat+dinas+ringkas")
    card = page.locator("article.course-card", has_text=TITLE)
    cover = card.get_by_role("img", name=f"Sampul pelatihan {TITLE}")
    expect(cover).to_be_visible()
    assert loaded_width(cover) == 960
    axe_check("catalogue with a cover")
    shot("preview-08-catalogue-cover")
    card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("img", name=f"Sampul pelatihan {TITLE}")).to_be_visible()
    headings = page.locator("article.syllabus h3").all_inner_texts()
    assert headings == ["Modul 1: Struktur surat dinas", "Modul 2: Bahasa yang ringkas"]
    axe_check("course page with a cover")
    shot("preview-09-course-page-cover")
