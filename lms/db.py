"""Declarative base, naming convention, shared mixins and column helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The largest value of PostgreSQL's ``integer`` (every id column); a bigger number from a URL,
#: a query string or a JSON body cannot name a row, and sent to the database it is an error.
INT_MAX = 2**31 - 1


def db_int(value: object) -> int:
    """``int()`` for ids and page numbers from outside: out of ``integer`` range is a ValueError
    (so ``request.args.get(..., type=db_int)`` falls back to its default, like a typo)."""
    number = int(value)  # type: ignore[call-overload]
    if not -INT_MAX - 1 <= number <= INT_MAX:
        raise ValueError(f"{number} is out of range")
    return number


def is_db_id(value: object) -> bool:
    """A JSON value that can be a row id: a positive ``integer`` (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT_MAX


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A moment in UTC; a naive value is taken to be UTC already (every stored time is), None
    stays None. Columns hand back aware UTC values (``UTCDateTime``); this is for moments from
    elsewhere (a caller's ``now``, a value set on an object and not yet reloaded)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime | None) -> str | None:
    """The one ISO 8601 form of a moment the app sends out (API, completion events, the quiz
    timer): in UTC with its offset (``2026-12-06T01:02:03.456789+00:00``); None stays None."""
    if moment is None:
        return None
    return as_utc(moment).isoformat()


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always hands back an aware UTC datetime.

    PostgreSQL keeps the zone (``timestamptz``) but answers in the connection's zone; SQLite keeps
    none and hands back naive values. Written values are converted to UTC (a naive one is taken as
    UTC), read values are marked or converted to UTC, so no caller patches ``tzinfo`` and
    comparisons between stored and current moments never mix naive and aware. The DDL is the
    impl's, so the column type changes nothing in the schema (no migration).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return as_utc(value) if isinstance(value, datetime) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return as_utc(value) if isinstance(value, datetime) else value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def in_values(column: str, values: object) -> str:
    """SQL for a CHECK constraint that keeps ``column`` within a fixed set of states."""
    quoted = ", ".join(f"'{v}'" for v in values)  # values are code constants, never input
    return f"{column} IN ({quoted})"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, and WAL so readers do not block the writer."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint(conn, name) -> None:
    """SQLite: open the real transaction before a SAVEPOINT.

    Python's sqlite3 module issues its implicit BEGIN only before a write, so a savepoint taken
    after reads alone would *start* the transaction, and releasing it would commit everything so
    far: a later rollback (a refused form) could no longer undo it.
    """
    if conn.dialect.name != "sqlite":
        return
    dbapi_connection = conn.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before handing it out, but only if it sat idle that long.

    SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: a round trip on every
    request, half of those of a quiz autosave. A connection back in the pool moments ago is alive;
    one idle for a while may have been cut (a database restart, a firewall), so it is tested, and
    a dead one is replaced before the request sees it (DisconnectionError makes the pool retry).
    """

    @event.listens_for(engine, "connect")
    def _fresh(dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(str(err)) from err


def for_this_dialect(dialect_name: str):
    """Alembic ``include_object`` for autogenerate: leave out an index the models create on
    another database only (``Index(...).ddl_if(dialect="postgresql")``), so comparing the
    models with a SQLite schema finds no drift where the migration rightly skipped it."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        only = getattr(obj, "_ddl_if", None)
        return not (
            type_ == "index" and only is not None and only.dialect not in (None, dialect_name)
        )

    return include


def keep_prepared_statements(engine: Engine) -> None:
    """End a transaction that only read with COMMIT instead of ROLLBACK, on PostgreSQL.

    psycopg prepares a statement on a connection once it has run it five times, which spares
    PostgreSQL planning it again (0.5 ms for the account query every request makes). But psycopg
    forgets every prepared statement on ROLLBACK (a rolled-back DDL may have dropped what they
    name), and SQLAlchemy ends every session with a rollback: so nothing stayed prepared, and
    every request planned each of its queries afresh. A transaction that ran only SELECTs has
    nothing to undo: COMMIT ends it the same way and keeps the prepared statements. One that
    wrote anything (any statement not starting with SELECT, savepoints included), or whose
    state is unknown, still ends with ROLLBACK.
    """
    if engine.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    in_transaction = TransactionStatus.INTRANS
    rollback = engine.dialect.do_rollback

    @event.listens_for(engine, "connect")
    def _fresh(dbapi_connection, record) -> None:
        dbapi_connection.lms_wrote = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.startswith("SELECT"):
            cursor.connection.lms_wrote = True

    def do_rollback(dbapi_connection) -> None:
        # (SQLAlchemy's first connect hands a proxy that takes no attributes: the connection)
        dbapi_connection = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        if (
            getattr(dbapi_connection, "lms_wrote", True) is False
            and dbapi_connection.info.transaction_status == in_transaction
        ):
            dbapi_connection.commit()
        else:
            rollback(dbapi_connection)
        dbapi_connection.lms_wrote = False

    def do_commit(dbapi_connection) -> None:
        dbapi_connection = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        dbapi_connection.commit()
        dbapi_connection.lms_wrote = False

    engine.dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    engine.dialect.do_commit = do_commit  # type: ignore[method-assign]
