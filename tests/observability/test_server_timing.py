"""Server-Timing: total time, SQL time and the number of statements of each request."""

from __future__ import annotations

import re

from sqlalchemy import event

from config import DevelopmentConfig, ProductionConfig, TestingConfig
from lms.extensions import db
from tests.conftest import login

SHAPE = re.compile(r'app;dur=(\d+\.\d), db;dur=(\d+\.\d);desc="(\d+) queries"')


def _timing(response) -> tuple[float, float, int]:
    match = SHAPE.fullmatch(response.headers["Server-Timing"])
    assert match, response.headers["Server-Timing"]
    return float(match[1]), float(match[2]), int(match[3])


def test_header_counts_the_statements(timed_app) -> None:
    client = timed_app.test_client()
    assert _timing(client.get("/livez"))[2] == 0
    total, sql, count = _timing(client.get("/healthz"))
    assert count == 1 and 0 <= sql <= total


def test_count_equals_the_statements_sent(timed_app) -> None:
    """The count is what reached the database, checked against a listener of the test's own."""
    from tests.factories import build_world

    with timed_app.app_context():
        build_world()
        db.session.commit()
        engine = db.engine
    client = timed_app.test_client()
    login(client, "pegawai")
    seen: list[str] = []

    def count(*_args) -> None:
        seen.append("x")

    event.listen(engine, "after_cursor_execute", count)
    try:
        response = client.get("/dasbor")
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert response.status_code == 200
    assert _timing(response)[2] == len(seen) > 0


def test_a_failing_statement_is_counted(timed_app, monkeypatch) -> None:
    """/readyz on a database without alembic_version: the failed SELECT still went out."""
    response = timed_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert _timing(response)[2] == 2  # SELECT 1, then the failing alembic_version read


def test_absent_when_off(client) -> None:
    assert "Server-Timing" not in client.get("/healthz").headers


def test_defaults() -> None:
    assert DevelopmentConfig.SERVER_TIMING is True
    assert ProductionConfig.SERVER_TIMING is False
    assert TestingConfig.SERVER_TIMING is False


def test_environment_turns_it_on(monkeypatch) -> None:
    from config import _load_observability_env

    config: dict = {"SERVER_TIMING": False}
    _load_observability_env(config, {"LMS_SERVER_TIMING": "1"})
    assert config["SERVER_TIMING"] is True
    _load_observability_env(config, {"LMS_SERVER_TIMING": "false"})
    assert config["SERVER_TIMING"] is False
