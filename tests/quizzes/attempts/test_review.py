"""The learner's review of a submitted attempt, inline blanks, and the quiz link in the player."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import Question, Quiz
from tests.conftest import csrf_token, login
from tests.factories import make_course

SECRETS = ("KUNCI-FEEDBACK-PALEMBANG", "PEMBAHASAN-UMUM-RAHASIA", "Batanghari", "FB-SALAH-JAKARTA")


def _question(course_id: int, **kw: object) -> Question:
    question = Question(course_id=course_id, **kw)
    db.session.add(question)
    db.session.flush()
    return question


@pytest.fixture
def setup(app, world) -> dict[str, int]:
    """A quiz of five questions, review after it closes (tomorrow); `pegawai` enrolled."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("ULAS-101", trainer=trainer, lessons=2)
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        ids = {"course": course.id}
        ids["choice"] = _question(
            course.id,
            type="single_choice",
            name="Ibu kota",
            text_html="Ibu kota Sumatera Selatan?",
            general_feedback="PEMBAHASAN-UMUM-RAHASIA: Palembang sejak 1950.",
            data={
                "answers": [
                    {"text": "Jakarta", "fraction": 0.0, "feedback": "FB-SALAH-JAKARTA"},
                    {"text": "Palembang", "fraction": 1.0, "feedback": "KUNCI-FEEDBACK-PALEMBANG"},
                ]
            },
        ).id
        ids["short"] = _question(
            course.id,
            type="short_answer",
            name="Sungai Jambi",
            text_html="Sungai terpanjang di Jambi?",
            data={"answers": [{"text": "Batanghari", "fraction": 1.0, "feedback": "Tepat."}]},
        ).id
        ids["blank"] = _question(
            course.id,
            type="fill_blank",
            name="Sungai Musi",
            text="Sungai _____ membelah Palembang.",
            text_html="Sungai _____ membelah <b>Palembang</b>.",
            data={
                "answers": [{"text": "Musi", "fraction": 1.0, "feedback": "Betul, Musi."}],
                "inner_type": "short_answer",
                "blank_before": "Sungai ",
                "blank_after": " membelah Palembang.",
            },
        ).id
        ids["tf"] = _question(
            course.id,
            type="true_false",
            name="Benar salah",
            text_html="Palembang di Sumatera.",
            data={"answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0}]},
        ).id
        ids["match"] = _question(
            course.id,
            type="matching",
            name="Pasangan",
            text_html="Pasangkan.",
            data={
                "answers": [
                    {"text": "Palembang", "fraction": 1.0, "match": "Sumsel"},
                    {"text": "Jambi", "fraction": 1.0, "match": "Jambi"},
                ]
            },
        ).id
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": "Post-test Ulas",
                "kind": "post_test",
                "attempts_allowed": 0,
                "review": "after_close",
                "closes_at": utcnow() + timedelta(days=1),
                "question_ids": [ids[k] for k in ("choice", "short", "blank", "tf", "match")],
            },
        )
        ids["quiz"] = quiz.id
        ids["code"] = course.code
        db.session.commit()
        return ids


def _submit(client, ids: dict) -> str:
    """Take the quiz as `pegawai`: the wrong capital, a wrong river, the right blank."""
    login(client, "pegawai")
    token = csrf_token(client, f"/kuis/{ids['quiz']}")
    url = client.post(f"/kuis/{ids['quiz']}/mulai", data={"csrf_token": token}).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    for secret in (*SECRETS, "Musi"):
        assert secret not in page, secret
    # The blank is an input inside the sentence, with a label.
    blank = ids["blank"]
    assert re.search(
        rf'Sungai <label for="q{blank}-text" class="visually-hidden">[^<]+</label>'
        rf'<input type="text" id="q{blank}-text" name="q{blank}" class="blank-input"[^>]*>'
        r" membelah <b>Palembang</b>\.",
        page,
    ), page
    headers = {"X-CSRFToken": token}
    for qid, response in (
        (ids["choice"], 0),
        (ids["short"], "Musi"),
        (blank, "musi"),
        (ids["tf"], True),
        (ids["match"], {"0": "Sumsel", "1": "Sumsel"}),
    ):
        saved = client.post(
            f"{url}/jawab", json={"question_id": qid, "response": response}, headers=headers
        )
        assert saved.status_code == 200
    assert client.post(f"{url}/kumpulkan", data={"csrf_token": token}).status_code == 302
    return f"{url}/hasil"


