"""Issue 16's whole journey in Chromium: the partner uploads the golf SCORM package, BKPSDM
plays it from the review page and approves it into a course with JP, an employee enrols from
the course page, plays golf to "passed", the course shows "Selesai" and the certificate appears
in "Sertifikat saya".

Its own server and database (two origins on one WSGI app, as in test_scorm_journey.py), so the
shared demo server stays clean.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db
from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_scorm_journey import _attempts, _wait_for, answer_golf_quiz_right
from tests.packages_runtime.helpers import FIXTURES

pytestmark = pytest.mark.browser

GOLF = FIXTURES / "singlescobasic.zip"


@pytest.fixture(scope="module")
def journey_server(databases, tmp_path_factory) -> Iterator[tuple[str, object]]:
    from flask_migrate import upgrade

    from lms.org.demo import load_demo

    if not GOLF.exists():
        pytest.skip(f"shared fixture missing: {GOLF}")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("package_journey"),
            "FILES_DIR": str(tmp_path_factory.mktemp("package-journey-files")),
            "LOGIN_RATE_LIMIT": "1000 per minute",
            # The golf SCO says "completed" when its last page (the quiz) opens, before the
            # quiz's score: a timed save in between completes the course then, without a score
            # (a completion holds what was true when it was made), which a busy machine made
            # happen here. Only LMSFinish saves in this journey, so the completion carries the
            # score; tests/browser/test_scorm_journey.py covers the timed save.
            "SCORM_SAVE_AFTER_SECONDS": 600,
        },
        env="testing",
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    app.config["CONTENT_ORIGIN"] = f"http://localhost:{port}"
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_partner_package_to_certificate(page, journey_server, shot, axe_check):
    base, app = journey_server
    page.on("dialog", lambda dialog: dialog.accept())
    # 1. The partner uploads the golf package through the upload page.
    sign_in(page, base, "mitra")
    page.goto(f"{base}/paket/unggah")
    axe_check("package upload")
    page.get_by_label("Paket modul (.zip)").set_input_files(str(GOLF))
    page.get_by_label("Kode modul").fill("GOLF-DASAR")
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url(re.compile(r"/paket/versi/\d+$"))
    version_url = page.url
    version_id = int(version_url.rsplit("/", 1)[1])
    assert "Paket diterima" in page.locator("body").inner_text()
    shot("journey-1-uploaded")
    sign_out(page)
    # 2. BKPSDM opens the review page and plays the package as a learner would.
    sign_in(page, base, "bkpsdm")
    page.goto(version_url)
    axe_check("package review page")
    shot("journey-2-review")
    page.get_by_role("button", name="Mainkan seperti peserta").click()
    page.wait_for_url(f"{base}/paket/versi/{version_id}/main")
    review_frame = page.frame_locator("#sco-frame").frame_locator("#sco")
    review_frame.get_by_role("button", name="Next ->").wait_for()
    golf_page = review_frame.frame_locator("#contentFrame").locator("body")
    assert "Golf" in golf_page.inner_text()  # the SCO's first page is on screen
    assert page.locator("#review-mode").count() == 1
    shot("journey-3-review-play")
    # 3. ... and approves it into a course with its JP.
    page.goto(version_url)
    page.get_by_label("Kode pelatihan").fill("GOLF-DASAR")
    page.locator("#jp").fill("6")
    page.get_by_role("button", name="Setujui").click()  # "Pelatihan baru" is the default
    page.wait_for_url(version_url)
    assert "Paket disetujui" in page.locator("body").inner_text()
    shot("journey-4-approved")
    sign_out(page)
    # 4. An employee enrols from the course page and opens the module.
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/pelatihan/GOLF-DASAR")
    assert "6 JP" in page.locator(".facts").inner_text()
    axe_check("course page of a SCORM course")
    page.get_by_role("button", name="Daftar").click()
    page.get_by_role("button", name="Buka modul").wait_for()
    shot("journey-5-enrolled")
    page.get_by_role("button", name="Buka modul").click()
    page.wait_for_url(f"{base}/paket/versi/{version_id}/main")
    # 5. Golf played to "passed".
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    for _ in range(15):
        sco.get_by_role("button", name="Next ->").click()
    answer_golf_quiz_right(sco)
    shot("journey-6-quiz-submitted")
    sco.get_by_role("button", name="Exit").click()
    rows = _wait_for(
        lambda: [r for r in _attempts(app, version_id) if r["lesson_status"] == "passed"], page
    )
    assert rows, _attempts(app, version_id)
    page.locator("#sco-status[data-state=saved]").wait_for()
    # 6. The course shows "Selesai" and the certificate is in "Sertifikat saya".
    page.goto(f"{base}/pelatihan/GOLF-DASAR")
    done = page.locator(".completion-done")
    assert "Selesai" in done.inner_text() and "Sertifikat nomor" in done.inner_text()
    assert "Nilai" in done.inner_text()  # golf's SCO score is the completion's score
    axe_check("completed SCORM course")
    shot("journey-7-course-done")
    page.goto(f"{base}/sertifikat")
    body = page.locator("main").inner_text()
    assert "Golf" in body or "GOLF" in body, body
    axe_check("my certificates")
    shot("journey-8-certificates")
