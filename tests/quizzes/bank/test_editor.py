"""The question editor through HTTP: create every type, edit, duplicate, move, delete, preview,
bad input (422 naming the field), and the versioning rule (an attempt keeps the version it saw).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.permissions import Role
from lms.quizzes.attempts import grades
from lms.quizzes.attempts import services as attempts
from lms.quizzes.attempts.review import review_item
from lms.quizzes.bank import services as bank
from lms.quizzes.models import Question, QuestionCategory, Quiz, QuizAttempt
from tests.conftest import csrf_token, login
from tests.factories import make_course, make_user

CHOICE_ROWS = {
    "answers-0-text": "Jakarta",
    "answers-0-fraction": "0.0",
    "answers-0-feedback": "Itu ibu kota negara.",
    "answers-1-text": "Palembang",
    "answers-1-fraction": "1.0",
    "answers-2-text": "Medan",
    "answers-2-fraction": "0.0",
}

#: A valid submission per (type, inner type), and what it must store.
VALID = {
    ("single_choice", None): ({"text": "Ibu kota Sumatera Selatan?", **CHOICE_ROWS}, 3),
    ("multiple_response", None): (
        {
            "text": "Kota di Sumatera Selatan?",
            "answers-0-text": "Palembang",
            "answers-0-fraction": "0.5",
            "answers-1-text": "Lubuklinggau",
            "answers-1-fraction": "0.5",
            "answers-2-text": "Bandung",
            "answers-2-fraction": "-0.5",
        },
        3,
    ),
    ("true_false", None): (
        {"text": "Sungai Musi melintasi Palembang.", "true_is_correct": "true"},
        2,
    ),
    ("short_answer", None): (
        {
            "text": "Nama jembatan di atas Musi?",
            "answers-0-text": "Ampera",
            "answers-0-fraction": "1.0",
        },
        1,
    ),
    ("numeric", None): (
        {
            "text": "Berapa JP minimal setahun?",
            "answers-0-text": "20",
            "answers-0-fraction": "1",
            "answers-0-tolerance": "0",
            "answers-1-text": "*",
            "answers-1-fraction": "0.0",
            "answers-1-feedback": "Lihat Peraturan BKN.",
        },
        2,
    ),
    ("matching", None): (
        {
            "text": "Jodohkan.",
            "answers-0-text": "Palembang",
            "answers-0-match": "Sumatera Selatan",
            "answers-1-text": "Bandung",
            "answers-1-match": "Jawa Barat",
            "answers-2-match": "Bali",
        },
        3,
    ),
    ("essay", None): ({"text": "Jelaskan makna pelayanan prima."}, 0),
    ("fill_blank", "short_answer"): (
        {
            "text": "Jembatan _____ melintasi Sungai Musi.",
            "answers-0-text": "Ampera",
            "answers-0-fraction": "1.0",
        },
        1,
    ),
    ("fill_blank", "single_choice"): (
        {"text": "Ibu kota Sumsel adalah _____.", **CHOICE_ROWS},
        3,
    ),
}


@pytest.fixture
def course_id(app, world) -> int:
    """A course taught by `pengajar`; `pegawai` enrolled; a trainer who does not teach it."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("SOAL-101", trainer=trainer)
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        make_user("pengajar.lain", {Role.PENGAJAR})
        db.session.commit()
        return course.id


def url(course_id: int, tail: str = "") -> str:
    return f"/kelola/pelatihan/{course_id}/bank-soal{tail}"


def post_new(client, course_id: int, kind: str, inner: str | None, data: dict):
    path = url(course_id, f"/soal/baru?jenis={kind}" + (f"&isian={inner}" if inner else ""))
    form = {"csrf_token": csrf_token(client, path), "text_format": "markdown", **data}
    return client.post(path, data=form)


def created_id(response) -> int:
    assert response.status_code == 302, response.data.decode()[:3000]
    return int(re.search(r"/soal/(\d+)", response.headers["Location"]).group(1))


def post_edit(client, course_id: int, question_id: int, data: dict, action: str = "save"):
    path = url(course_id, f"/soal/{question_id}/ubah")
    form = {"csrf_token": csrf_token(client, path), "text_format": "markdown", **data}
    return client.post(path, data={**form, "action": action})


def get(app, question_id: int) -> Question:
    with app.app_context():
        question = db.session.get(Question, question_id)
        db.session.expunge(question)
        return question


