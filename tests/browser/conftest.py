"""Browser tests: the real app with the demo data, served in a thread, driven by Chromium.

They run when Chromium is found (/usr/bin/chromium or LMS_CHROMIUM) and fail instead of
skipping when LMS_REQUIRE_BROWSER=1. Screenshots go to tests/_artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db
from lms.quizzes.models import Question
from tests.conftest import PG_URL

CHROMIUM = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "_artifacts" / "screenshots"
DEMO_PASSWORD = "demo12345"
CONTENT = Path(__file__).resolve().parents[2] / "content"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"LMS_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (set LMS_CHROMIUM)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def live_server(databases, tmp_path_factory) -> Iterator[str]:
    """Migrations + demo data in a database of its own, served on a free port."""
    from flask_migrate import upgrade

    from lms.content import load_content
    from lms.org.demo import load_demo

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("browser"),
            "FILES_DIR": str(tmp_path_factory.mktemp("browser-files")),
            "LOGIN_RATE_LIMIT": "1000 per minute",
        },
        env="testing",
    )
    with app.app_context():
        upgrade()
        load_demo()
        load_content(CONTENT)
        from lms.certificates.demo import load_demo_completion

        load_demo_completion()  # as `demo load` does: pegawai starts with one certificate
        from lms.enrolments.demo import load_demo_nomination

        load_demo_nomination()  # and a nomination waits for atasan
        from lms.leadership.demo import load_demo_projects

        load_demo_projects()  # and the demo cohorts' workplace projects, at every stage
        db.session.commit()
        from lms.tasks import run_ready

        run_ready()  # as after a request: the completion events reach their consumers
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def shot(page):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_check(page):
    """Run axe-core on the current page; fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(label: str) -> None:
        results = axe.run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        detail = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:5]}"
            for v in bad
        )
        assert not bad, f"accessibility violations on {label}:\n{detail}"

    return check


def sign_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/masuk")
    page.get_by_label("Nama pengguna atau NIP").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base}/dasbor")


def sign_out(page) -> None:
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/masuk")


@pytest.fixture(scope="module")
def live_app(live_server, databases, tmp_path_factory) -> Iterator[Flask]:
    """An app on the live server's own database, for tests that set data up or check it."""
    if PG_URL:
        name = next(n for n in databases.created if n.startswith("lms_test_browser_"))
        uri = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        uri = f"sqlite:///{databases.tmp / 'browser.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "FILES_DIR": str(tmp_path_factory.mktemp("quiz-app"))},
        env="testing",
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def answer_correctly(page, live_app) -> None:
    """Pick the right answer of every question shown (the test reads the bank, as a cheat)."""
    ids = [
        int(q)
        for q in page.locator("fieldset[data-question]").evaluate_all(
            "els => els.map(e => e.dataset.question)"
        )
    ]
    with live_app.app_context():
        questions = {
            q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))
        }
        db.session.remove()
    for qid in ids:
        q = questions[qid]
        answers = q.data.get("answers", [])
        if q.type == "single_choice":
            best = max(range(len(answers)), key=lambda i: answers[i]["fraction"])
            page.locator(f"#q{qid}-{best}").check()
        elif q.type == "multiple_response":
            for i, a in enumerate(answers):
                if a["fraction"] > 0:
                    page.locator(f"#q{qid}-{i}").check()
        elif q.type == "true_false":
            right = next(a["text"] for a in answers if a["fraction"] == 1.0)
            page.locator(f"#q{qid}-{right}").check()
        else:
            right = next(a["text"] for a in answers if a["fraction"] == 1.0)
            page.locator(f"#q{qid}-text").fill(right)
    page.locator("#quiz-status[data-state=saved]").wait_for()


# On a busy machine an image may still be loading (covers load lazily): its width once it has
# loaded, or 0 once it failed, never what it is at the instant of the check.
_LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth));
    img.addEventListener("error", () => done(0));
})"""


def loaded_width(image) -> int:
    """The natural width of the image ``image`` (a locator) once it has loaded (0: it failed)."""
    image.scroll_into_view_if_needed()
    return image.evaluate(_LOADED_WIDTH)
