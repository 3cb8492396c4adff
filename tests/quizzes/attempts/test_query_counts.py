"""The exam's requests (bench/quiz_load.py sends these 25 per employee) cost the same number of
SQL statements whatever the quiz's length: no statement per question on any page."""

from __future__ import annotations

import re

from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.attempts import services as svc
from lms.quizzes.models import Question
from tests.conftest import login
from tests.factories import make_course
from tests.test_query_counts import count_queries

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
QUESTION = re.compile(r'data-question="(\d+)"')


def _quiz(world, code: str, questions: int) -> int:
    course = make_course(code)
    db.session.add(
        Enrolment(course_id=course.id, employee_id=world.employees["pegawai"].id, status="active")
    )
    bank = [
        Question(
            course_id=course.id,
            type="single_choice",
            name=f"Soal {n}",
            text_html=f"<p>Soal {n}?</p>",
            data={
                "answers": [{"text": f"Pilihan {c}", "fraction": float(c == 0)} for c in range(4)]
            },
        )
        for n in range(questions)
    ]
    db.session.add_all(bank)
    db.session.flush()
    values = {"title": f"Post-test {code}", "kind": "post_test", "attempts_allowed": 1}
    values |= {"time_limit_minutes": 30, "shuffle_answers": True}
    return svc.save_quiz(course, None, {**values, "question_ids": [q.id for q in bank]}).id


def _take(app, client, quiz_id: int) -> dict[str, int]:
    """Statements per request of one employee's exam, as the bench sends it."""
    counts: dict[str, int] = {}

    def call(step: str, method: str, path: str, **kwargs):
        with count_queries(app) as queries:
            response = client.open(path, method=method, **kwargs)
        counts[step] = max(counts.get(step, 0), queries["n"])
        return response

    page = call("intro", "GET", f"/kuis/{quiz_id}")
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    started = call("start", "POST", f"/kuis/{quiz_id}/mulai", data={"csrf_token": token})
    url = started.headers["Location"]
    page = call("attempt page", "GET", url).get_data(as_text=True)
    assert page.count('data-question="') >= 1
    for n, question in enumerate(dict.fromkeys(QUESTION.findall(page))):
        saved = call(
            "save",
            "POST",
            f"{url}/jawab",
            json={"question_id": int(question), "response": n % 4},
            headers={"X-CSRFToken": token},
        )
        assert saved.json["ok"] is True
    submitted = call("submit", "POST", f"{url}/kumpulkan", data={"csrf_token": token})
    assert submitted.headers["Location"].endswith("/hasil"), submitted.headers["Location"]
    assert call("result", "GET", f"{url}/hasil").status_code == 200
    return counts


def test_exam_requests_do_not_grow_with_the_number_of_questions(app, client, world) -> None:
    with app.app_context():
        short, long = _quiz(world, "KUIS-PENDEK", 2), _quiz(world, "KUIS-PANJANG", 12)
        db.session.commit()
    login(client, "pegawai")
    few, many = _take(app, client, short), _take(app, client, long)
    pages = ("intro", "start", "attempt page", "save", "result")
    assert {k: many[k] for k in pages} == {k: few[k] for k in pages}, (few, many)
    assert many["save"] == 1  # the autosave: one guarded upsert (README, exam figures)
    assert max(many[k] for k in pages) <= 10, many
