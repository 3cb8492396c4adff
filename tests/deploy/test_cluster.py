"""The production topology on this machine (bench/cluster.py), end to end: nginx in front of two
gunicorn app servers, a Celery worker and beat on Redis, PostgreSQL, one shared files folder.

Slow (about 1–3 minutes: migrations, the demo data, ~600 tasks the demo queues) and needs nginx,
PostgreSQL and Redis: it runs only with ``LMS_CLUSTER_TEST=1``."""

from __future__ import annotations

import os

import pytest

from tests.deploy.cluster_module import load

cluster = load()

pytestmark = pytest.mark.skipif(
    os.environ.get("LMS_CLUSTER_TEST") != "1" or not cluster.nginx_available(),
    reason="set LMS_CLUSTER_TEST=1 (needs nginx, PostgreSQL and Redis)",
)


def test_cluster_serves_through_nginx_runs_tasks_and_survives_an_app_server() -> None:
    with cluster.Cluster(app_servers=2, quiet=True) as c:
        seen = cluster.smoke(c)
        assert len(seen["upstreams"]) == 2 and seen["static_by_nginx"]

        # One app server dies: nginx sends every page to the other one.
        c.kill_app(0)
        browser = cluster.Browser(c.url)
        browser.login("atasan")
        for _ in range(4):
            status, headers, _ = browser.get("/dasbor")
            assert status == 200
            assert headers["X-Akademi-Upstream"].endswith(f":{c.app_ports[1]}")
        c.restart_app(0)
        assert cluster.http_status(c.app_url(0) + "/healthz") == 200

        # The worker's pool process is killed: the worker forks another and goes on.
        assert c.kill_worker_child()
        assert cluster._render_through_worker(c) < 60
        database, files = c.database, c.dir
    assert not files.exists()
    import psycopg

    with psycopg.connect(cluster.PG_ADMIN, autocommit=True) as conn:
        left = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        assert left.fetchone() is None
