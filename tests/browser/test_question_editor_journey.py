"""The demo trainer edits a question in the bank that a learner's attempt has already used:
the editor says a new version will be made, the preview beside the form follows the typing as
the learner would see it, and after saving, the attempt graded before the edit keeps its score
and its review (also after "Nilai ulang"), while a new attempt gets the new version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee
from lms.quizzes.attempts import services as attempts
from lms.quizzes.bank.editor import services as bank
from lms.quizzes.bank.editor.rules import Fields, Row, build
from lms.quizzes.models import Question, Quiz, QuizAttempt
from tests.browser.conftest import sign_in, sign_out
from tests.factories import make_course

OLD_TEXT = "Ibu kota Provinsi Sumatera Selatan adalah…"
NEW_TEXT = "Kota tempat Jembatan Ampera berdiri adalah…"


@pytest.fixture
def graded(live_app) -> dict:
    """A course of `pengajar` with one question in a practice quiz, and `pegawai`'s attempt at
    it answered "Palembang" (right) and graded 100."""
    with live_app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        course = make_course("SOAL-PLG-B", title="Wawasan Kota Palembang", trainer=trainer)
        employee = db.session.scalar(
            select(Employee)
            .join(User, User.employee_id == Employee.id)
            .where(User.username == "pegawai")
        )
        db.session.add(Enrolment(course_id=course.id, employee_id=employee.id, status="active"))
        rows = [Row("Jakarta"), Row("Palembang", 1.0, "Benar, Palembang."), Row("Medan")]
        draft, problems = build(
            Fields("single_choice", name="Ibu kota Sumsel", text=OLD_TEXT, rows=rows)
        )
        assert problems == []
        category = bank.category_named(course, "Pengetahuan daerah")
        question = bank.create_question(course, draft, category, trainer.id)
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": "Latihan Wawasan Kota",
                "kind": "practice",
                "review": "immediately",
                "attempts_allowed": 0,
                "question_ids": [question.id],
            },
        )
        attempt = attempts.start_attempt(quiz, employee.id)
        attempts.save_answer(attempt, question.id, 1)
        attempts.submit(attempt)
        db.session.commit()
        assert float(attempt.score) == 100
        out = {
            "course": course.id,
            "quiz": quiz.id,
            "question": question.id,
            "attempt": attempt.id,
        }
        db.session.remove()
    return out


def _state(live_app, ids: dict) -> dict:
    with live_app.app_context():
        attempt = db.session.get(QuizAttempt, ids["attempt"])
        quiz = db.session.get(Quiz, ids["quiz"])
        latest = db.session.scalars(
            select(Question).where(
                Question.entry_id
                == select(Question.entry_id)
                .where(Question.id == ids["question"])
                .scalar_subquery(),
                Question.status == "ready",
            )
        ).one()
        state = {
            "score": float(attempt.score),
            "answer_fraction": attempt.answers[0].fraction,
            "answer_question": attempt.answers[0].question_id,
            "quiz_ids": list(quiz.questions["ids"]),
            "latest": (latest.id, latest.version, latest.text),
            "old_text": db.session.get(Question, ids["question"]).text,
        }
        db.session.remove()
        return state


@pytest.mark.browser
def test_trainer_edits_a_used_question_and_the_graded_attempt_is_unchanged(
    page, live_server, live_app, graded, shot, axe_check
) -> None:
    before = _state(live_app, graded)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "pengajar")

    # The bank lists the question with its version and where it is used.
    page.goto(f"{live_server}/kelola/pelatihan/{graded['course']}/bank-soal")
    row = page.locator(f"#soal-{graded['question']}")
    assert "1 kuis" in row.inner_text() and "1 percobaan" in row.inner_text()
    axe_check("question bank")
    shot("q-editor-01-bank")

    # Its page: the learner's view of it, the key, the versions.
    row.get_by_role("link", name="Ibu kota Sumsel").click()
    page.wait_for_url(f"**/soal/{graded['question']}")
    assert page.locator(f"fieldset[data-question='{graded['question']}']").is_visible()
    axe_check("question page")
    shot("q-editor-02-question")

    # Edit: the editor warns that a new version will be made.
    page.get_by_role("button", name="Ubah", exact=True).click()
    page.wait_for_url("**/ubah")
    assert "Menyimpan perubahan membuat versi 2" in page.locator("main").inner_text()
    page.locator("#text").fill(NEW_TEXT)
    preview = page.locator("#question-preview")
    preview.get_by_text(NEW_TEXT).wait_for()  # the live preview followed the typing
    assert preview.locator("fieldset.quiz-question").is_visible()
    # The key changes: Jakarta becomes the right answer, Palembang wrong.
    page.locator("#answers-0-fraction").select_option("1.0")
    page.locator("#answers-1-fraction").select_option("0.0")
    page.locator("#question-preview[data-state=fresh]").wait_for()
    axe_check("question editor")
    shot("q-editor-03-editing-with-live-preview")

    page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_url("**/soal/*")
    flash = page.locator(".flash").first.inner_text()
    assert "versi 2" in flash and "versi 1" in flash
    shot("q-editor-04-saved-as-version-2")

    after = _state(live_app, graded)
    new_id, version, text = after["latest"]
    assert (version, text) == (2, NEW_TEXT) and new_id != graded["question"]
    assert after["quiz_ids"] == [new_id]
    assert after["old_text"] == OLD_TEXT
    assert (after["score"], after["answer_fraction"]) == (
        before["score"],
        before["answer_fraction"],
    )

    # "Nilai ulang" grades every answer again: against the version each attempt saw.
    page.goto(f"{live_server}/kelola/pelatihan/{graded['course']}/kuis/{graded['quiz']}/penilaian")
    page.get_by_role("button", name="Nilai ulang semua jawaban otomatis").click()
    assert "0 jawaban berubah" in page.locator(".flash").first.inner_text()
    assert _state(live_app, graded)["score"] == 100.0
    sign_out(page)

    # The learner's review of that attempt: the question and key it was graded on, still 100.
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/kuis/percobaan/{graded['attempt']}/hasil")
    assert page.locator("#attempt-score").inner_text() == "100,00"
    main = page.locator("main").inner_text()
    assert OLD_TEXT in main and NEW_TEXT not in main
    axe_check("attempt review after the edit")
    shot("q-editor-05-old-attempt-review-unchanged")

    # A new attempt gets version 2.
    page.goto(f"{live_server}/kuis/{graded['quiz']}")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_url("**/kuis/percobaan/*")
    assert page.locator(f"fieldset[data-question='{new_id}']").is_visible()
    assert NEW_TEXT in page.locator("main").inner_text()
    shot("q-editor-06-new-attempt-gets-version-2")


@pytest.mark.browser
def test_trainer_creates_a_question_fixes_what_the_editor_points_at_then_deletes_it(
    page, live_server, live_app, shot, axe_check
) -> None:
    with live_app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        course_id = make_course("SOAL-PLG-C", title="Hitungan JP", trainer=trainer).id
        db.session.commit()
        db.session.remove()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "pengajar")
    page.goto(f"{live_server}/kelola/pelatihan/{course_id}/bank-soal")
    page.get_by_role("button", name="Soal baru").click()
    axe_check("new question menu")
    shot("q-editor-10-choose-type")
    page.get_by_role("link", name="Numerik", exact=True).click()

    page.locator("#text").fill("Berapa JP pengembangan kompetensi minimal setahun?")
    page.locator("#answers-0-text").fill("dua puluh")
    page.locator("#question-preview").get_by_text("Berapa JP").wait_for()
    page.get_by_role("button", name="Simpan", exact=True).click()
    errors = page.locator("#question-errors")
    assert "Jawaban 1: “dua puluh” bukan angka" in errors.inner_text()
    assert page.locator("#answers-0-text").get_attribute("aria-invalid") == "true"
    axe_check("editor with errors")
    shot("q-editor-11-bad-number-pointed-at")

    page.locator("#answers-0-text").fill("20")
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_url("**/soal/*")
    assert "Soal baru disimpan" in page.locator(".flash").first.inner_text()
    page.get_by_role("button", name="Hapus").click()
    page.wait_for_url("**/hapus")
    assert "dihapus permanen" in page.locator("main").inner_text()
    axe_check("delete confirmation")
    shot("q-editor-12-delete-confirmation")
    page.get_by_role("button", name="Ya, hapus soal").click()
    page.wait_for_url(f"**/kelola/pelatihan/{course_id}/bank-soal")
    assert "Soal dihapus" in page.locator(".flash").first.inner_text()
    with live_app.app_context():
        assert db.session.scalar(select(Question.id).where(Question.course_id == course_id)) is None
        db.session.remove()
