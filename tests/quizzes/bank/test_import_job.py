"""A confirmed question-bank import runs as a task and the page shows its progress (issue 19
point 4); the import stays all or nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes.bank import jobs
from lms.quizzes.bank import services as bank_services
from lms.quizzes.models import Question
from lms.storage import get_storage
from lms.tasks import background_worker
from tests.conftest import login
from tests.quizzes.bank.test_bank import bank_url, confirm, courses, upload  # noqa: F401


def gift(n: int) -> bytes:
    return "\n".join(
        f"$CATEGORY: Bab {i % 3}\n\n::Soal {i}:: Ibu kota nomor {i}? {{=Palembang ~Jambi ~Padang}}\n"
        for i in range(n)
    ).encode()


def question_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Question.id)))


def the_job(app) -> jobs.QuestionImportJob:
    with app.app_context():
        job = db.session.scalar(select(jobs.QuestionImportJob))
        db.session.expunge(job)
        return job


@pytest.fixture
def deferred(app, monkeypatch):
    """Production's threaded mode; the queued tasks wait in a list until the test runs them."""
    queued: list = []
    monkeypatch.setitem(app.config, "TASKS_IN_THREAD", True)
    monkeypatch.setattr(
        background_worker, "submit", lambda _app, task, args: queued.append((task, args))
    )
    return queued


def run_queued(app, queued) -> None:
    for task, args in queued:
        with app.app_context():
            task.apply(args=args, throw=True)


def test_confirm_answers_with_a_progress_page_then_the_task_imports(
    app,
    client,
    courses,  # noqa: F811
    deferred,
    monkeypatch,
) -> None:
    login(client, "pengajar")
    course_id = courses["bank"]
    response = confirm(client, course_id, upload(client, course_id, gift(250), "gift"))
    assert response.status_code == 302
    job_url = response.headers["Location"]
    assert re.search(r"/bank-soal/impor/\d+$", job_url)
    assert question_count(app) == 0  # nothing stored in the request
    assert [t.name for t, _ in deferred] == ["quizzes.import_bank"]
    job = the_job(app)
    assert job.status == "queued" and job.file_key

    page = client.get(job_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Menunggu giliran" in html and "<progress" in html
    assert "js/bank-import.js" in html and "<script>" not in html
    status_url = f"{bank_url(course_id)}/impor/{job.id}/status"
    assert f'data-status-url="{status_url}"' in html
    status = client.get(status_url)
    assert status.headers["Cache-Control"] == "no-store"
    assert status.json["status"] == "queued" and status.json["progress"] == 0

    progress: list[int] = []
    real = jobs._set_progress

    def recording(job_id: int, **values: object) -> None:
        if "progress" in values:
            progress.append(values["progress"])
        real(job_id, **values)

    monkeypatch.setattr(jobs, "_set_progress", recording)
    run_queued(app, deferred)
    assert progress == sorted(progress) and len(progress) >= 4  # 1, 5, then every 100 questions
    assert question_count(app) == 250
    done = client.get(status_url).json
    assert (done["status"], done["progress"], done["imported"], done["skipped"]) == (
        "done",
        100,
        250,
        0,
    )
    with app.app_context():
        assert not get_storage().exists(job.file_key)  # the kept upload is deleted
    page = client.get(job_url)
    assert page.status_code == 302 and page.headers["Location"].endswith(bank_url(course_id))
    assert "250 soal diimpor ke bank soal" in client.get(bank_url(course_id)).get_data(as_text=True)
    # The same preview cannot be confirmed again, and the task does not run twice.
    assert question_count(app) == 250
    with app.app_context():
        assert jobs.import_bank.apply(args=(job.id,), throw=True).get() is False
    assert question_count(app) == 250


def test_a_failure_stores_no_question_and_says_so(
    app,
    client,
    courses,  # noqa: F811
    deferred,
    monkeypatch,
) -> None:
    login(client, "pengajar")
    course_id = courses["bank"]
    response = confirm(client, course_id, upload(client, course_id, gift(30), "gift"))
    real = bank_services.import_questions

    def half_then_fail(course, result, *args, **kwargs):
        result.questions = result.questions[:15]
        real(course, result, *args, **kwargs)  # 15 questions flushed...
        raise RuntimeError("disk penuh")  # ...then the import fails

    monkeypatch.setattr(bank_services, "import_questions", half_then_fail)
    run_queued(app, deferred)
    assert question_count(app) == 0  # all or nothing
    job = the_job(app)
    assert job.status == "failed" and "disk penuh" in job.error and job.file_key is None
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Impor gagal" in html and "bank-import.js" not in html
    status = client.get(f"{bank_url(course_id)}/impor/{job.id}/status").json
    assert status["status"] == "failed"


def test_another_author_cannot_follow_someone_elses_import(app, client, courses) -> None:  # noqa: F811
    login(client, "pengajar")
    course_id = courses["bank"]
    response = confirm(client, course_id, upload(client, course_id, gift(3), "gift"))
    job_url = response.headers["Location"]
    other = app.test_client()
    login(other, "bkpsdm")  # may use the bank, but it is not their import
    assert other.get(job_url).status_code == 404
    assert other.get(job_url + "/status").status_code == 404
