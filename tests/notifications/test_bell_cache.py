"""The header bell's unread count is kept per account in the app cache: no query on most pages,
yet a new notification or a "mark read" shows on the next page, on this worker and on every
other (the account's bucket generation, a file each process reads, is in the key; the reader's
own "mark read" also through the stamp in the session)."""

from __future__ import annotations

import re

import pytest

from lms.auth.models import User
from lms.extensions import cache, db
from lms.notifications import services
from lms.notifications.models import Notification
from lms.notifications.queries import unread_bucket, unread_key
from tests.conftest import csrf_token, login
from tests.test_query_counts import count_queries


@pytest.fixture(autouse=True)
def _kept_count(app, monkeypatch) -> None:
    """The tests count on every page (TestingConfig); these test the kept count."""
    monkeypatch.setitem(app.config, "NOTIFICATIONS_UNREAD_SECONDS", 30)
    with app.app_context():
        cache.clear()


BELL = re.compile(r'<span class="badge" aria-hidden="true">(\d+)</span>')


def _bell(client) -> int:
    found = BELL.search(client.get("/pelatihan").get_data(as_text=True))
    return int(found.group(1)) if found else 0


def test_the_kept_count_saves_a_query_and_follows_every_write(app, world) -> None:
    me = world.users["pegawai"].id
    client = app.test_client()
    login(client, "pegawai")
    assert _bell(client) == 0
    with count_queries(app) as counter:
        _bell(client)
    kept = counter["n"]
    with app.app_context():
        cache.delete(unread_key(me))
    with count_queries(app) as counter:
        _bell(client)
    assert counter["n"] == kept + 1  # the count query, only when nothing is kept
    with app.test_request_context():
        services.notify(me, "Usulan Anda disetujui.")
        db.session.commit()
    assert _bell(client) == 1
    with app.app_context():  # a row written without notify() (a script, an import) counts too
        db.session.add(Notification(user_id=me, message="Pesan lain", link=""))
        db.session.commit()
    assert _bell(client) == 2
    client.post(
        "/pemberitahuan/tandai-dibaca", data={"csrf_token": csrf_token(client, "/pemberitahuan")}
    )
    assert _bell(client) == 0


def test_mark_read_reaches_a_worker_that_kept_the_old_count(app, world) -> None:
    me = world.users["pegawai"].id
    with app.app_context():
        db.session.add_all(
            [Notification(user_id=me, message=f"Pesan {i}", link="") for i in range(3)]
        )
        db.session.commit()
    client = app.test_client()
    login(client, "pegawai")
    assert _bell(client) == 3
    with app.app_context():
        stale = cache.get(unread_key(me))  # what another worker would still hold
    client.post(
        "/pemberitahuan/tandai-dibaca", data={"csrf_token": csrf_token(client, "/pemberitahuan")}
    )
    with app.app_context():
        cache.set(unread_key(me), stale)
    assert _bell(client) == 0


def test_a_rolled_back_notification_leaves_the_kept_count(app, world) -> None:
    me = world.users["pegawai"].id
    client = app.test_client()
    login(client, "pegawai")
    assert _bell(client) == 0
    with app.test_request_context():
        services.notify(me, "Tidak jadi.")
        db.session.rollback()
    with app.app_context():
        assert cache.get(unread_key(me)) == ("", 0)  # still kept: nothing was written
    assert _bell(client) == 0


def test_a_notification_written_in_another_worker_shows_at_once(app, world, worker_app) -> None:
    """Without Redis each worker keeps counts in its own memory; the account's bucket generation
    (a file every process reads) is in the key, so a write elsewhere shows on the next page,
    while a notification for an account of another bucket leaves the kept count alone."""
    me, other = world.users["pegawai"].id, world.users["atasan"].id
    assert unread_bucket(me) != unread_bucket(other)
    writer = worker_app(NOTIFICATIONS_UNREAD_SECONDS=30)
    client = app.test_client()
    login(client, "pegawai")
    assert _bell(client) == 0
    with count_queries(app) as counter:
        assert _bell(client) == 0
    kept = counter["n"]
    with writer.test_request_context():
        services.notify(other, "Untuk orang lain.")
        db.session.commit()
    with count_queries(app) as counter:
        assert _bell(client) == 0
    assert counter["n"] == kept  # still kept: another bucket
    with writer.test_request_context():
        services.notify(me, "Usulan Anda disetujui.")
        db.session.commit()
    assert _bell(client) == 1
    with writer.app_context():  # a row written without notify() in the other worker too
        db.session.add(Notification(user_id=me, message="Pesan lain", link=""))
        db.session.commit()
    assert _bell(client) == 2
    reader = writer.test_client()  # and the other way: read in the other worker
    login(reader, "pegawai")
    assert _bell(reader) == 2
    with app.app_context():
        services.mark_read(db.session.get(User, me))
        db.session.commit()
    assert _bell(reader) == 0
