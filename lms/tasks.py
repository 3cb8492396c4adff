"""Celery bound to Flask.

With ``LMS_REDIS_URL`` set, tasks go to Redis and run in Celery workers
(``celery -A lms.worker worker``, ``lms/worker.py``). Without it, ``task_always_eager`` runs them in-process so a
single machine needs nothing else.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db


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
        task_time_limit=300,
        task_soft_time_limit=240,
        timezone="Asia/Jakarta",
        # Celery beat (when a broker is configured); cron runs the same through the CLI.
        beat_schedule={
            "webhooks-deliver": {"task": "webhooks.deliver_due", "schedule": 60.0},
            "quizzes-sweep": {"task": "quizzes.sweep_overdue", "schedule": 60.0},
            "outbox-dispatch": {"task": "completion.dispatch_outbox", "schedule": 300.0},
        },
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


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

_PENDING = "lms_tasks_pending"


def after_commit(task: Task, *args: object) -> None:
    """Run ``task(*args)`` once the current transaction commits; nothing if it rolls back."""
    pending = db.session.info.setdefault(_PENDING, [])
    if (task, args) not in pending:  # e.g. one outbox dispatch per commit, however many events
        pending.append((task, args))


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
    for task, args in pending:
        if eager:
            _ready().append((task, args))
        else:
            task.delay(*args)


def _on_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_PENDING, None)


def run_ready() -> int:
    """Run the in-process tasks whose transaction has committed; returns how many ran."""
    if not has_app_context():
        return 0
    ready = _ready()
    count = 0
    while ready:
        task, args = ready.pop(0)
        try:
            task.apply(args=args, throw=True)
            count += 1
        except Exception:  # a failed background task must not fail the request that queued it
            current_app.logger.exception("task %s failed", task.name)
            db.session.rollback()
    return count


if not event.contains(Session, "after_commit", _on_commit):
    event.listen(Session, "after_commit", _on_commit)
    event.listen(Session, "after_rollback", _on_rollback)
