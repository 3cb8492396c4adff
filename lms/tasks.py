"""Celery bound to Flask.

With ``LMS_REDIS_URL`` set, tasks go to Redis and run in Celery workers
(``celery -A lms.tasks worker``). Without it, ``task_always_eager`` runs them in-process so a
single machine needs nothing else.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
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
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def _worker_app() -> Celery:
    """``celery -A lms.tasks worker`` entry point."""
    from lms import create_app

    return create_app().extensions["celery"]


def __getattr__(name: str) -> Celery:
    if name in ("celery", "app"):
        return _worker_app()
    raise AttributeError(name)
