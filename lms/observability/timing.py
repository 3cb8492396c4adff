"""Per-request timing: the request's total time, the time spent in SQL and the number of
statements, sent back as a ``Server-Timing`` header when ``SERVER_TIMING`` is on::

    Server-Timing: app;dur=41.7, db;dur=12.3;desc="7 queries"

(``bench/`` parses this exact shape.) The SQL side listens to every engine's
``before_cursor_execute``/``after_cursor_execute``, but counts only while a request of an app
with ``SERVER_TIMING`` on holds a tally in the context variable: otherwise a statement costs one
context-variable lookup, and the listeners are not even installed until such an app exists.
"""

from __future__ import annotations

from contextvars import ContextVar
from time import perf_counter

from flask import Flask, Response, g
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "Server-Timing"


class Tally:
    """One request's SQL statements and seconds."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0


_tally: ContextVar[Tally | None] = ContextVar("lms_sql_tally", default=None)
_STARTS = "lms_statement_starts"


def _before(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    if _tally.get() is not None:
        conn.info.setdefault(_STARTS, []).append(perf_counter())


def _after(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    tally = _tally.get()
    starts = conn.info.get(_STARTS)
    if tally is None or not starts:
        return
    tally.seconds += perf_counter() - starts.pop()
    tally.count += 1


def _failed(context) -> None:
    """A statement that raised still took time and still went to the database."""
    _after(context.connection, None, None, None, None, None)


def _listen() -> None:
    if not event.contains(Engine, "before_cursor_execute", _before):
        event.listen(Engine, "before_cursor_execute", _before)
        event.listen(Engine, "after_cursor_execute", _after)
        event.listen(Engine, "handle_error", _failed)


def header_value(total_seconds: float, tally: Tally) -> str:
    return (
        f"app;dur={total_seconds * 1000:.1f}, "
        f'db;dur={tally.seconds * 1000:.1f};desc="{tally.count} queries"'
    )


def init_app(app: Flask) -> None:
    """Start the clock first thing in a request; add the header last (after the in-process
    tasks that run after the view: they are part of what the request cost)."""
    if not app.config.get("SERVER_TIMING"):
        return
    _listen()

    def start() -> None:
        _tally.set(Tally())
        g.lms_timing = perf_counter()

    def finish(response: Response) -> Response:
        begun = g.pop("lms_timing", None)
        if begun is None:
            return response
        tally = _tally.get() or Tally()
        _tally.set(None)
        response.headers[HEADER] = header_value(perf_counter() - begun, tally)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request(finish)
