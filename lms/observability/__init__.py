"""Observability: request ids and JSON logs, per-request timing (``Server-Timing``), Prometheus
metrics and readiness checks. A bottom-layer helper: features register their gauges here
(``metrics.gauge``), the factory calls ``init_app`` before anything else adds request hooks, so
the clocks start first and the headers are set last.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.observability import logs, metrics, requestid, timing

    logs.configure_logging(app)
    requestid.init_app(app)
    metrics.init_app(app)
    timing.init_app(app)
