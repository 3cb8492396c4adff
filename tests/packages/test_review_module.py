"""Approving a package as a module of an existing course: the course picker, the refusals, the
course that keeps its own title and JP, learners who see the package in the syllabus, and a
completion that waits for it like for any other module."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.completion.models import Completion
from lms.courses.models import Course, CourseVersion
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import db as _db
from lms.packages.models import PackageVersion
from lms.packages.services import import_package
from tests.conftest import csrf_token, login
from tests.factories import make_course
from tests.packages import zips


@pytest.fixture
def files_dir(app, tmp_path):
    before = app.config["FILES_DIR"]
    app.config["FILES_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["FILES_DIR"] = before


@pytest.fixture
def host(app, world, files_dir):
    """BKPSDM's published course HOST-1 (one lesson, no evaluation required), pegawai enrolled,
    and mitra's package waiting for review."""
    with app.app_context():
        course = make_course("HOST-1", title="Pelayanan Prima", lessons=1)
        course.require_evaluation = False
        course.require_posttest = False
        make_course("DRAF-1", title="Masih draf", published=False)
        make_course("ARSIP-1", title="Sudah diarsipkan").archived = True
        _db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        mitra = _db.session.get(User, world.users["mitra"].id)
        version = import_package(io.BytesIO(zips.scorm()), mitra.partner, mitra)
        _db.session.commit()
        return {"course": course.id, "version": version.id}


def _ids(app, code: str) -> int:
    with app.app_context():
        return _db.session.scalar(select(Course.id).where(Course.code == code))


def _approve(client, version_id: int, **fields):
    url = f"/paket/versi/{version_id}"
    data = {"csrf_token": csrf_token(client, url), "placement": "module", **fields}
    return client.post(f"{url}/setujui", data=data)


def test_the_picker_lists_the_published_courses_the_reviewer_may_manage(client, host):
    login(client, "bkpsdm")
    page = client.get(f"/paket/versi/{host['version']}").get_data(as_text=True)
    picker = re.search(r'<select[^>]*id="course_id".*?</select>', page, re.S).group(0)
    assert f'value="{host["course"]}"' in picker and "HOST-1 · Pelayanan Prima" in picker
    assert "DRAF-1" not in picker and "ARSIP-1" not in picker
    assert 'value="module"' in page and "Modul dari pelatihan yang sudah ada" in page


@pytest.mark.parametrize(
    ("course", "message"),
    [
        ("", "Pilih pelatihan yang akan memuat modul ini."),
        ("999999", "tidak ditemukan"),
        ("abc", "tidak ditemukan"),
        ("DRAF-1", "belum terbit"),
        ("ARSIP-1", "diarsipkan"),
    ],
)
def test_a_bad_choice_is_refused_with_a_clear_message(app, client, host, course, message):
    login(client, "bkpsdm")
    if course in ("DRAF-1", "ARSIP-1"):
        course = str(_ids(app, course))
    answer = _approve(client, host["version"], course_id=course)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    error = re.search(r'id="course_id-error"[^>]*>([^<]*)<', html)
    assert error and message in error.group(1), html[-3000:]
    with app.app_context():
        version = _db.session.get(PackageVersion, host["version"])
        assert version.status == "in_review" and version.course_id is None


def test_a_course_the_reviewer_may_not_manage_is_refused(app, client, host, monkeypatch):
    """Whatever the picker offered, the service asks again (courses.can_author)."""
    from lms.courses import services as course_services

    monkeypatch.setattr(course_services, "can_author", lambda user, course: False)
    login(client, "bkpsdm")
    answer = _approve(client, host["version"], course_id=str(host["course"]))
    assert answer.status_code == 422
    assert "tidak dapat Anda kelola" in answer.get_data(as_text=True)


def test_new_course_fields_are_required_only_for_a_new_course(app, client, host):
    login(client, "bkpsdm")
    answer = _approve(client, host["version"], placement="course", course_code="", jp="")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Kode pelatihan wajib diisi untuk pelatihan baru." in html
    assert "JP wajib diisi untuk pelatihan baru." in html
    # As a module, a JP that is not a number is no reason to refuse: it is not used.
    answer = _approve(client, host["version"], course_id=str(host["course"]), jp="x")
    assert answer.status_code == 302


