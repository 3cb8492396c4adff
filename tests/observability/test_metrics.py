"""/metrics: Prometheus text, request figures by endpoint (not path), gauges computed when
scraped, summed over worker processes, and closed to everyone but loopback, the configured
networks and the bearer token."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lms.completion import consumers
from lms.completion.models import OutboxEvent
from lms.extensions import db
from lms.observability import metrics
from lms.observability.metrics import redis_client
from lms.quizzes.attempts import services as attempts
from tests.completion.builders import (
    course_with_posttest,
    do_lessons,
    enrol,
    evaluate_course,
    take_posttest,
)

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def _samples(response) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _gauge(client, name: str) -> float | None:
    return _samples(client.get("/metrics")).get((name, ()))


def test_loopback_reads_prometheus_text(client) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "# TYPE lms_http_request_duration_seconds histogram" in response.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_and_status_class(client) -> None:
    key = ("lms_http_requests_total", (("endpoint", "courses.course"), ("status", "3xx")))
    before = _samples(client.get("/metrics")).get(key, 0)
    for code in ("KODE-901", "KODE-902", "KODE-903"):  # three codes, one series
        assert client.get(f"/pelatihan/{code}").status_code == 302  # to the login page
    assert client.get("/tidak-ada/sama-sekali").status_code == 404
    after = _samples(client.get("/metrics"))
    assert after[key] == before + 3
    assert not any("KODE-" in value for _name, labels in after for _k, value in labels)
    unmatched = (("endpoint", "none"), ("status", "4xx"))
    assert after[("lms_http_requests_total", unmatched)] >= 1
    latency = ("lms_http_request_duration_seconds_count", key[1])
    assert after[latency] >= 3


@pytest.mark.parametrize(
    ("environ", "headers", "settings", "status"),
    [
        (OUTSIDE, {}, {}, 404),
        (OUTSIDE, {}, {"METRICS_ALLOW": "203.0.113.0/24, 10.0.0.0/8"}, 200),
        (OUTSIDE, {}, {"METRICS_ALLOW": "198.51.100.0/24"}, 404),
        (OUTSIDE, {"Authorization": "Bearer rahasia-metrik"}, {}, 200),
        (OUTSIDE, {"Authorization": "Bearer salah"}, {}, 404),
        (OUTSIDE, {"Authorization": "rahasia-metrik"}, {}, 404),
        # Through a local proxy that TRUSTED_PROXIES does not believe: the client is unknown.
        ({}, {"X-Forwarded-For": "203.0.113.7"}, {}, 404),
        ({}, {"X-Forwarded-For": "203.0.113.7"}, {"TRUSTED_PROXIES": 1}, 200),
        ({"REMOTE_ADDR": "::1"}, {}, {}, 200),
    ],
)
def test_access(app, client, monkeypatch, environ, headers, settings, status) -> None:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "rahasia-metrik")
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    response = client.get("/metrics", headers=headers, environ_base=environ)
    assert response.status_code == status


def test_no_token_configured_means_no_token_accepted(client) -> None:
    response = client.get("/metrics", headers={"Authorization": "Bearer "}, environ_base=OUTSIDE)
    assert response.status_code == 404


def test_a_bad_network_list_stops_the_start(databases, tmp_path) -> None:
    from tests.conftest import isolated_app

    with (
        pytest.raises(RuntimeError, match="METRICS_ALLOW"),
        isolated_app(databases, tmp_path, "badnet", METRICS_ALLOW="10.0.0.0/33"),
    ):
        pass


def test_gauges_follow_the_database(app, world, client) -> None:
    assert _gauge(client, "lms_exam_attempts_in_progress") == 0
    assert _gauge(client, "lms_outbox_backlog") == 0
    assert _gauge(client, "lms_webhook_dead_letters") == 0
    assert _gauge(client, "lms_celery_queue_length") is None  # no Redis configured
    with app.app_context():
        from tests.integrations.access import build_args

        build_args(world)  # a webhook endpoint with one dead delivery
        course, quiz, question = course_with_posttest()
        employee_id = world.employees["pegawai"].id
        attempts.start_attempt(quiz, employee_id)
        db.session.commit()
        ids = (course.id, quiz.id, question.id)
    assert _gauge(client, "lms_exam_attempts_in_progress") == 1
    assert _gauge(client, "lms_webhook_dead_letters") == 1
    with app.app_context():
        from lms.courses.models import Course
        from lms.org.models import Employee
        from lms.quizzes.models import Question, Quiz

        course = db.session.get(Course, ids[0])
        quiz, question = db.session.get(Quiz, ids[1]), db.session.get(Question, ids[2])
        employee = db.session.get(Employee, employee_id)
        enrolment = enrol(course, employee)
        do_lessons(enrolment, course)
        take_posttest(quiz, question, employee)
        evaluate_course(enrolment)
        db.session.commit()
        events = db.session.query(OutboxEvent).count()
    assert events >= 1
    assert _gauge(client, "lms_exam_attempts_in_progress") == 0
    assert _gauge(client, "lms_outbox_backlog") == events
    with app.app_context():
        consumers.dispatch()
    assert _gauge(client, "lms_outbox_backlog") == 0


def test_a_failing_gauge_leaves_the_others(client, monkeypatch) -> None:
    def broken() -> float:
        raise RuntimeError("sumber rusak")

    monkeypatch.setitem(metrics._GAUGES, "lms_broken", ("rusak", broken))
    samples = _samples(client.get("/metrics"))
    assert ("lms_broken", ()) not in samples
    assert ("lms_webhook_dead_letters", ()) in samples


def test_celery_queue_length_from_redis(app, client, monkeypatch) -> None:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis_client(url).ping()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    queue = f"lms-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    conf = app.extensions["celery"].conf
    default = conf.task_default_queue
    conf.task_default_queue = queue
    redis_client(url).rpush(queue, "a", "b", "c")
    try:
        assert _gauge(client, "lms_celery_queue_length") == 3
    finally:
        conf.task_default_queue = default
        redis_client(url).delete(queue)


SCRIPT = textwrap.dedent(
    """
    import os, sys
    from lms import create_app
    from lms.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]}, env="testing")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(3):
        client.get("/livez")
    pid = os.fork()
    if pid == 0:  # a second worker
        for _ in range(2):
            app.test_client().get("/livez")
        os._exit(0)
    os.waitpid(pid, 0)
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    """
)


def test_workers_are_summed_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two processes (a fork, like gunicorn's workers) count into PROMETHEUS_MULTIPROC_DIR;
    a scrape in either sees both."""
    directory = tmp_path / "prom"
    directory.mkdir()
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "PYTHONPATH": str(root),
        "LMS_INSTANCE_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'mp.db'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    samples = {}
    for family in text_string_to_metric_families(done.stdout):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    key = ("lms_http_requests_total", (("endpoint", "main.livez"), ("status", "2xx")))
    assert samples[key] == 5
    assert ("lms_webhook_dead_letters", ()) in samples
    assert len(list(directory.glob("counter_*.db"))) == 2
