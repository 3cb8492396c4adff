"""The generation tokens of what the app cache keeps (lms.extensions.generation) when the cache
is each process's memory: a file that every process reads with one stat."""

from __future__ import annotations

import threading
import uuid

import pytest

from lms import create_app, extensions
from lms.extensions import bump_generation, cache, generation
from tests.shared import redis_up


def test_a_bump_is_a_new_token_and_reading_changes_nothing(app) -> None:
    with app.app_context():
        first = generation("test:one")
        assert generation("test:one") == first
        bump_generation("test:one")
        second = generation("test:one")
        assert second != first
        assert generation("test:two") != second  # names are independent
        assert generation("test:one") == second


def test_a_request_reads_a_name_once_and_its_own_bump_forgets_it(app, monkeypatch) -> None:
    """A page asks for one generation in several kept parts: one read per request; another
    process's bump shows on the next request, the request's own bump at once."""
    reads: list[str] = []
    real = extensions._read_token
    monkeypatch.setattr(extensions, "_read_token", lambda name: reads.append(name) or real(name))
    with app.test_request_context():
        first = generation("test:memo")
        assert generation("test:memo") == first and reads == ["test:memo"]
        bump_generation("test:memo")
        second = generation("test:memo")
        assert second != first and reads == ["test:memo", "test:memo"]
    with app.test_request_context():
        assert generation("test:memo") == second
    with app.app_context():
        bump_generation("test:memo")  # e.g. a worker, outside any request
    with app.test_request_context():
        assert generation("test:memo") not in (first, second)


def test_bumps_at_once_from_many_threads_are_all_counted(app) -> None:
    """One byte appended per bump: each bump of many writers at once is a size of its own."""
    with app.app_context():
        before = generation("test:busy")
        seen: set[str] = set()

        def bumps() -> None:
            with app.app_context():
                for _ in range(50):
                    bump_generation("test:busy")
                    seen.add(generation("test:busy"))

        threads = [threading.Thread(target=bumps) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        size = int(generation("test:busy").split(".")[1], 16)
        assert size - int(before.split(".")[1], 16) == 400
        assert before not in seen


def test_a_full_file_starts_afresh_with_new_tokens(app, monkeypatch) -> None:
    monkeypatch.setattr(extensions, "GENERATION_FILE_LIMIT", 4)
    with app.app_context():
        tokens = [generation("test:full")]
        for _ in range(10):
            bump_generation("test:full")
            tokens.append(generation("test:full"))
        assert len(set(tokens)) == len(tokens)
        assert all(int(t.split(".")[1], 16) < 4 for t in tokens)


def test_an_unusable_folder_falls_back_to_this_process(app, tmp_path, monkeypatch) -> None:
    """A generation folder that cannot be made (here: below a file) is logged, not a 500: the
    token is kept in this process's cache, and a bump clears that cache (no stale parts here)."""
    (tmp_path / "plain").write_text("")
    monkeypatch.setitem(app.config, "CACHE_GENERATION_DIR", str(tmp_path / "plain" / "gen"))
    with app.app_context():
        first = generation("test:ro")
        assert first.startswith("local-") and generation("test:ro") == first
        cache.set("test:kept", 1)
        bump_generation("test:ro")
        assert cache.get("test:kept") is None
        assert generation("test:ro") != first


def _two_redis_apps(tmp_path):
    """Two processes' apps on one Redis cache under a prefix of their own (and a generation
    folder that must stay unused)."""
    prefix = f"lms-test-{uuid.uuid4().hex[:8]}:"
    config = {
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "FILES_DIR": str(tmp_path),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": prefix,
        "CACHE_GENERATION_DIR": str(tmp_path / "generations"),
    }
    return prefix, create_app(config, env="testing"), create_app(config, env="testing")


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_the_token_stays_in_redis(tmp_path) -> None:
    """Redis is one cache for every process: the token is kept there as before, no file."""
    import redis

    from lms.notifications.queries import unread_key

    prefix, first, second = _two_redis_apps(tmp_path)
    try:
        with first.app_context():
            token = generation("courses:generation")
            assert unread_key(7) == "notifications:unread:7"
        with second.app_context():
            assert generation("courses:generation") == token
            bump_generation("courses:generation")
        with first.app_context():
            assert generation("courses:generation") != token
            assert cache.get("courses:generation") == generation("courses:generation")
        assert not (tmp_path / "generations").exists()
    finally:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_a_persons_generation_is_theirs_in_every_process(tmp_path) -> None:
    """A PersonalGeneration's token per person lives in Redis too: one process's bump for one
    person is seen by another, and nobody else's token moves."""
    import redis

    from lms.enrolments.cohorts.queries import MEMBERS

    prefix, first, second = _two_redis_apps(tmp_path)
    try:
        with first.app_context():
            one, two = MEMBERS.token(1), MEMBERS.token(2)
        with second.app_context():
            assert MEMBERS.token(1) == one
            bump_generation(f"{MEMBERS.name}:1")
        with first.app_context():
            assert MEMBERS.token(1) != one and MEMBERS.token(2) == two
    finally:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
