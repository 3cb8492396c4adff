"""The content origin (signed URLs, headers, host separation) and the commit endpoint."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.models import PackageSco
from lms.packages.runtime import content
from lms.packages.runtime.models import ScoAttempt
from lms.packages.signals import sco_tracked
from tests.conftest import login
from tests.factories import make_course
from tests.packages_runtime.helpers import FIXTURES, install_package, scorm2004_zip

CONTENT = "http://localhost:5000"  # BASE_URL 127.0.0.1:5000 with the host name swapped


@pytest.fixture
def golf(app, world):
    path = FIXTURES / "singlescobasic.zip"
    if not path.exists():
        pytest.skip(f"shared fixture missing: {path}")
    with app.app_context():
        course = make_course("SCORM-GOLF")
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        version = install_package(
            path.read_bytes(),
            code="GOLF",
            uploader_id=world.users["mitra"].id,
            course_id=course.id,
        )
        db.session.commit()
        ids = (version.id, version.scos[0].id)
        db.session.remove()
    return ids


def _token(client, version_id):
    page = client.get(f"/paket/versi/{version_id}/main")
    assert page.status_code == 200, page.status_code
    found = re.search(rb'src="http://localhost:5000/c/([^/"]+)/shim"', page.data)
    assert found, page.data[:2000]
    return page, found.group(1).decode()


def _csrf(page) -> str:
    return re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()


def test_enrolled_learner_gets_player_with_content_frame_and_csp(client, golf):
    login(client, "pegawai")
    page, _ = _token(client, golf[0])
    assert b'sandbox="allow-scripts allow-forms allow-same-origin allow-modals"' in page.data
    assert b"allow-top-navigation" not in page.data and b"allow-popups" not in page.data
    assert f"frame-src {CONTENT}" in page.headers["Content-Security-Policy"]


def test_player_saves_a_silent_sco_after_the_configured_seconds(client, golf, app, monkeypatch):
    """The player's timed save of a SCO that never commits follows LMS_SCORM_SAVE_AFTER_SECONDS
    (3 unless set)."""
    login(client, "pegawai")
    page, _ = _token(client, golf[0])
    assert b'data-save-after="3"' in page.data
    monkeypatch.setitem(app.config, "SCORM_SAVE_AFTER_SECONDS", 20)
    page, _ = _token(client, golf[0])
    assert b'data-save-after="20"' in page.data


def test_others_may_not_play(app, golf):
    for username in ("atasan", "mitra", "pengajar", "target.user"):
        client = app.test_client()
        login(client, username)
        assert client.get(f"/paket/versi/{golf[0]}/main").status_code == 403, username
        assert client.post(f"/paket/sco/{golf[1]}/simpan", json={}).status_code in (400, 403)


def test_reviewer_plays_in_review_mode_and_state_is_marked(client, golf, app):
    login(client, "bkpsdm")
    page, _ = _token(client, golf[0])
    assert b'id="review-mode"' in page.data
    state = json.loads(
        re.search(rb'data-state="([^"]*)"', page.data)
        .group(1)
        .decode()
        .replace("&#34;", '"')
        .replace("&quot;", '"')
    )
    assert state["cmi.core.lesson_mode"] == "browse" and state["cmi.core.credit"] == "no-credit"
    response = client.post(
        f"/paket/sco/{golf[1]}/simpan",
        json={"session": "s1", "cmi": {"cmi.core.lesson_status": "completed"}},
        headers={"X-CSRFToken": _csrf(page)},
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ScoAttempt.is_review)) is True


def test_content_is_served_only_on_the_content_host_with_its_headers(client, golf):
    login(client, "pegawai")
    _, token = _token(client, golf[0])
    response = client.get(f"/c/{token}/f/shared/launchpage.html", base_url=CONTENT)
    assert response.status_code == 200
    assert b"LMSInitialize" in response.data or b"ScormProcessInitialize" in response.data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in csp and "frame-ancestors 'self' http://127.0.0.1:5000" in csp
    assert "Set-Cookie" not in response.headers
    # The app's own host does not serve package files...
    assert client.get(f"/c/{token}/f/shared/launchpage.html").status_code == 404
    # ...and the content host serves no page of the app, signed in or not.
    for path in ("/dasbor", "/masuk", f"/paket/versi/{golf[0]}/main", "/healthz", "/c/x/shim"):
        refused = client.get(path, base_url=CONTENT)
        assert refused.status_code == 404, path
        assert "Set-Cookie" not in refused.headers, path  # not even the error page's session


def test_shim_page_headers(client, golf):
    login(client, "pegawai")
    _, token = _token(client, golf[0])
    response = client.get(f"/c/{token}/shim", base_url=CONTENT)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "connect-src 'none'" in csp and "frame-ancestors http://127.0.0.1:5000" in csp
    assert b'data-app-origin="http://127.0.0.1:5000"' in response.data
    script = client.get("/c/_rt/scorm12.min.js", base_url=CONTENT)
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert client.get("/c/_rt/../../config.py", base_url=CONTENT).status_code == 404


def test_signed_urls_refuse_tampering_traversal_and_other_versions(client, golf, app):
    """Expiry, renewal and binding to the learner: tests/packages_runtime/test_content_urls.py."""
    login(client, "pegawai")
    _, token = _token(client, golf[0])
    assert client.get(f"/c/{token}x/f/imsmanifest.xml", base_url=CONTENT).status_code == 404
    assert client.get(f"/c/{token}/f/../../etc/passwd", base_url=CONTENT).status_code == 404
    assert client.get(f"/c/{token}/f/shared", base_url=CONTENT).status_code == 404
    with app.test_request_context():
        sco = SimpleNamespace(id=golf[1], version_id=golf[0])
        other = content.sign(1, SimpleNamespace(id=golf[1], version_id=golf[0] + 999))
        narrow = content.sign(1, sco, prefix="Playing/")
        foreign = content.URLSafeTimedSerializer(app.secret_key, salt="other").dumps(
            {"n": "0" * 32, "u": 1, "v": golf[0], "s": golf[1], "p": ""}
        )
    assert client.get(f"/c/{other}/f/imsmanifest.xml", base_url=CONTENT).status_code == 404
    assert client.get(f"/c/{foreign}/f/imsmanifest.xml", base_url=CONTENT).status_code == 404
    assert client.get(f"/c/{narrow}/f/imsmanifest.xml", base_url=CONTENT).status_code == 404
    assert client.get(f"/c/{narrow}/f/Playing/Par.html", base_url=CONTENT).status_code == 200


def test_commit_stores_state_adds_sessions_into_total_and_resumes(client, golf, app):
    login(client, "pegawai")
    page, _ = _token(client, golf[0])
    headers = {"X-CSRFToken": _csrf(page)}
    url = f"/paket/sco/{golf[1]}/simpan"
    first = {
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.lesson_location": "5",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": "0000:01:00.00",
        "cmi.suspend_data": "<script>alert(1)</script>",
    }
    assert client.post(url, json={"session": "a", "cmi": first}, headers=headers).status_code == 200
    # The same session commits again, later: its time replaces, never adds twice.
    first["cmi.core.session_time"] = "0000:02:00.00"
    answer = client.post(url, json={"session": "a", "cmi": first}, headers=headers)
    assert answer.json["total_time_cs"] == 12000
    # A second session (a reload): the first is folded into the total.
    second = dict(first, **{"cmi.core.session_time": "0000:00:30.00"})
    answer = client.post(url, json={"session": "b", "cmi": second}, headers=headers)
    assert answer.json["total_time_cs"] == 15000
    with app.app_context():
        attempt = db.session.scalar(select(ScoAttempt))
        assert attempt.total_time_cs == 12000 and attempt.location == "5"
    page = client.get(f"/paket/versi/{golf[0]}/main")
    state = re.search(rb'data-state="([^"]*)"', page.data).group(1).decode()
    assert "&lt;script&gt;" in state and "<script>" not in state  # escaped in the attribute
    state = json.loads(
        state.replace("&#34;", '"')
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&#39;", "'")
    )
    assert state["cmi.core.entry"] == "resume"
    assert state["cmi.core.lesson_location"] == "5"
    assert state["cmi.core.total_time"] == "0000:02:30.00"


def test_beacon_form_commit_is_accepted_with_its_csrf_field(client, golf, app):
    login(client, "pegawai")
    page, _ = _token(client, golf[0])
    payload = json.dumps(
        {"session": "z", "cmi": {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "80"}}
    )
    url = f"/paket/sco/{golf[1]}/simpan"
    assert client.post(url, data={"payload": payload}).status_code == 400  # no CSRF token
    answer = client.post(url, data={"payload": payload, "csrf_token": _csrf(page)})
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ScoAttempt.lesson_status)) == "passed"


def test_bad_commits_are_refused_with_the_element_named(client, golf, app):
    login(client, "pegawai")
    page, _ = _token(client, golf[0])
    headers = {"X-CSRFToken": _csrf(page)}
    url = f"/paket/sco/{golf[1]}/simpan"
    answer = client.post(url, json={"cmi": {"cmi.core.lesson_status": "hebat"}}, headers=headers)
    assert answer.status_code == 400
    assert "cmi.core.lesson_status" in answer.json["error"]["message"]
    big = {"cmi.suspend_data": "x" * 4097}
    answer = client.post(url, json={"cmi": big}, headers=headers)
    assert answer.status_code == 400 and "cmi.suspend_data" in answer.json["error"]["message"]
    assert client.post(url, data="nope", headers=headers).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ScoAttempt)) is None


def test_scorm2004_state_round_trip(client, app, world):
    with app.app_context():
        course = make_course("SCORM-2004")
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        version = install_package(
            scorm2004_zip(),
            code="S2004",
            kind="scorm2004",
            uploader_id=world.users["mitra"].id,
            course_id=course.id,
        )
        db.session.commit()
        vid, sid = version.id, db.session.scalar(select(PackageSco.id))
        db.session.remove()
    login(client, "pegawai")
    page, _ = _token(client, vid)
    answer = client.post(
        f"/paket/sco/{sid}/simpan",
        json={
            "session": "s",
            "cmi": {
                "cmi.completion_status": "completed",
                "cmi.success_status": "passed",
                "cmi.score.scaled": "0.9",
                "cmi.session_time": "PT1M5.5S",
                "cmi.interactions.0.id": "q1",
                "cmi.objectives.0.id": "o1",
            },
        },
        headers={"X-CSRFToken": _csrf(page)},
    )
    assert answer.status_code == 200 and answer.json["total_time_cs"] == 6550
    with app.app_context():
        attempt = db.session.scalar(select(ScoAttempt))
        assert (attempt.completion_status, attempt.success_status) == ("completed", "passed")
        assert attempt.cmi["extra"] == {"cmi.interactions.0.id": "q1", "cmi.objectives.0.id": "o1"}


def test_reviewer_sees_what_the_package_stored_as_escaped_text(client, golf):
    login(client, "bkpsdm")
    page, _ = _token(client, golf[0])
    stored = {
        "cmi.core.lesson_status": "incomplete",
        "cmi.suspend_data": "<img src=x onerror=alert(1)>",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.student_response": "<script>alert(2)</script>",
    }
    answer = client.post(
        f"/paket/sco/{golf[1]}/simpan",
        json={"session": "r", "cmi": stored},
        headers={"X-CSRFToken": _csrf(page)},
    )
    assert answer.status_code == 200
    html = client.get(f"/paket/versi/{golf[0]}/main").data.decode()
    assert 'id="sco-stored"' in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<script>alert(2)" not in html


def test_a_passed_sco_completes_the_course_it_belongs_to(client, app, world):
    from lms.completion.models import Completion
    from lms.courses.models import Course

    with app.app_context():
        course = make_course("SCORM-SAJA", lessons=0)
        course.require_posttest = False
        course.require_evaluation = False
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        version = install_package(
            (FIXTURES / "singlescobasic.zip").read_bytes(),
            code="GOLF2",
            uploader_id=world.users["mitra"].id,
            course_id=course.id,
        )
        db.session.commit()
        vid, sid, cid = version.id, version.scos[0].id, course.id
        db.session.remove()
    login(client, "pegawai")
    page, _ = _token(client, vid)
    url = f"/paket/sco/{sid}/simpan"
    headers = {"X-CSRFToken": _csrf(page)}
    heard = []

    def hear(attempt, **_kw):
        heard.append(attempt.id)

    sco_tracked.connect(hear, weak=False)  # completion is asked only when the SCO is done
    try:
        client.post(url, json={"cmi": {"cmi.core.lesson_status": "incomplete"}}, headers=headers)
        with app.app_context():
            assert db.session.scalar(select(Completion).where(Completion.course_id == cid)) is None
        assert heard == []
        answer = client.post(
            url,
            json={"cmi": {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90"}},
            headers=headers,
        )
    finally:
        sco_tracked.disconnect(hear)
    assert answer.status_code == 200 and len(heard) == 1
    with app.app_context():
        assert db.session.scalar(select(Completion).where(Completion.course_id == cid)) is not None
        assert db.session.get(Course, cid) is not None


def test_two_first_saves_at_once_keep_one_attempt(client, golf, app, monkeypatch):
    """The timed save and the page's beacon may both find no attempt yet: the second insert
    hits the UNIQUE key; it must update the row the first made, not answer 500."""
    from lms.packages.runtime import services

    login(client, "pegawai")
    page, _ = _token(client, golf[0])
    headers = {"X-CSRFToken": _csrf(page)}
    url = f"/paket/sco/{golf[1]}/simpan"
    first = {"cmi.core.lesson_status": "incomplete", "cmi.core.lesson_location": "1"}
    assert client.post(url, json={"session": "a", "cmi": first}, headers=headers).status_code == 200
    real, calls = services.attempt_of, []

    def not_yet_seen(user, sco):  # the other request's row was not visible at the look-up
        calls.append(1)
        return None if len(calls) == 1 else real(user, sco)

    monkeypatch.setattr(services, "attempt_of", not_yet_seen)
    second = {"cmi.core.lesson_status": "incomplete", "cmi.core.lesson_location": "2"}
    answer = client.post(url, json={"session": "a", "cmi": second}, headers=headers)
    assert answer.status_code == 200, answer.data
    with app.app_context():
        attempts = db.session.scalars(select(ScoAttempt)).all()
        assert [a.location for a in attempts] == ["2"]


def test_the_content_host_is_parsed_once_per_setting_and_follows_a_changed_one(
    app, client, monkeypatch
):
    """Every request of the app asks whether it came to the content host (the guard, the
    session interface): the settings are parsed once, not per request, yet a changed setting
    counts at the next request."""
    assert client.get("/masuk").status_code == 200  # warm: both origins parsed
    parsed = []
    monkeypatch.setattr(content, "urlsplit", lambda url: parsed.append(url) or urlsplit(url))
    for _ in range(3):
        assert client.get("/masuk").status_code == 200
        assert client.get("/masuk", base_url=CONTENT).status_code == 404
    assert parsed == []
    monkeypatch.setitem(app.config, "CONTENT_ORIGIN", "http://konten.example:8443/")
    assert client.get("/masuk", base_url=CONTENT).status_code == 200
    refused = client.get("/masuk", base_url="http://konten.example:8443")
    assert refused.status_code == 404 and "Set-Cookie" not in refused.headers
    monkeypatch.setitem(app.config, "CONTENT_ORIGIN", None)
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost:8000")
    assert client.get("/masuk", base_url="http://127.0.0.1:8000").status_code == 404
    assert client.get("/masuk", base_url="http://localhost:8000").status_code == 200
    with app.app_context():
        assert content.content_origin() == "http://127.0.0.1:8000"
        assert content.app_origin() == "http://localhost:8000"
