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
from lms.integrations import webhooks
from lms.integrations.models import WebhookDelivery, WebhookEndpoint
from lms.org.models import Employee
from tests.completion.builders import course_with_posttest

SECRET = "rahasia-penerima-0123456789"


def _complete(world, code: str = "HOOK-101") -> Completion:  # noqa: ANN001
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


def test_failing_twice_then_accepted_with_a_verifiable_signature(ctx, world, receiver) -> None:  # noqa: ANN001
    receiver.script = [500, 500]
    endpoint = _endpoint(receiver.url)
    made = _complete(world)
    consumers.dispatch()
    [delivery] = _deliveries()
    assert delivery.status == "pending" and delivery.event_type == "completion.created"

    t0 = utcnow()
    assert webhooks.deliver_due(now=t0) == {"delivered": 0, "failed": 1, "dead": 0}
    db.session.refresh(delivery)
    assert delivery.status == "failed" and delivery.last_status_code == 500
    assert webhooks.deliver_due(now=t0 + timedelta(seconds=30))["failed"] == 0  # backoff: 1 min
    assert webhooks.deliver_due(now=t0 + timedelta(minutes=1))["failed"] == 1
    assert webhooks.deliver_due(now=t0 + timedelta(minutes=2))["failed"] == 0  # next wait: 2 min
    counts = webhooks.deliver_due(now=t0 + timedelta(minutes=3))
    assert counts == {"delivered": 1, "failed": 0, "dead": 0}
    assert webhooks.deliver_due(now=t0 + timedelta(hours=5)) == {
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


def test_down_receiver_ends_dead_then_retry_delivers(ctx, world, app, monkeypatch) -> None:  # noqa: ANN001
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
        counts = webhooks.deliver_due(now=t)
        assert counts["delivered"] == 0 and counts["failed"] + counts["dead"] == 1
        db.session.refresh(delivery)
        if delivery.next_attempt_at is not None:
            nxt = delivery.next_attempt_at.replace(tzinfo=t.tzinfo)
            waits.append(nxt - t)
            t = nxt
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delivery.status == "dead" and delivery.attempts == 4
    assert "ConnectionRefused" in delivery.last_error or "refused" in delivery.last_error.lower()
    assert webhooks.deliver_due(now=t + timedelta(days=1))["dead"] == 0  # dead stays dead

    receiver.start()  # the receiver is back, on the same address
    try:
        webhooks.retry(delivery, now=t + timedelta(days=1))
        db.session.commit()
        assert delivery.status == "pending" and delivery.attempts == 0
        counts = webhooks.deliver_due(now=t + timedelta(days=1))
        assert counts == {"delivered": 1, "failed": 0, "dead": 0}
        assert len(receiver.received) == 1
        got = receiver.received[0]
        assert webhooks.verify(SECRET, got.body, got.headers["X-Akademi-Signature"])
    finally:
        receiver.stop()
    db.session.refresh(delivery)
    assert delivery.status == "delivered"
    with pytest.raises(webhooks.WebhookError):
        webhooks.retry(delivery)


def test_replaying_events_creates_no_duplicate_deliveries(ctx, world) -> None:  # noqa: ANN001
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
        webhooks.handle(event)
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


def test_endpoint_input_is_checked(ctx) -> None:  # noqa: ANN001
    with pytest.raises(webhooks.WebhookError, match="http"):
        webhooks.add_endpoint("ftp://contoh.go.id/hook", SECRET)
    with pytest.raises(webhooks.WebhookError, match="http"):
        webhooks.add_endpoint("file:///etc/passwd", SECRET)
    with pytest.raises(webhooks.WebhookError, match="16"):
        webhooks.add_endpoint("https://contoh.go.id/hook", "pendek")
    with pytest.raises(webhooks.WebhookError, match="tidak dikenal"):
        webhooks.add_endpoint("https://contoh.go.id/hook", SECRET, ["course.deleted"])
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_redirect_is_a_failure_not_followed(ctx, world, receiver) -> None:  # noqa: ANN001
    receiver.script = [302]
    _endpoint(receiver.url)
    _complete(world)
    consumers.dispatch()
    assert webhooks.deliver_due()["failed"] == 1
    [delivery] = _deliveries()
    assert delivery.last_status_code == 302 and len(receiver.received) == 1


def test_backoff_doubles() -> None:
    assert [webhooks.backoff(n, 60).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        60,
        120,
        240,
        480,
        960,
    ]
