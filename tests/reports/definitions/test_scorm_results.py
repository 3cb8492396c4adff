"""The SCORM results report: what a package stored, shown as escaped text, in the reader's scope."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select, update

from lms.auth.models import PartnerInstitution
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.models import Package, PackageSco, PackageVersion
from lms.packages.runtime.models import ScoAttempt
from lms.reports.definitions.scorm_results import SHOWN_CHARS, interactions_text
from tests.conftest import login
from tests.factories import make_course

SCRIPT = "<script>alert(1)</script>"


def _package(code: str, partner_id: int | None, course_id: int) -> PackageVersion:
    package = Package(code=code, title=f"Paket {code}", kind="scorm12", partner_id=partner_id)
    version = PackageVersion(
        package=package,
        version=1,
        status="approved",
        storage_key=f"packages/{code}/1",
        course_id=course_id,
        manifest={},
        report={},
    )
    sco = PackageSco(
        version=version, identifier="item_1", title=f"Materi {code}", href="index.html", position=0
    )
    db.session.add_all([package, version, sco])
    return version


@pytest.fixture
def played(app, world):
    """pegawai commits to the partner's package (a <script> in suspend data and an interaction)
    and to another institution's; bkpsdm plays the partner's one as a reviewer."""
    with app.app_context():
        course = make_course("SCORM-LAP")
        other = PartnerInstitution(code="UNSRI", name="Universitas Sriwijaya")
        db.session.add(other)
        db.session.flush()
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        partner_id = db.session.scalar(
            select(PartnerInstitution.id).where(PartnerInstitution.code == "BPSDMD")
        )
        mine = _package("MITRA-1", partner_id, course.id)
        theirs = _package("UNSRI-1", other.id, course.id)
        db.session.commit()
        ids = [(v.id, v.scos[0].id) for v in (mine, theirs)]
        db.session.remove()
    cmi = {
        "cmi.core.lesson_status": "passed",
        "cmi.core.lesson_location": "halaman-3",
        "cmi.core.score.raw": "85",
        "cmi.core.session_time": "0000:12:30.00",
        "cmi.suspend_data": f"langkah=3;{SCRIPT}",
        "cmi.interactions.0.id": "soal-1",
        "cmi.interactions.0.type": "choice",
        "cmi.interactions.0.student_response": "<b>x</b>",
        "cmi.interactions.0.result": "correct",
    }
    for username, packages in (("pegawai", ids), ("bkpsdm", ids[:1])):
        client = app.test_client()
        login(client, username)
        for version_id, sco_id in packages:
            page = client.get(f"/paket/versi/{version_id}/main")
            token = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
            saved = client.post(
                f"/paket/sco/{sco_id}/simpan",
                json={"session": "s1", "cmi": cmi},
                headers={"X-CSRFToken": token},
            )
            assert saved.status_code == 200, saved.data
    return ids


def test_bkpsdm_sees_stored_data_escaped_and_no_review_plays(app, played):
    client = app.test_client()
    login(client, "bkpsdm")
    page = client.get("/laporan/scorm")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert SCRIPT not in html and "<b>x</b>" not in html
    assert "langkah=3;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "soal-1: type=choice, student_response=&lt;b&gt;x&lt;/b&gt;, result=correct" in html
    assert "MITRA-1" in html and "UNSRI-1" in html
    assert "Siti Aminah" in html and "Andi Saputra" not in html  # the reviewer's play is left out
    assert "0000:12:30.00" in html and "Lulus" in html


def test_csv_export_has_the_text_as_stored(app, played):
    client = app.test_client()
    login(client, "bkpsdm")
    response = client.get("/laporan/scorm.csv?dialek=standar")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    body = [r for r in rows[1:] if r]
    assert len(body) == 2
    assert all(f"langkah=3;{SCRIPT}" in r for r in body)


def test_page_cuts_long_suspend_data_exports_keep_it(app, played):
    with app.app_context():
        db.session.execute(update(ScoAttempt).values(suspend_data="x" * 5000))
        db.session.commit()
    client = app.test_client()
    login(client, "bkpsdm")
    html = client.get("/laporan/scorm").get_data(as_text=True)
    assert "x" * SHOWN_CHARS + "…" in html and "x" * (SHOWN_CHARS + 1) not in html
    assert "x" * 5000 in client.get("/laporan/scorm.csv").get_data(as_text=True)


def test_partner_staff_see_their_packages_only(app, played):
    client = app.test_client()
    login(client, "mitra")
    html = client.get("/laporan/scorm").get_data(as_text=True)
    assert "MITRA-1" in html and "UNSRI-1" not in html
    assert "&lt;script&gt;" in html and SCRIPT not in html


def test_interactions_text_orders_by_index_and_reads_both_standards():
    extra = {
        "cmi.interactions.10.id": "q11",
        "cmi.interactions.10.learner_response": "a[,]b",
        "cmi.interactions.2.id": "q3",
        "cmi.interactions.2.result": "wrong",
        "cmi.interactions._count": "11",
        "cmi.objectives.0.id": "tujuan",
    }
    assert interactions_text({"extra": extra}) == "q3: result=wrong; q11: learner_response=a[,]b"
    assert interactions_text(None) == ""
