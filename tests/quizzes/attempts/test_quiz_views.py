"""Quizzes through HTTP: trainer settings and essay grading, taking a quiz, access rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, GradeChange, Question, Quiz, QuizAttempt
from tests.conftest import csrf_token, login
from tests.factories import make_course
from tests.test_query_counts import count_queries

CHOICES = {
    "answers": [{"text": "Jakarta", "fraction": 0.0}, {"text": "Palembang", "fraction": 1.0}]
}


@pytest.fixture
def setup(app, world) -> dict[str, int]:
    """A course taught by `pengajar` with a choice and an essay question; `pegawai` enrolled."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("KUIS-201", trainer=trainer)
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        choice = Question(
            course_id=course.id,
            type="single_choice",
            name="Ibu kota",
            text="Ibu kota Sumsel?",
            text_html="Ibu kota Sumsel?",
            data=CHOICES,
        )
        essay = Question(course_id=course.id, type="essay", name="Esai", text_html="Jelaskan.")
        db.session.add_all([choice, essay])
        db.session.commit()
        return {"course": course.id, "choice": choice.id, "essay": essay.id}


def _create_quiz(client, ids: dict[str, int], **extra: object) -> int:
    path = f"/kelola/pelatihan/{ids['course']}/kuis/baru"
    data = {
        "csrf_token": csrf_token(client, path),
        "title": "Post-test Pelayanan",
        "kind": "post_test",
        "pass_mark": "60",
        "attempts_allowed": "2",
        "time_limit_minutes": "10",
        "question_ids": [str(ids["choice"]), str(ids["essay"])],
        "draw_category": "0",
        "draw_count": "0",
        "review": "after_last",
        "grading": "highest",
    }
    data.update(extra)
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Quiz.id).order_by(Quiz.id.desc()))


def test_trainer_creates_and_edits_a_quiz(app, client, setup) -> None:
    login(client, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(client, setup)
        quiz = db.session.get(Quiz, quiz_id)
        assert quiz.questions["ids"] == [setup["choice"], setup["essay"]]
        assert quiz.time_limit_minutes == 10
    page = client.get(f"/kelola/pelatihan/{setup['course']}/kuis")
    assert "Post-test Pelayanan" in page.get_data(as_text=True)
    edit = f"/kelola/pelatihan/{setup['course']}/kuis/{quiz_id}/ubah"
    assert client.get(edit).status_code == 200


def test_quiz_needs_a_question_and_a_valid_pass_mark(app, client, setup) -> None:
    login(client, "pengajar")
    path = f"/kelola/pelatihan/{setup['course']}/kuis/baru"
    data = {
        "csrf_token": csrf_token(client, path),
        "title": "Kosong",
        "kind": "exam",
        "pass_mark": "150",
        "attempts_allowed": "1",
        "review": "never",
        "grading": "last",
        "draw_category": "0",
    }
    response = client.post(path, data=data)
    assert response.status_code == 200
    data["pass_mark"] = "70"
    response = client.post(path, data=data)
    assert "Pilih paling sedikit satu soal" in response.get_data(as_text=True)
    # A forged question id past the database's integer range is refused like any foreign one.
    response = client.post(path, data={**data, "question_ids": ["9" * 20]})
    assert response.status_code == 200
    assert "Pilihan tidak valid." in response.get_data(as_text=True)  # not WTForms' English
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_take_quiz_save_reload_submit_and_essay_grading(app, client, setup) -> None:
    login(client, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(client, setup)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "pegawai")
    intro = client.get(f"/kuis/{quiz_id}")
    assert intro.status_code == 200
    token = csrf_token(client, f"/kuis/{quiz_id}")
    first = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token})
    second = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token})
    assert first.headers["Location"] == second.headers["Location"]
    url = first.headers["Location"]
    attempt_id = int(url.rstrip("/").split("/")[-1])
    page = client.get(url).get_data(as_text=True)
    assert "Palembang" in page and 'data-deadline="' in page
    assert "fraction" not in page  # no answer key in the source
    headers = {"X-CSRFToken": token}
    saved = client.post(
        f"{url}/jawab", json={"question_id": setup["choice"], "response": 1}, headers=headers
    )
    assert saved.status_code == 200 and saved.json["ok"] is True
    # An autosave is the hottest request of an exam: one guarded upsert that also proves the
    # signed-in account owns the open attempt, whether the answer is new or replaced.
    for response in (2, 1):
        with count_queries(app) as queries:
            again = client.post(
                f"{url}/jawab",
                json={"question_id": setup["choice"], "response": response},
                headers=headers,
            )
        assert again.json["ok"] is True and queries["n"] == 1
    # What the one statement refuses goes the long way and is told why, nothing stored.
    with app.app_context():
        foreign = Question(course_id=setup["course"], type="essay", name="Lain", text="Lain?")
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    for body, message in (
        ({"question_id": foreign_id, "response": "x"}, "Soal ini tidak ada di percobaan ini."),
        ({"question_id": setup["choice"], "response": {"a": 1}}, "Bentuk jawaban tidak dikenali."),
        ({"question_id": setup["choice"], "response": "x" * 30_000}, "Jawaban terlalu panjang."),
    ):
        refused = client.post(f"{url}/jawab", json=body, headers=headers)
        assert refused.status_code == 409 and refused.json["message"] == message
    with app.app_context():
        stored = db.session.scalars(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
        ).all()
        assert [(a.question_id, a.response) for a in stored] == [(setup["choice"], 1)]
    client.post(
        f"{url}/jawab", json={"question_id": setup["essay"], "response": "Karena."}, headers=headers
    )
    bad = client.post(f"{url}/jawab", data="x", headers=headers)
    assert bad.status_code == 400
    reloaded = client.get(url).get_data(as_text=True)
    assert f'id="q{setup["choice"]}-1" name="q{setup["choice"]}" value="1" checked' in reloaded
    assert "Karena.</textarea>" in reloaded
    for _ in range(2):
        done = client.post(f"{url}/kumpulkan", data={"csrf_token": token})
        assert done.status_code == 302
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == "submitted"
        answer_id = next(a.id for a in attempt.answers if a.question_id == setup["essay"])
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    result = client.get(f"{url}/hasil").get_data(as_text=True)
    assert "menunggu penilaian" in result
    late = client.post(
        f"{url}/jawab", json={"question_id": setup["choice"], "response": 0}, headers=headers
    )
    assert late.status_code == 409
    client.post("/keluar", data={"csrf_token": token})

    login(client, "pengajar")
    grading = f"/kelola/pelatihan/{setup['course']}/kuis/{quiz_id}/penilaian"
    assert "Karena." in client.get(grading).get_data(as_text=True)
    response = client.post(
        f"{grading}/{answer_id}",
        data={
            "csrf_token": csrf_token(client, grading),
            f"a{answer_id}-mark": "80",
            f"a{answer_id}-comment": "Baik.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == "graded"
        assert float(attempt.score) == 90.0
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(GradeChange)
                .where(GradeChange.changed_by_id.is_not(None))
            )
            == 1
        )


