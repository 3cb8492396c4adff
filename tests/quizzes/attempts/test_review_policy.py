"""Fair assessments: the correct answers wait until no attempt is left (unless a practice quiz
says otherwise), post-tests draw from a bank larger than one attempt, the settings form answers
in Indonesian, and a submit with unanswered questions is confirmed first (also without JS)."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee
from lms.quizzes.attempts import queries
from lms.quizzes.attempts import services as svc
from lms.quizzes.models import Question, QuestionCategory, Quiz, QuizAttempt
from tests.conftest import csrf_token, login
from tests.factories import make_course

CONTENT = Path(__file__).resolve().parents[3] / "content"
CHOICES = {
    "answers": [
        {"text": "Jakarta", "fraction": 0.0, "feedback": "FB-SALAH"},
        {"text": "Palembang-KUNCI", "fraction": 1.0, "feedback": "FB-BENAR"},
    ]
}
ENGLISH = ("Number must", "Not a valid", "This field", "Field cannot", "Invalid")


def _course_with_questions(world, count: int = 2, code: str = "ADIL-101") -> tuple:
    """A course taught by `pengajar` with ``count`` choice questions in one category,
    `pegawai` enrolled."""
    trainer = db.session.get(User, world.users["pengajar"].id)
    course = make_course(code, trainer=trainer)
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    db.session.add(Enrolment(course_id=course.id, employee_id=employee.id, status="active"))
    category = QuestionCategory(course_id=course.id, name=f"{code}/Post-test")
    db.session.add(category)
    db.session.flush()
    questions = [
        Question(
            course_id=course.id,
            category_id=category.id,
            type="single_choice",
            name=f"Soal {i}",
            text_html=f"Ibu kota Sumatera Selatan ({i})?",
            data=CHOICES,
        )
        for i in range(count)
    ]
    db.session.add_all(questions)
    db.session.flush()
    return course, employee, [q.id for q in questions], category


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


# --- when the correct answers are shown ----------------------------------------------------------


def test_a_new_quiz_keeps_the_key_until_the_last_attempt_is_in(ctx, world) -> None:
    course, employee, ids, _ = _course_with_questions(world)
    quiz = svc.save_quiz(
        course, None, {"title": "Post-test", "kind": "post_test", "attempts_allowed": 2,
                       "question_ids": ids},
    )  # fmt: skip
    assert quiz.review == "after_last"  # the default, for post-tests and every other kind
    first = svc.start_attempt(quiz, employee.id)
    svc.submit(first)
    assert queries.review_allowed(first) is False  # a second attempt is left
    second = svc.start_attempt(quiz, employee.id)
    assert queries.review_allowed(first) is False  # and under way
    svc.submit(second)
    assert queries.review_allowed(first) is True
    assert queries.review_allowed(second) is True


def test_unlimited_attempts_show_the_key_only_once_the_quiz_closed(ctx, world) -> None:
    course, employee, ids, _ = _course_with_questions(world)
    closes = utcnow() + timedelta(days=1)
    quiz = svc.save_quiz(
        course, None, {"title": "Ujian", "kind": "exam", "attempts_allowed": 0,
                       "closes_at": closes, "question_ids": ids},
    )  # fmt: skip
    attempt = svc.submit(svc.start_attempt(quiz, employee.id))
    assert queries.review_allowed(attempt) is False
    assert queries.review_allowed(attempt, now=closes + timedelta(minutes=1)) is True


def test_only_a_practice_quiz_may_show_the_key_right_after_submitting(ctx, world) -> None:
    course, employee, ids, _ = _course_with_questions(world)
    practice = svc.save_quiz(
        course, None, {"title": "Latihan", "kind": "practice", "attempts_allowed": 0,
                       "review": "immediately", "question_ids": ids},
    )  # fmt: skip
    attempt = svc.submit(svc.start_attempt(practice, employee.id))
    assert queries.review_allowed(attempt) is True  # the trainer chose it, for practice
    db.session.commit()
    # The database refuses it for a post-test (the form says why before that).
    with pytest.raises(IntegrityError):
        svc.save_quiz(
            course, None, {"title": "Post-test", "kind": "post_test", "review": "immediately",
                           "question_ids": ids},
        )  # fmt: skip
    db.session.rollback()


def test_result_page_hides_the_key_while_an_attempt_is_left(app, client, world) -> None:
    with app.app_context():
        course, _employee, ids, _ = _course_with_questions(world, count=1)
        quiz = svc.save_quiz(
            course, None, {"title": "Post-test Adil", "kind": "post_test",
                           "attempts_allowed": 2, "question_ids": ids},
        )  # fmt: skip
        db.session.commit()
        quiz_id, qid = quiz.id, ids[0]
    login(client, "pegawai")

    def take() -> str:
        token = csrf_token(client, f"/kuis/{quiz_id}")
        url = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token}).headers["Location"]
        client.post(
            f"{url}/jawab", json={"question_id": qid, "response": 0}, headers={"X-CSRFToken": token}
        )
        assert client.post(f"{url}/kumpulkan", data={"csrf_token": token}).status_code == 302
        return client.get(f"{url}/hasil").get_data(as_text=True)

    page = take()
    assert "setelah kesempatan terakhir Anda digunakan" in page
    for secret in ("Palembang-KUNCI", "FB-SALAH", "FB-BENAR", "jawaban benar"):
        assert secret not in page, secret
    page = take()  # the last attempt: now the review
    assert "Palembang-KUNCI" in page and "FB-SALAH" in page
    assert "setelah kesempatan terakhir Anda digunakan" not in page


# --- quiz settings ---------------------------------------------------------------------------------


def test_settings_refuse_immediate_review_for_a_post_test_in_indonesian(app, client, world) -> None:
    with app.app_context():
        course, _e, ids, _ = _course_with_questions(world)
        db.session.commit()
        course_id = course.id
    login(client, "pengajar")
    path = f"/kelola/pelatihan/{course_id}/kuis/baru"
    data = {
        "csrf_token": csrf_token(client, path),
        "title": "Post-test",
        "kind": "post_test",
        "pass_mark": "70",
        "attempts_allowed": "3",
        "question_ids": [str(i) for i in ids],
        "draw_category": "0",
        "review": "immediately",
        "grading": "highest",
    }
    page = client.post(path, data=data)
    assert page.status_code == 200
    assert "hanya untuk kuis latihan" in page.get_data(as_text=True)
    assert client.post(path, data={**data, "kind": "practice"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Quiz.review)) == "immediately"


def test_every_settings_message_is_indonesian(app, client, world) -> None:
    with app.app_context():
        course, _e, _ids, _ = _course_with_questions(world)
        db.session.commit()
        course_id = course.id
    login(client, "pengajar")
    path = f"/kelola/pelatihan/{course_id}/kuis/baru"
    token = csrf_token(client, path)
    bad = {
        "title": "",
        "kind": "ujian-palsu",
        "pass_mark": "150",
        "attempts_allowed": "-1",
        "time_limit_minutes": "0",
        "opens_at": "besok pagi",
        "closes_at": "2026-13-45T99:99",
        "question_ids": ["x"],
        "draw_category": "abc",
        "draw_count": "9999",
        "review": "kapan-saja",
        "grading": "terbaik",
    }
    page = client.post(path, data={"csrf_token": token, **bad}).get_data(as_text=True)
    errors = re.findall(r'class="field-error">([^<]+)<', page)
    assert len(errors) >= 10, errors
    for error in errors:
        assert not any(word in error for word in ENGLISH), error
    assert "Nilai lulus harus antara 0 dan 100." in errors
    assert "Jumlah kesempatan harus antara 0 dan 100." in errors
    assert "Batas waktu harus antara 1 dan 1440 menit." in errors
    assert "Jumlah soal acak harus antara 0 dan 500." in errors
    # A number that is not one at all.
    page = client.post(path, data={"csrf_token": token, "pass_mark": "enam puluh"})
    errors = re.findall(r'class="field-error">([^<]+)<', page.get_data(as_text=True))
    assert errors and not any(w in e for e in errors for w in ENGLISH), errors


def test_a_new_quiz_defaults_to_a_post_test_drawing_from_a_larger_bank(app, client, world) -> None:
    with app.app_context():
        course, _e, _ids, category = _course_with_questions(world, count=12)
        db.session.commit()
        course_id, category_id = course.id, category.id
    login(client, "pengajar")
    page = client.get(f"/kelola/pelatihan/{course_id}/kuis/baru").get_data(as_text=True)
    assert re.search(r'<option selected value="post_test">', page), page
    assert re.search(r'<option selected value="after_last">', page)
    assert re.search(rf'<option selected value="{category_id}">', page)
    assert re.search(r'id="draw_count"[^>]*value="10"', page)


def test_a_small_bank_is_shown_whole(ctx, world) -> None:
    from lms.quizzes.bank.services import default_draw

    course, _e, _ids, category = _course_with_questions(world, count=10)
    assert default_draw(course) is None  # 10 questions for 10 places: nothing to draw
    db.session.add(
        Question(course_id=course.id, category_id=category.id, type="essay", name="Esai")
    )
    db.session.flush()
    assert default_draw(course) == {"category_id": category.id, "count": 10}


def test_demo_post_tests_draw_from_their_bank_and_review_after_the_last_attempt(db, world) -> None:
    from lms.content import load_content

    assert load_content(CONTENT).errors == []
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    quizzes = db.session.scalars(select(Quiz).where(Quiz.kind == "post_test")).all()
    assert len(quizzes) >= 5
    for quiz in quizzes:
        bank = db.session.scalars(select(Question.id).where(Question.course_id == quiz.course_id))
        bank = set(bank)
        assert len(bank) > 10, quiz.title
        assert quiz.review == "after_last"
        assert quiz.questions["ids"] == []
        assert [d["count"] for d in quiz.questions["draws"]] == [10]
        db.session.add(
            Enrolment(course_id=quiz.course_id, employee_id=employee.id, status="active")
        )
        db.session.flush()
        first = svc.start_attempt(quiz, employee.id, rng=random.Random(1))
        assert len(first.question_order) == 10 and set(first.question_order) <= bank
        svc.submit(first)
        second = svc.start_attempt(quiz, employee.id, rng=random.Random(2))
        assert len(second.question_order) == 10
        assert set(second.question_order) != set(first.question_order)
    db.session.rollback()


def test_content_refuses_a_bad_question_count(db, world, tmp_path) -> None:
    import shutil

    from lms.content import load_content

    folder = tmp_path / "courses" / "KOM-101"
    shutil.copytree(CONTENT / "courses" / "KOM-101", folder)
    yaml = folder / "course.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("questions: 10", "questions: sepuluh"), "utf-8")
    errors = load_content(tmp_path).errors
    assert len(errors) == 1 and "posttest.questions" in errors[0]["message"]


# --- submitting with unanswered questions ---------------------------------------------------------


@pytest.fixture
def three(app, world) -> dict:
    with app.app_context():
        course, _e, ids, _ = _course_with_questions(world, count=3)
        quiz = svc.save_quiz(
            course, None, {"title": "Post-test Tiga", "kind": "post_test",
                           "attempts_allowed": 2, "question_ids": ids},
        )  # fmt: skip
        db.session.commit()
        return {"quiz": quiz.id, "ids": ids}


def _start(client, three: dict) -> tuple[str, str]:
    token = csrf_token(client, f"/kuis/{three['quiz']}")
    url = client.post(f"/kuis/{three['quiz']}/mulai", data={"csrf_token": token}).headers[
        "Location"
    ]
    client.post(
        f"{url}/jawab",
        json={"question_id": three["ids"][0], "response": 1},
        headers={"X-CSRFToken": token},
    )
    return url, token


def _status(app, url: str) -> str:
    with app.app_context():
        return db.session.get(QuizAttempt, int(url.rsplit("/", 1)[1])).status


def test_unconfirmed_submit_with_unanswered_questions_asks_first(app, client, three) -> None:
    login(client, "pegawai")
    url, token = _start(client, three)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'id="quiz-answered">1</span>/3', page)  # the bar's count
    assert '<dialog id="quiz-confirm"' in page and "<script>" not in page

    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token})
    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"{url}/konfirmasi")
    assert _status(app, url) == "in_progress"
    confirm = client.get(f"{url}/konfirmasi").get_data(as_text=True)
    assert "Masih ada 2 dari 3 soal yang belum dijawab." in confirm
    assert f'href="{url}#soal-{three["ids"][1]}">Soal 2<' in confirm
    assert f'href="{url}#soal-{three["ids"][2]}">Soal 3<' in confirm
    assert 'name="unanswered" value="2"' in confirm

    # Agreeing to fewer unanswered than the server counts asks again.
    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token, "unanswered": "1"})
    assert reply.status_code == 303 and _status(app, url) == "in_progress"
    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token, "unanswered": "x"})
    assert reply.status_code == 303 and _status(app, url) == "in_progress"
    # Confirmed: submitted and graded.
    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token, "unanswered": "2"})
    assert reply.headers["Location"].endswith(f"{url}/hasil")
    assert _status(app, url) == "graded"
    assert client.get(f"{url}/konfirmasi").headers["Location"].endswith(f"{url}/hasil")


def test_a_fully_answered_attempt_or_the_end_of_time_submits_at_once(app, client, three) -> None:
    login(client, "pegawai")
    url, token = _start(client, three)
    # The countdown reached zero in the browser: no question asked.
    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token, "timeup": "1"})
    assert reply.headers["Location"].endswith(f"{url}/hasil") and _status(app, url) == "graded"

    url, token = _start(client, three)
    for qid in three["ids"][1:]:
        client.post(
            f"{url}/jawab", json={"question_id": qid, "response": 0}, headers={"X-CSRFToken": token}
        )
    assert "Semua 3 soal sudah dijawab." in client.get(f"{url}/konfirmasi").get_data(as_text=True)
    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token})
    assert reply.headers["Location"].endswith(f"{url}/hasil") and _status(app, url) == "graded"


def test_a_cleared_answer_counts_as_unanswered(ctx, world) -> None:
    assert not queries.is_answered(None)
    assert not queries.is_answered("  ")
    assert not queries.is_answered([])
    assert not queries.is_answered({"0": ""})
    assert (
        queries.is_answered(0)
        and queries.is_answered(False)
        and queries.is_answered({"0": "Sumsel"})
    )


def test_one_question_per_page_counts_the_other_pages_too(app, client, three) -> None:
    with app.app_context():
        db.session.get(Quiz, three["quiz"]).one_per_page = True
        db.session.commit()
    login(client, "pegawai")
    intro = client.get(f"/kuis/{three['quiz']}").get_data(as_text=True)
    assert re.search(r'id="quiz-review-when">Setelah kesempatan terakhir', intro)
    url, token = _start(client, three)  # the first question answered
    page = client.get(f"{url}?soal=1").get_data(as_text=True)
    assert 'data-others="2,3"' in page and re.search(r'id="quiz-answered">1</span>/3', page)
    assert 'data-others="3"' in client.get(f"{url}?soal=2").get_data(as_text=True)
    client.post(f"{url}/kumpulkan", data={"csrf_token": token})
    confirm = client.get(f"{url}/konfirmasi").get_data(as_text=True)
    assert f'href="{url}?soal=2">Soal 2<' in confirm and f'href="{url}?soal=3">Soal 3<' in confirm


def test_without_javascript_the_submit_keeps_the_answers_the_form_carries(
    app, client, three
) -> None:
    """No script, no autosave: the answers reach the server only in the submit's body. Before,
    they were dropped and the attempt was graded blank after the confirmation page."""
    login(client, "pegawai")
    url, token = _start(client, three)  # question 1 answered through the autosave
    first, second, third = three["ids"]
    # Question 2 answered in the form, question 3 left alone: the server asks first, and keeps
    # what the form carried while it asks.
    reply = client.post(f"{url}/kumpulkan", data={"csrf_token": token, f"q{second}": "0"})
    assert reply.headers["Location"].endswith(f"{url}/konfirmasi")
    confirm = client.get(f"{url}/konfirmasi").get_data(as_text=True)
    assert "Masih ada 1 dari 3 soal yang belum dijawab." in confirm
    reply = client.post(
        f"{url}/kumpulkan",
        data={"csrf_token": token, f"q{first}": "1", f"q{second}": "0", f"q{third}": "1"},
    )
    assert reply.headers["Location"].endswith(f"{url}/hasil") and _status(app, url) == "graded"
    with app.app_context():
        attempt = db.session.get(QuizAttempt, int(url.rsplit("/", 1)[1]))
        saved = {a.question_id: a.response for a in attempt.answers}
    assert saved == {first: 1, second: 0, third: 1}


@pytest.mark.parametrize(
    ("kind", "form", "expected"),
    [
        ("single_choice", {"q7": "2"}, (True, 2)),
        ("single_choice", {"q7": ""}, (True, None)),
        ("single_choice", {}, (False, None)),
        ("true_false", {"q7": "false"}, (True, False)),
        ("multiple_response", {"q7": ["0", "2", "x"]}, (True, [0, 2])),
        ("matching", {"q7-0": "Jakarta", "q7-1": ""}, (True, {"0": "Jakarta"})),
        ("matching", {"q8-0": "Jakarta"}, (False, {})),
        ("essay", {"q7": "Jawaban panjang"}, (True, "Jawaban panjang")),
    ],
)
def test_a_posted_answer_reads_back_as_the_autosave_would_send_it(kind, form, expected) -> None:
    from werkzeug.datastructures import MultiDict

    from lms.quizzes.attempts.posted import response_of

    assert response_of(kind, "q7", MultiDict(form)) == expected
