"""Without Redis each worker process keeps the shared parts of learner pages in its own memory;
the generation file they all read (lms.extensions.generation) makes an edit committed in one
worker show on the next page of every other, not up to CACHE_LOCAL_TIMEOUT seconds later."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses import services as courses
from lms.courses.models import Course
from lms.extensions import db
from tests.conftest import login
from tests.courses.test_learner_cache import _course_with_learner


def _publish_title(app, title: str) -> None:
    """A new version of TIK-301 titled ``title``, with one lesson more, committed in ``app``."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "TIK-301"))
        draft = courses.draft_for_edit(course)
        draft.title = title
        courses.save_lesson(draft.modules[0], None, f"Pelajaran {title}", "Isi baru.", 15)
        courses.publish(None, draft)
        db.session.commit()


def _texts(client, key: str) -> dict[str, str]:
    """The catalogue, the course page and a lesson of TIK-301, as a learner sees them."""
    return {
        name: client.get(url).get_data(as_text=True)
        for name, url in (
            ("catalogue", "/pelatihan"),
            ("course", "/pelatihan/TIK-301"),
            ("lesson", f"/belajar/TIK-301/{key}"),
        )
    }


def _shows(client, key: str, title: str) -> bool:
    pages = _texts(client, key)
    return title in pages["catalogue"] and all(
        f"Pelajaran {title}" in pages[name] for name in ("course", "lesson")
    )


def test_an_edit_in_one_worker_shows_at_once_in_the_others(
    app, client, world, worker_app, tmp_path
) -> None:
    key = _course_with_learner(app, world)
    other_app = worker_app()
    alone_app = worker_app(CACHE_GENERATION_DIR=str(tmp_path))  # reads files of its own
    clients = {}
    for name, each in (("a", app), ("b", other_app), ("alone", alone_app)):
        clients[name] = client if each is app else each.test_client()
        login(clients[name], "pegawai")
        assert "Keamanan Siber Lanjut" in _texts(clients[name], key)["catalogue"]  # now kept

    _publish_title(app, "Keamanan Siber Terbaru")  # committed in worker a
    for name in ("a", "b"):
        assert _shows(clients[name], key, "Keamanan Siber Terbaru"), name
        assert "Keamanan Siber Lanjut" not in _texts(clients[name], key)["catalogue"], name
    # what the generation file changes: a worker reading another one keeps the old parts
    assert "Keamanan Siber Lanjut" in _texts(clients["alone"], key)["catalogue"]

    _publish_title(other_app, "Keamanan Siber Edisi 3")  # and back, from worker b
    assert _shows(clients["a"], key, "Keamanan Siber Edisi 3")
