"""New attempts of a finished SCO: started from the course page (POST + CSRF), the old attempt
kept as history, the report on the newest with its number, the completion never revoked, and a
stale page of the old attempt refused (409)."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from lms.completion.models import Completion
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.runtime.models import ScoAttempt
from tests.conftest import csrf_token, login
from tests.factories import make_course
from tests.packages_runtime.helpers import FIXTURES, install_package, scorm2004_zip


def _course(app, world, data: bytes, code: str, kind: str = "scorm12") -> tuple[int, int]:
    with app.app_context():
        course = make_course(code, lessons=0)
        course.require_posttest = False
        course.require_evaluation = False
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        version = install_package(
            data, code=code, kind=kind, uploader_id=world.users["mitra"].id, course_id=course.id
        )
        db.session.commit()
        ids = version.id, version.scos[0].id
        db.session.remove()
    return ids


@pytest.fixture
def golf(app, world):
    path = FIXTURES / "singlescobasic.zip"
    if not path.exists():
        pytest.skip(f"shared fixture missing: {path}")
    return _course(app, world, path.read_bytes(), "ULANG-1")


def _player(client, version_id: int, sco_id: int):
    page = client.get(f"/paket/versi/{version_id}/main/{sco_id}")
    assert page.status_code == 200
    csrf = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    attempt = int(re.search(rb'data-attempt="(\d+)"', page.data).group(1))
    state = json.loads(unescape(re.search(rb'data-state="([^"]*)"', page.data).group(1).decode()))
    return page, csrf, attempt, state


def _save(client, sco_id: int, csrf: str, cmi: dict, attempt: int | None = None):
    body = {"session": "s", "cmi": cmi}
    if attempt is not None:
        body["attempt"] = attempt
    return client.post(f"/paket/sco/{sco_id}/simpan", json=body, headers={"X-CSRFToken": csrf})


def _course_page(client, code: str = "ULANG-1") -> str:
    return client.get(f"/pelatihan/{code}").get_data(as_text=True)


def _new_attempt(client, sco_id: int, code: str = "ULANG-1"):
    """Press "Mulai percobaan baru" (its form's token, or the session's when not shown)."""
    page = _course_page(client, code)
    form = re.search(rf'action="/paket/sco/{sco_id}/percobaan-baru".*?value="([^"]+)"', page, re.S)
    token = form.group(1) if form else csrf_token(client, "/dasbor")
    return client.post(f"/paket/sco/{sco_id}/percobaan-baru", data={"csrf_token": token})


def test_a_new_attempt_only_after_the_newest_is_finished(app, client, golf):
    version_id, sco_id = golf
    login(client, "pegawai")
    _, csrf, attempt, _state = _player(client, version_id, sco_id)
    assert attempt == 1
    assert (
        _save(client, sco_id, csrf, {"cmi.core.lesson_status": "incomplete"}, 1).status_code == 200
    )
    assert "Mulai percobaan baru" not in _course_page(client)
    refused = _new_attempt(client, sco_id)
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/pelatihan/ULANG-1")
    assert "setelah percobaan sekarang selesai" in _course_page(client)
    with app.app_context():
        assert db.session.scalar(select(func.count(ScoAttempt.id))) == 1


def test_a_new_attempt_needs_csrf(app, client, golf):
    version_id, sco_id = golf
    login(client, "pegawai")
    _, csrf, _, _ = _player(client, version_id, sco_id)
    _save(client, sco_id, csrf, {"cmi.core.lesson_status": "passed"}, 1)
    assert client.post(f"/paket/sco/{sco_id}/percobaan-baru").status_code == 400
    assert client.get(f"/paket/sco/{sco_id}/percobaan-baru").status_code == 405
    with app.app_context():
        assert db.session.scalar(select(func.count(ScoAttempt.id))) == 1


def test_a_finished_sco_starts_again_keeping_history_and_the_completion(app, client, golf):
    version_id, sco_id = golf
    login(client, "pegawai")
    _, csrf, _, _ = _player(client, version_id, sco_id)
    first = {
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": "85",
        "cmi.core.lesson_location": "akhir",
        "cmi.core.exit": "suspend",
        "cmi.suspend_data": "langkah=9",
        "cmi.core.session_time": "0000:10:00.00",
    }
    assert _save(client, sco_id, csrf, first, 1).status_code == 200
    with app.app_context():
        completed = db.session.scalar(select(Completion))
        assert completed is not None and completed.score == 85
    page = _course_page(client)
    assert "Mulai percobaan baru" in page
    started = _new_attempt(client, sco_id)
    assert started.status_code == 302
    assert started.headers["Location"].endswith(f"/paket/versi/{version_id}/main/{sco_id}")
    page, csrf, attempt, state = _player(client, version_id, sco_id)
    assert attempt == 2 and b"Percobaan ke-2" in page.data
    # A fresh start: nothing of attempt 1 is loaded into the SCO.
    assert state["cmi.core.entry"] == "ab-initio"
    assert "cmi.core.lesson_status" not in state and "cmi.suspend_data" not in state
    assert "Mulai percobaan baru" not in _course_page(client)  # attempt 2 is not finished
    assert "percobaan ke-2" in _course_page(client)
    assert _save(client, sco_id, csrf, {"cmi.core.lesson_status": "failed"}, 2).status_code == 200
    # A page still open on attempt 1 (its beacon, a stale tab) cannot write over attempt 2.
    stale = _save(client, sco_id, csrf, {"cmi.core.lesson_status": "passed"}, 1)
    assert stale.status_code == 409
    assert "percobaan ke-1" in stale.json["error"]["message"]
    assert "ke-2" in stale.json["error"]["message"]
    with app.app_context():
        rows = db.session.scalars(select(ScoAttempt).order_by(ScoAttempt.attempt)).all()
        assert [(a.attempt, a.lesson_status) for a in rows] == [(1, "passed"), (2, "failed")]
        assert rows[0].suspend_data == "langkah=9" and rows[0].total_time_cs == 0
        # The course stays completed: a new attempt, even a failed one, never revokes it.
        completion = db.session.scalar(select(Completion))
        assert completion.status == "valid" and completion.score == 85
        assert db.session.scalar(select(Enrolment.status)) == "completed"


def test_the_scorm_report_shows_the_newest_attempt_and_its_number(app, client, golf):
    version_id, sco_id = golf
    login(client, "pegawai")
    _, csrf, _, _ = _player(client, version_id, sco_id)
    _save(client, sco_id, csrf, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85"})
    _new_attempt(client, sco_id)
    _, csrf, _, _ = _player(client, version_id, sco_id)
    _save(
        client,
        sco_id,
        csrf,
        {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "40"},
        2,
    )
    hr = app.test_client()
    login(hr, "bkpsdm")
    answer = hr.get("/laporan/scorm.csv?dialek=standar")
    assert answer.status_code == 200, answer.status_code
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], [r for r in rows[1:] if r]
    assert len(body) == 1, body  # one row per learner and SCO: the newest attempt
    row = dict(zip(header, body[0], strict=True))
    assert row["Percobaan"] == "2" and row["Nilai"].startswith("40")


def test_scorm2004_new_attempt_follows_completion_status_completed(app, client, world):
    version_id, sco_id = _course(app, world, scorm2004_zip(), "ULANG-2004", "scorm2004")
    login(client, "pegawai")
    _, csrf, _, _ = _player(client, version_id, sco_id)
    passed_only = {"cmi.completion_status": "incomplete", "cmi.success_status": "passed"}
    assert _save(client, sco_id, csrf, passed_only, 1).status_code == 200
    assert "Mulai percobaan baru" not in _course_page(client, "ULANG-2004")
    assert _new_attempt(client, sco_id, "ULANG-2004").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(ScoAttempt.id))) == 1
    completed = {"cmi.completion_status": "completed", "cmi.success_status": "passed"}
    assert _save(client, sco_id, csrf, completed, 1).status_code == 200
    assert "Mulai percobaan baru" in _course_page(client, "ULANG-2004")
    _new_attempt(client, sco_id, "ULANG-2004")
    _, _, attempt, state = _player(client, version_id, sco_id)
    assert attempt == 2 and state["cmi.entry"] == "ab-initio"
    assert "cmi.completion_status" not in state  # nothing of attempt 1 (scorm-again: unknown)