def test_approved_as_a_module_the_course_keeps_itself_and_requires_the_package(
    app, client, host, world
):
    login(client, "bkpsdm")
    answer = _approve(client, host["version"], course_id=str(host["course"]))
    assert answer.status_code == 302
    assert "Paket disetujui sebagai modul pelatihan HOST-1." in client.get(
        answer.headers["Location"]
    ).get_data(as_text=True)
    with app.app_context():
        version = _db.session.get(PackageVersion, host["version"])
        assert (version.status, version.placement, version.course_id) == (
            "approved",
            "module",
            host["course"],
        )
        course = _db.session.get(Course, host["course"])
        assert course.partner_id is None  # still BKPSDM's course, not the partner's
        assert course.published_version.title == "Pelayanan Prima"
        assert course.published_version.jp == 4
        assert _db.session.scalar(select(func.count(CourseVersion.id))) == 3  # none added
    # The partner sees the decision.
    partner = app.test_client()
    login(partner, "mitra")
    page = partner.get(f"/paket/versi/{host['version']}").get_data(as_text=True)
    assert "Disetujui" in page and "Menjadi modul pelatihan" in page
    # The learner sees the package as the course's second module, its SCO listed.
    learner = app.test_client()
    login(learner, "pegawai")
    page = learner.get("/pelatihan/HOST-1").get_data(as_text=True)
    assert "Modul 1: Modul 1" in page and "Modul 2: Modul A" in page
    assert f'href="/paket/versi/{host["version"]}/main"' in page
    lesson = learner.get("/belajar/HOST-1", follow_redirects=True).get_data(as_text=True)
    assert "Modul 2: Modul A" in lesson  # the lesson player's outline too
    # Every lesson done is not enough: the package is a module like the others.
    with app.app_context():
        enrolment = _db.session.scalar(select(Enrolment))
        course = _db.session.get(Course, host["course"])
        for key in (
            _db.session.scalars(
                select(CourseVersion).where(CourseVersion.id == course.published_version_id)
            )
            .one()
            .modules[0]
            .lessons
        ):
            _db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=key.key))
        _db.session.commit()
    page = learner.get("/pelatihan/HOST-1").get_data(as_text=True)
    assert "Selesaikan semua materi (1/2 selesai)." in page
    player = learner.get(f"/paket/versi/{host['version']}/main")
    csrf = re.search(rb'data-csrf="([^"]+)"', player.data).group(1).decode()
    with app.app_context():
        sco_id = _db.session.get(PackageVersion, host["version"]).scos[0].id
    saved = learner.post(
        f"/paket/sco/{sco_id}/simpan",
        json={"cmi": {"cmi.core.lesson_status": "completed"}},
        headers={"X-CSRFToken": csrf},
    )
    assert saved.status_code == 200
    # Finishing the lesson page again triggers nothing new; the SCO completed the course.
    with app.app_context():
        completion = _db.session.scalar(select(Completion))
        assert completion is not None and completion.course_id == host["course"]
        assert completion.title == "Pelayanan Prima"


def test_a_later_version_approved_as_a_course_leaves_the_host_course_alone(
    app, client, host, world
):
    login(client, "bkpsdm")
    assert _approve(client, host["version"], course_id=str(host["course"])).status_code == 302
    with app.app_context():
        mitra = _db.session.get(User, world.users["mitra"].id)
        second = import_package(io.BytesIO(zips.scorm()), mitra.partner, mitra).id
        _db.session.commit()
    answer = _approve(
        client,
        second,
        placement="course",
        course_code="MOD-BARU",
        jp="2",
        competency_kind="teknis",
        category="Komunikasi",
    )
    assert answer.status_code == 302
    with app.app_context():
        host_course = _db.session.get(Course, host["course"])
        assert host_course.published_version.title == "Pelayanan Prima"
        version = _db.session.get(PackageVersion, second)
        assert version.placement == "course"
        assert _db.session.get(Course, version.course_id).code == "MOD-BARU"


def test_an_akademi_package_cannot_become_a_module(app, client, world, files_dir, host):
    from tests.packages.test_views import _akademi_version

    version_id = _akademi_version(app, world, "MITRA-KOM2")
    login(client, "bkpsdm")
    page = client.get(f"/paket/versi/{version_id}").get_data(as_text=True)
    assert 'id="as-module"' not in page  # not offered
    answer = _approve(client, version_id, course_id=str(host["course"]))
    assert answer.status_code == 422
    assert "hanya dapat disetujui sebagai pelatihan baru" in answer.get_data(as_text=True)
