"""deploy/: the environment template names every LMS_* variable the code reads, gunicorn's file
loads with its hooks, the nginx site renders to a configuration nginx accepts."""

from __future__ import annotations

import re
import runpy
import shutil
from pathlib import Path

import pytest

from tests.deploy.cluster_module import load

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _variables_read() -> set[str]:
    """LMS_* names in config.py and lms/ (Python only), with the family config.py reads in a
    loop (``f"LMS_{name}"`` over a tuple of names)."""
    names: set[str] = set()
    for path in [ROOT / "config.py", ROOT / "wsgi.py", *(ROOT / "lms").rglob("*.py")]:
        names |= set(re.findall(r"\bLMS_[A-Z][A-Z0-9_]*\b", path.read_text()))
    config = (ROOT / "config.py").read_text()
    family = re.search(r"for name in \(([^)]*)\):\s*if env\.get\(f\"LMS_\{name\}\"\)", config)
    names |= {f"LMS_{n}" for n in re.findall(r'"([A-Z_]+)"', family.group(1))}
    return names


def test_env_template_explains_every_lms_variable() -> None:
    template = (DEPLOY / "lms.env.example").read_text()
    documented = set(re.findall(r"^#?(LMS_[A-Z0-9_]+)=", template, flags=re.M))
    read = _variables_read()
    assert "LMS_PACKAGE_MAX_DEPTH" in read and "LMS_DATABASE_URL" in read
    assert read <= documented, sorted(read - documented)
    assert "PROMETHEUS_MULTIPROC_DIR=" in template


def test_gunicorn_conf_loads_and_marks_dead_workers(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    (folder / "gauge_live_123.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread" and conf["timeout"] > 0
    conf["on_starting"](None)
    assert list(folder.iterdir()) == []  # a previous run's files are not summed in

    class Worker:
        pid = 123

    conf["child_exit"](None, Worker())  # without prometheus_client: nothing, no error


def test_systemd_units_name_the_deploy_files() -> None:
    web = (DEPLOY / "systemd/akademi-web.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in web
    assert "celery -A lms.worker worker" in (DEPLOY / "systemd/akademi-worker.service").read_text()
    assert "celery -A lms.worker beat" in (DEPLOY / "systemd/akademi-beat.service").read_text()
    assert "db upgrade" in (DEPLOY / "systemd/akademi-migrate.service").read_text()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        assert "EnvironmentFile=/etc/akademi/lms.env" in unit.read_text()


@pytest.mark.skipif(not load().nginx_available(), reason="nginx is not installed")
def test_nginx_accepts_the_rendered_site() -> None:
    cluster = load().Cluster(app_servers=2, quiet=True)
    try:
        site = cluster.render_site()
        assert "${" not in site.split("upstream akademi_app", 1)[1]  # every placeholder filled
        assert "alias " + str(ROOT / "lms/static") + "/;" in site
        checked = cluster.nginx_test()
        assert checked.returncode == 0, checked.stderr
    finally:
        shutil.rmtree(cluster.dir, ignore_errors=True)


def test_the_cluster_nginx_has_room_for_every_exam_browser_keep_alive_connection() -> None:
    """1,000 employees each keep a connection open, and every request in flight holds one to an
    app server: with 1024 nginx closed idle keep-alive connections early (the full-size app-kill
    drill: every employee's first exam request found its connection closed)."""
    cluster = load().Cluster(app_servers=2, quiet=True)
    try:
        (cluster.dir / "nginx").mkdir(parents=True)
        cluster._write_nginx_conf()
        conf = (cluster.dir / "nginx/nginx.conf").read_text()
    finally:
        shutil.rmtree(cluster.dir, ignore_errors=True)
    connections = int(re.search(r"worker_connections (\d+);", conf).group(1))
    assert connections >= 4096
    assert int(re.search(r"worker_rlimit_nofile (\d+);", conf).group(1)) >= connections
    template = (DEPLOY / "nginx/akademi.conf.template").read_text()
    assert "worker_connections 4096;" in template  # asked of production's nginx.conf
