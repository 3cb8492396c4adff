"""Webhooks against a real local HTTP receiver: signatures, retries with backoff, dead letters."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.completion import consumers
from lms.completion import services as completion
from lms.completion.models import Completion
from lms.db import utcnow
from lms.extensions import db
from lms.integrations import deliveries, webhooks
from lms.integrations.models import WebhookDelivery, WebhookEndpoint
from lms.org.models import Employee
from tests.completion.builders import course_with_posttest

SECRET = "rahasia-penerima-0123456789"


def _complete(world, code: str = "HOOK-101") -> Completion:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    course, _, _ = course_with_posttest(code)
    made = completion.record_classroom(
        employee, course, completed_on=date(2026, 4, 1), score=80, by=hr
    )
    db.session.commit()
    return made


def _endpoint(url: str, events: list[str] | None = None) -> WebhookEndpoint:
    endpoint = webhooks.add_endpoint(url, SECRET, events)
    db.session.commit()
    return endpoint


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failing_twice_then_accepted_with_a_verifiable_signature(ctx, world, receiver) -> None:
    receiver.script = [500, 500]
    endpoint = _endpoint(receiver.url)
    made = _complete(world)
    consumers.dispatch()
    [delivery] = _deliveries()
    assert delivery.status == "pending" and delivery.event_type == "completion.created"

    t0 = utcnow()
    assert deliveries.deliver_due(now=t0) == {"delivered": 0, "failed": 1, "dead": 0}
    db.session.refresh(delivery)
    assert delivery.status == "failed" and delivery.last_status_code == 500
    assert deliveries.deliver_due(now=t0 + timedelta(seconds=30))["failed"] == 0  # backoff: 1 min
    assert deliveries.deliver_due(now=t0 + timedelta(minutes=1))["failed"] == 1
    assert deliveries.deliver_due(now=t0 + timedelta(minutes=2))["failed"] == 0  # next wait: 2 min
    counts = deliveries.deliver_due(now=t0 + timedelta(minutes=3))
    assert counts == {"delivered": 1, "failed": 0, "dead": 0}
    assert deliveries.deliver_due(now=t0 + timedelta(hours=5)) == {
        "delivered": 0,
        "failed": 0,
        "dead": 0,
    }

    db.session.refresh(delivery)
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert len(receiver.received) == 3
    accepted = receiver.received[-1]
    expected = hmac.new(SECRET.encode(), accepted.body, hashlib.sha256).hexdigest()
    assert accepted.headers["X-Akademi-Signature"] == f"sha256={expected}"
    assert accepted.headers["Content-Type"] == "application/json"
    assert accepted.headers["X-Akademi-Event"] == "completion.created"
    body = json.loads(accepted.body)
    assert accepted.headers["X-Akademi-Event-Id"] == body["event_id"] == delivery.event_id
    assert body["type"] == "completion.created" and body["created_at"].endswith("Z")
    assert body["data"]["nip"] == world.employees["pegawai"].nip
    assert body["data"]["course_code"] == "HOOK-101"
    # The same event id on every attempt, so the receiver can de-duplicate.
    assert {r.headers["X-Akademi-Event-Id"] for r in receiver.received} == {delivery.event_id}
    # A tampered body does not verify.
    assert not webhooks.verify(
        SECRET, accepted.body + b" ", accepted.headers["X-Akademi-Signature"]
    )
    assert endpoint.id and made.id


def test_down_receiver_ends_dead_then_retry_delivers(
    ctx, world, app, monkeypatch, local_receivers
) -> None:
    from tests.integrations.conftest import Receiver

    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 4)
    port = _free_port()  # nothing listens: connection refused for the whole retry window
    receiver = Receiver(port=port)
    _endpoint(receiver.url)
    _complete(world)
    consumers.dispatch()
    [delivery] = _deliveries()

    t = utcnow()
    waits = []
    for _ in range(4):
        counts = deliveries.deliver_due(now=t)
        assert counts["delivered"] == 0 and counts["failed"] + counts["dead"] == 1
        db.session.refresh(delivery)
        if delivery.next_attempt_at is not None:
            nxt = delivery.next_attempt_at.replace(tzinfo=t.tzinfo)
            waits.append(nxt - t)
            t = nxt
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delivery.status == "dead" and delivery.attempts == 4
    # The admin reads one message for any connection failure, not whether the port refused.
    assert delivery.last_error == "Gagal terhubung ke penerima."
    assert deliveries.deliver_due(now=t + timedelta(days=1))["dead"] == 0  # dead stays dead

    receiver.start()  # the receiver is back, on the same address
    try:
        deliveries.retry(delivery, now=t + timedelta(days=1))
        db.session.commit()
        assert delivery.status == "pending" and delivery.attempts == 0
        counts = deliveries.deliver_due(now=t + timedelta(days=1))
        assert counts == {"delivered": 1, "failed": 0, "dead": 0}
        assert len(receiver.received) == 1
        got = receiver.received[0]
        assert webhooks.verify(SECRET, got.body, got.headers["X-Akademi-Signature"])
    finally:
        receiver.stop()
    db.session.refresh(delivery)
    assert delivery.status == "delivered"
    with pytest.raises(webhooks.WebhookError):
        deliveries.retry(delivery)


def test_replaying_events_creates_no_duplicate_deliveries(ctx, world, local_receivers) -> None:
    both = _endpoint("http://127.0.0.1:9/both")
    created_only = _endpoint("http://127.0.0.1:9/created", ["completion.created"])
    _endpoint("http://127.0.0.1:9/off").active = False
    db.session.commit()
    made = _complete(world)
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    completion.revoke(db.session.get(Completion, made.id), hr, "Salah input")
    db.session.commit()
    consumers.dispatch()
    consumers.dispatch()
    assert consumers.replay("webhooks", 0) == 0
    # Even when the consumer's record of processed events is lost, the unique pair holds.
    from lms.completion.models import OutboxEvent

    for event in db.session.scalars(select(OutboxEvent)):
        deliveries.handle(event)
    db.session.commit()
    pairs = [(d.endpoint_id, d.event_type) for d in _deliveries()]
    assert sorted(pairs) == sorted(
        [
            (both.id, "completion.created"),
            (both.id, "completion.revoked"),
            (created_only.id, "completion.created"),
        ]
    )
    total = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert total == 3


def test_endpoint_input_is_checked(ctx) -> None:
    with pytest.raises(webhooks.WebhookError, match="http"):
        webhooks.add_endpoint("ftp://contoh.go.id/hook", SECRET)
    with pytest.raises(webhooks.WebhookError, match="http"):
        webhooks.add_endpoint("file:///etc/passwd", SECRET)
    with pytest.raises(webhooks.WebhookError, match="16"):
        webhooks.add_endpoint("https://contoh.go.id/hook", "pendek")
    with pytest.raises(webhooks.WebhookError, match="tidak dikenal"):
        webhooks.add_endpoint("https://contoh.go.id/hook", SECRET, ["course.deleted"])
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_redirect_is_a_failure_not_followed(ctx, world, receiver) -> None:
    receiver.script = [302]
    _endpoint(receiver.url)
    _complete(world)
    consumers.dispatch()
    assert deliveries.deliver_due()["failed"] == 1
    [delivery] = _deliveries()
    assert delivery.last_status_code == 302 and len(receiver.received) == 1


def test_backoff_doubles() -> None:
    assert [deliveries.backoff(n, 60).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        60,
        120,
        240,
        480,
        960,
    ]


# --- where receivers may be (no test asks real DNS: tests/integrations/conftest.py fake_dns) ----


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://2130706433/hook", "loopback"),  # 127.0.0.1 written as one number
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://0.0.0.0:5000/hook", "tidak dapat dipakai"),
        ("http://10.1.2.3/hook", "jaringan privat"),
        ("http://192.168.1.10/hook", "jaringan privat"),
        ("http://[fd00::7]/hook", "jaringan privat"),
        ("https://campuran.contoh.go.id/hook", "jaringan privat"),  # one public, one private
    ],
)
def test_receivers_on_internal_addresses_are_refused(ctx, fake_dns, url: str, why: str) -> None:
    fake_dns.update(
        {
            "localhost": ["127.0.0.1", "::1"],
            "2130706433": ["127.0.0.1"],
            "campuran.contoh.go.id": ["36.66.10.22", "172.16.0.9"],
        }
    )
    with pytest.raises(webhooks.WebhookError, match=why) as refused:
        webhooks.add_endpoint(url, SECRET)
    assert "alamat publik" in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_unknown_host_and_bad_port_are_clear_messages(ctx) -> None:
    with pytest.raises(webhooks.WebhookError, match="tidak ditemukan"):
        webhooks.add_endpoint("https://tidak-ada.contoh.test/hook", SECRET)
    with pytest.raises(webhooks.WebhookError, match="port"):
        webhooks.add_endpoint("https://contoh.go.id:99999/hook", SECRET)


def test_private_ranges_only_when_allowed_and_loopback_only_by_network(
    ctx, app, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", "true")
    assert webhooks.add_endpoint("http://10.1.2.3/hook", SECRET).id
    assert webhooks.add_endpoint("http://[fd00::7]/hook", SECRET).id
    for still_refused in ("http://127.0.0.1/hook", "http://169.254.169.254/"):
        with pytest.raises(webhooks.WebhookError):
            webhooks.add_endpoint(still_refused, SECRET)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", "10.20.0.0/16, 127.0.0.1")
    assert webhooks.add_endpoint("http://10.20.3.4/hook", SECRET).id
    assert webhooks.add_endpoint("http://127.0.0.1:9/hook", SECRET).id
    with pytest.raises(webhooks.WebhookError, match="jaringan privat"):
        webhooks.add_endpoint("http://10.1.2.3/hook", SECRET)


def test_a_name_rebound_to_an_internal_address_is_not_sent_to(
    ctx, world, fake_dns, receiver, app, monkeypatch
) -> None:
    """Registered while the name pointed at a public address; at delivery it resolves to the
    machine itself, where something listens: the delivery is refused, nothing is sent."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", "")  # loopback refused again
    fake_dns["berpindah.contoh.go.id"] = ["36.66.10.23"]
    _endpoint(f"http://berpindah.contoh.go.id:{receiver.port}/hook")
    fake_dns["berpindah.contoh.go.id"] = ["127.0.0.1"]
    _complete(world)
    consumers.dispatch()
    assert deliveries.deliver_due()["failed"] == 1
    [delivery] = _deliveries()
    assert "loopback" in delivery.last_error and delivery.last_status_code is None
    assert receiver.received == []