def _pegawai_started(app, client, setup) -> tuple[str, str]:
    """The trainer makes the quiz; ``pegawai`` starts it. Returns (CSRF token, attempt URL)."""
    login(client, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(client, setup)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "pegawai")
    token = csrf_token(client, f"/kuis/{quiz_id}")
    url = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token}).headers["Location"]
    return token, url


def test_overdue_attempt_is_submitted_on_next_request_and_late_save_refused(
    app,
    client,
    setup,
) -> None:
    token, url = _pegawai_started(app, client, setup)
    attempt_id = int(url.rstrip("/").split("/")[-1])
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    late = client.post(
        f"{url}/jawab",
        json={"question_id": setup["choice"], "response": 1},
        headers={"X-CSRFToken": token},
    )
    assert late.status_code == 409
    assert "Waktu pengerjaan sudah habis" in late.json["message"]
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).status == "submitted"
    assert client.get(url).headers["Location"].endswith(f"{url}/hasil")


def test_another_employee_cannot_touch_an_attempt(app, client, setup, world) -> None:
    login(client, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(client, setup)
        db.session.add(
            Enrolment(
                course_id=setup["course"], employee_id=world.employees["atasan"].id, status="active"
            )
        )
        db.session.commit()
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "pegawai")
    token = csrf_token(client, f"/kuis/{quiz_id}")
    url = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token}).headers["Location"]
    client.post("/keluar", data={"csrf_token": token})
    login(client, "atasan")
    token = csrf_token(client, f"/kuis/{quiz_id}")
    assert client.get(url).status_code == 404  # as if the attempt did not exist
    assert client.get(f"{url}/hasil").status_code == 404
    assert (
        client.post(
            f"{url}/jawab",
            json={"question_id": setup["choice"], "response": 1},
            headers={"X-CSRFToken": token},
        ).status_code
        == 404
    )
    assert client.post(f"{url}/kumpulkan", data={"csrf_token": token}).status_code == 404
    assert client.get("/kuis/percobaan/999999").status_code == 404


def test_not_enrolled_employee_gets_404(app, client, setup) -> None:
    login(client, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(client, setup)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "atasan")
    assert client.get(f"/kuis/{quiz_id}").status_code == 404


@pytest.mark.parametrize("change", ["session_version", "active"])
def test_autosave_stops_when_the_session_is_ended_or_the_account_disabled(
    app,
    client,
    setup,
    change,
) -> None:
    """The autosave's one statement checks the account itself: a bumped session version (password
    changed, signed out everywhere) or a disabled account stores nothing and is sent to log in."""
    token, url = _pegawai_started(app, client, setup)
    headers = {"X-CSRFToken": token}
    body = {"question_id": setup["choice"], "response": 1}
    assert client.post(f"{url}/jawab", json=body, headers=headers).json["ok"] is True
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "pegawai"))
        if change == "active":
            user.active = False
        else:
            user.session_version += 1
        db.session.commit()
    refused = client.post(f"{url}/jawab", json={**body, "response": 2}, headers=headers)
    assert refused.status_code in (302, 401) and "/masuk" in refused.headers.get(
        "Location", "/masuk"
    )
    with app.app_context():
        stored = db.session.scalars(select(AttemptAnswer.response)).all()
        assert stored == [1]


def test_owning_an_attempt_proves_the_learn_capability() -> None:
    """The autosave's fast path skips the account load: an account that owns an attempt has an
    employee record, so it is a Pegawai, and roles only ever add capabilities."""
    from lms.permissions import Capability, Role, capabilities_of

    assert Capability.LEARN in capabilities_of({Role.PEGAWAI})
    for role in Role:
        assert Capability.LEARN in capabilities_of({Role.PEGAWAI, role})


def test_a_question_id_past_the_integer_range_is_refused_with_the_usual_message(
    app,
    client,
    setup,
) -> None:
    """The autosave's one statement would hand the database a number it cannot hold."""
    token, url = _pegawai_started(app, client, setup)
    reply = client.post(
        f"{url}/jawab", json={"question_id": 10**20, "response": 1}, headers={"X-CSRFToken": token}
    )
    assert reply.status_code == 409
    assert reply.json["message"] == "Soal ini tidak ada di percobaan ini."
