"""Background tasks run in-process without a broker; rate limits can live in Redis."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask import current_app

from lms import create_app
from tests.shared import redis_up


def test_tasks_run_in_process_with_the_app_context(app) -> None:
    celery = app.extensions["celery"]
    assert celery.conf.task_always_eager  # no LMS_REDIS_URL in tests

    @celery.task(name=f"tests.echo.{uuid.uuid4().hex}")
    def echo(value: str) -> str:
        return f"{value}:{current_app.config['ENV_NAME']}"

    assert echo.delay("ok").get() == "ok:testing"


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_login_rate_limit_in_redis_is_shared_between_app_instances(
    app, databases, tmp_path
) -> None:
    from lms.extensions import db, limiter

    prefix = f"lms-test-{uuid.uuid4().hex[:8]}"
    config = {
        "SQLALCHEMY_DATABASE_URI": databases.new("redis"),
        "FILES_DIR": str(tmp_path),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": prefix,
        "WTF_CSRF_ENABLED": False,
        # This test is about the shared counters: a Redis hiccup must fail it, not fall back to
        # each process's memory as production does (tests/deploy/test_resilience.py).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "RATELIMIT_SWALLOW_ERRORS": False,
    }
    first = create_app(config, env="testing")
    assert first.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    with first.app_context():
        db.create_all()
    second = create_app(config, env="testing")  # another "server" sharing the same Redis
    statuses = []
    for i in range(7):
        target = first if i % 2 == 0 else second
        response = target.test_client().post(
            "/masuk", data={"identifier": "siapa", "password": "salah-sekali"}
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429, statuses
    assert re.search(
        "Terlalu banyak percobaan",
        second.test_client()
        .post("/masuk", data={"identifier": "siapa", "password": "yyyyyyyy"})
        .get_data(as_text=True),
    )
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    assert list(client.scan_iter(f"*{prefix}*")), "the counters should live in Redis"
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    with first.app_context():
        db.drop_all()
        db.engine.dispose()
    limiter.init_app(app)  # the one Limiter object goes back to the session app's memory storage


def test_beat_runs_every_periodic_task_reports_included(app) -> None:
    """Reports hand their hourly entry to ``lms.tasks.register_beat``; tasks name no feature."""
    beat = app.extensions["celery"].conf.beat_schedule
    assert {"webhooks-deliver", "quizzes-sweep", "outbox-dispatch"} <= set(beat)
    assert beat["reports-run-scheduled"]["task"] == "reports.run_scheduled"


def test_celery_entry_point_is_lms_worker(tmp_path) -> None:
    """``celery -A lms.worker worker|beat`` finds the app's Celery, beat entries and all."""
    code = (
        "from celery.app.utils import find_app; app = find_app('lms.worker'); "
        "print(type(app).__name__, sorted(app.conf.beat_schedule))"
    )
    env = {
        "LMS_ENV": "testing",
        "LMS_INSTANCE_DIR": str(tmp_path),
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
        "PATH": "/usr/bin",
    }
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Celery [")
    assert "'reports-run-scheduled'" in result.stdout
