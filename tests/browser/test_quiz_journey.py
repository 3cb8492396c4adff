"""A timed post-test in Chromium: enrol, start, answer, reload (answers survive), lose the
connection (answers wait on the device and reach the server when it returns), then let the
time run out (the page submits itself and the attempt is graded)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.quizzes import attempts
from lms.quizzes.models import AttemptAnswer, Question, QuizAttempt
from tests.browser.conftest import sign_in
from tests.factories import make_course

CHOICES = {
    "answers": [{"text": "Jakarta", "fraction": 0.0}, {"text": "Palembang", "fraction": 1.0}]
}
TF = {"answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0.0}]}
SHORT = {"answers": [{"text": "Ampera", "fraction": 1.0}]}


@pytest.fixture
def post_test(live_app) -> dict:  # noqa: ANN001
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
                "review": "immediately",
                "question_ids": [q.id for q in questions],
            },
        )
        db.session.commit()
        out = {"code": course.code, "quiz": quiz.id, "ids": [q.id for q in questions]}
        db.session.remove()
    return out


def _answer(live_app, attempt_id: int, question_id: int):  # noqa: ANN001, ANN202
    with live_app.app_context():
        value = db.session.scalar(
            select(AttemptAnswer.response).where(
                AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == question_id
            )
        )
        db.session.remove()
        return value


def _wait_for(predicate, timeout: float = 10.0) -> bool:  # noqa: ANN001
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
    axe_check,  # noqa: ANN001
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