def test_no_correct_answer_or_feedback_before_review_then_full_review(app, client, setup) -> None:
    result = _submit(client, setup)
    page = client.get(result).get_data(as_text=True)
    assert "Pembahasan dan kunci jawaban ditampilkan setelah kuis ditutup" in page
    for secret in (*SECRETS, "jawaban benar", "Jawaban benar"):
        assert secret not in page, secret

    with app.app_context():
        db.session.get(Quiz, setup["quiz"]).closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = client.get(result).get_data(as_text=True)

    def block(qid: int) -> str:
        return re.search(rf'id="pembahasan-{qid}"(.*?)</article>', page, re.S).group(1)

    choice = block(setup["choice"])
    assert 'data-state="wrong"' in page
    assert "skor 0%" in choice
    assert re.search(r'<li class="chosen">Jakarta\s*<span class="chip muted">pilihan Anda', choice)
    assert re.search(r"Palembang\s*<span class=\"chip ok\">jawaban benar", choice)
    assert "FB-SALAH-JAKARTA" in choice  # feedback of the answer given
    assert "KUNCI-FEEDBACK-PALEMBANG" not in choice  # not of the answer not given
    assert "PEMBAHASAN-UMUM-RAHASIA" in choice

    short = block(setup["short"])
    assert '<dd class="review-given">Musi</dd>' in short
    assert '<dd class="review-correct">Batanghari</dd>' in short
    assert "Salah" in short

    blank = block(setup["blank"])
    assert 'Sungai <mark class="blank-filled">musi</mark> membelah <b>Palembang</b>.' in blank
    assert "skor 100%" in blank and "Betul, Musi." in blank

    assert "skor 100%" in block(setup["tf"])
    matching = block(setup["match"])
    assert "skor 50%" in matching and "Sebagian benar" in matching
    assert re.search(r"<th scope=\"row\">Jambi</th><td>Sumsel", matching)


def test_review_never_shows_nothing(app, client, setup) -> None:
    with app.app_context():
        quiz = db.session.get(Quiz, setup["quiz"])
        quiz.review, quiz.closes_at = "never", None
        db.session.commit()
    page = client.get(_submit(client, setup)).get_data(as_text=True)
    assert "Pembahasan kuis ini tidak ditampilkan." in page
    assert 'id="pembahasan-' not in page
    for secret in SECRETS:
        assert secret not in page


def test_review_immediately_after_submit_of_a_practice_quiz(app, client, setup) -> None:
    with app.app_context():
        quiz = db.session.get(Quiz, setup["quiz"])
        quiz.kind, quiz.review = "practice", "immediately"
        db.session.commit()
    page = client.get(_submit(client, setup)).get_data(as_text=True)
    assert "Batanghari" in page and "PEMBAHASAN-UMUM-RAHASIA" in page


def test_inline_blank_choice_is_a_select(app, client, setup) -> None:
    with app.app_context():
        question = db.session.get(Question, setup["blank"])
        question.data = {
            **question.data,
            "inner_type": "single_choice",
            "answers": [{"text": "Musi", "fraction": 1.0}, {"text": "Ogan", "fraction": 0.0}],
        }
        db.session.commit()
    login(client, "pegawai")
    token = csrf_token(client, f"/kuis/{setup['quiz']}")
    url = client.post(f"/kuis/{setup['quiz']}/mulai", data={"csrf_token": token}).headers[
        "Location"
    ]
    page = client.get(url).get_data(as_text=True)
    qid = setup["blank"]
    assert re.search(
        rf'<select id="q{qid}-text" name="q{qid}" class="blank-input">.*?'
        rf'<option value="0">Musi</option><option value="1">Ogan</option></select> membelah',
        page,
    )


def test_lesson_player_links_to_the_post_test(app, client, setup) -> None:
    with app.app_context():
        from lms.courses.models import Course

        course = db.session.get(Course, setup["course"])
        keys = [lesson.key for m in course.published_version.modules for lesson in m.lessons]
    login(client, "pegawai")
    quiz_link = f'href="/kuis/{setup["quiz"]}"'
    first = client.get(f"/belajar/{setup['code']}/{keys[0]}").get_data(as_text=True)
    assert quiz_link in first  # in the outline
    assert "Lanjut ke post-test" not in first
    last = client.get(f"/belajar/{setup['code']}/{keys[-1]}").get_data(as_text=True)
    assert "Lanjut ke post-test" in last
    assert last.count(quiz_link) == 2
