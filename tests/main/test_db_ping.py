"""Pooled connections are tested before use only after sitting idle, and a dead one is replaced."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms.extensions import db
from tests.conftest import PG_URL, isolated_app


@pytest.mark.parametrize(("idle_seconds", "pinged"), [(3600, False), (0, True)])
def test_connections_are_pinged_only_after_sitting_idle(
    databases,
    tmp_path,
    monkeypatch,
    idle_seconds,
    pinged,
) -> None:
    with isolated_app(databases, tmp_path, "ping", DB_PING_IDLE_SECONDS=idle_seconds) as app:
        pings = []
        with app.app_context():
            dialect = db.engine.dialect
        real_ping = dialect.do_ping
        monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
        client = app.test_client()
        for _ in range(3):
            assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
        # Fresh from connect and back in the pool moments ago: alive, no round trip to prove it.
        assert (len(pings) >= 2) is pinged


@pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")
def test_a_connection_cut_while_idle_is_replaced_before_the_request_sees_it(
    databases,
    tmp_path,
) -> None:
    with isolated_app(databases, tmp_path, "ping", DB_PING_IDLE_SECONDS=0) as app:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        with app.app_context():
            name = db.engine.url.database
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        admin = create_engine(make_url(PG_URL).set(database="postgres"))
        with admin.connect() as conn:
            cut = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
        admin.dispose()
        assert cut >= 1  # the pooled connection is gone on the server's side
        assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
