"""The certificate PDF is made off the request path (issue 19 point 4).

The evaluation submit that completes a course issues the certificate (number and record) in its
request and answers; the PDF is rendered by a task after the commit: without a broker, in the app
process's background thread (``TASKS_IN_THREAD``, on in production; the tests run it inline for
determinism). Meanwhile the pages say "sedang dibuat" and poll a JSON status; a download before
the PDF exists renders it on demand.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from lms.certificates import render
from lms.certificates.models import Certificate
from lms.certificates.tasks import render_certificate
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.learning.services import mark_done
from lms.storage import get_storage
from lms.tasks import background_worker
from tests.conftest import login
from tests.evaluations.test_views import answers, post_form, setup_course


def ready_to_complete(app, world) -> int:
    """`pegawai` has done every lesson; the evaluation is the one missing rule."""
    course_id = setup_course(app, world, lessons=1)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        mark_done(enrolment, enrolment.course.published_version.modules[0].lessons[0])
        db.session.commit()
    return course_id


def the_certificate(app) -> dict:
    with app.app_context():
        c = db.session.scalar(select(Certificate))
        return {
            "id": c.id,
            "pdf_key": c.pdf_key,
            "sha": c.pdf_sha256,
            "error": c.render_error,
            "number": c.number,
            "token": c.token,
        }


def pdf_files(app) -> list[str]:
    """The stored files of the certificate (the file store outlives one test)."""
    token = the_certificate(app)["token"]
    with app.app_context():
        root = get_storage().root
    return sorted(p.name for p in (root / "certificates").rglob(f"{token}*") if p.is_file())


@pytest.fixture
def deferred(app, monkeypatch):
    """Production's threaded mode, with the background thread replaced by a list: the test
    decides when the queued tasks run."""
    queued: list = []
    monkeypatch.setitem(app.config, "TASKS_IN_THREAD", True)
    monkeypatch.setattr(
        background_worker, "submit", lambda _app, task, args: queued.append((task, args))
    )
    return queued


def test_submit_answers_before_the_pdf_is_rendered(app, client, world, deferred) -> None:
    course_id = ready_to_complete(app, world)
    login(client, "pegawai")
    response = post_form(client, answers(app, course_id))
    assert response.status_code == 302
    cert = the_certificate(app)
    assert cert["number"]  # issued in the request: number and record
    assert cert["pdf_key"] is None  # but not rendered in it
    assert [(t.name, a) for t, a in deferred] == [("certificates.render", (cert["id"],))]

    # The course page (where the submit redirects) and the list say it is being made, and poll.
    status_url = f"/sertifikat/{cert['id']}/status"
    for page in (response.headers["Location"], "/sertifikat"):
        html = client.get(page).get_data(as_text=True)
        assert "sedang dibuat" in html
        assert f'data-certificate-status-url="{status_url}"' in html
        assert "js/certificate-status.js" in html
        assert "<script>" not in html  # CSP: no inline script
    status = client.get(status_url)
    assert status.status_code == 200
    assert status.headers["Cache-Control"] == "no-store"
    assert status.json == {
        "id": cert["id"],
        "status": "pending",
        "download_url": f"/sertifikat/{cert['id']}/pdf",
    }

    # The task runs (after the response): the PDF is stored and the status says so.
    for task, args in deferred:
        with app.app_context():
            task.apply(args=args, throw=True)
    cert = the_certificate(app)
    assert cert["pdf_key"] and cert["sha"]
    assert client.get(status_url).json["status"] == "ready"
    html = client.get("/sertifikat").get_data(as_text=True)
    assert "sedang dibuat" not in html and "certificate-status.js" not in html


def test_download_before_the_task_renders_on_demand(app, client, world, deferred) -> None:
    course_id = ready_to_complete(app, world)
    login(client, "pegawai")
    post_form(client, answers(app, course_id))
    cert = the_certificate(app)
    assert cert["pdf_key"] is None
    response = client.get(f"/sertifikat/{cert['id']}/pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    after = the_certificate(app)
    assert after["sha"] == hashlib.sha256(response.data).hexdigest()
    # The queued task then finds it stored and does nothing; still one file.
    for task, args in deferred:
        with app.app_context():
            assert task.apply(args=args, throw=True).get() is False
    assert the_certificate(app)["sha"] == after["sha"]
    assert len(pdf_files(app)) == 1


def test_without_threads_the_pdf_exists_when_the_submit_returns(app, client, world) -> None:
    """Tests, CLI and a worker-less run without the thread: rendered after the commit, inline."""
    course_id = ready_to_complete(app, world)
    login(client, "pegawai")
    assert post_form(client, answers(app, course_id)).status_code == 302
    cert = the_certificate(app)
    assert cert["pdf_key"] and cert["error"] == ""
    assert client.get(f"/sertifikat/{cert['id']}/status").json["status"] == "ready"
    assert len(pdf_files(app)) == 1


def test_rendering_twice_leaves_one_file_with_the_same_hash(app, client, world) -> None:
    course_id = ready_to_complete(app, world)
    login(client, "pegawai")
    post_form(client, answers(app, course_id))
    first = the_certificate(app)
    files = pdf_files(app)
    assert len(files) == 1
    with app.app_context():
        assert render_certificate.apply(args=(first["id"],), throw=True).get() is False
        # Forced: the stored file is rendered and saved again under the same key.
        certificate = db.session.get(Certificate, first["id"])
        render.store_pdf(certificate)
        db.session.commit()
    assert pdf_files(app) == files
    again = the_certificate(app)
    assert (again["pdf_key"], again["sha"]) == (first["pdf_key"], first["sha"])
    with app.app_context():
        stored = get_storage().read(again["pdf_key"])
    assert hashlib.sha256(stored).hexdigest() == first["sha"]


def test_a_failed_render_is_shown_and_a_download_never_500s(
    app, client, world, deferred, monkeypatch
) -> None:
    course_id = ready_to_complete(app, world)
    login(client, "pegawai")
    post_form(client, answers(app, course_id))

    def broken(_certificate):
        raise RuntimeError("font hilang")

    monkeypatch.setattr(render, "render_pdf", broken)
    for task, args in deferred:
        with app.app_context(), pytest.raises(RuntimeError):
            task.apply(args=args, throw=True)
    cert = the_certificate(app)
    assert cert["pdf_key"] is None and "font hilang" in cert["error"]
    assert client.get(f"/sertifikat/{cert['id']}/status").json["status"] == "failed"
    html = client.get("/sertifikat").get_data(as_text=True)
    assert "belum dapat dibuat" in html
    assert client.get(f"/sertifikat/{cert['id']}/pdf").status_code == 503
