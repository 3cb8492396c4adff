"""The "Antrean telaah" count on BKPSDM's dashboard is kept under the catalogue's generation
(issue 19): a version sent to review or back shows at once, in this worker and in another."""

from __future__ import annotations

import re

from lms.courses.authoring import services as authoring
from lms.courses.models import CourseVersion
from lms.extensions import db
from tests.conftest import login
from tests.courses.authoring.test_authoring import draft_course  # noqa: F401 - a fixture

COUNT = re.compile(r'id="dash-review-title">[^<]*</h2>\s*<p class="big-figure"><strong>(\d+)<')


def _count(client) -> int:
    return int(COUNT.search(client.get("/dasbor").get_data(as_text=True)).group(1))


def test_the_review_count_follows_writes_in_every_worker(
    app,
    world,
    no_csrf,
    draft_course,  # noqa: F811
    worker_app,
) -> None:
    cid, vid = draft_course["course"], draft_course["version"]
    other_app = worker_app(WTF_CSRF_ENABLED=False)
    hr, other = app.test_client(), other_app.test_client()
    login(hr, "bkpsdm")
    login(other, "bkpsdm")
    assert _count(hr) == 0 and _count(other) == 0  # both kept now
    trainer = app.test_client()
    login(trainer, "pengajar")
    assert trainer.post(f"/kelola/pelatihan/{cid}/ajukan").status_code == 302
    assert _count(hr) == 1 and _count(other) == 1
    sent_back = other.post(
        f"/kelola/pelatihan/telaah/{vid}/kembalikan", data={"comment": "Perbaiki ejaan."}
    )
    assert sent_back.status_code == 302
    with app.app_context():
        assert db.session.get(CourseVersion, vid).status == "draft"
    assert _count(hr) == 0 and _count(other) == 0


def test_a_kept_count_is_not_counted_again(app, world, monkeypatch) -> None:
    calls = []
    real = authoring.review_count
    monkeypatch.setattr(authoring, "review_count", lambda: calls.append(1) or real())
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert _count(hr) == 0 and _count(hr) == 0
    assert calls == [1]
