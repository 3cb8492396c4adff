"""Infrastructure faults the app rides out (bench/drills_infra.py drills them for real).

Redis down (a closed port stands in for it): a login still answers (Flask-Limiter counts in
memory meanwhile), and a task whose transaction committed still runs, in-process, instead of
failing the request that queued it.
"""

from __future__ import annotations

import socket

import pytest
from flask import g

from lms import create_app
from lms.extensions import db
from lms.tasks import after_commit, run_ready


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def redisless_app(databases, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("redis_down"),
            "FILES_DIR": str(tmp_path),
            "REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0",
            "WTF_CSRF_ENABLED": False,
        },
        env="testing",
    )
    with app.app_context():
        db.create_all()
    return app


def test_login_page_answers_while_redis_is_down(redisless_app) -> None:
    client = redisless_app.test_client()
    response = client.post("/masuk", data={"identifier": "siapa", "password": "salah-sekali"})
    assert response.status_code == 200  # a refused login, not a 500 from the rate limiter


def test_task_runs_in_process_when_the_broker_is_down(redisless_app) -> None:
    celery = redisless_app.extensions["celery"]
    assert not celery.conf.task_always_eager
    ran: list[int] = []

    @celery.task(name="tests.resilience.record")
    def record(value: int) -> None:
        ran.append(value)

    with redisless_app.test_request_context("/"):
        after_commit(record, 7)
        db.session.commit()  # Celery cannot publish: no exception reaches the request
        assert [t.name for t, _, _ in g.lms_tasks_ready] == ["tests.resilience.record"]
        assert run_ready() == 1
    assert ran == [7]


def test_webhook_retry_settings_come_from_the_environment(monkeypatch) -> None:
    from config import load_env

    monkeypatch.setenv("LMS_WEBHOOK_BACKOFF_SECONDS", "2")
    monkeypatch.setenv("LMS_WEBHOOK_MAX_ATTEMPTS", "12")
    monkeypatch.setenv("LMS_WEBHOOK_TIMEOUT", "3")
    config: dict = {}
    load_env(config)
    assert config["WEBHOOK_BACKOFF_SECONDS"] == 2
    assert config["WEBHOOK_MAX_ATTEMPTS"] == 12
    assert config["WEBHOOK_TIMEOUT"] == 3
