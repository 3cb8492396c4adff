"""Access expectations: the probes are public; /metrics answers the loopback address the test
client comes from (its refusal of everyone else: test_metrics.py)."""

from __future__ import annotations

from tests.observability.test_health import heads, stamp

EXPECTED = {
    ("main.livez", "GET"): "public",
    ("main.readyz", "GET"): "public",
    ("main.metrics", "GET"): "public",
}


def build_args(world) -> dict:
    """The schema as `flask db upgrade` leaves it, so /readyz answers 200, not 503."""
    from flask import current_app

    stamp(heads(current_app))
    return {}
