"""Events in: the features below completion announce what happened, completion subscribes.

Each test mutes one signal first and shows the course stays open (so completion does not arrive by
a direct call), then lets it through and shows the course completed in the same transaction.
The import scans hold the direction: nothing below completion imports it, and completion does not
call back into certificates.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.completion import subscriptions
from lms.completion.models import Completion, OutboxEvent
from lms.enrolments.models import Enrolment
from lms.evaluations import services as evaluations
from lms.evaluations.questions import sections_for
from lms.evaluations.signals import evaluation_sent
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.signals import lesson_done
from lms.org.models import Employee
from lms.quizzes.attempts import services as attempts
from lms.quizzes.models import POSTTEST_KINDS, Question, Quiz
from lms.quizzes.signals import attempt_graded
from tests.completion.builders import CHOICES, course_with_posttest, do_lessons, enrol
from tests.conftest import login
from tests.factories import make_course

LMS = Path(__file__).resolve().parents[2] / "lms"
BELOW_COMPLETION = ("auth", "org", "courses", "enrolments", "learning", "quizzes", "evaluations")
#: Completion and the certificates that follow it: reached from below only through signals.
EVENT_PATH = ("completion", "certificates")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _completions() -> int:
    return db.session.scalar(select(func.count()).select_from(Completion))


def _all_ratings(course) -> dict[str, int]:
    return {item.key: 5 for section in sections_for(course) for item in section.items}


def test_completion_is_subscribed_when_the_app_is_created(ctx) -> None:
    anyone = object()
    assert subscriptions.on_attempt_graded in set(attempt_graded.receivers_for(anyone))
    assert subscriptions.on_lesson_done in set(lesson_done.receivers_for(anyone))
    assert subscriptions.on_evaluation_sent in set(evaluation_sent.receivers_for(anyone))


def test_a_graded_post_test_completes_the_course_through_its_signal(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    course, quiz, question = course_with_posttest(require_evaluation=False)
    enrolment = enrol(course, employee)
    do_lessons(enrolment, course)

    with attempt_graded.muted():
        attempt = attempts.start_attempt(quiz, employee.id)
        attempts.save_answer(attempt, question.id, 1)
        attempts.submit(attempt)
    assert attempt.status == "graded" and _completions() == 0

    second = attempts.start_attempt(quiz, employee.id)
    attempts.save_answer(second, question.id, 1)
    attempts.submit(second)  # graded now: completion judged in this same transaction
    record = db.session.scalar(select(Completion))
    assert record is not None and record.source == "online" and record.score == 100
    assert enrolment.status == "completed"
    certificate = db.session.scalar(select(Certificate))
    event = db.session.scalar(select(OutboxEvent))
    assert event.type == "completion.created"
    assert event.payload["certificate_number"] == certificate.number


def test_a_graded_practice_quiz_does_not_judge_completion(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    course = make_course("LATIH-1", lessons=1, require_evaluation=False, require_posttest=False)
    question = Question(course_id=course.id, type="single_choice", name="Ibu kota", data=CHOICES)
    db.session.add(question)
    db.session.flush()
    quiz = attempts.save_quiz(
        course,
        None,
        {"title": "Latihan", "kind": "practice", "attempts_allowed": 0, "pass_mark": 60,
         "question_ids": [question.id]},
    )  # fmt: skip
    enrolment = enrol(course, employee)
    with lesson_done.muted():
        do_lessons(enrolment, course)  # every rule holds, but nobody judged yet
    attempt = attempts.start_attempt(quiz, employee.id)
    attempts.save_answer(attempt, question.id, 1)
    attempts.submit(attempt)
    assert attempt.status == "graded" and not quiz.is_post_test
    assert _completions() == 0 and enrolment.status == "active"


def test_the_last_lesson_completes_the_course_through_its_signal(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    unheard = make_course("LEKSI-1", lessons=2, require_evaluation=False, require_posttest=False)
    heard = make_course("LEKSI-2", lessons=2, require_evaluation=False, require_posttest=False)
    muted, followed = enrol(unheard, employee), enrol(heard, employee)

    with lesson_done.muted():
        do_lessons(muted, unheard)
    assert muted.progress == 100 and muted.status == "active" and _completions() == 0

    first, last = heard.published_version.modules[0].lessons
    assert learning.mark_done(followed, first)
    assert _completions() == 0  # one lesson still missing
    assert learning.mark_done(followed, last)
    assert followed.status == "completed"
    assert db.session.scalar(select(Completion.course_id)) == heard.id


def test_a_sent_evaluation_completes_the_course_through_its_signal(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    done_elsewhere = make_course("EVAL-1", lessons=1, require_posttest=False)
    closes_now = make_course("EVAL-2", lessons=1, require_posttest=False)
    muted, heard = enrol(done_elsewhere, employee), enrol(closes_now, employee)
    do_lessons(muted, done_elsewhere)
    do_lessons(heard, closes_now)
    assert _completions() == 0  # the evaluation is missing in both

    with evaluation_sent.muted():
        evaluations.submit(muted, sections_for(done_elsewhere), _all_ratings(done_elsewhere), {})
    assert _completions() == 0 and muted.status == "active"

    evaluations.submit(heard, sections_for(closes_now), _all_ratings(closes_now), {})
    assert heard.status == "completed"
    assert db.session.scalar(select(Completion.course_id)) == closes_now.id


def test_an_exam_is_named_a_post_test_on_the_lesson_page(app, client, world) -> None:
    """The lesson page and the completion rule share one definition (an exam counts)."""
    assert POSTTEST_KINDS == ("post_test", "exam")
    with app.app_context():
        course = make_course("UJIAN-1", lessons=1)
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        exam = Quiz(course_id=course.id, kind="exam", title="Ujian Akhir", review="after_last")
        db.session.add(exam)
        db.session.commit()
        assert exam.is_post_test
        key = course.published_version.modules[0].lessons[0].key
    login(client, "pegawai")
    page = client.get(f"/belajar/UJIAN-1/{key}").get_data(as_text=True)
    assert "Lanjut ke post-test" in page and "Ujian Akhir" in page


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every ``lms.…`` module a file imports, and whether the import sits inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested.update(id(inner) for inner in ast.walk(node) if inner is not node)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.extend((name, id(node) in nested) for name in names)
        elif isinstance(node, ast.Import):
            found.extend((a.name, id(node) in nested) for a in node.names)
    return [(name, inside) for name, inside in found if name.startswith("lms.")]


FEATURES = {path.parent.name for path in LMS.glob("*/__init__.py")}


def _feature(module: str) -> str:
    """The feature package of an ``lms.…`` module ('' for a shared helper such as lms.db)."""
    name = module.split(".")[1]
    return name if name in FEATURES else ""


def test_no_feature_below_completion_imports_completion_or_certificates() -> None:
    wrong = [
        f"{path.relative_to(LMS)} imports {name}"
        for feature in BELOW_COMPLETION
        for path in sorted((LMS / feature).rglob("*.py"))
        for name, _ in _imports(path)
        if _feature(name) in EVENT_PATH
    ]
    assert wrong == []


def test_completion_does_not_import_certificates() -> None:
    """Certificates follow completion's signals and offer template globals: no way back up."""
    wrong = [
        f"{path.name} imports {name}"
        for path in sorted((LMS / "completion").glob("*.py"))
        for name, _ in _imports(path)
        if _feature(name) == "certificates"
    ]
    assert wrong == []


#: Function-level imports between features left on the event path, each with its reason.
ALLOWED_NESTED = {
    # notify() moves out of enrolments into its own package (issue 14, point 2).
    ("completion/services.py", "lms.enrolments.services"),
    ("completion/services.py", "lms.enrolments.services.notify"),
}


def test_no_function_level_imports_between_features_on_the_event_path() -> None:
    files = [
        *sorted((LMS / "completion").glob("*.py")),
        *sorted((LMS / "certificates").glob("*.py")),
        LMS / "learning" / "services.py",
        LMS / "evaluations" / "services.py",
    ]
    wrong = []
    for path in files:
        own = path.relative_to(LMS).parts[0]
        rel = path.relative_to(LMS).as_posix()
        for name, inside in _imports(path):
            if inside and _feature(name) not in (own, "") and (rel, name) not in ALLOWED_NESTED:
                wrong.append(f"{rel} imports {name} inside a function")
    assert wrong == []
