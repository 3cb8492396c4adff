"""Celery bound to Flask.

With ``LMS_REDIS_URL`` set, tasks go to Redis and run in Celery workers
(``celery -A lms.worker worker``, ``lms/worker.py``): the outbox relay and webhook rounds in
the queue ``webhooks`` (``TASK_ROUTES``), everything else in ``celery``. Without it, ``task_always_eager`` runs them in-process so a
single machine needs nothing else.
"""

from __future__ import annotations

import os
import queue
import threading

from celery import Celery, Task
from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.observability import requestid

#: Seconds before Redis redelivers a task nobody acknowledged; above every task's time limit.
#: ``LMS_CELERY_VISIBILITY_TIMEOUT`` overrides it (the fault drills, bench/drills.py, use a few
#: seconds so a worker killed whole has its tasks back quickly; never that short in production).
VISIBILITY_TIMEOUT = int(os.environ.get("LMS_CELERY_VISIBILITY_TIMEOUT") or 2 * 3600)

#: The queue of the work that carries completions outward: the outbox relay (a few queries per
#: event) and the webhook rounds (waiting on receivers, not on the CPU). Both are cheap and a
#: receiver waits for them, so they must not queue behind the ~1 s certificate renders a burst of
#: completions leaves in the default queue (1,000 completions, 1,000 renders: bench/README.md,
#: webhook-down). A small worker consumes only this queue (deploy/systemd/
#: akademi-worker-webhooks.service); the main worker consumes it too, so nothing waits for ever
#: where that unit is not running. In-process (no broker) the routes play no part.
WEBHOOKS_QUEUE = "webhooks"
TASK_ROUTES = {
    "completion.dispatch_outbox": {"queue": WEBHOOKS_QUEUE},
    "webhooks.deliver_due": {"queue": WEBHOOKS_QUEUE},
}


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            # In-process (eager) tasks run inside the caller's app; a worker pushes its own.
            # Shared tasks are bound to the newest Celery app, which in a process holding
            # several Flask apps (tests, scripts) need not be the caller's.
            if has_app_context():
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("REDIS_URL")
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker or "memory://",
        result_backend=broker or None,
        task_always_eager=not broker,
        task_eager_propagates=True,
        task_ignore_result=True,
        task_default_queue="celery",
        task_routes=TASK_ROUTES,
        task_time_limit=300,
        task_soft_time_limit=240,
        timezone="Asia/Jakarta",
        # At least once: a task is acknowledged when it has finished, not when it was received,
        # and one whose worker process died (OOM, SIGKILL, a host lost) goes back to the queue.
        # Every task is therefore written to be run twice (tests/deploy/test_idempotency.py).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # A worker process reserves one task at a time: a long report does not hold others back.
        worker_prefetch_multiplier=1,
        # Redis hands an unacknowledged task to another worker after this many seconds: longer
        # than the longest hard time limit (reports.run_scheduled, 3300 s), or a running task
        # would start a second time beside itself.
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        broker_connection_retry_on_startup=True,
        # Celery beat (when a broker is configured): what cron runs without one (README "Running
        # at scale"). Features above this module add theirs through ``register_beat``: reports
        # (reports.run_scheduled, hourly) and the post-training follow-up (followup.send_due,
        # daily at 07:00 local time).
        beat_schedule={
            "webhooks-deliver": {"task": "webhooks.deliver_due", "schedule": 60.0},
            "quizzes-sweep": {"task": "quizzes.sweep_overdue", "schedule": 60.0},
            "outbox-dispatch": {"task": "completion.dispatch_outbox", "schedule": 300.0},
            "imports-sweep": {"task": "imports.sweep", "schedule": 3600.0},
            # temporary files of writes that died (a worker killed mid-render; lms/storage.py)
            "storage-sweep": {"task": "storage.sweep_parts", "schedule": 3600.0},
        },
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    carry_request_id(app)
    return celery_app