@pytest.mark.parametrize(("kind", "inner"), list(VALID))
def test_create_every_type_then_view_it_as_the_learner_sees_it(
    app, client, course_id, kind, inner
) -> None:
    login(client, "pengajar")
    data, answers = VALID[(kind, inner)]
    assert (
        client.get(url(course_id, f"/soal/baru?jenis={kind}&isian={inner or ''}")).status_code
        == 200
    )
    question_id = created_id(post_new(client, course_id, kind, inner, data))
    question = get(app, question_id)
    assert (question.type, question.version, question.status) == (kind, 1, "ready")
    assert len(question.data["answers"]) == answers
    assert question.data.get("inner_type") == inner
    page = client.get(url(course_id, f"/soal/{question_id}"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The learner's own template: the fieldset the attempt page draws, with its answer field.
    assert f'data-question="{question_id}"' in html
    assert f'name="q{question_id}' in html
    if kind == "fill_blank":
        assert 'class="blank-input"' in html  # answered inside the sentence


def test_menu_offers_every_type_the_importers_know(client, course_id) -> None:
    login(client, "pengajar")
    html = client.get(url(course_id, "/soal/baru")).get_data(as_text=True)
    for kind in ("single_choice", "multiple_response", "true_false", "short_answer", "numeric"):
        assert f"jenis={kind}" in html
    for kind in ("matching", "essay"):
        assert f"jenis={kind}" in html
    assert "jenis=fill_blank&amp;isian=numeric" in html
    assert client.get(url(course_id, "/soal/baru?jenis=bogus")).status_code == 200  # the menu


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (
            "single_choice",
            {"text": "Soal?", **CHOICE_ROWS, "answers-2-text": "", "answers-2-feedback": "x"},
            "Pilihan 3: teks kosong.",
        ),
        (
            "single_choice",
            {"text": "Soal?", **CHOICE_ROWS, "answers-1-fraction": "0.5"},
            "Tandai minimal satu jawaban benar (nilai 100%).",
        ),
        (
            "multiple_response",
            {
                "text": "Soal?",
                "answers-0-text": "A",
                "answers-0-fraction": "0.5",
                "answers-1-text": "B",
            },
            "Jumlah nilai jawaban yang benar harus 100% (sekarang 50%).",
        ),
        ("single_choice", {"text": "", **CHOICE_ROWS}, "Teks soal wajib diisi."),
        (
            "numeric",
            {"text": "Berapa?", "answers-0-text": "dua puluh"},
            "Jawaban 1: “dua puluh” bukan angka",
        ),
        (
            "numeric",
            {"text": "Berapa?", "answers-0-text": "20", "answers-0-tolerance": "-1"},
            "Jawaban 1: toleransi harus angka 0 atau lebih.",
        ),
        (
            "matching",
            {"text": "Jodohkan.", "answers-0-text": "A", "answers-0-match": "1"},
            "Isi minimal dua pasangan pernyataan dan jawaban.",
        ),
        (
            "matching",
            {"text": "Jodohkan.", "answers-0-text": "A", "answers-1-text": "B"},
            "Pasangan 1: jawaban kosong.",
        ),
        ("short_answer", {"text": "Apa?"}, "Isi minimal satu jawaban dengan nilai 100%."),
    ],
)
def test_bad_input_is_answered_422_naming_the_field_and_nothing_is_stored(
    app, client, course_id, kind, data, message
) -> None:
    login(client, "pengajar")
    response = post_new(client, course_id, kind, None, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'role="alert"' in html  # the summary above the form
    with app.app_context():
        assert db.session.scalar(select(Question.id)) is None


def test_fill_blank_needs_exactly_one_blank(app, client, course_id) -> None:
    login(client, "pengajar")
    response = post_new(
        client,
        course_id,
        "fill_blank",
        "short_answer",
        {"text": "Tanpa rumpang.", "answers-0-text": "x"},
    )
    assert response.status_code == 422
    assert "tepat satu kali" in response.get_data(as_text=True)


def test_unused_question_is_edited_in_place(app, client, course_id) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    response = post_edit(
        client, course_id, question_id, {"text": "Ibu kota provinsi Sumsel?", **CHOICE_ROWS}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/soal/{question_id}"
    )
    question = get(app, question_id)
    assert (question.version, question.text) == (1, "Ibu kota provinsi Sumsel?")
    assert "Ibu kota provinsi Sumsel?" in question.text_html


def test_edit_page_shows_the_stored_question_and_adds_rows_without_saving(
    app, client, course_id
) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    page = client.get(url(course_id, f"/soal/{question_id}/ubah")).get_data(as_text=True)
    assert "Palembang</textarea>" in page
    assert f'data-question="{question_id}"' in page  # the preview of the stored question
    more = post_edit(
        client, course_id, question_id, {"text": "Baru?", **CHOICE_ROWS}, action="more"
    )
    assert more.status_code == 200
    html = more.get_data(as_text=True)
    assert 'id="answers-5-text"' in html and 'id="answers-6-text"' not in html  # 3 sent + 3
    assert get(app, question_id).text == "Ibu kota Sumatera Selatan?"  # nothing saved


def test_preview_button_without_javascript_shows_the_edit_unsaved(app, client, course_id) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "true_false", None, VALID[("true_false", None)][0])
    )
    response = post_edit(
        client, course_id, question_id, {"text": "Teks pratinjau *tebal*"}, action="preview"
    )
    assert response.status_code == 200
    assert "Teks pratinjau <em>tebal</em>" in response.get_data(as_text=True)
    assert get(app, question_id).text == "Sungai Musi melintasi Palembang."


