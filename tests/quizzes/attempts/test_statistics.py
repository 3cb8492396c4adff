"""Quiz statistics: hand-computed facility and discrimination, answer frequencies, the page."""

from __future__ import annotations

import math
import re

import pytest

from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.quizzes.attempts import services as attempts
from lms.quizzes.attempts.statistics import (
    AttemptRow,
    answer_frequencies,
    hints,
    pearson,
    pick_attempts,
    question_stat,
    summarise,
)
from lms.quizzes.bank.formats.types import Answer
from lms.quizzes.bank.formats.types import Question as FormatQuestion
from lms.quizzes.models import Question
from tests.conftest import login
from tests.factories import make_course, make_employee
from tests.test_query_counts import count_queries

# --- pure ----------------------------------------------------------------------------------------


def _row(aid: int, employee: int, number: int, fractions: dict[int, float]) -> AttemptRow:
    ids = tuple(fractions)
    score = 100 * sum(fractions.values()) / len(ids)
    return AttemptRow(aid, employee, number, score, ids, fractions, {})


# Four attempts at three questions (1 = right, 0 = wrong):
#        q1 q2 q3   total
#   A     1  1  1     3
#   B     1  0  1     2
#   C     0  1  0     1
#   D     0  0  0     0
ROWS = [
    _row(1, 1, 1, {1: 1.0, 2: 1.0, 3: 1.0}),
    _row(2, 2, 1, {1: 1.0, 2: 0.0, 3: 1.0}),
    _row(3, 3, 1, {1: 0.0, 2: 1.0, 3: 0.0}),
    _row(4, 4, 1, {1: 0.0, 2: 0.0, 3: 0.0}),
]


def test_facility_sd_and_discrimination_by_hand() -> None:
    q1 = question_stat(1, ROWS)
    # q1 = [1, 1, 0, 0], rest of test = [2, 1, 1, 0]: deviations (.5, .5, -.5, -.5) and
    # (1, 0, 0, -1), so r = 1 / sqrt(1 * 2).
    assert q1.count == 4
    assert q1.facility == pytest.approx(50.0)
    assert q1.sd == pytest.approx(100 * math.sqrt(1 / 3))  # sample SD of 0,0,1,1
    assert q1.discrimination == pytest.approx(1 / math.sqrt(2))
    # q2 = [1, 0, 1, 0] against rest [2, 2, 0, 0]: covariance .5 - .5 - .5 + .5 = 0.
    q2 = question_stat(2, ROWS)
    assert q2.facility == pytest.approx(50.0)
    assert q2.discrimination == pytest.approx(0.0)
    assert hints(q2) == ["weak"]
    assert hints(q1) == []


def test_discrimination_undefined_and_negative() -> None:
    # Everyone right: no variance on the question → undefined, and flagged as too easy.
    same = [_row(i, i, 1, {1: 1.0, 2: float(i % 2)}) for i in range(4)]
    stat = question_stat(1, same)
    assert stat.discrimination is None and stat.facility == 100.0
    assert hints(stat) == ["too_easy"]
    # One attempt: nothing to correlate.
    assert question_stat(1, ROWS[:1]).discrimination is None
    assert question_stat(1, ROWS[:1]).sd is None
    assert pearson([1.0], [2.0]) is None
    assert pearson([1, 2, 3], [5, 5, 5]) is None
    # The strong learners miss it, the weak ones get it: negative, flagged.
    upside = [
        _row(1, 1, 1, {1: 0.0, 2: 1.0, 3: 1.0}),
        _row(2, 2, 1, {1: 0.0, 2: 1.0, 3: 0.0}),
        _row(3, 3, 1, {1: 1.0, 2: 0.0, 3: 0.0}),
    ]
    stat = question_stat(1, upside)
    # x = [0, 0, 1], rest = [2, 1, 0]: sxy = -1, sxx = 2/3, syy = 2 → r = -1 / sqrt(4/3).
    assert stat.discrimination == pytest.approx(-math.sqrt(3) / 2)
    assert "negative" in hints(stat)
    # Nobody right → too hard.
    assert "too_hard" in hints(question_stat(1, ROWS[3:] + ROWS[3:]))


def test_question_missing_from_an_attempt_is_left_out() -> None:
    rows = [*ROWS, _row(5, 5, 1, {2: 1.0, 3: 1.0})]  # a random draw without q1
    assert question_stat(1, rows).count == 4
    assert question_stat(2, rows).count == 5
    assert question_stat(9, rows).facility is None