# --- the request id in tasks (lms.observability.requestid) ---------------------------------
#
# A task queued by a request logs under that request's id: it travels in a message header to a
# worker, and is handed to the in-process background thread (``BackgroundWorker.submit``). An
# eager task runs inside the request and keeps its id; a task without one (beat) gets a fresh id.

_RID_HEADER = "lms_request_id"


def carry_request_id(app: Flask) -> None:
    """Connect the signals once per process (Celery's signals are global), and format a
    worker's logs like the app's (``LOG_FORMAT``)."""
    from celery import signals

    signals.before_task_publish.connect(_publish_request_id, weak=False, dispatch_uid=_RID_HEADER)
    signals.task_prerun.connect(_bind_task_request_id, weak=False, dispatch_uid=_RID_HEADER)
    signals.task_postrun.connect(_unbind_task_request_id, weak=False, dispatch_uid=_RID_HEADER)
    kind = app.config.get("LOG_FORMAT")
    if kind:

        def worker_format(logger: object = None, **_kwargs: object) -> None:
            from lms.observability.logs import formatter

            for handler in getattr(logger, "handlers", []):
                handler.setFormatter(formatter(kind))

        signals.after_setup_logger.connect(worker_format, weak=False, dispatch_uid="lms_logs")
        signals.after_setup_task_logger.connect(
            worker_format, weak=False, dispatch_uid="lms_task_logs"
        )


def _publish_request_id(headers: dict | None = None, **_kwargs: object) -> None:
    rid = requestid.current()
    if rid and headers is not None:
        headers.setdefault(_RID_HEADER, rid)


def _bind_task_request_id(task: Task | None = None, **_kwargs: object) -> None:
    if task is None:
        return
    sent = task.request.get(_RID_HEADER) or (task.request.headers or {}).get(_RID_HEADER)
    if sent or requestid.current() is None:
        task.request.lms_previous_request_id = (requestid.bind(sent or requestid.new_id()),)


def _unbind_task_request_id(task: Task | None = None, **_kwargs: object) -> None:
    previous = getattr(task.request, "lms_previous_request_id", None) if task else None
    if previous is not None:
        requestid.bind(previous[0])


def register_beat(app: Flask, entries: dict[str, dict]) -> None:
    """Add a feature's periodic tasks to ``app``'s Celery beat, so this module names no feature
    above it (reports: the scheduled deliveries). Called when the feature's blueprint is
    registered, after ``init_celery``."""
    conf = app.extensions["celery"].conf
    conf.beat_schedule = {**(conf.beat_schedule or {}), **entries}


def __getattr__(name: str) -> Celery:
    if name in ("celery", "app"):  # `celery -A lms.tasks ...`, the entry point before lms.worker
        raise AttributeError("the Celery entry point moved to lms.worker (lms/worker.py)")
    raise AttributeError(name)


# --- the one after-commit queue -------------------------------------------------------------
#
# A service that issues a certificate must not render it before the row is committed (a worker
# would not see it, and a rollback would leave a PDF for nothing); a notification's e-mail must
# not leave for an action that is rolled back. Services call ``after_commit``; with a broker the
# task is sent once the transaction commits; without one it runs in-process right after the
# request (or when a CLI command calls ``run_ready``), each in its own unit of work. A failure
# there is logged and never fails the request that queued it: its work is already committed.
# With a broker that cannot be reached (Redis down), a task that cannot be sent falls back to the
# in-process path the same way (bench/drills_infra.py redis-stop), rather than failing a request
# whose work is already committed.
#
# A task queued with ``background=True`` talks to other servers (webhook deliveries): without a
# broker it must not hold up the page of the request that caused it, so in a web request it goes
# to this process's one background thread (``TASKS_IN_THREAD``, on by default; the tests run it
# inline for determinism). In a CLI command it runs inline, as the command waits anyway.

_PENDING = "lms_tasks_pending"