def test_preview_route_answers_the_learner_fragment(client, course_id) -> None:
    login(client, "pengajar")
    token = csrf_token(client, url(course_id, "/soal/baru?jenis=single_choice"))
    path = url(course_id, "/soal/pratinjau?jenis=single_choice")
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "text": "Ibu kota <script>alert(1)</script>?",
            "text_format": "html",
            **CHOICE_ROWS,
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="quiz-question"' in html and 'name="q0"' in html
    assert "Palembang" in html and "<script>" not in html  # sanitised as on save
    half = client.post(path, data={"csrf_token": token, "text": "Soal?"})
    assert "Isi minimal dua pilihan jawaban." in half.get_data(as_text=True)
    assert client.post(path, data={"text": "tanpa token"}).status_code == 400
    assert (
        client.post(
            url(course_id, "/soal/pratinjau?jenis=x"), data={"csrf_token": token}
        ).status_code
        == 400
    )


def test_trainer_of_another_course_is_refused(client, course_id, app) -> None:
    login(client, "pengajar")
    question_id = created_id(post_new(client, course_id, "essay", None, VALID[("essay", None)][0]))
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    other = app.test_client()
    login(other, "pengajar.lain")
    assert other.get(url(course_id, f"/soal/{question_id}")).status_code == 403
    assert other.get(url(course_id, f"/soal/{question_id}/ubah")).status_code == 403


def test_question_of_another_course_is_missing(app, client, course_id) -> None:
    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.username == "pengajar"))
        other = make_course("SOAL-102", trainer=trainer)
        question = Question(course_id=other.id, type="essay", name="Lain", text="x")
        db.session.add(question)
        db.session.commit()
        question_id = question.id
    login(client, "pengajar")
    assert client.get(url(course_id, f"/soal/{question_id}")).status_code == 404


# --- versioning ----------------------------------------------------------------------------------


def _graded_attempt(app, course_id: int, question_id: int) -> tuple[int, int]:
    """A practice quiz with the question, and `pegawai`'s attempt answering "Palembang"."""
    with app.app_context():
        course_id_ = course_id
        from lms.courses.models import Course

        course = db.session.get(Course, course_id_)
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": "Latihan Ibu Kota",
                "kind": "practice",
                "review": "immediately",
                "attempts_allowed": 0,
                "question_ids": [question_id],
            },
        )
        employee = db.session.scalar(select(Enrolment.employee_id))
        attempt = attempts.start_attempt(quiz, employee)
        palembang = next(
            i
            for i, a in enumerate(db.session.get(Question, question_id).data["answers"])
            if a["text"] == "Palembang"
        )
        attempts.save_answer(attempt, question_id, palembang)
        attempts.submit(attempt)
        db.session.commit()
        assert float(attempt.score) == 100
        return quiz.id, attempt.id


