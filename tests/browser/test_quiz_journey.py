"""A timed post-test in Chromium: enrol, start, answer, reload (answers survive), lose the
connection (answers wait on the device and reach the server when it returns), then let the
time run out (the page submits itself and the attempt is graded). On a phone: the time, the
answered count and the save status stay in view while scrolling, and submitting with unanswered
questions asks first, in a dialog (with JavaScript) or on a page of its own (without)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import AttemptAnswer, Question, QuizAttempt
from tests.browser.conftest import SHOTS, sign_in
from tests.factories import make_course

CHOICES = {
    "answers": [{"text": "Jakarta", "fraction": 0.0}, {"text": "Palembang", "fraction": 1.0}]
}
TF = {"answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0.0}]}
SHORT = {"answers": [{"text": "Ampera", "fraction": 1.0}]}


@pytest.fixture
def post_test(live_app) -> dict:
    """A published course with three bank questions and a 10-minute post-test."""
    with live_app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        course = make_course("KUIS-PLG-B", title="Pelayanan Prima Palembang", trainer=trainer)
        questions = [
            Question(
                course_id=course.id,
                type="single_choice",
                name="Ibu kota",
                text_html="Ibu kota Sumatera Selatan adalah…",
                data=CHOICES,
            ),
            Question(
                course_id=course.id,
                type="true_false",
                name="Sungai",
                text_html="Sungai Musi melintasi Kota Palembang.",
                data=TF,
            ),
            Question(
                course_id=course.id,
                type="short_answer",
                name="Jembatan",
                text_html="Nama jembatan ikonik di atas Sungai Musi?",
                data=SHORT,
            ),
        ]
        db.session.add_all(questions)
        db.session.flush()
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": "Post-test Pelayanan Prima",
                "kind": "post_test",
                "pass_mark": 60,
                "attempts_allowed": 2,
                "time_limit_minutes": 10,
                "question_ids": [q.id for q in questions],
            },
        )
        db.session.commit()
        out = {"code": course.code, "quiz": quiz.id, "ids": [q.id for q in questions]}
        db.session.remove()
    return out


def _answer(live_app, attempt_id: int, question_id: int):
    with live_app.app_context():
        value = db.session.scalar(
            select(AttemptAnswer.response).where(
                AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == question_id
            )
        )
        db.session.remove()
        return value


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.browser
def test_timed_post_test_survives_reload_and_offline_then_times_out(
    page,
    live_server,
    live_app,
    post_test,
    shot,
    axe_check,
) -> None:
    choice, tf, short = post_test["ids"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "pegawai")

    # Enrol in the course.
    page.goto(f"{live_server}/pelatihan/{post_test['code']}")
    page.get_by_role("button", name="Daftar", exact=True).click()

    # The quiz page, then start.
    page.goto(f"{live_server}/kuis/{post_test['quiz']}")
    assert page.get_by_role("heading", level=1).inner_text() == "Post-test Pelayanan Prima"
    axe_check("quiz intro")
    shot("60-quiz-intro")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_url("**/kuis/percobaan/*")
    attempt_id = int(page.url.rstrip("/").split("/")[-1])
    assert page.locator("#quiz-timer").inner_text().startswith(("9:", "10:"))

    # Answer two questions; each change is saved.
    page.get_by_label("Palembang").check()
    expect_saved = page.locator("#quiz-status[data-state=saved]")
    expect_saved.wait_for()
    page.get_by_label("Jawaban Anda").fill("ampera")
    assert _wait_for(lambda: _answer(live_app, attempt_id, short) == "ampera")
    assert _answer(live_app, attempt_id, choice) == 1
    axe_check("quiz attempt")
    shot("61-quiz-attempt-answered")

    # Reload: the answers are still there.
    page.reload()
    assert page.get_by_label("Palembang").is_checked()
    assert page.get_by_label("Jawaban Anda").input_value() == "ampera"

    # Offline: the answer waits on the device.
    page.context.set_offline(True)
    page.get_by_label("Benar", exact=True).check()
    page.locator("#quiz-status[data-state=offline]").wait_for()
    assert page.locator("#quiz-status").inner_text() == "Offline: jawaban disimpan di perangkat"
    assert _answer(live_app, attempt_id, tf) is None
    shot("62-quiz-offline")
    axe_check("quiz attempt offline")

    # Back online: it reaches the server.
    page.context.set_offline(False)
    assert _wait_for(lambda: _answer(live_app, attempt_id, tf) is True)
    page.locator("#quiz-status[data-state=saved]").wait_for()
    shot("63-quiz-back-online")

    # Time runs out: bring the server's deadline close, reload, and let the countdown end.
    with live_app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.deadline_at = utcnow() + timedelta(seconds=3)
        db.session.commit()
        db.session.remove()
    page.reload()
    page.wait_for_url(f"**/kuis/percobaan/{attempt_id}/hasil", timeout=15_000)
    assert page.locator("#attempt-status").inner_text() == "Sudah dinilai"
    assert page.locator("#attempt-score").inner_text() == "100,00"  # Indonesian decimal comma
    axe_check("quiz result")
    shot("64-quiz-result")
    with live_app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == "graded"
        db.session.remove()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def long_quiz(live_app) -> dict:
    """Eight questions (longer than a phone's screen), 20 minutes, three attempts; `pegawai`
    enrolled."""
    with live_app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        pegawai = db.session.scalar(select(User).where(User.username == "pegawai"))
        course = make_course("KUIS-PLG-HP", title="Kearsipan Digital", trainer=trainer)
        db.session.add(
            Enrolment(course_id=course.id, employee_id=pegawai.employee_id, status="active")
        )
        questions = []
        for i in range(8):
            kind = ("single_choice", "true_false")[i % 2]
            questions.append(
                Question(
                    course_id=course.id,
                    type=kind,
                    name=f"Soal arsip {i + 1}",
                    text_html=(
                        f"Pernyataan {i + 1}: arsip dinamis yang masih digunakan secara langsung "
                        "dalam kegiatan pencipta arsip dan disimpan selama jangka waktu tertentu "
                        "disebut arsip aktif. Pilih jawaban yang paling tepat."
                    ),
                    data=CHOICES if kind == "single_choice" else TF,
                )
            )
        db.session.add_all(questions)
        db.session.flush()
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": "Post-test Kearsipan Digital",
                "kind": "post_test",
                "attempts_allowed": 3,
                "time_limit_minutes": 20,
                "question_ids": [q.id for q in questions],
            },
        )
        db.session.commit()
        out = {"quiz": quiz.id, "ids": [q.id for q in questions]}
        db.session.remove()
    return out


def _viewport_shot(page, name: str) -> None:
    """What the phone's screen shows now (a full-page shot would not show the bar stuck)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _focused(page, attribute: str = "id") -> str:
    """The focused element's id (page.wait_for_function would eval under the page's CSP)."""
    return page.evaluate(f"document.activeElement && document.activeElement.{attribute}")


def _bar_in_view(page) -> dict:
    return page.evaluate(
        """() => {
            const bar = document.getElementById('quiz-bar').getBoundingClientRect();
            const timer = document.getElementById('quiz-timer').getBoundingClientRect();
            return {scrolled: window.scrollY, top: bar.top, bottom: bar.bottom,
                    timerTop: timer.top, timerBottom: timer.bottom, width: bar.width};
        }"""
    )


@pytest.mark.browser
def test_phone_keeps_the_status_in_view_and_asks_before_submitting_unanswered(
    page,
    browser,
    live_server,
    live_app,
    long_quiz,
    shot,
    axe_check,
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/kuis/{long_quiz['quiz']}")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_url("**/kuis/percobaan/*")
    attempt_id = int(page.url.rstrip("/").split("/")[-1])
    ids = long_quiz["ids"]

    # Answer the first two; the bar counts them.
    assert page.locator("#quiz-answered").inner_text() == "0"
    page.locator(f"#q{ids[0]}-1").check()
    page.locator("#quiz-status[data-state=saved]").wait_for()
    page.locator(f"#q{ids[1]}-true").check()
    assert page.locator("#quiz-answered").inner_text() == "2"
    axe_check("quiz attempt on a phone")

    # Scrolled far down, the time, the count and the save status are still on screen.
    page.locator(f"#soal-{ids[6]}").scroll_into_view_if_needed()
    page.mouse.wheel(0, 1500)
    assert _wait_for(lambda: page.evaluate("window.scrollY") > 1000)
    box = _bar_in_view(page)
    assert box["scrolled"] > 1000
    assert -1 <= box["top"] <= 1, box  # stuck to the top of the screen
    assert box["timerTop"] >= 0 and box["timerBottom"] <= PHONE["height"], box
    assert box["width"] >= PHONE["width"] - 2  # the whole width of the phone
    assert page.locator("#quiz-timer").is_visible()
    assert page.locator("#quiz-status").is_visible()
    assert page.locator("#quiz-answered").is_visible()
    _viewport_shot(page, "65-quiz-phone-scrolled-bar")

    # Submitting asks first: how many are unanswered, which ones, in a modal dialog.
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    dialog = page.get_by_role("dialog", name="Kumpulkan jawaban?")
    dialog.wait_for()
    assert "Masih ada 6 dari 8 soal yang belum dijawab." in dialog.inner_text()
    assert dialog.get_by_role("link").all_inner_texts() == [f"Soal {n}" for n in range(3, 9)]
    # The safe choice has the keyboard.
    assert _wait_for(lambda: _focused(page) == "quiz-confirm-back")
    axe_check("quiz submit confirmation")
    _viewport_shot(page, "66-quiz-phone-confirm-dialog")

    # Escape closes it, nothing submitted, the keyboard is back on the submit button.
    page.keyboard.press("Escape")
    assert _wait_for(lambda: _focused(page) == "quiz-submit")
    assert not dialog.is_visible()
    assert page.url.endswith(f"/kuis/percobaan/{attempt_id}")

    # From the dialog straight to an unanswered question, answered with the keyboard.
    page.keyboard.press("Enter")
    dialog.wait_for()
    dialog.get_by_role("link", name="Soal 3").click()
    assert not dialog.is_visible()
    assert _wait_for(lambda: _focused(page, "name") == f"q{ids[2]}")  # after 'close'

    page.keyboard.press("Space")
    page.locator("#quiz-status[data-state=saved]").wait_for()
    assert page.locator("#quiz-answered").inner_text() == "3"

    # Tab to "Tetap kumpulkan" and submit anyway: graded with five unanswered.
    page.get_by_role("button", name="Kumpulkan jawaban").click()
    dialog.wait_for()
    assert "Masih ada 5 dari 8 soal" in dialog.inner_text()
    page.keyboard.press("Tab")
    assert _wait_for(lambda: _focused(page) == "quiz-confirm-go")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/kuis/percobaan/{attempt_id}/hasil")
    assert page.locator("#attempt-status").inner_text() == "Sudah dinilai"
    # Two attempts are left: no answer key yet.
    assert page.locator("#review-later").is_visible()
    assert page.locator(".quiz-review").count() == 0
    axe_check("quiz result with attempts left")
    shot("67-quiz-phone-result-no-key-yet")

    # Without JavaScript the server asks on a page of its own.
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    plain = context.new_page()
    plain.set_default_timeout(15_000)
    try:
        sign_in(plain, live_server, "pegawai")
        plain.goto(f"{live_server}/kuis/{long_quiz['quiz']}")
        plain.get_by_role("button", name="Mulai mengerjakan").click()
        plain.wait_for_url("**/kuis/percobaan/*")
        second = int(plain.url.rstrip("/").split("/")[-1])
        assert second != attempt_id
        assert not plain.locator("#quiz-confirm").is_visible()  # the dialog stays closed
        plain.get_by_role("button", name="Kumpulkan jawaban").click()
        plain.wait_for_url(f"**/kuis/percobaan/{second}/konfirmasi")
        summary = plain.locator("#quiz-confirm-summary").inner_text()
        assert "Masih ada 8 dari 8 soal yang belum dijawab." in summary
        SHOTS.mkdir(parents=True, exist_ok=True)
        plain.screenshot(path=str(SHOTS / "68-quiz-phone-confirm-page-nojs.png"), full_page=True)
        with live_app.app_context():
            assert db.session.get(QuizAttempt, second).status == "in_progress"
            db.session.remove()
        # axe runs scripts in the page: it checks the same page in the JavaScript context.
        page.goto(plain.url)
        assert "Masih ada 8 dari 8" in page.locator("#quiz-confirm-summary").inner_text()
        axe_check("quiz confirmation page")
        plain.get_by_role("button", name="Tetap kumpulkan").click()
        plain.wait_for_url(f"**/kuis/percobaan/{second}/hasil")
        with live_app.app_context():
            assert db.session.get(QuizAttempt, second).status == "graded"
            db.session.remove()
    finally:
        context.close()
