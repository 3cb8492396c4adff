"""SCORM in Chromium: packages played in the isolated player (content on another origin).

Its own server (the app with ``BASE_URL`` http://127.0.0.1:<port> and the content origin
http://localhost:<port>: one WSGI app, two origins), so the shared live server keeps its config.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from lms import create_app
from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.models import PackageSco
from lms.packages.runtime.models import ScoAttempt
from tests.browser.conftest import sign_in
from tests.factories import make_course
from tests.packages_runtime.helpers import (
    ATTACK_INDEX,
    ATTACK_JS,
    FIXTURES,
    install_package,
    scorm2004_zip,
    zip_of,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scorm_server(databases, tmp_path_factory) -> Iterator[tuple[str, object, dict]]:
    from flask_migrate import upgrade

    from lms.org.demo import load_demo

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("scorm"),
            "FILES_DIR": str(tmp_path_factory.mktemp("scorm-files")),
            "LOGIN_RATE_LIMIT": "1000 per minute",
        },
        env="testing",
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    app.config["CONTENT_ORIGIN"] = f"http://localhost:{port}"
    ids: dict = {}
    with app.app_context():
        upgrade()
        load_demo()
        pegawai = db.session.scalar(select(User).where(User.username == "pegawai"))
        mitra = db.session.scalar(select(User).where(User.username == "mitra"))
        course = make_course("SCORM-UJI", title="Pelatihan SCORM")
        db.session.add(
            Enrolment(course_id=course.id, employee_id=pegawai.employee_id, status="active")
        )
        db.session.flush()

        def add(name, data, kind="scorm12"):
            version = install_package(
                data, code=name, kind=kind, uploader_id=mitra.id, course_id=course.id
            )
            ids[name] = version.id

        add("GOLF", (FIXTURES / "singlescobasic.zip").read_bytes())
        add("MINI", (FIXTURES / "RuntimeMinimumCalls_SCORM12-mini.zip").read_bytes())
        add("S2004", scorm2004_zip(), kind="scorm2004")
        attack_js = f"window.APP = 'http://127.0.0.1:{port}';\n" + ATTACK_JS
        add(
            "ATTACK",
            zip_of(
                {
                    "imsmanifest.xml": re.sub(
                        "index.html", "index.html", _manifest12("attack", "index.html")
                    ),
                    "index.html": ATTACK_INDEX,
                    "attack.js": attack_js,
                }
            ),
        )
        db.session.commit()
        db.session.remove()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app, ids
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _manifest12(identifier: str, href: str) -> str:
    return f"""<?xml version="1.0"?>
<manifest identifier="{identifier}" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
 xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
 <organizations default="o"><organization identifier="o"><title>{identifier}</title>
  <item identifier="i1" identifierref="r1"><title>{identifier}</title></item>
 </organization></organizations>
 <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="{href}">
  <file href="{href}"/></resource></resources>
