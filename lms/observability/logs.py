"""Log format: one JSON object per line in production (``LOG_FORMAT=json``), readable text in
development (``text``); both carry the request id. ``LOG_FORMAT`` unset (the tests) leaves
logging as Python and Flask set it up.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id"[, "exc"]}``, one line per record."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (pytest and gunicorn swap it)."""

    lms_handler = True

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:  # logging's own attribute
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(app: Flask) -> None:
    """One handler on the root logger in the configured format (replacing ours from an earlier
    app in this process, never anyone else's); Flask's own handler is then not added."""
    kind = app.config.get("LOG_FORMAT")
    if not kind:
        return
    if kind not in ("json", "text"):
        raise RuntimeError(f"LOG_FORMAT must be json or text, not {kind!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "lms_handler", False)), None)
    if handler is None:
        handler = _StderrHandler()
        root.addHandler(handler)
    handler.setFormatter(formatter(kind))
    # The app's and every module's logger (lms.*); werkzeug's request lines (`flask run`),
    # which it would show through a handler of its own had the root none. An explicit level
    # (Flask's debug mode, the operator's) is kept.
    for name in ("lms", "werkzeug"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
