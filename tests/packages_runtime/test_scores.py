"""A package's SCO scores become the course completion's score (and so the certificate's and the
feed's), unless the course's own post-test has a score."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.completion.models import Completion, OutboxEvent
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_course
from tests.packages_runtime.helpers import FIXTURES, install_package, scorm2004_zip


def _course_with(app, world, data: bytes, code: str, kind: str = "scorm12") -> tuple[int, list]:
    with app.app_context():
        course = make_course(f"NILAI-{code}", lessons=0)
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
        ids = version.id, [s.id for s in version.scos]
        db.session.remove()
    return ids


def _save(client, version_id: int, sco_id: int, cmi: dict) -> None:
    page = client.get(f"/paket/versi/{version_id}/main/{sco_id}")
    csrf = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    answer = client.post(
        f"/paket/sco/{sco_id}/simpan", json={"cmi": cmi}, headers={"X-CSRFToken": csrf}
    )
    assert answer.status_code == 200, answer.data


def _completion(app) -> Completion:
    with app.app_context():
        completion = db.session.scalar(select(Completion))
        assert completion is not None
        db.session.expunge(completion)
        return completion


def test_a_single_sco_score_is_the_completion_certificate_and_feed_score(app, client, world):
    path = FIXTURES / "singlescobasic.zip"
    if not path.exists():
        pytest.skip(f"shared fixture missing: {path}")
    version_id, (sco_id,) = _course_with(app, world, path.read_bytes(), "GOLF")
    login(client, "pegawai")
    _save(
        client,
        version_id,
        sco_id,
        {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "8", "cmi.core.score.max": "10"},
    )
    completion = _completion(app)
    assert completion.score == 80
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate.fields["score"] == "80"
        event = db.session.scalar(select(OutboxEvent))
        assert event.payload["score"] == 80.0
    assert "Nilai 80" in client.get(f"/pelatihan/{completion.code}").get_data(as_text=True)


def test_a_scorm2004_score_is_its_scaled_score(app, client, world):
    version_id, (sco_id,) = _course_with(app, world, scorm2004_zip(), "S2004", "scorm2004")
    login(client, "pegawai")
    _save(
        client,
        version_id,
        sco_id,
        {
            "cmi.completion_status": "completed",
            "cmi.success_status": "passed",
            "cmi.score.scaled": "0.725",
            "cmi.score.raw": "1",
        },
    )
    assert _completion(app).score == pytest.approx(72.5)


def test_several_scos_score_their_mean_over_the_scored_ones(app, client, world):
    path = FIXTURES / "RuntimeMinimumCalls_SCORM12-mini.zip"
    if not path.exists():
        pytest.skip(f"shared fixture missing: {path}")
    version_id, scos = _course_with(app, world, path.read_bytes(), "MINI")
    assert len(scos) >= 2
    login(client, "pegawai")
    scores = ["90", "60"] + [""] * (len(scos) - 2)  # the others finish without a score
    for sco_id, raw in zip(scos, scores, strict=True):
        cmi = {"cmi.core.lesson_status": "completed"}
        if raw:
            cmi["cmi.core.score.raw"] = raw
        _save(client, version_id, sco_id, cmi)
    assert _completion(app).score == 75


def test_the_courses_scored_post_test_rules_over_the_package(app, client, world):
    """A course holding a package and a post-test: the completion carries the post-test's
    score (100), not the package's 40."""
    from lms.org.models import Employee
    from tests.completion.builders import course_with_posttest, enrol, take_posttest

    path = FIXTURES / "singlescobasic.zip"
    if not path.exists():
        pytest.skip(f"shared fixture missing: {path}")
    with app.app_context():
        course, quiz, question = course_with_posttest("NILAI-PT", lessons=0)
        course.require_evaluation = False
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        enrol(course, employee)
        version = install_package(
            path.read_bytes(),
            code="GOLFPT",
            uploader_id=world.users["mitra"].id,
            course_id=course.id,
        )
        take_posttest(quiz, question, employee)
        db.session.commit()
        assert db.session.scalar(select(Completion)) is None  # the SCO is still missing
        version_id, sco_id = version.id, version.scos[0].id
        db.session.remove()
    login(client, "pegawai")
    _save(
        client, version_id, sco_id, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "40"}
    )
    assert _completion(app).score == 100
