"""The course preview and BKPSDM's review page show every quiz with its questions and answer
key, so nothing is published unseen (issue 15, point 2: a post-test of English sample
questions went through review because the review page showed lessons only)."""

from __future__ import annotations

import re

import pytest

from lms.auth.models import User
from lms.courses import services
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import Question, QuestionCategory
from tests.conftest import login
from tests.factories import make_course

SAMPLE = {
    "answers": [
        {"text": "Mars", "fraction": 1.0, "feedback": "Right: iron oxide makes it red."},
        {"text": "Venus", "fraction": 0.0, "feedback": ""},
    ]
}


@pytest.fixture
def in_review(app, world) -> dict:
    """A course of `pengajar` in review, with a post-test drawing 1 of 2 English sample
    questions and a fixed Indonesian one."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("TELAAH-101", trainer=trainer, published=False)
        category = QuestionCategory(course_id=course.id, name="Contoh")
        db.session.add(category)
        db.session.flush()
        english = [
            Question(
                course_id=course.id,
                category_id=category.id,
                type="single_choice",
                name=f"Sample {n}",
                text_html=f"Which planet is known as the Red Planet? ({n})",
                data=SAMPLE,
            )
            for n in (1, 2)
        ]
        fixed = Question(
            course_id=course.id,
            type="true_false",
            name="JP",
            text_html="Satu JP sama dengan 45 menit.",
            data={
                "answers": [{"text": "true", "fraction": 1.0}, {"text": "false", "fraction": 0.0}]
            },
        )
        db.session.add_all([*english, fixed])
        db.session.flush()
        quiz = attempts.save_quiz(
            course,
            None,
            {
                "title": "Post-test Telaah",
                "kind": "post_test",
                "question_ids": [fixed.id],
                "draws": [{"category_id": category.id, "count": 1}],
            },
        )
        services.submit_for_review(course.latest_version)
        db.session.commit()
        return {
            "course": course.id,
            "version": course.latest_version.id,
            "quiz": quiz.id,
            "english": [q.id for q in english],
        }


def _assert_key(html: str, setup: dict) -> None:
    assert 'id="kuis"' in html, "the page has no quiz section"
    section = html[html.index('id="kuis"') :]
    assert "Post-test Telaah" in section
    for qid in setup["english"]:
        assert f'id="kunci-{qid}"' in section  # the whole pool of the draw, not one sample
    assert section.count("Which planet is known as the Red Planet?") == 2
    assert re.search(r"Mars\s*<span class=\"chip ok\">jawaban benar", section)
    assert not re.search(r"Venus\s*<span class=\"chip ok\">", section)
    assert "Right: iron oxide makes it red." in section
    assert "Satu JP sama dengan 45 menit." in section
    assert "Diambil acak 1 soal dari kategori “Contoh” (2 soal):" in section
    assert "2 soal per percobaan dari 3 soal" in section
    preview = f"/kelola/pelatihan/{setup['course']}/kuis/{setup['quiz']}/pratinjau"
    assert f'href="{preview}"' in section


def test_bkpsdm_review_page_shows_the_quiz_questions_and_key(app, client, in_review) -> None:
    """Bug: the review page showed the lessons only; the quiz went to the catalogue unseen."""
    login(client, "bkpsdm")
    html = client.get(f"/kelola/pelatihan/telaah/{in_review['version']}").get_data(as_text=True)
    assert "Keputusan telaah" in html
    _assert_key(html, in_review)
    assert "Periksa juga 1 kuis dan soalnya." in html
    # The reviewer tries it as a learner from there: the learner's page, nothing stored.
    take = client.get(f"/kelola/pelatihan/{in_review['course']}/kuis/{in_review['quiz']}/pratinjau")
    assert take.status_code == 200


def test_the_trainer_course_preview_shows_the_quiz_too(app, client, in_review) -> None:
    login(client, "pengajar")
    html = client.get(f"/kelola/pelatihan/{in_review['course']}/pratinjau").get_data(as_text=True)
    _assert_key(html, in_review)
    assert '<a href="#kuis">Kuis dan ujian</a>' in html  # listed in the outline


def test_a_course_without_quiz_says_so_on_the_review_page(app, client, world) -> None:
    with app.app_context():
        course = make_course("TELAAH-201", published=False)
        services.submit_for_review(course.latest_version)
        db.session.commit()
        version_id = course.latest_version.id
    login(client, "bkpsdm")
    html = client.get(f"/kelola/pelatihan/telaah/{version_id}").get_data(as_text=True)
    assert html.count("Pelatihan ini belum memiliki kuis.") == 2  # the decision box and the list


def test_review_page_queries_do_not_grow_with_the_questions(app, client, in_review) -> None:
    from tests.test_query_counts import count_queries

    login(client, "bkpsdm")
    url = f"/kelola/pelatihan/telaah/{in_review['version']}"
    client.get(url)
    with count_queries(app) as before:
        client.get(url)
    with app.app_context():
        course_id = in_review["course"]
        category = QuestionCategory(course_id=course_id, name="Tambahan")
        db.session.add(category)
        db.session.flush()
        extra = [
            Question(
                course_id=course_id,
                category_id=category.id,
                type="single_choice",
                name=f"Tambahan {n}",
                text_html=f"Soal tambahan {n}",
                data=SAMPLE,
            )
            for n in range(8)
        ]
        db.session.add_all(extra)
        attempts.save_quiz(
            db.session.get(Course, course_id),
            None,
            {"title": "Kuis Latihan", "draws": [{"category_id": category.id, "count": 3}]},
        )
        db.session.commit()
    with count_queries(app) as after:
        html = client.get(url).get_data(as_text=True)
    assert "Soal tambahan 7" in html
    assert after["n"] == before["n"]
