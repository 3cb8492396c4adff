"""The versioning rule in the service, without HTTP: a version an attempt has shown never
changes; the database holds one latest version per question and unique version numbers."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.quizzes.attempts import services as attempts
from lms.quizzes.bank.editor import services as svc
from lms.quizzes.bank.editor.rules import Fields, Row, build
from lms.quizzes.models import Question, QuestionCategory
from tests.factories import make_course


def draft(text: str, right: int = 1):
    rows = [
        Row("Jakarta", 1.0 if right == 0 else 0.0),
        Row("Palembang", 1.0 if right == 1 else 0.0),
    ]
    question, problems = build(Fields("single_choice", text=text, rows=rows))
    assert problems == []
    return question


@pytest.fixture
def bank(app, world):
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("VERSI-101", trainer=trainer)
        employee_id = world.employees["pegawai"].id
        db.session.add(Enrolment(course_id=course.id, employee_id=employee_id, status="active"))
        category = QuestionCategory(course_id=course.id, name="Bab 1")
        db.session.add(category)
        db.session.flush()
        yield course, category, employee_id


def test_a_question_no_attempt_has_shown_is_edited_in_place(bank) -> None:
    course, category, _employee = bank
    question = svc.create_question(course, draft("Ibu kota?"), category, None)
    attempts.save_quiz(course, None, {"title": "Kuis", "question_ids": [question.id]})
    saved = svc.update_question(question, draft("Ibu kota Sumsel?"), category, None)
    assert saved is question and saved.version == 1 and saved.text == "Ibu kota Sumsel?"


def test_an_attempt_in_progress_without_answers_already_holds_its_version(bank) -> None:
    course, category, employee = bank
    question = svc.create_question(course, draft("Ibu kota?"), category, None)
    quiz = attempts.save_quiz(course, None, {"title": "Kuis", "question_ids": [question.id]})
    attempt = attempts.start_attempt(quiz, employee)
    assert svc.version_in_use(question)
    saved = svc.update_question(question, draft("Ibu kota negara?", right=0), category, None)
    assert (saved.version, question.status, saved.status) == (2, "superseded", "ready")
    assert quiz.questions["ids"] == [saved.id]
    # The open attempt still shows, saves and grades the version it started with.
    attempts.save_answer(attempt, question.id, 1)
    attempts.submit(attempt)
    assert float(attempt.score) == 100
    assert svc.usage(course.id)[saved.entry_id].attempts == 1


def test_two_trainers_saving_one_used_question_at_once_make_one_version(bank) -> None:
    course, category, employee = bank
    question = svc.create_question(course, draft("Ibu kota?"), category, None)
    quiz = attempts.save_quiz(course, None, {"title": "Kuis", "question_ids": [question.id]})
    attempts.start_attempt(quiz, employee)
    # The other trainer's version 2, committed while this one was editing.
    db.session.add(
        Question(
            course_id=course.id,
            entry_id=question.entry_id,
            version=2,
            status="superseded",
            type="single_choice",
            name="Lain",
        )
    )
    db.session.flush()
    with pytest.raises(svc.BankError, match="baru saja diubah orang lain"):
        svc.update_question(question, draft("Ibu kota negara?"), category, None)
    assert question.status == "ready" and quiz.questions["ids"] == [question.id]


def test_a_stale_quiz_form_naming_the_old_version_gets_the_current_one(bank) -> None:
    course, category, employee = bank
    question = svc.create_question(course, draft("Ibu kota?"), category, None)
    quiz = attempts.save_quiz(course, None, {"title": "Kuis", "question_ids": [question.id]})
    attempts.start_attempt(quiz, employee)
    new = svc.update_question(question, draft("Ibu kota?", right=0), category, None)
    again = attempts.save_quiz(
        course, None, {"title": "Kuis 2", "question_ids": [question.id, new.id]}
    )
    assert again.questions["ids"] == [new.id]


def test_draws_take_only_current_questions(bank) -> None:
    course, category, employee = bank
    used = svc.create_question(course, draft("Satu?"), category, None)
    gone = svc.create_question(course, draft("Dua?"), category, None)
    fixed = attempts.save_quiz(course, None, {"title": "Tetap", "question_ids": [used.id, gone.id]})
    attempts.start_attempt(fixed, employee)
    fixed.questions = {"ids": [], "draws": [{"category_id": category.id, "count": 5}]}
    new = svc.update_question(used, draft("Satu lagi?"), category, None)
    svc.delete_question(gone)  # shown by the attempt above: hidden, not deleted
    assert gone.status == "hidden"
    drawn = attempts.save_quiz(
        course, None, {"title": "Undian", "draws": [{"category_id": category.id, "count": 5}]}
    )
    other = attempts.start_attempt(drawn, employee, rng=random.Random(1))
    assert other.question_order == [new.id]


def test_moving_a_question_moves_every_version(bank) -> None:
    course, category, employee = bank
    question = svc.create_question(course, draft("Ibu kota?"), category, None)
    quiz = attempts.save_quiz(course, None, {"title": "Kuis", "question_ids": [question.id]})
    attempts.start_attempt(quiz, employee)
    new = svc.update_question(question, draft("Ibu kota?", right=0), category, None)
    other = svc.category_named(course, "Bab 2")
    assert svc.move_questions([new], other) == 1
    assert {v.category_id for v in svc.versions_of(new)} == {other.id}
    with pytest.raises(svc.BankError):
        svc.move_questions([question], category)  # an old version is not moved on its own


def test_the_database_keeps_one_latest_version_and_unique_numbers(bank) -> None:
    course, category, _employee = bank
    question = svc.create_question(course, draft("Ibu kota?"), category, None)
    assert question.entry_id is not None  # made with an entry of its own
    twin = Question(
        course_id=course.id, entry_id=question.entry_id, version=2, type="essay", name="x"
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(twin)  # a second "ready" version of the same question
    same = Question(
        course_id=course.id,
        entry_id=question.entry_id,
        version=1,
        status="superseded",
        type="essay",
        name="x",
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(same)  # version 1 twice
    assert db.session.scalars(select(Question.id)).all() == [question.id]


def test_migration_makes_each_existing_question_version_1_of_its_own_entry(
    databases, tmp_path
) -> None:
    """Rows written before 0008a (here: written, then the schema taken back to 0007f) become
    version 1 of an entry with the question's own id; new entries are numbered after them."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from lms import create_app
    from lms.org.reference import load_reference

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": databases.new("qver"), "FILES_DIR": str(tmp_path)},
        env="testing",
    )
    with app.app_context():
        upgrade()
        load_reference()
        course = make_course("MIGR-101")
        first = Question(course_id=course.id, type="essay", name="Satu", text="Satu.")
        second = Question(course_id=course.id, type="essay", name="Dua", text="Dua.")
        db.session.add_all([first, second])
        db.session.commit()
        ids, course_id = [first.id, second.id], course.id
        db.session.remove()
        downgrade(revision="0007f")
        upgrade()
        rows = db.session.execute(
            text("SELECT id, entry_id, version, status FROM questions ORDER BY id")
        ).all()
        assert [tuple(r) for r in rows] == [(i, i, 1, "ready") for i in ids]
        third = Question(course_id=course_id, type="essay", name="Tiga", text="Tiga.")
        db.session.add(third)
        db.session.commit()
        assert third.entry_id > max(ids)
        db.session.remove()
        db.engine.dispose()
