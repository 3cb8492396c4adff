"""A real local HTTP receiver for webhook tests, learning records for SIASN tests, and the CLI.

No test here asks real DNS: ``fake_dns`` (autouse) answers for the names the tests use. Receivers
run on 127.0.0.1, which webhooks refuse by default (loopback): tests that deliver to one enable
``WEBHOOK_ALLOW_PRIVATE`` for 127.0.0.1 through the ``local_receivers`` fixture.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lms.extensions import db as _db


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status in ``script`` (then 200), recording what came."""

    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    gate: threading.Event | None = None  # when set, each answer waits until it opens
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                if receiver.gate is not None:
                    receiver.gate.wait(10)
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


#: Names the tests use, with a public address each (never connected to: no test sends there).
PUBLIC_NAMES = {
    "contoh.go.id": ["36.66.10.20"],
    "sipeg.palembang.go.id": ["36.66.10.21"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The webhook resolver without the internet: an address resolves to itself, a name in the
    returned mapping to its addresses (a test may add or change names), anything else fails."""
    from lms.integrations import webhooks

    names = {k: list(v) for k, v in PUBLIC_NAMES.items()}

    def resolve(host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        if host.lower() not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(names[host.lower()])

    monkeypatch.setattr(webhooks, "resolve", resolve)
    return names


@pytest.fixture
def local_receivers(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow webhook receivers on 127.0.0.1 (refused by default), for tests that deliver there."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", "127.0.0.1/32")


@pytest.fixture
def receiver(local_receivers) -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        _db.session.rollback()


@pytest.fixture
def cli(app):
    """The CLI runner, with the integrations' commands (registered here until lms/cli.py does)."""
    from lms.integrations.cli import register_cli

    register_cli(app)
    return app.test_cli_runner()


def make_record(employee_id: int, **values: object):
    from lms.careers.records.models import LearningRecord

    defaults = {
        "source": "outside",
        "status": "verified",
        "jenis_diklat_code": 16,
        "siasn_type": "kursus",
        "name": "Seminar Pelayanan Publik",
        "organiser": "BPSDM Sumsel",
        "starts_on": date(2025, 3, 4),
        "ends_on": date(2025, 3, 6),
        "year": 2025,
        "jp": Decimal("8"),
        "certificate_number": "SRT-001",
    }
    defaults.update(values)
    record = LearningRecord(employee_id=employee_id, **defaults)
    _db.session.add(record)
    _db.session.flush()
    return record
