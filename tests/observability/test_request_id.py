"""X-Request-ID: kept when sane, made otherwise, echoed, on every log record of the request,
and carried into tasks (Celery headers, the in-process background thread)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import current_app

from lms.observability import logs, requestid
from lms.tasks import (
    _bind_task_request_id,
    _publish_request_id,
    _unbind_task_request_id,
    background_worker,
)
from tests.conftest import isolated_app

FRESH = re.compile(r"[0-9a-f]{32}")


def test_sane_incoming_id_is_kept_and_echoed(client) -> None:
    response = client.get("/livez", headers={"X-Request-ID": "nginx-7f3a.b:2"})
    assert response.headers["X-Request-ID"] == "nginx-7f3a.b:2"


@pytest.mark.parametrize("given", [None, "", "dua kata", "x" * 129, 'a"b', "-leading", "é", "a;b"])
def test_missing_or_odd_id_is_replaced(client, given) -> None:
    headers = {} if given is None else {"X-Request-ID": given}
    response = client.get("/livez", headers=headers)
    assert FRESH.fullmatch(response.headers["X-Request-ID"])


def test_each_request_gets_its_own(client) -> None:
    ids = {client.get("/livez").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    assert requestid.current() is None  # nothing left behind after the request


@pytest.fixture
def logging_app(databases, tmp_path_factory):
    """An app with a route that logs and queues a background task; LOG_FORMAT=json. The root
    handler and the lms level it installs are removed afterwards."""
    root, ours, werkzeug = (
        logging.getLogger(),
        logging.getLogger("lms"),
        logging.getLogger("werkzeug"),
    )
    before, level, werkzeug_level = list(root.handlers), ours.level, werkzeug.level
    with isolated_app(
        databases, tmp_path_factory.mktemp("files"), "logs", LOG_FORMAT="json"
    ) as application:
        celery = application.extensions["celery"]
        seen: list[str | None] = []

        @celery.task(name="tests.observability.note_request_id")
        def note() -> None:
            current_app.logger.warning("in the task")
            seen.append(requestid.current())

        def view() -> str:
            current_app.logger.warning("in the view")
            background_worker.submit(current_app._get_current_object(), note, ())
            return "ok"

        application.add_url_rule("/_log", "test_log", view)
        application.extensions["test_seen"] = seen
        yield application
    for handler in root.handlers:
        if handler not in before:
            root.removeHandler(handler)
    ours.setLevel(level)
    werkzeug.setLevel(werkzeug_level)


def test_log_lines_are_json_with_the_request_id(logging_app, capsys) -> None:
    response = logging_app.test_client().get("/_log", headers={"X-Request-ID": "permintaan-1"})
    assert response.status_code == 200
    background_worker.join()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    mine = [line for line in lines if line["message"] in ("in the view", "in the task")]
    assert [line["message"] for line in mine] == ["in the view", "in the task"]
    assert {line["request_id"] for line in mine} == {"permintaan-1"}
    assert mine[0]["level"] == "WARNING" and mine[0]["logger"] == "lms"
    # `flask run` still shows its request lines, now through our handler.
    assert logging.getLogger("werkzeug").isEnabledFor(logging.INFO)
    # The background thread ran the task under the request's id.
    assert logging_app.extensions["test_seen"] == ["permintaan-1"]


def test_records_outside_a_request_say_dash(caplog) -> None:
    requestid.install_record_factory()
    with caplog.at_level(logging.WARNING, logger="lms.test"):
        logging.getLogger("lms.test").warning("outside")
        with requestid.bound("tugas-9"):
            logging.getLogger("lms.test").warning("inside")
    assert [r.request_id for r in caplog.records] == ["-", "tugas-9"]


def test_json_formatter_keeps_the_traceback() -> None:
    try:
        raise ValueError("rusak")
    except ValueError:
        record = logging.LogRecord("lms", logging.ERROR, __file__, 1, "gagal %s", ("x",), None)
        import sys

        record.exc_info = sys.exc_info()
    record.request_id = "r-1"
    out = json.loads(logs.JsonFormatter().format(record))
    assert out["message"] == "gagal x" and out["request_id"] == "r-1"
    assert "ValueError: rusak" in out["exc"]


def test_unknown_log_format_refuses_to_start(databases, tmp_path) -> None:
    with (
        pytest.raises(RuntimeError, match="LOG_FORMAT"),
        isolated_app(databases, tmp_path, "badlog", LOG_FORMAT="xml"),
    ):
        pass


class _Request(dict):
    """What a Celery task's ``request`` offers the signal handlers: ``get`` and attributes."""

    headers: dict | None = None

    def get(self, key, default=None):
        return getattr(self, key, default)


class _Task:
    def __init__(self, **headers: str) -> None:
        self.request = _Request()
        for key, value in headers.items():
            setattr(self.request, key, value)


def test_published_task_carries_the_id_to_the_worker() -> None:
    headers: dict = {}
    with requestid.bound("kirim-1"):
        _publish_request_id(headers=headers)
    assert headers == {"lms_request_id": "kirim-1"}
    # In the worker: the task runs under it, and the worker's own state comes back after.
    task = _Task(lms_request_id="kirim-1")
    _bind_task_request_id(task=task)
    assert requestid.current() == "kirim-1"
    _unbind_task_request_id(task=task)
    assert requestid.current() is None


def test_task_without_an_id_gets_one_and_eager_task_keeps_the_requests() -> None:
    beat = _Task()
    _bind_task_request_id(task=beat)
    assert FRESH.fullmatch(requestid.current() or "")
    _unbind_task_request_id(task=beat)
    assert requestid.current() is None
    with requestid.bound("permintaan-2"):
        eager = _Task()
        _bind_task_request_id(task=eager)
        assert requestid.current() == "permintaan-2"
        _unbind_task_request_id(task=eager)
        assert requestid.current() == "permintaan-2"


def test_celery_apply_with_the_header_runs_under_it(app) -> None:
    """The real signal path: Celery's prerun/postrun around a task given the header."""
    celery = app.extensions["celery"]
    seen: list[str | None] = []

    @celery.task(name="tests.observability.header_seen")
    def header_seen() -> None:
        seen.append(requestid.current())

    with app.app_context():
        header_seen.apply(headers={"lms_request_id": "antrian-3"})
    assert seen == ["antrian-3"]
    assert requestid.current() is None
