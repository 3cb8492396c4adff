"""Webhooks under `make run` (no broker, no cron): delivered by the app itself (issue 15, point 13).

A completion event caused by a web request is sent once its transaction commits, by the app
process's background thread, after the page has answered; retries that are due go out with the
admin's "Kirim sekarang"; BKPSDM reads the delivery status without administering webhooks.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.completion.services import record_classroom
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_today
from lms.integrations import webhooks
from lms.integrations.models import WebhookDelivery, WebhookEndpoint
from lms.org.models import Employee
from lms.tasks import background_worker
from tests.conftest import csrf_token, login
from tests.factories import make_course

SECRET = "rahasia-penerima-0123456789"


@pytest.fixture(autouse=True)
def _many_logins(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")


def _completion_with_endpoint(app, world, url: str) -> tuple[int, int]:
    """A receiver registered for every event, and a classroom completion whose
    ``completion.created`` event waits in the outbox (nothing dispatched it yet)."""
    with app.app_context():
        endpoint = webhooks.add_endpoint(url, SECRET)
        course = make_course("KIRIM-101", title="Pelatihan Kiriman")
        completion = record_classroom(
            db.session.get(Employee, world.employees["pegawai"].id),
            course,
            completed_on=local_today(),
            score=80,
            by=db.session.get(User, world.users["admin_bkpsdm"].id),
        )
        db.session.commit()
        ids = endpoint.id, completion.id
        db.session.remove()
    return ids


def _revoke(client, completion_id: int):
    """BKPSDM revokes the completion through the page (confirmed): a web request that writes an
    outbox event, as a learner finishing a course does."""
    url = f"/kelola/kelulusan/{completion_id}"
    data = {"csrf_token": csrf_token(client, url), "reason": "Uji kiriman", "confirm": "1"}
    return client.post(url + "/cabut", data=data)


def _states(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(WebhookDelivery.event_type, WebhookDelivery.status).order_by(WebhookDelivery.id)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_an_event_from_a_web_request_is_delivered_without_cron(app, world, receiver) -> None:
    endpoint_id, completion_id = _completion_with_endpoint(app, world, receiver.url)
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert _revoke(hr, completion_id).status_code == 302
    # No `flask webhooks deliver`, no Celery: both waiting events reached the receiver.
    assert _states(app) == [
        ("completion.created", "delivered"),
        ("completion.revoked", "delivered"),
    ]
    assert [r.headers["X-Akademi-Event"] for r in receiver.received] == [
        "completion.created",
        "completion.revoked",
    ]
    assert endpoint_id


def test_the_page_does_not_wait_for_the_receiver(app, world, receiver, monkeypatch) -> None:
    """In the default configuration the round runs in the background thread: the request has
    answered while the receiver still holds the delivery."""
    monkeypatch.setitem(app.config, "TASKS_IN_THREAD", True)
    receiver.gate = threading.Event()
    _endpoint_id, completion_id = _completion_with_endpoint(app, world, receiver.url)
    hr = app.test_client()
    login(hr, "bkpsdm")
    try:
        assert _revoke(hr, completion_id).status_code == 302
        # Answered, while the receiver has not let the first delivery go yet.
        assert ("completion.created", "delivered") not in _states(app)
    finally:
        receiver.gate.set()
        background_worker.join()
    assert _states(app) == [
        ("completion.created", "delivered"),
        ("completion.revoked", "delivered"),
    ]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_send_now_sends_what_waits_and_stops_at_a_failure(app, world, receiver) -> None:
    with app.app_context():
        endpoint = WebhookEndpoint(url=receiver.url, secret=SECRET, events=["completion.created"])
        db.session.add(endpoint)
        db.session.flush()
        later = utcnow() + timedelta(hours=1)  # a failed try, waiting for its retry time
        for i in range(3):
            db.session.add(
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_id=f"00000000-0000-4000-8000-00000000000{i}",
                    event_type="completion.created",
                    status="failed",
                    attempts=1,
                    next_attempt_at=later,
                )
            )
        db.session.commit()
        endpoint_id = endpoint.id
        db.session.remove()
    admin = app.test_client()
    login(admin, "admin")
    url = f"/admin/webhook/{endpoint_id}"
    page = _text(admin.get(url))
    assert "Kirim sekarang (3 menunggu)" in page
    assert "flask --app lms webhooks deliver" in page  # the page says how retries leave
    receiver.script = [200, 503]  # the second one fails: the round stops there
    done = admin.post(
        f"{url}/kirim-sekarang", data={"csrf_token": csrf_token(admin, url)}, follow_redirects=True
    )
    assert "2 kiriman dicoba: 1 terkirim, 1 gagal; 2 masih menunggu." in _text(done)
    assert len(receiver.received) == 2
    assert sorted(s for _t, s in _states(app)) == ["delivered", "failed", "failed"]
    done = admin.post(
        f"{url}/kirim-sekarang", data={"csrf_token": csrf_token(admin, url)}, follow_redirects=True
    )
    assert "2 kiriman dicoba: 2 terkirim, 0 gagal; 0 masih menunggu." in _text(done)
    assert "Kirim sekarang (" not in _text(admin.get(url))  # nothing waits: no button
    assert admin.post(f"{url}/kirim-sekarang").status_code == 400  # no CSRF token


def test_bkpsdm_reads_delivery_status_without_administering(app, world) -> None:
    with app.app_context():
        endpoint = WebhookEndpoint(url="https://contoh.go.id/hook", secret=SECRET, events=[])
        db.session.add(endpoint)
        db.session.flush()
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id="00000000-0000-4000-8000-000000000009",
                event_type="completion.created",
                status="dead",
                attempts=6,
                last_error="HTTP 503",
            )
        )
        db.session.commit()
        endpoint_id = endpoint.id
        db.session.remove()
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert "Webhook" in hr.get("/dasbor").get_data(as_text=True)  # in the menu
    index = _text(hr.get("/admin/webhook"))
    assert "https://contoh.go.id/hook" in index and "Daftarkan penerima" not in index
    detail = hr.get(f"/admin/webhook/{endpoint_id}")
    assert detail.status_code == 200
    text = _text(detail)
    assert "HTTP 503" in text and "0 terkirim, 0 menunggu, 1 gagal permanen" in text
    for button in ("Nonaktifkan", "Kirim ulang", "/kirim-sekarang"):
        assert button not in text
    assert SECRET not in text
    token = csrf_token(hr, f"/admin/webhook/{endpoint_id}")
    with app.app_context():
        delivery_id = db.session.scalar(select(WebhookDelivery.id))
        db.session.remove()
    for path in ("/status", "/kirim-sekarang", f"/kiriman/{delivery_id}/kirim-ulang"):
        response = hr.post(f"/admin/webhook/{endpoint_id}{path}", data={"csrf_token": token})
        assert response.status_code == 403, path
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint_id).active is True
        assert db.session.get(WebhookDelivery, delivery_id).status == "dead"