def test_first_attempts_and_summary() -> None:
    rows = [
        _row(1, 7, 2, {1: 1.0}),
        _row(2, 7, 1, {1: 0.0}),
        _row(3, 8, 1, {1: 1.0}),
    ]
    assert [r.id for r in pick_attempts(rows, "first")] == [2, 3]
    assert len(pick_attempts(rows, "all")) == 3
    summary = summarise([40.0, 60.0, 80.0, 100.0], pass_mark=60)
    assert (summary.count, summary.mean, summary.median) == (4, 70.0, 70.0)
    assert summary.pass_rate == 75.0
    assert summarise([], 60).mean is None


def test_choice_frequencies_count_each_option_and_mark_the_key() -> None:
    q = FormatQuestion(
        "single_choice",
        "Ibu kota",
        "?",
        answers=[Answer("Jakarta", 0.0), Answer("Palembang", 1.0), Answer("Medan", 0.0)],
    )
    freq = answer_frequencies(q, [1, 1, 0, None])
    assert [(o.label, o.count, o.percent, o.correct) for o in freq.options] == [
        ("Jakarta", 1, 25.0, False),
        ("Palembang", 2, 50.0, True),
        ("Medan", 0, 0.0, False),
    ]
    assert freq.unanswered == 1
    multi = FormatQuestion(
        "multiple_response", "M", "?", answers=[Answer("a", 0.5), Answer("b", 0.5), Answer("c")]
    )
    freq = answer_frequencies(multi, [[0, 1], [0], []])
    assert [o.count for o in freq.options] == [2, 1, 0]
    assert [o.partial for o in freq.options] == [True, True, False]
    assert freq.unanswered == 1
    tf = FormatQuestion(
        "true_false", "TF", "?", answers=[Answer("true", 0.0), Answer("false", 1.0)]
    )
    freq = answer_frequencies(tf, [True, False, False, "salah"])
    assert [(o.label, o.count, o.correct) for o in freq.options] == [
        ("true", 1, False),
        ("false", 3, True),
    ]


def test_matching_frequencies_per_prompt() -> None:
    q = FormatQuestion(
        "matching",
        "Pasangan",
        "?",
        answers=[
            Answer("Kucing", 1.0, match="Mengeong"),
            Answer("Anjing", 1.0, match="Menggonggong"),
            Answer("", 0.0, match="Berkokok"),
        ],
    )
    freq = answer_frequencies(
        q, [{"0": "Mengeong", "1": "Menggonggong"}, {"0": "Berkokok", "1": "Menggonggong"}, None]
    )
    assert [prompt for prompt, _ in freq.groups] == ["Kucing", "Anjing"]
    cat = {o.label: (o.count, o.correct) for o in freq.groups[0][1]}
    assert cat == {"Mengeong": (1, True), "Menggonggong": (0, False), "Berkokok": (1, False)}
    assert freq.unanswered == 1


def test_typed_responses_grouped_like_the_grader_and_top_ten() -> None:
    short = FormatQuestion("short_answer", "S", "?", answers=[Answer("Palembang", 1.0)])
    responses = ["Palembang", "palembang ", "PALEMBANG", "Jakarta", ""] + [
        f"kota {i}" for i in range(12)
    ]
    freq = answer_frequencies(short, responses)
    assert freq.options[0].label == "Palembang" and freq.options[0].count == 3
    assert freq.options[0].correct and not freq.options[1].correct
    assert len(freq.options) == 10 and freq.more == 4  # 14 distinct answers
    assert freq.unanswered == 1
    numeric = FormatQuestion(
        "numeric", "N", "?", answers=[Answer("3.5", 1.0, value=3.5, tolerance=0.0)]
    )
    freq = answer_frequencies(numeric, ["3,5", "3.5", "4"])
    assert [(o.label, o.count, o.correct) for o in freq.options] == [
        ("3,5", 2, True),
        ("4", 1, False),
    ]
    blank = FormatQuestion(
        "fill_blank", "F", "?", answers=[Answer("Musi", 1.0)], inner_type="short_answer"
    )
    assert answer_frequencies(blank, ["musi"]).options[0].correct
    assert answer_frequencies(FormatQuestion("essay", "E", "?"), ["x"]).kind is None


# --- through the database and HTTP ---------------------------------------------------------------


CHOICES = {
    "answers": [
        {"text": "Jakarta", "fraction": 0.0, "feedback": ""},
        {"text": "Palembang", "fraction": 1.0, "feedback": ""},
    ]
}
SHORT = {"answers": [{"text": "Musi", "fraction": 1.0}]}


def _quiz(trainer_id: int) -> tuple[int, int, int, int]:
    trainer = db.session.get(User, trainer_id)
    course = make_course("STAT-101", trainer=trainer)
    choice = Question(
        course_id=course.id,
        type="single_choice",
        name="Ibu kota",
        text_html="Ibu kota Sumsel?",
        data=CHOICES,
    )
    short = Question(
        course_id=course.id, type="short_answer", name="Sungai", text_html="Sungai?", data=SHORT
    )
    db.session.add_all([choice, short])
    db.session.flush()
    quiz = attempts.save_quiz(
        course,
        None,
        {"title": "Kuis Statistik", "attempts_allowed": 0, "question_ids": [choice.id, short.id]},
    )
    return course.id, quiz.id, choice.id, short.id


