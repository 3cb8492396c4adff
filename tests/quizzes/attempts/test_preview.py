"""A trainer or reviewer previews a quiz as a learner: the learner's pages, graded in memory,
nothing stored (issue 15, point 2)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import AttemptAnswer, GradeChange, Question, QuestionCategory, QuizAttempt
from tests.conftest import csrf_token, login
from tests.factories import make_course

QUESTIONS = [
    {
        "type": "single_choice",
        "name": "Ibu kota",
        "text_html": "Ibu kota Sumatera Selatan adalah...",
        "data": {
            "answers": [
                {"text": "Jambi", "fraction": 0.0, "feedback": "Jambi ibu kota Provinsi Jambi."},
                {"text": "Palembang", "fraction": 1.0, "feedback": "Tepat."},
            ]
        },
    },
    {
        "type": "multiple_response",
        "name": "Nilai BerAKHLAK",
        "text_html": "Pilih dua nilai dasar BerAKHLAK.",
        "data": {
            "answers": [
                {"text": "Akuntabel", "fraction": 0.5},
                {"text": "Kompeten", "fraction": 0.5},
                {"text": "Seragam", "fraction": -1.0},
            ]
        },
    },
    {
        "type": "true_false",
        "name": "JP",
        "text_html": "Satu JP sama dengan 45 menit.",
        "data": {
            "answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0.0}]
        },
    },
    {
        "type": "numeric",
        "name": "Target JP",
        "text_html": "Berapa JP minimal setahun bagi PNS?",
        "data": {"answers": [{"text": "20", "fraction": 1.0, "value": 20.0, "tolerance": 0.0}]},
    },
    {
        "type": "matching",
        "name": "Pasangan",
        "text_html": "Pasangkan singkatan dengan artinya.",
        "data": {
            "answers": [
                {"text": "SKP", "fraction": 1.0, "match": "Sasaran Kinerja Pegawai"},
                {"text": "JP", "fraction": 1.0, "match": "Jam pelajaran"},
                {"text": "", "fraction": 0.0, "match": "Jaminan Pensiun"},
            ]
        },
    },
    {"type": "essay", "name": "Refleksi", "text_html": "Ceritakan pengalaman Anda.", "data": {}},
]


def _add_questions(course_id: int, category_id: int | None = None) -> list[int]:
    rows = [Question(course_id=course_id, category_id=category_id, **q) for q in QUESTIONS]
    db.session.add_all(rows)
    db.session.flush()
    return [q.id for q in rows]


@pytest.fixture
def setup(app, world) -> dict:
    """A published course taught by `pengajar` (`pegawai` enrolled) with one quiz of every
    question type, and an unpublished draft course of the same trainer with a quiz."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("PRATINJAU-101", trainer=trainer)
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        ids = _add_questions(course.id)
        quiz = attempts.save_quiz(
            course,
            None,
            {"title": "Post-test Uji", "kind": "post_test", "pass_mark": 70, "question_ids": ids},
        )
        draft = make_course("PRATINJAU-201", trainer=trainer, published=False)
        draft_quiz = attempts.save_quiz(
            draft, None, {"title": "Kuis Draf", "question_ids": _add_questions(draft.id)}
        )
        db.session.commit()
        return {
            "course": course.id,
            "quiz": quiz.id,
            "questions": dict(zip([q["type"] for q in QUESTIONS], ids, strict=True)),
            "draft": draft.id,
            "draft_quiz": draft_quiz.id,
        }


def _url(setup: dict, suffix: str = "", course: str = "course", quiz: str = "quiz") -> str:
    return f"/kelola/pelatihan/{setup[course]}/kuis/{setup[quiz]}/pratinjau{suffix}"


def _nothing_stored() -> None:
    for model in (QuizAttempt, AttemptAnswer, GradeChange):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_every_link_of_the_quiz_list_opens_for_the_trainer(app, client, setup) -> None:
    """Bug: the quiz list's "Halaman peserta" link led to the learner's route: 403 for a trainer."""
    login(client, "pengajar")
    page = client.get(f"/kelola/pelatihan/{setup['course']}/kuis").get_data(as_text=True)
    row = page[page.index("Post-test Uji") :]
    links = re.findall(r'href="([^"]+)"', row[: row.index("</tr>")])
    for link in links:
        assert client.get(link).status_code == 200, link
    assert _url(setup) in links


