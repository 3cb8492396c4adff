"""Every task may run twice (issue 20 point 4): tasks are acknowledged late, so a worker that dies
mid-task (or a broker that loses the acknowledgement) has the same message delivered again.

Each test runs a task twice, or runs it again after the first run "died" at its worst moment, and
checks the world holds what one run would have left."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.certificates.tasks import render_certificate
from lms.completion import consumers
from lms.completion.models import ProcessedEvent
from lms.extensions import db
from lms.integrations import deliveries, webhooks
from lms.integrations.models import WebhookDelivery
from lms.reports.models import ExportJob
from lms.reports.tasks import run_export
from lms.storage import get_storage
from lms.tasks import run_ready
from tests.integrations.conftest import Receiver

# --- certificate render: same file, same hash ---------------------------------------------------


def test_certificate_render_twice_and_after_a_crash_gives_the_same_file(app) -> None:
    from lms.certificates.services import current_certificate
    from tests.certificates.test_render import build_completion

    with app.app_context():
        _, completion = build_completion()
        assert run_ready() >= 1  # the render queued by the issue ran after the commit
        certificate = current_certificate(completion.id)
        key, digest = certificate.pdf_key, certificate.pdf_sha256
        stored = get_storage().read(key)

        # Delivered twice: the second run finds the PDF stored and does nothing.
        assert render_certificate.apply(args=(certificate.id,)).get() is False

        # The worker died after writing the file, before its commit: the row has no PDF yet,
        # the file is there. The redelivered task writes the same key with the same bytes.
        certificate.pdf_key = certificate.pdf_sha256 = None
        db.session.commit()
        assert render_certificate.apply(args=(certificate.id,)).get() is True
        db.session.expire_all()
        again = db.session.get(Certificate, certificate.id)
        assert (again.pdf_key, again.pdf_sha256) == (key, digest)
        assert get_storage().read(key) == stored
        assert hashlib.sha256(stored).hexdigest() == digest


# --- report build -------------------------------------------------------------------------------


def _job(world) -> int:
    job = ExportJob(owner_id=world.users["admin_bkpsdm"].id, report="completions", format="csv")
    db.session.add(job)
    db.session.commit()
    return job.id


def _redelivered(job_id: int) -> bool:
    """The task as a worker runs a message Redis delivered again (kombu marks it)."""
    run_export.push_request(delivery_info={"redelivered": True})
    try:
        return run_export(job_id)
    finally:
        run_export.pop_request()


def test_report_export_twice_builds_one_file(app, world) -> None:
    with app.app_context():
        job_id = _job(world)
        assert run_export.apply(args=(job_id,)).get() is True
        first = db.session.get(ExportJob, job_id).file_key
        assert run_export.apply(args=(job_id,)).get() is False  # done: left alone
        assert _redelivered(job_id) is False  # done, even when redelivered
        db.session.expire_all()
        job = db.session.get(ExportJob, job_id)
        assert job.status == "done" and job.file_key == first
        assert get_storage().path(first).exists()


def test_report_export_of_a_dead_worker_is_built_by_the_redelivery(app, world) -> None:
    """Without the fix the job stayed "running" for ever: the redelivered task skipped it."""
    with app.app_context():
        job_id = _job(world)
        job = db.session.get(ExportJob, job_id)
        job.status = "running"  # the worker that started it was killed
        db.session.commit()
        assert run_export.apply(args=(job_id,)).get() is False  # a duplicate: not twice at once
        assert _redelivered(job_id) is True
        db.session.expire_all()
        job = db.session.get(ExportJob, job_id)
        assert job.status == "done" and get_storage().path(job.file_key).exists()


# --- webhook delivery and the outbox: exactly once per event id --------------------------------


def test_webhook_round_and_outbox_dispatch_twice_send_each_event_once(app, world) -> None:
    from tests.integrations.test_webhooks import SECRET, _complete

    receiver = Receiver()
    receiver.start()
    try:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = "127.0.0.1/32"
        with app.app_context():
            webhooks.add_endpoint(receiver.url, SECRET, None)
            db.session.commit()
            _complete(world)
            for _ in range(2):  # the dispatch delivered twice
                consumers.dispatch_outbox.apply().get()
            assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1
            handled = db.session.scalar(
                select(func.count(ProcessedEvent.event_id)).where(
                    ProcessedEvent.consumer == "webhooks"
                )
            )
            assert handled == 1
            for _ in range(2):  # the delivery round delivered twice
                deliveries.deliver_due_task.apply().get()
            [delivery] = db.session.scalars(select(WebhookDelivery)).all()
            assert delivery.status == "delivered" and delivery.attempts == 1
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE"] = ""
        receiver.stop()
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["X-Akademi-Event-Id"] == delivery.event_id
