"""gunicorn settings of an app server: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Command-line options win over this file (the cluster script passes ``--bind`` and ``--workers``);
``GUNICORN_CMD_ARGS`` does the same from the environment. Measured on 2 cores (README "Running at
scale"): 2 workers × 4 threads served the exam at the same speed as 4 × 2 or 6 sync workers, with
the least CPU and memory. One worker per core; threads cover the time a request waits on
PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # nginx on the same host
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request may take this long before the worker is restarted (a large inline XLSX on the city
# dataset takes ~10 s; exports beyond REPORTS_XLSX_INLINE_MAX rows go to Celery). nginx's
# proxy_read_timeout (deploy/nginx/akademi.conf) is the same, so nginx never answers 504 while
# gunicorn is still working, and never waits on a worker gunicorn has already given up.
timeout = 120
graceful_timeout = 30  # SIGTERM: requests in flight get this long to finish (systemd waits 45 s)
# Longer than nginx's upstream keepalive_timeout (60 s): gunicorn never closes an idle connection
# nginx is about to reuse.
keepalive = 75

# A worker is replaced after this many requests (with jitter, so they do not restart together):
# WeasyPrint and openpyxl hold memory they never give back.
max_requests = 5000
max_requests_jitter = 500

# Not preloaded: each worker builds the app itself, so no database connection (production checks
# the demo passwords at start) is ever shared across a fork.
preload_app = False

# nginx is the one proxy in front: believe its X-Forwarded-* (the app's ProxyFix needs
# LMS_TRUSTED_PROXIES=1 as well).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"  # stdout: journald (systemd) or the cluster's log file
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "akademi-web"


def on_starting(server) -> None:
    """Prometheus' multiprocess mode keeps one file per process in PROMETHEUS_MULTIPROC_DIR:
    files of a previous run would be summed into this one's metrics, so the folder starts
    empty."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        if path.is_dir():
            for child in path.iterdir():
                if child.is_file() and child.suffix == ".db":
                    child.unlink(missing_ok=True)
                elif child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    """A worker that exits leaves its live gauges behind unless marked dead (prometheus_client
    multiprocess mode; /metrics reads PROMETHEUS_MULTIPROC_DIR)."""
    try:
        from prometheus_client import multiprocess
    except ImportError:
        return
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
