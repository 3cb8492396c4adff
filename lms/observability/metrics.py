"""``/metrics`` in Prometheus' text format, right with several gunicorn workers.

Request counts and latencies are counted per process; with ``PROMETHEUS_MULTIPROC_DIR`` set
(before the app is imported) prometheus_client keeps them in files of that directory, one set per
worker, and a scrape adds up every worker's. Labels: the Flask endpoint (``courses.course``, not
``/kursus/123``: no series per id) and the status class (``2xx``).

Gauges are computed when scraped, by whichever worker answers, from the database or Redis: a
feature registers one with ``gauge(name, help)(fn)`` where ``fn() -> float | None`` (None: not
applicable here, nothing sent), so this module names no feature above it. A gauge that fails is
left out of that scrape and logged; the others are still sent.

The page is not public: loopback, the networks in ``METRICS_ALLOW``, or
``Authorization: Bearer <LMS_METRICS_TOKEN>``; anyone else gets 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterator
from time import perf_counter
from typing import Any

from flask import Flask, Request, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

GaugeFn = Callable[[], float | None]
_GAUGES: dict[str, tuple[str, GaugeFn]] = {}

disable_created_metrics()  # the *_created series: as in multiprocess mode, which has none

#: This process's counters (also the only ones read when not in multiprocess mode).
_LOCAL = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "lms_http_requests",
    "HTTP requests answered, by Flask endpoint and status class.",
    ("endpoint", "status"),
    registry=_LOCAL,
)
LATENCY = Histogram(
    "lms_http_request_duration_seconds",
    "Time from the first before-request hook to the response, by endpoint and status class.",
    ("endpoint", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_LOCAL,
)


_SERIES: dict[tuple[str, str], tuple] = {}


def _series(endpoint: str, status: str) -> tuple:
    """The counter and histogram children of one label pair, kept (``labels()`` takes a lock
    and builds a key on every call)."""
    found = _SERIES.get((endpoint, status))
    if found is None:
        found = (REQUESTS.labels(endpoint, status), LATENCY.labels(endpoint, status))
        _SERIES[(endpoint, status)] = found
    return found


def gauge(name: str, help_text: str) -> Callable[[GaugeFn], GaugeFn]:
    """Register ``fn`` as the gauge ``name``, computed at scrape time (decorator)."""

    def register(fn: GaugeFn) -> GaugeFn:
        _GAUGES[name] = (help_text, fn)
        return fn

    return register


def gauges() -> dict[str, tuple[str, GaugeFn]]:
    return dict(_GAUGES)


class _ScrapeGauges:
    def collect(self) -> Iterator[GaugeMetricFamily]:
        from lms.extensions import db

        for name, (help_text, fn) in sorted(_GAUGES.items()):
            try:
                value = fn()
            except Exception:  # one broken source must not hide the other figures
                log.exception("metrics gauge %s failed", name)
                db.session.rollback()
                continue
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value=float(value))


class _Local:
    def collect(self) -> Iterator:
        return _LOCAL.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def render() -> Response:
    """Every worker's request figures plus the gauges, computed now."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Local())
    registry.register(_ScrapeGauges())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _networks(setting: str) -> list:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in setting.split(",") if n.strip()]


def allowed(req: Request) -> bool:
    """Loopback (unless a proxy's forwarded request that ``TRUSTED_PROXIES`` does not believe:
    then the real client is unknown), a ``METRICS_ALLOW`` network, or the bearer token."""
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    if token:
        given = req.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(
            given[7:].strip().encode(), str(token).encode()
        ):
            return True
    try:
        address = ipaddress.ip_address(req.remote_addr or "")
    except ValueError:
        return False
    if address.is_loopback and (
        int(config.get("TRUSTED_PROXIES") or 0) or "X-Forwarded-For" not in req.headers
    ):
        return True
    return any(address in net for net in _networks(str(config.get("METRICS_ALLOW") or "")))


def init_app(app: Flask) -> None:
    """Count every request by endpoint and status class; check ``METRICS_ALLOW`` now, so a typo
    stops the start instead of hiding the page."""
    try:
        _networks(str(app.config.get("METRICS_ALLOW") or ""))
    except ValueError as error:
        raise RuntimeError(f"METRICS_ALLOW: {error}") from error

    def start() -> None:
        g.lms_metrics_start = perf_counter()

    def count(response: Response) -> Response:
        begun = g.pop("lms_metrics_start", None)
        if begun is not None:
            requests, latency = _series(
                request.endpoint or "none", f"{response.status_code // 100}xx"
            )
            requests.inc()
            latency.observe(perf_counter() - begun)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request(count)


def redis_client(url: str) -> Any:  # a redis.Redis
    """One client per URL and process (redis-py reconnects after a fork), short timeouts."""
    client = _REDIS.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        _REDIS[url] = client
    return client


_REDIS: dict[str, object] = {}


@gauge("lms_celery_queue_length", "Tasks waiting in the Celery broker's default queue (Redis).")
def _celery_queue_length() -> float | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    celery = current_app.extensions.get("celery")
    queue = (celery.conf.task_default_queue if celery else None) or "celery"
    return float(redis_client(url).llen(queue))
