"""Readiness: may this process take traffic? The database answers, Redis answers (when
configured) and the database schema is at the code's Alembic head (a new release started before
``flask db upgrade`` must not get requests). Liveness (``/livez``) asks none of this.

Each check returns ``"ok"`` or a short reason that names no secret (no URL, no exception text).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.extensions import db
from lms.observability.metrics import redis_client

log = logging.getLogger(__name__)

OK = "ok"
_HEADS: dict[str, frozenset[str]] = {}


def code_heads(directory: str) -> frozenset[str]:
    """The migration scripts' head revisions; read once per process (the code does not change
    under a running process)."""
    heads = _HEADS.get(directory)
    if heads is None:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", directory)
        heads = frozenset(ScriptDirectory.from_config(config).get_heads())
        _HEADS[directory] = heads
    return heads


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("readiness: database unreachable", exc_info=True)
        return "unreachable"
    return OK


def check_redis() -> str | None:
    """None when no Redis is configured (nothing to check)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        redis_client(url).ping()
    except Exception:  # redis raises its own hierarchy, OSError and more
        log.warning("readiness: redis unreachable", exc_info=True)
        return "unreachable"
    return OK


def check_migrations() -> str:
    migrate = current_app.extensions.get("migrate")
    directory = str(getattr(migrate, "directory", "") or "")
    if not directory or not Path(directory).is_dir():
        return "no migration scripts"
    heads = code_heads(directory)
    try:
        rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
        applied = frozenset(rows)
    except SQLAlchemyError:
        db.session.rollback()
        return "not migrated (no alembic_version)"
    if applied != heads:
        shown = ", ".join(sorted(applied)) or "none"
        return f"not at head (database: {shown}; code: {', '.join(sorted(heads))})"
    return OK


def readiness() -> dict[str, str]:
    """Check name → ``"ok"`` or why not; the migrations only when the database answers."""
    checks = {"database": check_database()}
    redis = check_redis()
    if redis is not None:
        checks["redis"] = redis
    if checks["database"] == OK:
        checks["migrations"] = check_migrations()
    return checks
