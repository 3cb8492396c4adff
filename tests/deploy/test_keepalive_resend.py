"""The load generators' browser (bench/quiz_load.py's ``Browser``, used by bench/drills.py and
bench/exam_proxy.py) sends a request once more when the server had closed its idle keep-alive
connection, as browsers and urllib3 do; nothing else is sent twice.

nginx closes a client connection idle for ``keepalive_timeout`` (65 s, deploy/nginx); the next
request on it fails with ``RemoteDisconnected`` before any byte of a response. The full-size
app-kill drill counted 569 such failures as "errors after recovery" (and more before the kill):
the employees waited up to 90 s between their login and their turn in the exam burst (and the
cluster's nginx, short of worker_connections, closed some idle ones sooner). A tiny HTTP/1.1
server here closes a connection idle for 0.2 s the same way."""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.shared import bench_module

IDLE_TIMEOUT = 0.2  # the server's keepalive_timeout


def _quiz_load():
    """bench/quiz_load.py under the name bench/drills.py imports it by (it puts bench/ on
    sys.path itself for its own imports)."""
    return bench_module("quiz_load.py", "quiz_load")


ql = _quiz_load()


class Handler(http.server.BaseHTTPRequestHandler):
    """``/ok``: 200 on a kept-alive connection; ``/drop``: the connection closed without an
    answer (a server gone); ``/busy``: 503. Every request that arrives is counted."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # an idle connection is closed after this long, like nginx's
    seen: Counter

    def do_GET(self) -> None:
        self.seen[self.path] += 1
        if self.path == "/drop":
            self.close_connection = True
            return
        status = 503 if self.path == "/busy" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # quiet; "Request timed out" included
        pass

    def log_error(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[int, Counter]]:
    seen: Counter = Counter()
    handler = type("CountingHandler", (Handler,), {"seen": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def _browser(port: int) -> tuple[object, object]:
    recorder = ql.Recorder()
    return ql.Browser(port, 0, recorder), recorder


def _idle_past_the_timeout() -> None:
    time.sleep(IDLE_TIMEOUT * 3)


def test_a_request_on_a_connection_the_server_closed_while_idle_is_sent_once_more(server):
    port, seen = server
    browser, recorder = _browser(port)
    browser.call("intro", "GET", "/ok", 200)
    _idle_past_the_timeout()
    browser.call("intro", "GET", "/ok", 200)  # no StepFailed
    browser.close()

    assert recorder.errors == {}
    assert len(recorder.latencies["intro"]) == 2
    summary = recorder.resent_summary()
    assert summary["count"] == 1
    assert summary["per_step"] == {"intro": 1}
    assert summary["idle_s_min"] >= IDLE_TIMEOUT
    assert seen["/ok"] == 2  # the request on the closed connection never reached the server


def test_a_connection_still_open_is_reused_without_a_resend(server):
    port, seen = server
    browser, recorder = _browser(port)
    for _ in range(3):
        browser.call("save", "GET", "/ok", 200)
    browser.close()
    assert recorder.errors == {}
    assert recorder.resent_summary()["count"] == 0
    assert seen["/ok"] == 3


def test_a_failure_on_a_fresh_connection_is_an_error_and_not_sent_again(server):
    port, seen = server
    browser, recorder = _browser(port)
    with pytest.raises(ql.StepFailed):
        browser.call("save", "GET", "/drop", 200)
    assert recorder.resent_summary()["count"] == 0
    assert [m.split(":")[0] for m in recorder.errors["save"]] == ["RemoteDisconnected"]
    assert seen["/drop"] == 1


def test_a_resent_request_that_fails_again_is_an_error(server):
    port, seen = server
    browser, recorder = _browser(port)
    browser.call("save", "GET", "/ok", 200)
    # The server closes the reused connection without answering: sent once more (the first
    # failure looks like a stale connection), then the fresh connection fails too: an error.
    with pytest.raises(ql.StepFailed):
        browser.call("save", "GET", "/drop", 200)
    assert recorder.resent_summary()["count"] == 1
    assert len(recorder.errors["save"]) == 1
    assert seen["/drop"] == 2  # once on the reused connection, once more: never a third time


def test_an_http_error_status_on_a_reused_connection_is_an_error_and_not_sent_again(server):
    port, seen = server
    browser, recorder = _browser(port)
    browser.call("submit", "GET", "/ok", 200)
    with pytest.raises(ql.StepFailed):
        browser.call("submit", "GET", "/busy", 302)
    browser.close()
    assert recorder.resent_summary()["count"] == 0
    assert recorder.errors["submit"] == ["GET /busy: 503"]
    assert seen["/busy"] == 1