def after_commit(task: Task, *args: object, background: bool = False) -> None:
    """Run ``task(*args)`` once the current transaction commits; nothing if it rolls back."""
    pending = db.session.info.setdefault(_PENDING, [])
    if (task, args, background) not in pending:  # e.g. one outbox dispatch per commit
        pending.append((task, args, background))


def soon(task: Task, *args: object) -> None:
    """Run ``task(*args)`` in the background now, tied to no transaction: for work that writes
    nothing the request could roll back (a cache entry computed again). With a broker it is sent
    at once (in-process should the broker be down); without one it runs after the request like
    a ``background=True`` task of ``after_commit`` (the background thread; inline in the tests),
    or inline outside a request."""
    if not current_app.extensions["celery"].conf.task_always_eager:
        try:
            task.delay(*args)
            return
        except Exception:
            current_app.logger.warning(
                "broker unreachable: task %s runs in-process", task.name, exc_info=True
            )
    if has_request_context():
        _ready().append((task, args, True))
        return
    try:
        task.apply(args=args, throw=True)
    except Exception:
        current_app.logger.exception("task %s failed", task.name)


def _ready() -> list:
    if "lms_tasks_ready" not in g:
        g.lms_tasks_ready = []
    return g.lms_tasks_ready


def _on_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint, not the real commit
        return
    pending = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    eager = current_app.extensions["celery"].conf.task_always_eager
    for task, args, background in pending:
        if eager:
            _ready().append((task, args, background))
            continue
        try:
            task.delay(*args)
        except Exception:  # the broker is down: the work is committed, so run it here instead
            current_app.logger.warning(
                "broker unreachable: task %s runs in-process", task.name, exc_info=True
            )
            _ready().append((task, args, background))


def _on_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_PENDING, None)


def run_ready() -> int:
    """Run the in-process tasks whose transaction has committed; returns how many ran (or were
    handed to the background thread)."""
    if not has_app_context():
        return 0
    ready = _ready()
    count = 0
    threaded = has_request_context() and current_app.config.get("TASKS_IN_THREAD", True)
    while ready:
        task, args, background = ready.pop(0)
        if background and threaded:
            background_worker.submit(current_app._get_current_object(), task, args)
            count += 1
            continue
        try:
            task.apply(args=args, throw=True)
            count += 1
        except Exception:  # a failed background task must not fail the request that queued it
            current_app.logger.exception("task %s failed", task.name)
            db.session.rollback()
    return count


class BackgroundWorker:
    """One daemon thread per process that runs in-process background tasks in order, each in
    its own app context and session, after the request that queued them has answered.

    A task already waiting with the same arguments is not queued twice (ten completions in a
    minute make one delivery round, not ten); one that is running may be queued again, so work
    committed while it ran is still picked up. Started on first use (again in a forked child).
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        """Empty state; also in a forked child (gunicorn), which inherits no running thread."""
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._waiting: set[tuple] = set()
        self._thread: threading.Thread | None = None

    def submit(self, app: Flask, task: Task, args: tuple) -> None:
        key = (task.name, args)
        with self._lock:
            if key in self._waiting:
                return
            self._waiting.add(key)
            self._queue.put((app, task, args, key, requestid.current()))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="lms-background", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            app, task, args, key, request_id = self._queue.get()
            with self._lock:
                self._waiting.discard(key)
            try:
                with app.app_context(), requestid.bound(request_id):
                    try:
                        task.apply(args=args, throw=True)
                    except Exception:
                        app.logger.exception("background task %s failed", task.name)
                    finally:
                        db.session.remove()
            finally:
                self._queue.task_done()

    def join(self) -> None:
        """Wait until every queued task has run (tests; a graceful stop)."""
        self._queue.join()


background_worker = BackgroundWorker()
os.register_at_fork(after_in_child=background_worker._reset)


if not event.contains(Session, "after_commit", _on_commit):
    event.listen(Session, "after_commit", _on_commit)
    event.listen(Session, "after_rollback", _on_rollback)
