"""Package pages through HTTP: upload, refusal listed, partner scoping, review decisions."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import func, select

from lms.auth.models import PartnerInstitution, User
from lms.auth.services import create_user
from lms.courses.models import Course
from lms.extensions import db as _db
from lms.packages.models import Package, PackageVersion
from lms.packages.services import import_package
from lms.permissions import Role
from tests.conftest import csrf_token, login
from tests.packages import zips


@pytest.fixture
def files_dir(app, tmp_path):
    before = app.config["FILES_DIR"]
    app.config["FILES_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["FILES_DIR"] = before


def _upload(client, data: bytes, code: str = ""):
    token = csrf_token(client, "/paket/unggah")
    return client.post(
        "/paket/unggah",
        data={"csrf_token": token, "code": code, "file": (io.BytesIO(data), "modul.zip")},
        content_type="multipart/form-data",
    )


def test_upload_then_reupload_makes_version_two(client, world, files_dir) -> None:
    login(client, "mitra")
    first = _upload(client, zips.scorm())
    assert first.status_code == 302
    second = _upload(client, zips.scorm())
    assert second.status_code == 302
    page = client.get(second.headers["Location"])
    assert b"versi 2" in page.data and b"index.html" in page.data
    assert b"package-upload.js" in client.get("/paket/unggah").data


def test_refused_upload_lists_every_problem_and_keeps_nothing(
    app, client, world, files_dir
) -> None:
    login(client, "mitra")
    response = _upload(client, zips.scorm({"../x.html": b"", "run.exe": b""}))
    assert response.status_code == 422
    assert b"../x.html" in response.data and b"run.exe" in response.data
    assert b"2 masalah" in response.data
    assert [p for p in files_dir.rglob("*")] == []
    with app.app_context():
        assert _db.session.scalar(select(func.count(PackageVersion.id))) == 0


def test_other_partners_package_is_hidden(app, client, world, files_dir) -> None:
    with app.app_context():
        other = PartnerInstitution(code="UNSRI", name="Universitas Sriwijaya")
        _db.session.add(other)
        _db.session.flush()
        staff = create_user("mitra.unsri", "rahasia123", {Role.MITRA})
        staff.partner_id = other.id
        version = import_package(io.BytesIO(zips.scorm()), other, staff)
        _db.session.commit()
        ids = version.package_id, version.id
    login(client, "mitra")
    assert client.get(f"/paket/{ids[0]}").status_code == 404
    assert client.get(f"/paket/versi/{ids[1]}").status_code == 404
    assert b"Modul A" not in client.get("/paket").data


def _mitra_version(app, world) -> int:
    with app.app_context():
        mitra = _db.session.get(User, world.users["mitra"].id)
        version = import_package(io.BytesIO(zips.scorm()), mitra.partner, mitra)
        _db.session.commit()
        return version.id


def test_bkpsdm_returns_with_notes_and_the_partner_reads_them(app, client, world, files_dir):
    version_id = _mitra_version(app, world)
    login(client, "bkpsdm")
    url = f"/paket/versi/{version_id}"
    page = client.get(url)
    assert b"Laporan validasi" in page.data and b"Satu" in page.data  # report and outline
    token = csrf_token(client, url)
    client.post(f"{url}/kembalikan", data={"csrf_token": token, "notes": "Judul SCO kurang jelas"})
    partner = app.test_client()
    login(partner, "mitra")
    page = partner.get(url)
    assert b"Dikembalikan" in page.data and b"Judul SCO kurang jelas" in page.data


def test_bkpsdm_plays_an_uploaded_version_from_its_review_page(app, client, world, files_dir):
    """The review page leads to the player, which opens the uploaded SCO in review mode."""
    version_id = _mitra_version(app, world)
    login(client, "bkpsdm")
    page = client.get(f"/paket/versi/{version_id}").get_data(as_text=True)
    play = f"/paket/versi/{version_id}/main"
    assert f'href="{play}"' in page
    player = client.get(play)
    assert player.status_code == 200
    assert "frame-src" in player.headers["Content-Security-Policy"]
    partner = app.test_client()
    login(partner, "mitra")  # the partner uploads; playing as a learner is for reviewers
    assert f'href="{play}"' not in partner.get(f"/paket/versi/{version_id}").get_data(as_text=True)


def test_bkpsdm_approves_into_a_course(app, client, world, files_dir) -> None:
    version_id = _mitra_version(app, world)
    login(client, "bkpsdm")
    url = f"/paket/versi/{version_id}"
    token = csrf_token(client, url)
    client.post(
        f"{url}/setujui",
        data={
            "csrf_token": token,
            "course_code": "MOD-A",
            "jp": "4",
            "competency_kind": "teknis",
            "category": "Komunikasi",
        },
    )
    with app.app_context():
        version = _db.session.get(PackageVersion, version_id)
        assert version.status == "approved"
        course = _db.session.get(Course, version.course_id)
        assert course.code == "MOD-A" and course.partner_id == version.package.partner_id
        assert course.published_version.jp == 4
        assert course.published_version.competency_kind == "teknis"
        assert _db.session.scalar(select(func.count(Package.id))) == 1


def _akademi_version(app, world, code: str) -> int:
    from config import BASE_DIR
    from tests.packages.test_import import _course_zip

    folder = BASE_DIR / "content" / "courses" / "KOM-101"
    yaml = (folder / "course.yaml").read_bytes().replace(b"KOM-101", code.encode())
    with app.app_context():
        mitra = _db.session.get(User, world.users["mitra"].id)
        data = _course_zip(folder, **{"course.yaml": yaml})
        version = import_package(io.BytesIO(data), mitra.partner, mitra)
        _db.session.commit()
        return version.id


def _approve(client, version_id: int):
    url = f"/paket/versi/{version_id}"
    token = csrf_token(client, url)
    return client.post(
        f"{url}/setujui",
        data={
            "csrf_token": token,
            "course_code": "X",
            "jp": "4",
            "competency_kind": "teknis",
            "category": "Komunikasi",
        },
        follow_redirects=True,
    )


def test_akademi_package_approved_is_loaded_with_its_questions(app, client, world, files_dir):
    version_id = _akademi_version(app, world, "MITRA-KOM")
    login(client, "bkpsdm")
    _approve(client, version_id)
    with app.app_context():
        version = _db.session.get(PackageVersion, version_id)
        assert version.status == "approved"
        course = _db.session.get(Course, version.course_id)
        assert course.code == "MITRA-KOM" and course.partner_id == version.package.partner_id
        assert course.published_version is not None
        from lms.quizzes.models import Question, Quiz

        assert _db.session.scalar(select(func.count(Quiz.id)).where(Quiz.course_id == course.id))
        assert _db.session.scalar(
            select(func.count(Question.id)).where(Question.course_id == course.id)
        )


def test_akademi_package_cannot_take_over_another_course(app, client, world, files_dir):
    from tests.factories import make_course

    with app.app_context():
        make_course("MILIK-BKPSDM", title="Kursus BKPSDM", lessons=1)
        _db.session.commit()
    version_id = _akademi_version(app, world, "MILIK-BKPSDM")
    login(client, "bkpsdm")
    page = _approve(client, version_id)
    assert b"sudah dipakai" in page.data
    with app.app_context():
        assert _db.session.get(PackageVersion, version_id).status == "in_review"


def test_package_upload_has_its_own_size_limit(app, client, world, files_dir, monkeypatch):
    """The package route takes more than MAX_CONTENT_LENGTH, up to PACKAGE_MAX_UPLOAD."""
    big = zips.scorm({"media/noise.mp4": os.urandom(20_000)})  # incompressible: a 20 KB zip
    assert len(big) > 20_000
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    login(client, "mitra")
    assert _upload(client, big).status_code == 302
    monkeypatch.setitem(app.config, "PACKAGE_MAX_UPLOAD", 4096)
    assert _upload(client, big).status_code == 413


def test_a_failed_commit_leaves_no_folder(app, client, world, files_dir, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    login(client, "mitra")
    token = csrf_token(client, "/paket/unggah")

    def broken_commit() -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(_db.session, "commit", broken_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.post(
            "/paket/unggah",
            data={"csrf_token": token, "file": (io.BytesIO(zips.scorm()), "m.zip")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert [p for p in files_dir.rglob("*") if p.is_file()] == []