def test_editing_a_used_question_makes_a_new_version_and_the_old_attempt_keeps_its_grade(
    app, client, course_id
) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    quiz_id, attempt_id = _graded_attempt(app, course_id, question_id)

    edit = url(course_id, f"/soal/{question_id}/ubah")
    assert "Menyimpan perubahan membuat versi 2" in client.get(edit).get_data(as_text=True)
    # The key changes: now Jakarta is right and Palembang wrong.
    changed = {**CHOICE_ROWS, "answers-0-fraction": "1.0", "answers-1-fraction": "0.0"}
    response = post_edit(client, course_id, question_id, {"text": "Ibu kota negara?", **changed})
    new_id = created_id(response)
    assert new_id != question_id
    assert "versi 2" in client.get(response.headers["Location"]).get_data(as_text=True)

    with app.app_context():
        old, new = db.session.get(Question, question_id), db.session.get(Question, new_id)
        assert (old.status, old.version, new.status, new.version) == ("superseded", 1, "ready", 2)
        assert old.entry_id == new.entry_id
        assert old.text == "Ibu kota Sumatera Selatan?"  # the version the attempt saw, untouched
        assert db.session.get(Quiz, quiz_id).questions["ids"] == [new_id]
        # Regrading (as the trainer's "Nilai ulang" does) grades against the version shown.
        assert grades.regrade(db.session.get(Quiz, quiz_id)) == 0
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert float(attempt.score) == 100
        answer = attempt.answers[0]
        item = review_item(answer.question, attempt, answer)
        assert item.correct == ["Palembang"] and item.state == "right"
        # A new attempt gets the new version and its new key.
        quiz = db.session.get(Quiz, quiz_id)
        second = attempts.start_attempt(quiz, attempt.employee_id)
        assert second.question_order == [new_id]
        attempts.save_answer(second, new_id, 0)  # Jakarta
        attempts.submit(second)
        assert float(second.score) == 100
        db.session.commit()

    # The bank lists the question once, as version 2; the old version's page says what it is.
    bank_page = client.get(url(course_id)).get_data(as_text=True)
    assert f'id="soal-{new_id}"' in bank_page and f'id="soal-{question_id}"' not in bank_page
    old_page = client.get(url(course_id, f"/soal/{question_id}")).get_data(as_text=True)
    assert "Ini versi lama (versi 1)" in old_page
    # The old version cannot be edited again: the editor sends the trainer to the latest.
    stale = client.get(edit)
    assert stale.status_code == 302 and stale.headers["Location"].endswith(f"/soal/{new_id}")


def test_learner_review_of_the_old_attempt_is_unchanged_after_the_edit(
    app, client, course_id
) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    _quiz_id, attempt_id = _graded_attempt(app, course_id, question_id)
    changed = {**CHOICE_ROWS, "answers-0-fraction": "1.0", "answers-1-fraction": "0.0"}
    created_id(post_edit(client, course_id, question_id, {"text": "Ibu kota negara?", **changed}))
    learner = app.test_client()
    login(learner, "pegawai")
    html = learner.get(f"/kuis/percobaan/{attempt_id}/hasil").get_data(as_text=True)
    assert "Ibu kota Sumatera Selatan?" in html and "Ibu kota negara?" not in html
    assert "100" in html


# --- duplicate, move, delete ---------------------------------------------------------------------


def test_duplicate_makes_an_independent_copy(app, client, course_id) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "matching", None, VALID[("matching", None)][0])
    )
    path = url(course_id, f"/soal/{question_id}/duplikat")
    response = client.post(
        path, data={"csrf_token": csrf_token(client, url(course_id, f"/soal/{question_id}"))}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/ubah")
    copy_id = int(re.search(r"/soal/(\d+)/ubah", response.headers["Location"]).group(1))
    original, copy = get(app, question_id), get(app, copy_id)
    assert copy.entry_id != original.entry_id and copy.version == 1
    assert copy.name == original.name + " (salinan)" and copy.data == original.data
    assert client.get(path).status_code == 405  # no change on GET


def test_move_one_question_and_several_at_once(app, client, course_id) -> None:
    login(client, "pengajar")
    first = created_id(
        post_new(client, course_id, "essay", None, {"text": "Satu.", "new_category": "Bab 1"})
    )
    second = created_id(post_new(client, course_id, "essay", None, {"text": "Dua."}))
    path = url(course_id, f"/soal/{first}/pindah")
    assert client.get(path).status_code == 200
    moved = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "category": "0", "new_category": "Bab 2"},
    )
    assert moved.status_code == 302
    with app.app_context():
        names = dict(db.session.execute(select(QuestionCategory.name, QuestionCategory.id)).all())
        assert db.session.get(Question, first).category_id == names["Bab 2"]
    bad = client.post(path, data={"csrf_token": csrf_token(client, path), "category": "999999"})
    assert bad.status_code == 422
    bulk = client.post(
        url(course_id, "/pindah"),
        data={
            "csrf_token": csrf_token(client, url(course_id)),
            "soal": [str(first), str(second)],
            "category": str(names["Bab 1"]),
        },
    )
    assert bulk.status_code == 302
    with app.app_context():
        assert {db.session.get(Question, i).category_id for i in (first, second)} == {
            names["Bab 1"]
        }
    none = client.post(
        url(course_id, "/pindah"),
        data={"csrf_token": csrf_token(client, url(course_id)), "category": "0"},
        follow_redirects=True,
    )
    assert "Pilih soal yang akan dipindahkan" in none.get_data(as_text=True)


