"""A package's life through HTTP: approved into a course, learnt to a certificate; a new
version approved while learners are on the old one; two uploads of one code at once."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import Certificate
from lms.completion.models import Completion
from lms.enrolments.models import Enrolment
from lms.extensions import db as _db
from lms.packages import services as package_services
from lms.packages.models import Package, PackageVersion
from lms.packages.runtime.models import ScoAttempt
from tests.conftest import csrf_token, login
from tests.packages import zips


@pytest.fixture
def files_dir(app, tmp_path):
    before = app.config["FILES_DIR"]
    app.config["FILES_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["FILES_DIR"] = before


def _upload(client, data: bytes = b""):
    token = csrf_token(client, "/paket/unggah")
    return client.post(
        "/paket/unggah",
        data={"csrf_token": token, "code": "", "file": (io.BytesIO(data or zips.scorm()), "m.zip")},
        content_type="multipart/form-data",
    )


def _version_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _approve(client, version_id: int, code: str = "MOD-A") -> None:
    url = f"/paket/versi/{version_id}"
    token = csrf_token(client, url)
    data = {
        "csrf_token": token,
        "course_code": code,
        "jp": "4",
        "competency_kind": "teknis",
        "category": "Komunikasi",
    }
    assert client.post(f"{url}/setujui", data=data).status_code == 302


def _enrol(client, code: str = "MOD-A") -> None:
    token = csrf_token(client, f"/pelatihan/{code}")
    client.post(f"/pelatihan/{code}/daftar", data={"csrf_token": token})


def _commit(client, version_id: int, status: str) -> int:
    """Open the player (following a redirect to the learner's version) and save a status."""
    page = client.get(f"/paket/versi/{version_id}/main", follow_redirects=True)
    assert page.status_code == 200
    csrf = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    played = int(re.search(r"/paket/versi/(\d+)/main", page.request.path).group(1))
    with page_app(client).app_context():
        sco_id = _db.session.get(PackageVersion, played).scos[0].id
    answer = client.post(
        f"/paket/sco/{sco_id}/simpan",
        json={"session": "s1", "cmi": {"cmi.core.lesson_status": status}},
        headers={"X-CSRFToken": csrf},
    )
    assert answer.status_code == 200, answer.data
    return played


def page_app(client):
    return client.application


def test_approved_scorm_course_completes_with_its_sco_and_issues_a_certificate(
    app, client, world, files_dir
):
    """An approved SCORM-only course asks for its SCOs, not for a course evaluation."""
    login(client, "mitra")
    version_id = _version_id(_upload(client))
    reviewer = app.test_client()
    login(reviewer, "bkpsdm")
    _approve(reviewer, version_id)
    learner = app.test_client()
    login(learner, "pegawai")
    _enrol(learner)
    course_page = learner.get("/pelatihan/MOD-A").get_data(as_text=True)
    assert f'href="/paket/versi/{version_id}/main"' in course_page  # the way to the module
    _commit(learner, version_id, "incomplete")
    with app.app_context():
        assert _db.session.scalar(select(func.count(Completion.id))) == 0
    _commit(learner, version_id, "passed")
    with app.app_context():
        enrolment = _db.session.scalar(select(Enrolment))
        assert enrolment.status == "completed"
        assert _db.session.scalar(select(func.count(Certificate.id))) == 1
        fields = _db.session.scalar(select(Certificate)).fields
        # the agency runs it "bekerja sama dengan" the partner (not "Penyelenggara —")
        assert fields["organiser"].startswith("BKPSDM") and fields["partner"]
    assert "Sertifikat nomor" in learner.get("/pelatihan/MOD-A").get_data(as_text=True)


def test_learners_stay_on_the_version_they_started(app, client, world, files_dir):
    login(client, "mitra")
    first = _version_id(_upload(client))
    reviewer = app.test_client()
    login(reviewer, "bkpsdm")
    _approve(reviewer, first)
    started = app.test_client()
    login(started, "pegawai")
    _enrol(started)
    assert _commit(started, first, "incomplete") == first
    second = _version_id(_upload(client))  # a new version: in review, not played by learners
    assert started.get(f"/paket/versi/{second}/main").status_code == 403
    _approve(reviewer, second)
    # The learner who started keeps version 1, even when sent to version 2.
    answer = started.get(f"/paket/versi/{second}/main")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/{first}/main")
    assert f"/paket/versi/{first}/main" in started.get("/pelatihan/MOD-A").get_data(as_text=True)
    assert _commit(started, second, "passed") == first
    with app.app_context():
        assert _db.session.scalar(select(Enrolment).where(Enrolment.status == "completed"))
        assert {a.sco.version_id for a in _db.session.scalars(select(ScoAttempt))} == {first}
    # A learner who starts now gets the newest approved version.
    newcomer = app.test_client()
    login(newcomer, "atasan")
    _enrol(newcomer)
    answer = newcomer.get(f"/paket/versi/{first}/main")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/{second}/main")
    assert _commit(newcomer, second, "incomplete") == second


def test_a_save_for_another_version_than_the_learners_is_refused_with_409(
    app, client, world, files_dir
):
    """A learner on version 1 (a tab left open, a forged request) saves to a version 2 SCO:
    refused with a clear JSON message, nothing stored on version 2, the learner still on 1."""
    login(client, "mitra")
    first = _version_id(_upload(client))
    reviewer = app.test_client()
    login(reviewer, "bkpsdm")
    _approve(reviewer, first)
    learner = app.test_client()
    login(learner, "pegawai")
    _enrol(learner)
    assert _commit(learner, first, "incomplete") == first
    second = _version_id(_upload(client))
    _approve(reviewer, second)
    page = learner.get(f"/paket/versi/{first}/main")
    csrf = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    with app.app_context():
        sco_v2 = _db.session.get(PackageVersion, second).scos[0].id
    answer = learner.post(
        f"/paket/sco/{sco_v2}/simpan",
        json={"session": "s9", "cmi": {"cmi.core.lesson_status": "passed"}},
        headers={"X-CSRFToken": csrf},
    )
    assert answer.status_code == 409
    message = answer.json["error"]["message"]
    assert "versi 2" in message and "versi 1" in message and "Muat ulang" in message
    with app.app_context():
        assert {a.sco.version_id for a in _db.session.scalars(select(ScoAttempt))} == {first}
        assert _db.session.scalar(select(Enrolment)).status == "active"
    # A newcomer has no attempt anywhere: saving on version 2 is theirs to start.
    newcomer = app.test_client()
    login(newcomer, "atasan")
    _enrol(newcomer)
    assert _commit(newcomer, second, "incomplete") == second


def test_two_uploads_of_one_code_at_once_answer_409_and_keep_nothing(
    app, client, world, files_dir, monkeypatch
):
    """The other upload created the package between our look-up and our flush."""
    login(client, "mitra")
    _version_id(_upload(client))
    before = {p for p in files_dir.rglob("*")}
    monkeypatch.setattr(package_services, "_package_for", lambda partner, code: None)
    response = _upload(client)
    assert response.status_code == 409
    assert "sedang diunggah bersamaan" in response.get_data(as_text=True)
    assert {p for p in files_dir.rglob("*")} == before
    with app.app_context():
        assert _db.session.scalar(select(func.count(Package.id))) == 1
        assert _db.session.scalar(select(func.count(PackageVersion.id))) == 1


def test_a_conflict_at_commit_answers_409_and_removes_the_folder(
    app, client, world, files_dir, monkeypatch
):
    """The other upload committed the same version number first: our commit fails."""
    login(client, "mitra")
    token = csrf_token(client, "/paket/unggah")

    def conflicting_commit() -> None:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(_db.session, "commit", conflicting_commit)
    response = client.post(
        "/paket/unggah",
        data={"csrf_token": token, "file": (io.BytesIO(zips.scorm()), "m.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    assert "Silakan unggah lagi" in response.get_data(as_text=True)
    assert [p for p in files_dir.rglob("*") if p.is_file()] == []


def test_upload_by_script_answers_where_to_go_and_keeps_the_message(client, world, files_dir):
    """The progress script's request gets the address; the "accepted" message shows there (a
    redirect followed by the script used to take the message away)."""
    login(client, "mitra")
    token = csrf_token(client, "/paket/unggah")
    answer = client.post(
        "/paket/unggah",
        data={"csrf_token": token, "file": (io.BytesIO(zips.scorm()), "m.zip")},
        content_type="multipart/form-data",
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert answer.status_code == 200
    assert "Paket diterima" in client.get(answer.json["location"]).get_data(as_text=True)
