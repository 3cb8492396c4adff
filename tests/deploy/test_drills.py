"""Fault drills (bench/drills.py, bench/drills_infra.py), short versions: an app server killed
with SIGKILL in the middle of an exam burst through nginx, the outbox dispatcher killed between a
consumer's effect and its saved position, and a webhook receiver down while completions are made.

Slow (each starts the whole cluster: about 1.5–2.5 minutes on a shared 2-core machine) and needs
nginx, PostgreSQL and Redis: it runs only with ``LMS_CLUSTER_TEST=1``."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

from tests.deploy.cluster_module import load

cluster = load()

pytestmark = pytest.mark.skipif(
    os.environ.get("LMS_CLUSTER_TEST") != "1" or not cluster.nginx_available(),
    reason="set LMS_CLUSTER_TEST=1 (needs nginx, PostgreSQL and Redis)",
)

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench(name: str, filename: str):
    if name in sys.modules:
        return sys.modules[name]
    sys.modules.setdefault("cluster", cluster)  # the drills import bench/cluster.py as "cluster"
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def drills():
    return _bench("lms_bench_drills", "drills.py")


def drills_infra():
    return _bench("drills_infra", "drills_infra.py")  # the name bench/drills.py imports it by


def test_app_server_killed_mid_exam_loses_no_acknowledged_answer() -> None:
    d = drills()
    args = d.parser().parse_args(["--quiet", "app-kill", "--employees", "30", "--questions", "5"])
    data = d.drill_app_kill(args)
    checked = data["database"]
    assert checked["answers_lost"] == 0
    assert checked["answers_acknowledged"] == 30 * 5
    assert checked["employees_with_several_attempts"] == 0
    assert checked["attempts_graded"] == 30
    assert data["errors_after"] == 0
    assert data["employees_failed"] == 0


def test_outbox_dispatcher_killed_after_an_effect_makes_each_effect_once() -> None:
    d = drills()
    data = d.drill_outbox_relay(d.parser().parse_args(["--quiet", "outbox-relay"]))
    assert data["crashed"]
    assert data["webhook_deliveries"] == data["webhook_deliveries_distinct_events"]
    assert data["webhook_deliveries"] == data["events"]
    assert data["learning_records"][0] == data["learning_records"][1]
    assert not any(data["duplicates"].values())
    assert data["positions_after"] == data["positions_before"]
    assert data["ok"]


def test_webhook_receiver_down_during_completions_gets_every_event_once() -> None:
    """16 completions: 4 delivered with the receiver up, 8 made while it is down (at least 10 s,
    and until a delivery has failed), 4 once it is back; every event arrives exactly once."""
    d = drills_infra()
    argv = ["--quiet", "webhook-down", "--completions", "16", "--down-seconds", "10"]
    data = d.webhook_drill(d.parser().parse_args(argv))
    print(json.dumps(data, indent=2))  # the figures, in the CI log with -rA
    assert data["completions"] == 16
    assert data["events_missing"] == 0
    assert data["events_received"] == 16
    assert data["duplicates"] == 0
    assert data["deliveries_failed_when_back"] > 0  # the outage was felt: retries were drilled
    assert data["deliveries_retried"] > 0
    assert data["down_s"] >= 10
    assert data["delivery_states"].get("dead", 0) == 0