def test_delivery_connects_to_the_checked_address_not_a_new_lookup(
    ctx, world, fake_dns, receiver, monkeypatch
) -> None:
    """The connection goes to the address that was checked: a second lookup of the name (which a
    rebinding DNS server could answer differently) is never made. The Host header keeps the name."""
    fake_dns["penerima.contoh.go.id"] = ["127.0.0.1"]
    real = socket.getaddrinfo

    def no_names(host, *args, **kwargs):
        if host == "penerima.contoh.go.id":
            raise AssertionError("the host name was looked up again at connect time")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_names)
    _endpoint(f"http://penerima.contoh.go.id:{receiver.port}/hook?kanal=1")
    _complete(world)
    consumers.dispatch()
    assert deliveries.deliver_due()["delivered"] == 1
    [got] = receiver.received
    assert got.path == "/hook?kanal=1"
    assert got.headers["Host"] == f"penerima.contoh.go.id:{receiver.port}"


def test_refused_and_timed_out_look_the_same_to_the_admin(
    ctx, world, app, monkeypatch, local_receivers
) -> None:
    """No port scanning through the delivery log: a closed port and one that never answers give
    the same message."""
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 0.5)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection into the backlog, never answers
    try:
        closed = _endpoint(f"http://127.0.0.1:{_free_port()}/tertutup")
        hanging = _endpoint(f"http://127.0.0.1:{silent.getsockname()[1]}/diam")
        _complete(world)
        consumers.dispatch()
        assert deliveries.deliver_due()["failed"] == 2
    finally:
        silent.close()
    errors = {d.endpoint_id: d.last_error for d in _deliveries()}
    assert errors == {
        closed.id: "Gagal terhubung ke penerima.",
        hanging.id: "Gagal terhubung ke penerima.",
    }
