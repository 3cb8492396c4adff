"""/livez answers without the database; /readyz checks the database, Redis (when configured)
and that the schema is at the code's Alembic head; /healthz keeps CONTRACT.md's promise."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from lms.extensions import db
from lms.observability.health import code_heads
from lms.observability.metrics import redis_client


def stamp(revisions) -> None:
    """Write ``alembic_version`` as ``flask db upgrade`` would leave it (inside an app context)."""
    db.session.execute(
        text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL)")
    )
    db.session.execute(text("DELETE FROM alembic_version"))
    for revision in revisions:
        db.session.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
    db.session.commit()


def heads(app) -> frozenset[str]:
    return code_heads(app.extensions["migrate"].directory)


@pytest.fixture
def at_head(app):
    with app.app_context():
        stamp(heads(app))
    yield
    with app.app_context():
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()


def _database_down(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)


def test_livez_needs_no_database(client, monkeypatch) -> None:
    _database_down(monkeypatch)
    response = client.get("/livez")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert client.get("/healthz").status_code == 503  # CONTRACT.md: /healthz asks the database


def test_livez_sends_no_statement(timed_app) -> None:
    response = timed_app.test_client().get("/livez")
    assert response.headers["Server-Timing"].endswith('desc="0 queries"')


def test_ready_at_head(app, client, at_head) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_not_ready_without_migrations(app, client) -> None:
    """A schema made without Alembic (or never upgraded): no alembic_version (the access
    matrix's world stamps one into the shared test database: gone here)."""
    with app.app_context():
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["migrations"]
    assert response.json["checks"]["database"] == "ok"


def test_not_ready_behind_head(app, client, at_head) -> None:
    with app.app_context():
        stamp(["0001_older"])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["migrations"]
    reason = response.json["checks"]["migrations"]
    assert "0001_older" in reason and all(head in reason for head in heads(app))


def test_not_ready_without_database(client, monkeypatch) -> None:
    _database_down(monkeypatch)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["database"]
    assert response.json["checks"] == {"database": "unreachable"}
    assert "down" not in response.get_data(as_text=True)  # no exception text leaks


def test_not_ready_when_redis_is_configured_and_down(app, client, at_head, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["redis"]
    assert "127.0.0.1:1" not in response.get_data(as_text=True)


def test_ready_with_redis(app, client, at_head, monkeypatch) -> None:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis_client(url).ping()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["checks"]["redis"] == "ok"


def test_code_has_one_head(app) -> None:
    assert len(heads(app)) == 1
