"""Attempt limits that hold across every worker and server: counted in the database.

Flask-Limiter keeps its counters in Redis when ``LMS_REDIS_URL`` is set and otherwise in the memory
of each worker process, so with four workers and no Redis a limit of 10 lets up to 40 through. The
limits that guard one account's password (logins per account, the current-password check on the
password page) must be exact whatever the deployment, so they are counted here instead, in the
application's own database:

- one atomic statement per attempt (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) in a fixed
  window per key; PostgreSQL locks the key's row for the statement, SQLite writes one at a time;
- the attempt is counted *before* the password is checked, so parallel attempts cannot all read a
  count below the limit and all go on to the check; a right password gives its attempt back, so
  only failures use up the limit and the owner's own login does not wipe an attacker's count;
- on a connection of its own, committed at once: a request that fails or rolls back afterwards
  still counts, and the request's transaction is not held open by the counter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from limits import parse
from sqlalchemy import DateTime, Integer, bindparam, case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.auth.models import AttemptCounter
from lms.db import as_utc, utcnow
from lms.extensions import db


class TooManyAttempts(Exception):
    """The key used up its attempts; ``retry_after`` seconds until its window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = retry_after


def attempt(key: str, limit: str) -> None:
    """Count one attempt for ``key`` against ``limit`` (Flask-Limiter notation, e.g. "10 per
    minute"); raise TooManyAttempts when it goes over. Call :func:`give_back` after a success."""
    item = parse(limit)
    now = utcnow()
    values = {
        "key": key[:160],
        "now": now,
        "expires": now + timedelta(seconds=item.get_expiry()),
    }
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        hits, expires_at = connection.execute(_count(connection.dialect.name), values).one()
        if hits == 1:  # a window opened: sweep the windows that have ended, this key's included
            table = AttemptCounter.__table__
            connection.execute(delete(table).where(table.c.expires_at <= now))
    if hits > item.amount:
        raise TooManyAttempts(_seconds_until(expires_at, now))


def give_back(key: str) -> None:
    """The attempt succeeded: it does not count against the limit."""
    table = AttemptCounter.__table__
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            update(table)
            .where(table.c.key == key[:160], table.c.hits > 0)
            .values(hits=table.c.hits - 1)
        )


@lru_cache(maxsize=4)
def _count(dialect: str) -> Any:
    """INSERT (key, 1, window end) … ON CONFLICT (key) DO UPDATE: one more hit in a running
    window, or a fresh window of one hit when the old one has ended … RETURNING hits, window end."""
    table = AttemptCounter.__table__
    now = bindparam("now", type_=DateTime(timezone=True))
    expires = bindparam("expires", type_=DateTime(timezone=True))
    ended = table.c.expires_at <= now
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
        key=bindparam("key"), hits=bindparam("one", 1, type_=Integer), expires_at=expires
    )
    return stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "hits": case((ended, 1), else_=table.c.hits + 1),
            "expires_at": case((ended, expires), else_=table.c.expires_at),
        },
    ).returning(table.c.hits, table.c.expires_at)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((as_utc(moment) - now).total_seconds() + 0.999))
