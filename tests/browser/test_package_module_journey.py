"""Issue 16's follow-up in Chromium: BKPSDM approves a partner's SCORM 2004 package as a module
of an existing course; the learner finds it in the course's syllabus, completes it, starts a new
attempt from the course page; a long session keeps its package URLs (renewed by the player)
while a URL copied out of a closed player stops working.

Its own server and database (two origins on one WSGI app, as in test_scorm_journey.py), with
a short CONTENT_URL_TTL so the renewal is seen within seconds.
"""

from __future__ import annotations

import io
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from lms import create_app
from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.models import PackageVersion
from lms.packages.runtime.models import ScoAttempt
from lms.packages.services import import_package
from tests.browser.conftest import sign_in, sign_out
from tests.factories import make_course
from tests.packages_runtime.helpers import FIXTURES, install_package, scorm2004_zip

pytestmark = pytest.mark.browser

TTL = 9  # seconds: the player renews every 5 (its floor)


@pytest.fixture(scope="module")
def module_server(databases, tmp_path_factory) -> Iterator[tuple[str, object, dict]]:
    from flask_migrate import upgrade

    from lms.org.demo import load_demo

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("package_module"),
            "FILES_DIR": str(tmp_path_factory.mktemp("package-module-files")),
            "LOGIN_RATE_LIMIT": "1000 per minute",
        },
        env="testing",
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    app.config["CONTENT_ORIGIN"] = f"http://localhost:{port}"
    app.config["CONTENT_URL_TTL"] = TTL
    ids: dict = {}
    with app.app_context():
        upgrade()
        load_demo()
        pegawai = db.session.scalar(select(User).where(User.username == "pegawai"))
        mitra = db.session.scalar(select(User).where(User.username == "mitra"))
        host = make_course("LAYANAN-1", title="Pelayanan Publik Prima", lessons=1)
        host.require_evaluation = False
        db.session.add(
            Enrolment(course_id=host.id, employee_id=pegawai.employee_id, status="active")
        )
        path = FIXTURES / "singlescobasic.zip"
        if path.exists():
            golf_course = make_course("GOLF-LAMA", title="Golf", lessons=0)
            db.session.add(
                Enrolment(
                    course_id=golf_course.id, employee_id=pegawai.employee_id, status="active"
                )
            )
            ids["golf"] = install_package(
                path.read_bytes(), code="GOLF", uploader_id=mitra.id, course_id=golf_course.id
            ).id
        ids["module"] = import_package(
            io.BytesIO(scorm2004_zip()), mitra.partner, mitra, "KUIS-2004"
        ).id
        db.session.commit()
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app, ids
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_approved_as_a_module_completed_and_attempted_again(page, module_server, shot, axe_check):
    base, app, ids = module_server
    version_url = f"{base}/paket/versi/{ids['module']}"
    # 1. BKPSDM approves the package as a module of LAYANAN-1.
    sign_in(page, base, "bkpsdm")
    page.goto(version_url)
    as_module = page.locator("input[name=placement][value=module]")
    as_module.check()
    page.get_by_role("button", name="Setujui").click()  # no course chosen: refused, said why
    assert "Pilih pelatihan yang akan memuat modul ini." in page.locator("#as-module").inner_text()
    axe_check("package review refused")
    shot("module-1-no-course-chosen")
    assert as_module.is_checked()  # the choice survives the refusal
    page.get_by_label("Pelatihan tujuan").select_option(label="LAYANAN-1 · Pelayanan Publik Prima")
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_url(version_url)
    assert "sebagai modul pelatihan LAYANAN-1" in page.locator("body").inner_text()
    shot("module-2-approved")
    sign_out(page)
    # 2. The learner sees it in the syllabus and completes it.
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/pelatihan/LAYANAN-1")
    syllabus = page.locator("section", has=page.get_by_role("heading", name="Silabus"))
    assert "Modul 2: Uji SCORM 2004" in syllabus.inner_text()
    axe_check("course page with a package module")
    shot("module-3-syllabus")
    page.get_by_role("link", name="Kuis singkat").click()
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    sco.get_by_role("button", name="Jawab benar dan selesai").click()
    sco.locator("#where", has_text="selesai").wait_for()
    page.locator("#sco-status[data-state=saved]").wait_for()
    # 3. The course page offers a new attempt; the player opens on attempt 2.
    page.goto(f"{base}/pelatihan/LAYANAN-1")
    assert "selesai" in syllabus.inner_text()
    shot("module-4-finished")
    page.get_by_role("button", name="Mulai percobaan baru").click()
    page.locator("#attempt-number").wait_for()
    assert "Percobaan ke-2" in page.locator("#attempt-number").inner_text()
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    # The SCO writes its state after the API answers: wait for it, not for the element alone.
    sco.locator("#where", has_text="entry=").wait_for()
    assert "entry=ab-initio" in sco.locator("#where").inner_text()
    axe_check("player on a new attempt")
    shot("module-5-attempt-2")
    with app.app_context():
        rows = db.session.scalars(select(ScoAttempt).order_by(ScoAttempt.attempt)).all()
        assert [(a.attempt, a.completion_status) for a in rows][0] == (1, "completed")
        assert len(rows) == 2
        version = db.session.get(PackageVersion, ids["module"])
        assert version.placement == "module"
        db.session.remove()


def test_a_long_session_keeps_its_urls_and_a_closed_one_loses_them(page, module_server, shot):
    base, _app, ids = module_server
    if "golf" not in ids:
        pytest.skip("shared golf fixture missing")
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/paket/versi/{ids['golf']}/main")
    shim = page.locator("#sco-frame").get_attribute("src")
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    sco.get_by_role("button", name="Next ->").click()
    time.sleep(3 * TTL)  # three lifetimes of the launch URL: only the renewals keep it
    loaded: list[tuple[int, str]] = []
    page.on("response", lambda r: "/f/" in r.url and loaded.append((r.status, r.url)))
    for _ in range(3):  # each "Next" loads another page of the package under the same URL
        sco.get_by_role("button", name="Next ->").click()
        page.wait_for_timeout(300)
    assert loaded and all(status in (200, 304) for status, _url in loaded), loaded
    assert "Not Found" not in sco.frame_locator("#contentFrame").locator("body").inner_text()
    shot("module-6-long-session")
    launch = shim.rsplit("/shim", 1)[0] + "/f/imsmanifest.xml"
    assert urllib.request.urlopen(launch).status == 200  # noqa: S310 - our test server
    page.goto(f"{base}/dasbor")  # the player closes: no more renewals
    time.sleep(TTL + 2)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(launch)  # noqa: S310
    assert refused.value.code == 404
