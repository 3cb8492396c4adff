"""The request id: one token that ties together every log line of one request, the tasks it
queued and the proxy's access log.

nginx sets ``X-Request-ID`` (``proxy_set_header X-Request-ID $request_id``); a sane incoming
token is kept, anything else (missing, too long, odd characters that could forge log lines) is
replaced by a fresh one. The id lives in a context variable, so it follows the request's thread
(gthread workers) and never leaks into another request; Celery tasks carry it in a message
header and the in-process background thread gets it handed over (``lms.tasks``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, Response, request

HEADER = "X-Request-ID"
#: Letters, digits and ``._:-``, at most 128: nginx's $request_id (32 hex), UUIDs, trace ids.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")

_current: ContextVar[str | None] = ContextVar("lms_request_id", default=None)


def current() -> str | None:
    """This request's (or task's) id, or None outside one."""
    return _current.get()


def new_id() -> str:
    """32 hex digits, like nginx's $request_id (os.urandom: half the cost of uuid4().hex)."""
    return os.urandom(16).hex()


def accept(value: str | None) -> str:
    """The incoming token when it is sane, else a fresh one."""
    if value and _SANE.fullmatch(value):
        return value
    return new_id()


@contextmanager
def bound(request_id: str | None) -> Iterator[str]:
    """Run a block (a task, a background job) under ``request_id`` (a fresh one when None)."""
    rid = request_id or new_id()
    token = _current.set(rid)
    try:
        yield rid
    finally:
        _current.reset(token)


def bind(request_id: str | None) -> str | None:
    """Set the id and return the one it replaces (for signal pairs that cannot use ``with``)."""
    previous = _current.get()
    _current.set(request_id)
    return previous


def init_app(app: Flask) -> None:
    """Take or make the id first thing in a request, echo it in the response, forget it last."""

    def take() -> None:
        _current.set(accept(request.headers.get(HEADER)))

    def echo(response: Response) -> Response:
        rid = _current.get()
        if rid:
            response.headers[HEADER] = rid
        return response

    def forget(_exc: BaseException | None) -> None:
        _current.set(None)

    app.before_request_funcs.setdefault(None, []).insert(0, take)
    app.after_request(echo)
    app.teardown_request(forget)
    install_record_factory()


def install_record_factory() -> None:
    """Every log record gets ``request_id`` (``"-"`` outside a request), whichever handler
    formats it: ours, Celery's, pytest's. Installed once per process."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "lms_request_id", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _current.get() or "-"
        return record

    factory.lms_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