def test_preview_intro_shows_the_learner_page_and_the_key(app, client, setup) -> None:
    login(client, "pengajar")
    response = client.get(_url(setup))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Pratinjau sebagai peserta." in html
    assert "Mulai mengerjakan" in html  # the learner's start, as a link to the try-out
    assert f'href="{_url(setup, "/soal")}"' in html
    # The key: each question, the right answers marked, the feedback of a wrong one.
    key = html[html.index("Soal dan kunci jawaban") :]
    assert re.search(r"Palembang\s*<span class=\"chip ok\">jawaban benar", key)
    assert not re.search(r"Jambi\s*<span class=\"chip ok\">", key)
    assert "Jambi ibu kota Provinsi Jambi." in key
    assert re.search(r"Akuntabel\s*<span class=\"chip ok\">jawaban benar · 50%", key)
    assert re.search(r"Seragam\s*<span class=\"chip muted\">skor -100%", key)
    assert re.search(r"Benar\s*<span class=\"chip ok\">jawaban benar", key)
    assert "<td>SKP</td><td>Sasaran Kinerja Pegawai</td>" in key
    assert "Pilihan pengecoh: Jaminan Pensiun" in key
    assert "Esai: dinilai pengajar" in key
    with app.app_context():
        _nothing_stored()


def test_try_out_uses_the_learner_page_without_saving(app, client, setup) -> None:
    login(client, "pengajar")
    html = client.get(_url(setup, "/soal")).get_data(as_text=True)
    assert 'id="quiz-form"' in html and "quiz.js" in html  # the learner's template and script
    assert "data-save-url" not in html  # no autosave: nothing is stored
    assert f'action="{_url(setup, "/soal")}"' in html
    for qid in setup["questions"].values():
        assert f'data-question="{qid}"' in html
    with app.app_context():
        _nothing_stored()


def _answers(setup: dict, client, right: bool) -> dict:
    q = setup["questions"]
    data = {
        "csrf_token": csrf_token(client, _url(setup, "/soal")),
        "soal": ",".join(str(i) for i in q.values()),
        f"q{q['single_choice']}": "1" if right else "0",
        f"q{q['true_false']}": "true" if right else "false",
        f"q{q['numeric']}": "20" if right else "24",
        f"q{q['matching']}-0": "Sasaran Kinerja Pegawai",
        f"q{q['matching']}-1": "Jam pelajaran" if right else "Jaminan Pensiun",
        f"q{q['essay']}": "Saya belajar banyak.",
    }
    data[f"q{q['multiple_response']}"] = ["0", "1"] if right else ["2"]
    return data


def test_checking_grades_in_memory_and_shows_the_whole_review(app, client, setup) -> None:
    login(client, "pengajar")
    response = client.post(_url(setup, "/soal"), data=_answers(setup, client, right=True))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hasil pratinjau" in html
    assert "Pratinjau, tidak disimpan" in html
    assert "menunggu penilaian esai" in html  # as for a learner: the essay waits for a trainer
    assert html.count('data-state="right"') == 5
    assert html.count('data-state="pending"') == 1
    assert "Tepat." in html  # the feedback of the chosen answer
    with app.app_context():
        _nothing_stored()


def test_a_wrong_try_out_is_marked_wrong(app, client, setup) -> None:
    with app.app_context():
        quiz = db.session.get(attempts.Quiz, setup["quiz"])
        ids = [i for t, i in setup["questions"].items() if t != "essay"]
        quiz.questions = {"ids": ids, "draws": []}
        db.session.commit()
    login(client, "pengajar")
    data = _answers(setup, client, right=False)
    data["soal"] = ",".join(str(i) for i in ids)
    html = client.post(_url(setup, "/soal"), data=data).get_data(as_text=True)
    score = re.search(r'id="attempt-score">([^<]+)<', html).group(1)
    assert score == "10,00"  # one matching pair of two right: 0.5 of 5 questions
    assert '<dd id="preview-passed">Belum lulus</dd>' in html
    assert 'data-state="right"' not in html


