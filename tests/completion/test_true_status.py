"""True status on every screen (issue 15, point 6): a finished course is "Selesai" (never
"Terdaftar", never "Anda belum mengikuti pelatihan"), and a course whose lessons are all done says
what is still missing (post-test, evaluation) instead of "Kemajuan 100%": on the learner's
dashboard, the course page, the catalogue badge and the supervisor's team table."""

from __future__ import annotations

from sqlalchemy import select

from lms.enrolments.models import Enrolment
from lms.extensions import cache, db
from lms.org.models import Employee
from lms.quizzes.models import Question, Quiz
from tests.completion.builders import (
    course_with_posttest,
    do_lessons,
    enrol,
    evaluate_course,
    take_posttest,
)
from tests.conftest import login
from tests.test_query_counts import count_queries

MISSING_BOTH = "Post-test belum lulus · Evaluasi belum diisi"


def _learn(app, world, code: str, *, right: bool, evaluated: bool) -> int:
    """pegawai does every lesson of ``code`` and one post-test attempt; returns the enrolment."""
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        course, quiz, question = course_with_posttest(code)
        enrolment = enrol(course, employee)
        do_lessons(enrolment, course)
        take_posttest(quiz, question, employee, right=right)
        if evaluated:
            evaluate_course(enrolment)
        db.session.commit()
        enrolment_id = enrolment.id
        db.session.remove()
    return enrolment_id


def _card(page: str, title: str) -> str:
    """The catalogue card of the course titled ``title``."""
    return page.split(f">{title}</a>")[1].split("</article>")[0]


def test_a_finished_course_is_selesai_everywhere(app, client, world) -> None:
    enrolment_id = _learn(app, world, "SELESAI-201", right=True, evaluated=True)
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).status == "completed"
    login(client, "pegawai")

    dashboard = client.get("/dasbor").get_data(as_text=True)
    assert "Anda belum mengikuti pelatihan" not in dashboard
    mine = dashboard.split("Pelatihan saya</h2>")[1].split("</article>")[0]
    assert "Pelatihan SELESAI-201" in mine and 'data-state="completed"' in mine
    assert ">Selesai</span>" in mine and "1 pelatihan selesai." in mine

    card = _card(client.get("/pelatihan").get_data(as_text=True), "Pelatihan SELESAI-201")
    assert ">Selesai</span>" in card and "Terdaftar" not in card

    course_page = client.get("/pelatihan/SELESAI-201").get_data(as_text=True)
    label = course_page.split('<label for="course-progress"')[1].split("</label>")[0]
    assert "Selesai" in label and "Kemajuan" not in label


def test_all_lessons_done_with_a_failed_post_test_says_what_is_missing(app, client, world) -> None:
    _learn(app, world, "GAGAL-201", right=False, evaluated=False)
    login(client, "pegawai")

    dashboard = client.get("/dasbor").get_data(as_text=True)
    mine = dashboard.split("Pelatihan saya</h2>")[1].split("</article>")[0]
    assert f"Materi selesai · {MISSING_BOTH}" in mine and 'data-state="missing"' in mine
    assert "Kemajuan 100%" not in dashboard

    course_page = client.get("/pelatihan/GAGAL-201").get_data(as_text=True)
    label = course_page.split('<label for="course-progress"')[1].split("</label>")[0]
    assert f"Materi selesai · {MISSING_BOTH}" in label and "100%" not in label

    card = _card(client.get("/pelatihan").get_data(as_text=True), "Pelatihan GAGAL-201")
    assert f'data-state="missing">{MISSING_BOTH}</span>' in card and "Terdaftar" not in card

    boss = app.test_client()
    login(boss, "atasan")
    team = boss.get("/dasbor").get_data(as_text=True).split("Pendaftaran tim saya</h2>")[1]
    row = team.split("Pelatihan GAGAL-201")[1].split("</tr>")[0]
    assert MISSING_BOTH in row

    # A second attempt passes: only the evaluation is left, and everyone is told so.
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        quiz = db.session.scalar(select(Quiz).where(Quiz.title == "Post-test"))
        question = db.session.scalar(select(Question).where(Question.course_id == quiz.course_id))
        take_posttest(quiz, question, employee, right=True)
        db.session.commit()
        db.session.remove()
    dashboard = client.get("/dasbor").get_data(as_text=True)
    assert "Materi selesai · Evaluasi belum diisi" in dashboard
    assert "Post-test belum lulus" not in dashboard
    card = _card(client.get("/pelatihan").get_data(as_text=True), "Pelatihan GAGAL-201")
    assert 'data-state="missing">Evaluasi belum diisi</span>' in card


def test_judging_many_listed_courses_costs_the_same_queries(app, client, world) -> None:
    """The states of every listed enrolment are judged together: no query per course."""
    login(client, "pegawai")
    boss = app.test_client()
    login(boss, "atasan")

    def measure() -> dict[str, int]:
        counts = {}
        for who, url in ((client, "/dasbor"), (client, "/pelatihan"), (boss, "/dasbor")):
            who.get(url)
            with app.app_context():
                cache.clear()  # judge the page as built, not a cached catalogue body
            with count_queries(app) as counter:
                assert who.get(url).status_code == 200
            counts[f"{id(who)} {url}"] = counter["n"]
        return counts

    _learn(app, world, "BANYAK-200", right=False, evaluated=False)
    one = measure()
    for i in range(1, 4):
        _learn(app, world, f"BANYAK-20{i}", right=False, evaluated=i % 2 == 0)
    assert measure() == one