def test_delete_asks_first_then_deletes_an_unused_question(app, client, course_id) -> None:
    login(client, "pengajar")
    question_id = created_id(post_new(client, course_id, "essay", None, VALID[("essay", None)][0]))
    path = url(course_id, f"/soal/{question_id}/hapus")
    page = client.get(path)
    assert page.status_code == 200 and "dihapus permanen" in page.get_data(as_text=True)
    assert get(app, question_id) is not None  # GET changes nothing
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "confirm": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Question, question_id) is None


def test_delete_without_the_confirmation_field_only_shows_the_page_again(
    app, client, course_id
) -> None:
    """A stray POST (not from the delete page's button) deletes nothing: it shows the page."""
    login(client, "pengajar")
    question_id = created_id(post_new(client, course_id, "essay", None, VALID[("essay", None)][0]))
    path = url(course_id, f"/soal/{question_id}/hapus")
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 200
    assert "dihapus permanen" in response.get_data(as_text=True)
    assert 'name="confirm" value="1"' in response.get_data(as_text=True)
    assert get(app, question_id) is not None


def test_delete_is_refused_while_a_quiz_lists_the_question(app, client, course_id) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    _graded_attempt(app, course_id, question_id)
    path = url(course_id, f"/soal/{question_id}/hapus")
    assert "masih dipakai di kuis Latihan Ibu Kota" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "confirm": "1"})
    assert response.status_code == 409
    assert "Keluarkan dulu dari kuis tersebut" in response.get_data(as_text=True)
    assert get(app, question_id).status == "ready"


def test_delete_hides_a_question_attempts_used_and_keeps_it_for_them(
    app, client, course_id
) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    quiz_id, attempt_id = _graded_attempt(app, course_id, question_id)
    other = created_id(post_new(client, course_id, "essay", None, VALID[("essay", None)][0]))
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        quiz.questions = {"ids": [other], "draws": []}  # the quiz no longer lists it
        db.session.commit()
    path = url(course_id, f"/soal/{question_id}/hapus")
    assert "sudah dikerjakan di 1 percobaan" in client.get(path).get_data(as_text=True)
    client.post(path, data={"csrf_token": csrf_token(client, path), "confirm": "1"})
    assert get(app, question_id).status == "hidden"
    assert f'id="soal-{question_id}"' not in client.get(url(course_id)).get_data(as_text=True)
    with app.app_context():
        from lms.courses.models import Course

        course = db.session.get(Course, course_id)
        assert "Ibu kota" not in bank.export_questions(course, "gift")
        assert float(db.session.get(QuizAttempt, attempt_id).score) == 100
    assert client.get(url(course_id, f"/soal/{question_id}")).status_code == 200


def test_bank_lists_version_and_use(app, client, course_id) -> None:
    login(client, "pengajar")
    question_id = created_id(
        post_new(client, course_id, "single_choice", None, VALID[("single_choice", None)][0])
    )
    _graded_attempt(app, course_id, question_id)
    html = client.get(url(course_id)).get_data(as_text=True)
    row = re.search(rf'<tr id="soal-{question_id}">(.*?)</tr>', html, re.S).group(1)
    assert "1 kuis" in row and "1 percobaan" in row
    assert f'name="soal" value="{question_id}"' in row