</manifest>"""


def _attempts(app, version_id):
    with app.app_context():
        rows = db.session.scalars(
            select(ScoAttempt)
            .join(PackageSco)
            .where(PackageSco.version_id == version_id)
            .order_by(PackageSco.position)
        ).all()
        out = [
            {
                "sco": r.sco.identifier,
                "lesson_status": r.lesson_status,
                "completion_status": r.completion_status,
                "success_status": r.success_status,
                "score_raw": r.score_raw,
                "score_scaled": r.score_scaled,
                "location": r.location,
                "exit": r.exit,
                "total_time_cs": r.total_time_cs,
                "cmi": r.cmi,
            }
            for r in rows
        ]
        db.session.remove()
    return out


def answer_golf_quiz_right(sco) -> None:
    """On the golf SCO's quiz page: answer every question right (the test reads the package's
    own answer key) and submit."""
    quiz = sco.frame_locator("#contentFrame")
    quiz.get_by_role("button", name="Submit Answers").wait_for()
    # Answer every question right (the test reads the package's own answer key).
    quiz.locator("body").evaluate(
        """() => {
          for (const q of test.Questions) {
            if (q.Type === QUESTION_TYPE_CHOICE) {
              const i = q.Answers.indexOf(q.CorrectAnswer);
              document.getElementById('question_' + q.Id + '_' + i).checked = true;
            } else if (q.Type === QUESTION_TYPE_TF) {
              document.getElementById('question_' + q.Id + '_' + (q.CorrectAnswer ? 'True' : 'False')).checked = true;
            } else {
              document.getElementById('question_' + q.Id + '_Text').value = q.CorrectAnswer;
            }
          }
        }"""
    )
    quiz.get_by_role("button", name="Submit Answers").click()


def _wait_for(predicate, page, timeout_ms=8000):
    for _ in range(timeout_ms // 200):
        result = predicate()
        if result:
            return result
        page.wait_for_timeout(200)
    return predicate()


def test_golf_played_to_passed_reloaded_and_resumed(page, scorm_server, shot, axe_check):
    base, app, ids = scorm_server
    page.on("dialog", lambda dialog: dialog.accept())  # "resume where you left off?" → yes
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/paket/versi/{ids['GOLF']}/main")
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    sco.get_by_role("button", name="Next ->").click()
    sco.get_by_role("button", name="Next ->").click()
    saved = _wait_for(lambda: _attempts(app, ids["GOLF"]), page)
    assert saved, "nothing saved after two pages"  # the golf SCO never commits: saved anyway
    axe_check("SCORM player")
    shot("scorm-golf-page3")
    # Reload: the open session goes in a beacon; the SCO asks, the learner resumes at page 3.
    page.reload()
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    # Two frames deep and a resume question first: a loaded CI machine took over 30 s once.
    sco.locator("#contentFrame").wait_for(timeout=90_000)
    rows = _wait_for(lambda: [r for r in _attempts(app, ids["GOLF"]) if r["location"] == "2"], page)
    assert rows and rows[0]["lesson_status"] == "incomplete"
    content = sco.frame_locator("#contentFrame")
    assert "Scoring" in content.locator("body").inner_text()  # page 3: Playing/Scoring.html
    for _ in range(13):
        sco.get_by_role("button", name="Next ->").click()
    answer_golf_quiz_right(sco)
    sco.get_by_role("button", name="Exit").click()  # LMSFinish: the package never commits
    rows = _wait_for(
        lambda: [r for r in _attempts(app, ids["GOLF"]) if r["lesson_status"] == "passed"], page
    )
    assert rows, _attempts(app, ids["GOLF"])
    assert rows[0]["score_raw"] == 100
    assert rows[0]["total_time_cs"] > 0 or rows[0]["cmi"]["session"]["cs"] >= 0
    page.locator("#sco-status[data-state=saved]").wait_for()
    shot("scorm-golf-passed")
    # The outline marks the SCO done on the next visit.
    page.goto(f"{base}/paket/versi/{ids['GOLF']}/main")
    assert page.locator("#sco-outline .chip.ok").count() == 1
    axe_check("SCORM player after passing")


def test_mini_multi_sco_navigated_sco_to_sco(page, scorm_server, shot, axe_check):
    base, app, ids = scorm_server
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/paket/versi/{ids['MINI']}/main")
    outline = page.locator("#sco-outline li")
    assert outline.count() == 9
    first = page.frame_locator("#sco-frame").frame_locator("#sco")
    first.locator("body").wait_for()
    assert "Playing" in first.locator("body").inner_text()
    # Flow: "Berikutnya" to the second SCO.
    link = page.get_by_role("link", name="Berikutnya ›")
    link.scroll_into_view_if_needed()  # the SCO's own focus moves scroll the page meanwhile
    link.click()
    page.wait_for_url(re.compile(r"/main/\d+$"), wait_until="commit")
    assert page.locator("#sco-outline li.current").get_attribute("data-sco") == "playing_par_item"
    second = page.frame_locator("#sco-frame").frame_locator("#sco")
    assert "Par" in second.locator("body").inner_text()
    # Choice: the quiz SCO from the outline; its launch URL carries the item's parameters.
    page.locator("#sco-outline").get_by_role("link").nth(5).click()
    page.wait_for_url(re.compile(r"/main/\d+$"), wait_until="commit")
    quiz = page.frame_locator("#sco-frame").frame_locator("#sco")
    quiz.get_by_role("button", name="Submit Answers").wait_for()
    src = page.frame_locator("#sco-frame").locator("#sco").get_attribute("src")
    assert src.endswith("shared/assessmenttemplate.html?questions=Playing")
    shot("scorm-mini-quiz")
    axe_check("SCORM multi-SCO player")
    saved = _wait_for(lambda: len(_attempts(app, ids["MINI"])) >= 2, page)
    assert saved, _attempts(app, ids["MINI"])


def test_scorm2004_package_played_to_completed_and_passed(page, scorm_server, shot):
    base, app, ids = scorm_server
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/paket/versi/{ids['S2004']}/main")
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    # The SCO writes its state after the API answers: wait for it, not for the element alone.
    sco.locator("#where", has_text="entry=").wait_for()
    assert "entry=ab-initio" in sco.locator("#where").inner_text()
    sco.get_by_role("button", name="Jawab benar dan selesai").click()
    # scorm-again refused the bad value with the spec's error code (406: type mismatch).
    assert "selesai false:406" in sco.locator("#where").inner_text()
    rows = _wait_for(
        lambda: [r for r in _attempts(app, ids["S2004"]) if r["success_status"] == "passed"], page
    )
    assert rows, _attempts(app, ids["S2004"])
    row = rows[0]
    assert row["completion_status"] == "completed" and float(row["score_scaled"]) == 0.9
    assert row["cmi"]["session"]["cs"] == 6550
    assert row["cmi"]["extra"]["cmi.interactions.0.learner_response"] == "<b>x</b>"
    shot("scorm-2004-done")
    # A new session starts from what was stored: the interaction is there, numbering goes on.
    page.reload()
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    assert "entry= " in sco.locator("#where").inner_text() + " "
    frame = next(f for f in page.frames if f.url.endswith("/f/index.html"))
    assert frame.evaluate("api.GetValue('cmi.interactions._count')") == "1"
    assert frame.evaluate("api.GetValue('cmi.interactions.0.id')") == "q1"
    assert frame.evaluate("api.GetValue('cmi.success_status')") == "passed"


def test_attack_package_achieves_nothing(page, scorm_server, shot):
    base, app, ids = scorm_server
    sign_in(page, base, "pegawai")
    cookies_before = {c["name"]: c["value"] for c in page.context.cookies()}
    page.goto(f"{base}/paket/versi/{ids['ATTACK']}/main")
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    log = sco.locator("#log")
    log.wait_for()
    page.wait_for_timeout(1500)
    text = log.inner_text()
    assert 'cookie=""' in text  # no app cookie on the content origin
    assert "parentdom=blocked" in text
    assert "fetch=blocked" in text  # CSP connect-src and CORS: no request to the app
    # The top window did not move and the learner is still signed in.
    assert page.url == f"{base}/paket/versi/{ids['ATTACK']}/main"
    assert {c["name"]: c["value"] for c in page.context.cookies()} == cookies_before
    page.goto(f"{base}/dasbor")
    assert page.url == f"{base}/dasbor"
    # The forged "passed" message stored nothing.
    assert all(r["lesson_status"] != "passed" for r in _attempts(app, ids["ATTACK"]))
    assert _attempts(app, ids["ATTACK"]) == []
    page.goto(f"{base}/paket/versi/{ids['ATTACK']}/main")
    shot("scorm-attack")


def test_leaving_the_page_at_once_still_saves(page, scorm_server):
    """No wait for the timed save: the SCO's own unload (Finish) or the page's beacon saves."""
    base, app, ids = scorm_server
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "pegawai")
    page.goto(f"{base}/paket/versi/{ids['MINI']}/main/" + str(_sco_id(app, ids["MINI"], 4)))
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    sco.locator("body").wait_for()
    page.wait_for_timeout(300)
    page.goto(f"{base}/dasbor")
    rows = _wait_for(
        lambda: [r for r in _attempts(app, ids["MINI"]) if r["sco"] == "playing_rules_item"], page
    )
    assert rows, _attempts(app, ids["MINI"])


def _sco_id(app, version_id, position):
    with app.app_context():
        found = db.session.scalar(
            select(PackageSco.id).where(
                PackageSco.version_id == version_id, PackageSco.position == position
            )
        )
        db.session.remove()
    return found


def test_the_sco_starts_when_the_player_script_arrives_after_the_content(page, scorm_server):
    """On a slow connection the content origin's shim can be ready before the player page's own
    script runs. Its "ready" must not be lost (the SCO would never start): it says so until
    the player answers. Here the player's script arrives 3 s late."""
    import time

    base, _app, ids = scorm_server

    def late(route) -> None:
        time.sleep(3)
        route.continue_()

    sign_in(page, base, "pegawai")
    page.route("**/static/js/scorm-player.js*", late)
    page.goto(f"{base}/paket/versi/{ids['MINI']}/main")
    first = page.frame_locator("#sco-frame").frame_locator("#sco")
    first.locator("body").wait_for(timeout=20_000)
    assert "Playing" in first.locator("body").inner_text()


def test_saved_is_shown_only_once_the_last_state_is_on_the_server(page, scorm_server):
    """The SCO saves on launch and again when it finishes: while the finishing save is on its
    way (held here for 2 s) the player says "saving", not the launch save's "saved" (a learner
    who left then would take the unsaved result for saved)."""
    import time

    from playwright.sync_api import expect

    base, _app, ids = scorm_server
    held: list[str] = []

    def slow(route) -> None:
        held.append(route.request.url)
        time.sleep(2)
        route.continue_()

    sign_in(page, base, "pegawai")
    page.goto(f"{base}/paket/versi/{ids['S2004']}/main")
    status = page.locator("#sco-status")
    sco = page.frame_locator("#sco-frame").frame_locator("#sco")
    sco.locator("#where", has_text="entry=").wait_for()
    expect(status).to_have_attribute("data-state", "saved")  # the launch's Commit
    page.route("**/simpan", slow)
    sco.get_by_role("button", name="Jawab benar dan selesai").click()
    expect(status).to_have_attribute("data-state", "saving")
    expect(status).to_have_attribute("data-state", "saved")
    assert held, "the finishing save never reached the server"