def _take(quiz_id: int, employee: Employee, answers: dict[int, object]) -> None:
    from lms.quizzes.models import Quiz

    quiz = db.session.get(Quiz, quiz_id)
    attempt = attempts.start_attempt(quiz, employee.id)
    for qid, response in answers.items():
        attempts.save_answer(attempt, qid, response)
    attempts.submit(attempt)


def _learners(unit_id: int, n: int) -> list[Employee]:
    unit = db.session.get(Unit, unit_id)
    return [make_employee(unit, f"Peserta {i}") for i in range(n)]


def test_statistics_page_shows_summary_items_and_frequencies(app, client, world) -> None:
    with app.app_context():
        course_id, quiz_id, choice, short = _quiz(world.users["pengajar"].id)
        one, two, three = _learners(world.units["dinkes"].id, 3)
        _take(quiz_id, one, {choice: 1, short: "Musi"})  # 100
        _take(quiz_id, one, {choice: 0, short: "musi"})  # 50, second attempt of `one`
        _take(quiz_id, two, {choice: 0, short: "Ogan"})  # 0
        _take(quiz_id, three, {choice: 1})  # 50
        db.session.commit()
    login(client, "pengajar")
    url = f"/kelola/pelatihan/{course_id}/kuis/{quiz_id}/statistik"
    page = client.get(url).get_data(as_text=True)
    assert 'id="stat-count">4<' in page
    assert 'id="stat-mean">50,00<' in page and 'id="stat-median">50,00<' in page
    assert 'id="stat-pass">25,0%' in page  # pass mark 60: only the 100
    assert "semua percobaan yang sudah dinilai" in page
    assert "data:image/svg+xml;base64," in page and "Rentang nilai" in page
    row = re.search(rf'id="stat-q{choice}">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="facility">50,0</td>' in row
    # Sungai: [1, 1, 0, 0] against the choice [1, 0, 0, 1]: r = 0.
    row = re.search(rf'id="stat-q{short}">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="discrimination">0,00</td>' in row and 'data-hint="weak"' in row
    frequencies = page[page.index(f'id="frek-{choice}"') :]
    assert "Palembang" in frequencies and "50,0%" in frequencies
    assert "Musi" in page[page.index(f'id="frek-{short}"') :]
    first = client.get(f"{url}?attempts=first").get_data(as_text=True)
    assert 'id="stat-count">3<' in first and "percobaan pertama" in first
    # The trainer's quiz list links to the page.
    assert url in client.get(f"/kelola/pelatihan/{course_id}/kuis").get_data(as_text=True)


def test_statistics_page_without_attempts_and_for_a_learner(app, client, world) -> None:
    with app.app_context():
        course_id, quiz_id, _choice, _short = _quiz(world.users["pengajar"].id)
        db.session.commit()
    url = f"/kelola/pelatihan/{course_id}/kuis/{quiz_id}/statistik"
    login(client, "pegawai")
    assert client.get(url).status_code == 403
    client2 = app.test_client()
    login(client2, "pengajar")
    page = client2.get(f"{url}?attempts=xyz").get_data(as_text=True)
    assert "Belum ada percobaan yang sudah dinilai" in page
    assert client2.get(f"/kelola/pelatihan/{course_id}/kuis/999999/statistik").status_code == 404


def test_statistics_query_count_is_flat(app, client, world) -> None:
    with app.app_context():
        course_id, quiz_id, choice, short = _quiz(world.users["pengajar"].id)
        learners = [e.id for e in _learners(world.units["dinkes"].id, 30)]
        for i, learner_id in enumerate(learners[:3]):
            learner = db.session.get(Employee, learner_id)
            _take(quiz_id, learner, {choice: i % 2, short: "Musi" if i % 3 else "x"})
        db.session.commit()
    login(client, "pengajar")
    url = f"/kelola/pelatihan/{course_id}/kuis/{quiz_id}/statistik"
    client.get(url)
    with count_queries(app) as few:
        assert client.get(url).status_code == 200
    with app.app_context():
        for i, learner_id in enumerate(learners[3:]):
            learner = db.session.get(Employee, learner_id)
            _take(quiz_id, learner, {choice: i % 2, short: f"jawaban {i}"})
        db.session.commit()
    with count_queries(app) as many:
        page = client.get(url)
        assert page.status_code == 200
    assert 'id="stat-count">30<' in page.get_data(as_text=True)
    assert many["n"] == few["n"]