def test_a_draw_is_previewed_as_a_learner_gets_it_and_the_key_lists_the_pool(
    app, client, setup
) -> None:
    with app.app_context():
        category = QuestionCategory(course_id=setup["course"], name="Bank post-test")
        db.session.add(category)
        db.session.flush()
        pool = _add_questions(setup["course"], category.id)
        quiz = db.session.get(attempts.Quiz, setup["quiz"])
        quiz.questions = {"ids": [], "draws": [{"category_id": category.id, "count": 2}]}
        db.session.commit()
    login(client, "pengajar")
    html = client.get(_url(setup, "/soal")).get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'data-question="(\d+)"', html)]
    assert len(shown) == 2 and set(shown) <= set(pool)
    assert "Soal 1 dari 2" in html
    intro = client.get(_url(setup)).get_data(as_text=True)
    assert "Diambil acak 2 soal dari kategori “Bank post-test” (6 soal):" in intro
    assert "2 soal per percobaan dari 6 soal" in intro


@pytest.mark.parametrize("soal", ["", "abc", "999999", "{a},{a}"])
def test_a_tampered_try_out_starts_again(app, client, setup, soal: str) -> None:
    login(client, "pengajar")
    data = _answers(setup, client, right=True)
    data["soal"] = soal.format(a=setup["questions"]["essay"])
    response = client.post(_url(setup, "/soal"), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(setup, "/soal"))
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Soal pratinjau tidak dikenali" in follow


def test_a_question_of_another_course_is_refused(app, client, setup) -> None:
    login(client, "pengajar")
    data = _answers(setup, client, right=True)
    with app.app_context():
        other = db.session.scalars(
            select(Question.id).where(Question.course_id == setup["draft"])
        ).first()
    data["soal"] = str(other)
    assert client.post(_url(setup, "/soal"), data=data).status_code == 302


def test_without_csrf_nothing_is_checked(app, client, setup) -> None:
    login(client, "pengajar")
    data = _answers(setup, client, right=True)
    data["csrf_token"] = "palsu"
    response = client.post(_url(setup, "/soal"), data=data)
    assert response.status_code == 400  # the app-wide CSRF check refuses it first
    assert "Hasil pratinjau" not in response.get_data(as_text=True)


def test_bkpsdm_previews_any_course(app, client, setup) -> None:
    login(client, "bkpsdm")
    assert client.get(_url(setup, course="draft", quiz="draft_quiz")).status_code == 200
    assert client.get(_url(setup, "/soal", "draft", "draft_quiz")).status_code == 200


@pytest.mark.parametrize("username", ["pegawai", "atasan", "mitra", "opd.dinkes"])
def test_others_cannot_preview_even_a_published_course(app, client, setup, username) -> None:
    login(client, username)
    for suffix in ("", "/soal"):
        assert client.get(_url(setup, suffix)).status_code == 403
    assert client.post(_url(setup, "/soal"), data={}).status_code in (400, 403)


def test_an_employee_cannot_preview_an_unpublished_course(app, client, setup) -> None:
    login(client, "pegawai")
    for suffix in ("", "/soal"):
        response = client.get(_url(setup, suffix, "draft", "draft_quiz"))
        assert response.status_code in (403, 404)
        assert "Kuis Draf" not in response.get_data(as_text=True)


def test_another_trainer_cannot_preview(app, client, setup) -> None:
    from lms.permissions import Role
    from tests.factories import make_user

    with app.app_context():
        make_user("pengajar.lain", {Role.PENGAJAR})
        db.session.commit()
    login(client, "pengajar.lain")
    assert client.get(_url(setup)).status_code == 403
    assert client.get(_url(setup, "/soal")).status_code == 403


def test_a_quiz_of_another_course_is_not_found(app, client, setup) -> None:
    login(client, "pengajar")
    url = f"/kelola/pelatihan/{setup['course']}/kuis/{setup['draft_quiz']}/pratinjau"
    assert client.get(url).status_code == 404


def test_the_learner_still_takes_the_quiz_with_autosave(app, client, setup) -> None:
    """The shared template keeps the learner's page as it was: saved answers, numbered attempt."""
    login(client, "pegawai")
    path = f"/kuis/{setup['quiz']}"
    start = client.post(f"{path}/mulai", data={"csrf_token": csrf_token(client, path)})
    html = client.get(start.headers["Location"]).get_data(as_text=True)
    assert "data-save-url=" in html and "Percobaan #1" in html
    assert "Pratinjau" not in html
