"""A thread page costs the same number of queries with 10 posts and with 1,000 (a page is a range
of post numbers), and so does a forum page with few threads or many."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, update

from lms.community.models import ForumAttachment, ForumPost, ForumThread
from lms.db import utcnow
from lms.extensions import db
from tests.community.builders import user
from tests.community.conftest import signed_in
from tests.test_query_counts import count_queries


def _grow(thread_id: int, to: int) -> None:
    """Posts up to number ``to`` by two authors, every tenth with an attachment row."""
    with db.session.no_autoflush:
        thread = db.session.get(ForumThread, thread_id)
        authors = [user("pegawai").id, user("pengajar").id]
        start = thread.post_count + 1
        now = utcnow()
        db.session.execute(
            insert(ForumPost),
            [
                {
                    "thread_id": thread_id,
                    "number": n,
                    "author_id": authors[n % 2],
                    "body": f"Tulisan {n}",
                    "body_html": f"<p>Tulisan {n}</p>",
                    "created_at": now + timedelta(seconds=n),
                    "hidden_reason": "",
                    "hidden_at": now if n % 17 == 0 else None,
                }
                for n in range(start, to + 1)
            ],
        )
        ids = db.session.execute(
            db.select(ForumPost.id, ForumPost.number).where(
                ForumPost.thread_id == thread_id, ForumPost.number >= start
            )
        ).all()
        db.session.execute(
            insert(ForumAttachment),
            [
                {
                    "post_id": post_id,
                    "kind": "attachment",
                    "filename": f"lampiran-{n}.pdf",
                    "mimetype": "application/pdf",
                    "size": 10,
                    "sha256": "0" * 64,
                    "storage_key": f"forum/uji-{post_id}.pdf",
                }
                for post_id, n in ids
                if n % 10 == 0
            ],
        )
        db.session.execute(
            update(ForumThread).where(ForumThread.id == thread_id).values(post_count=to)
        )
    db.session.commit()


def _more_threads(forum_id: int, n: int) -> None:
    author = user("pegawai").id
    db.session.execute(
        insert(ForumThread),
        [
            {
                "forum_id": forum_id,
                "author_id": author,
                "title": f"Topik {i}",
                "post_count": 1,
                "last_author_id": author,
                "pinned": i % 50 == 0,
                "locked": False,
                "hidden": False,
                "created_at": utcnow(),
                "last_post_at": utcnow(),
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def _measure(app, client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        client.get(url)
        with count_queries(app) as counter:
            response = client.get(url)
            assert response.status_code == 200, url
        counts[url] = counter["n"]
    return counts


def test_thread_and_forum_pages_are_flat_from_10_to_1000_posts(app, world, built) -> None:
    thread = f"/diskusi/topik/{built.thread_id}"
    forum = f"/diskusi/forum/{built.forum_id}"
    with app.app_context():
        _grow(built.thread_id, 10)
    # A member, a moderator (the owner) and a reader who is not a member.
    clients = {name: signed_in(app, name) for name in ("pegawai", "pengajar", "atasan")}
    small = {
        name: _measure(app, c, [thread, f"{thread}?page=1", forum]) for name, c in clients.items()
    }
    with app.app_context():
        _grow(built.thread_id, 1000)
        _more_threads(built.forum_id, 300)
    large = {
        name: _measure(app, c, [f"{thread}?page=50", f"{thread}?page=1", forum])
        for name, c in clients.items()
    }
    for name in clients:
        assert list(large[name].values()) == list(small[name].values()), (name, small, large)
        assert max(large[name].values()) <= 14, large
    page = clients["atasan"].get(f"{thread}?page=50").text
    assert "Halaman 50 dari 50" in page and 'id="tulisan-1000"' in page
    assert "Tulisan ini disembunyikan oleh moderator." in page  # number 986, 1000 - 14
