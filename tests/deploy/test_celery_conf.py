"""The Celery configuration a production worker runs with (issue 20 point 4): late acknowledgement,
a redelivery window longer than any task, and beat running everything cron runs without it."""

from __future__ import annotations

from pathlib import Path

from lms.tasks import TASK_ROUTES, VISIBILITY_TIMEOUT, WEBHOOKS_QUEUE
from tests.deploy.cluster_module import load

SYSTEMD = Path(__file__).resolve().parents[2] / "deploy" / "systemd"

#: What cron runs in-process without Celery beat (README "Running at scale"), by task name.
CRON_TASKS = {
    "quizzes.sweep_overdue",  # flask quiz sweep
    "webhooks.deliver_due",  # flask webhooks deliver
    "reports.run_scheduled",  # flask reports send-scheduled
    "followup.send_due",  # flask followup send-due (daily)
    "imports.sweep",  # flask imports sweep
    "storage.sweep_parts",  # flask storage sweep
    "completion.dispatch_outbox",  # flask outbox dispatch
}


def _celery(app):
    return app.extensions["celery"]


def test_tasks_are_acknowledged_late_one_at_a_time(app) -> None:
    conf = _celery(app).conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def _queue_of(celery, name: str) -> str:
    """The queue a worker would get ``name`` from, as ``delay()`` and beat route it."""
    return celery.amqp.router.route({}, name, (), {})["queue"].name


def test_webhook_rounds_and_the_outbox_relay_do_not_queue_behind_pdf_renders(app) -> None:
    """A burst of completions queues one ~1 s certificate render each: the webhook rounds and
    the outbox relay that feeds them go to a queue of their own (bench/README.md, webhook-down)."""
    celery = _celery(app)
    assert _queue_of(celery, "webhooks.deliver_due") == WEBHOOKS_QUEUE == "webhooks"
    assert _queue_of(celery, "completion.dispatch_outbox") == WEBHOOKS_QUEUE
    assert _queue_of(celery, "certificates.render") == "celery"
    others = {
        name: _queue_of(celery, name)
        for name in celery.tasks
        if not name.startswith("celery.") and name not in TASK_ROUTES
    }
    assert "reports.export" in others and "quizzes.import_bank" in others
    assert set(others.values()) == {"celery"}, others


def test_workers_consume_the_queues_the_tasks_are_sent_to(app) -> None:
    """systemd: a small worker takes only ``webhooks``, the main one both (so nothing waits for
    ever without the small one); bench/cluster.py starts the same and routes like the app."""
    small = (SYSTEMD / "akademi-worker-webhooks.service").read_text()
    main = (SYSTEMD / "akademi-worker.service").read_text()
    assert "celery -A lms.worker worker" in small and f"-Q {WEBHOOKS_QUEUE} " in small
    assert f"-Q celery,{WEBHOOKS_QUEUE} " in main
    cluster = load()
    assert cluster.TASK_ROUTES == TASK_ROUTES
    assert cluster.QUEUES == ("celery", WEBHOOKS_QUEUE)


def test_redelivery_waits_longer_than_the_longest_task(app) -> None:
    celery = _celery(app)
    conf = celery.conf
    assert conf.broker_transport_options["visibility_timeout"] == VISIBILITY_TIMEOUT
    limits = [conf.task_time_limit] + [
        task.time_limit
        for name, task in celery.tasks.items()
        if not name.startswith("celery.") and task.time_limit
    ]
    assert max(limits) >= 3300  # reports.run_scheduled: the longest
    assert max(limits) < VISIBILITY_TIMEOUT


def test_beat_runs_what_cron_runs_and_every_entry_names_a_task(app) -> None:
    celery = _celery(app)
    scheduled = {entry["task"] for entry in celery.conf.beat_schedule.values()}
    assert scheduled >= CRON_TASKS
    registered = set(celery.tasks.keys())
    assert scheduled <= registered, scheduled - registered


def test_tasks_that_talk_to_other_servers_retry_with_backoff(app) -> None:
    from lms.completion.consumers import dispatch_outbox
    from lms.integrations.deliveries import deliver_due_task

    for task in (deliver_due_task, dispatch_outbox):
        assert task.autoretry_for and task.retry_backoff and task.max_retries


def test_a_webhook_round_the_database_interrupted_is_retried(app, monkeypatch) -> None:
    """A worker sends the task again in 2, 4, 8 … s (with jitter); in-process (eager) the Retry
    is raised to the caller, which logs it, and the next cron round sends what is due."""
    import pytest
    from celery.exceptions import Retry
    from sqlalchemy.exc import OperationalError

    from lms.integrations import deliveries

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(deliveries, "deliver_due", down)
    with app.app_context(), pytest.raises(Retry) as retry:
        deliveries.deliver_due_task.apply(throw=True)
    assert isinstance(retry.value.exc, OperationalError)
    assert 0 <= retry.value.when <= 2


def test_imports_sweep_task_deletes_stale_uploads(app, tmp_path, monkeypatch) -> None:
    import os
    import time

    from lms.imports import sweep_pending_task

    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path))
    folder = tmp_path / "imports"
    folder.mkdir()
    stale = folder / ("a" * 32 + ".csv")
    fresh = folder / ("b" * 32 + ".csv")
    stale.write_text("x")
    fresh.write_text("y")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    with app.app_context():
        assert sweep_pending_task.apply().get() == 1
    assert not stale.exists() and fresh.exists()


def test_sweep_task_and_command_use_the_files_folder(app, tmp_path, monkeypatch) -> None:
    """The hourly beat task and ``flask storage sweep`` (cron) sweep ``LMS_FILES_DIR``; the
    command refuses an age under an hour, which could catch a report export being written."""
    import os
    import time

    from lms.storage import sweep_parts_task

    hour = 3600.0
    part = ".abc.pdf." + "0" * 32 + ".part"

    def aged(path, seconds):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (now - seconds, now - seconds))
        return path

    monkeypatch.setitem(app.config, "FILES_DIR", str(tmp_path))
    now = time.time()
    stale = aged(tmp_path / "certificates" / part, 2 * hour)
    with app.app_context():
        assert sweep_parts_task.apply().get() == 1
    assert not stale.exists()

    stale = aged(tmp_path / "certificates" / part, 2 * hour)
    ninety_minutes_old = aged(
        tmp_path / "certificates" / (".b.pdf." + "4" * 32 + ".part"), 1.5 * hour
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["storage", "sweep", "--minutes", "120"])
    assert result.exit_code == 0, result.output
    assert "1 temporary file(s) deleted" in result.output
    assert not stale.exists() and ninety_minutes_old.exists()
    result = runner.invoke(args=["storage", "sweep", "--minutes", "5"])  # would catch live writes
    assert result.exit_code != 0 and ninety_minutes_old.exists()
    assert runner.invoke(args=["storage", "sweep"]).exit_code == 0
    assert not ninety_minutes_old.exists()
