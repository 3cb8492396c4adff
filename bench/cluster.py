"""The production topology on one machine, for real: ``make cluster`` (or ``python bench/cluster.py``).

    .venv/bin/python bench/cluster.py [--app-servers 2] [--for SECONDS] [--smoke]

It starts, from the project's own files (``deploy/``):

- a PostgreSQL database of its own (``lms_cluster_<time>_<pid>`` on ``LMS_CLUSTER_PG``, default
  the server on 127.0.0.1:5432), migrated, with the reference and demo data loaded;
- a Redis database of its own (the first empty one of 15…1 on ``LMS_CLUSTER_REDIS``, claimed
  with a key and emptied at the end): the Celery broker and the shared rate limits;
- 2–3 gunicorn app servers on loopback ports (``deploy/gunicorn.conf.py``; one worker of 4
  threads each by default: the machine has 2 cores), one shared ``LMS_FILES_DIR``;
- nginx from ``deploy/nginx/akademi.conf.template`` on a loopback port, as a user process (its
  own prefix, pid, logs and temp folders in the cluster's folder; plain http), static files from
  ``lms/static``, the content origin (``localhost``) beside the app (``127.0.0.1``);
- one Celery worker (queues ``celery`` and ``webhooks``), a small one for ``webhooks`` only (the
  outbox relay and webhook rounds, never behind the certificate renders: lms/tasks.py
  ``TASK_ROUTES``) and Celery beat (``celery -A lms.worker``), as ``deploy/systemd``'s units.

It prints the URL and waits; Ctrl-C, SIGTERM or ``--for SECONDS`` stops everything (SIGTERM to
each process group, SIGKILL after a grace period), drops the database, empties the Redis
database and removes the folder (``--keep`` keeps the folder and its logs). ``--smoke`` logs in
as ``pegawai`` through nginx, loads a page from each app server, has the worker render a
certificate, prints the timings and stops.

As a context manager for fault drills::

    with Cluster(app_servers=2) as c:
        c.url                      # http://127.0.0.1:<port> (nginx)
        c.kill_app(0)              # SIGKILL app server 0 (its whole process group)
        c.restart_app(0)           # start it again on the same port, wait until healthy
        c.kill_worker_child()      # the pool process dies mid-task: the task is requeued at once
        c.kill_worker(); c.restart_worker(); c.kill_beat(); c.restart_beat()
        c.send_task("certificates.render", 12)
        c.sql("SELECT count(*) FROM certificates")

Every process is started in a session of its own; the cluster ends only those, by process group.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtualenv's bin (not resolved: a venv's python is a link)
DEPLOY = ROOT / "deploy"
PG_ADMIN = os.environ.get("LMS_CLUSTER_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("LMS_CLUSTER_REDIS", "redis://127.0.0.1:6379").rstrip("/")
REDIS_CLAIM = "akademi-cluster:owner"
NGINX = os.environ.get("LMS_CLUSTER_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
#: Connections nginx's one worker may hold (clients and app servers together). Each browser keeps
#: its keep-alive connection open, each request in flight adds one to an app server; with 1024
#: nginx closed idle keep-alive connections early to make room ("1024 worker_connections are not
#: enough, reusing connections"): in the 1,000-employee app-kill drill every employee's first exam
#: request found its connection closed. deploy/nginx/akademi.conf.template's header asks the same
#: of production's nginx.conf.
NGINX_WORKER_CONNECTIONS = 4096
DEMO_PASSWORD = "demo12345"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
#: The Celery queues and the tasks sent to ``webhooks``: lms/tasks.py's ``TASK_ROUTES`` (this file
#: imports nothing of the app; tests/deploy/test_celery_conf.py keeps the two equal).
QUEUES = ("celery", "webhooks")
TASK_ROUTES = {
    "completion.dispatch_outbox": {"queue": "webhooks"},
    "webhooks.deliver_due": {"queue": "webhooks"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_available() -> bool:
    return Path(NGINX).exists() and os.access(NGINX, os.X_OK)


# --- processes ---------------------------------------------------------------------------------


@dataclass
class Proc:
    """One process the cluster started, in a session (process group) of its own."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, sig: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group at once (a crash: nothing gets to clean up)."""
        self._signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait()

    def terminate(self) -> None:
        """SIGTERM to the group: gunicorn finishes its requests, Celery its task in hand."""
        if self.alive:
            self._signal_group(signal.SIGTERM)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM (unless sent already), SIGKILL after ``grace`` seconds, then SIGKILL to
        whatever of the group is left (a worker whose master is gone)."""
        if self.popen is None:
            return
        self.terminate()
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait()
        self._signal_group(signal.SIGKILL)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ClusterError(RuntimeError):
    pass


def _wait(what: str, check, timeout: float, proc: Proc | None = None) -> float:
    """Poll ``check()`` until true; the seconds it took. Fails early when ``proc`` died."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if proc is not None and not proc.alive:
            raise ClusterError(f"{what}: {proc.name} exited\n{proc.tail()}")
        if time.monotonic() - start > timeout:
            tail = f"\n{proc.tail()}" if proc is not None else ""
            raise ClusterError(f"{what}: not ready after {timeout:.0f} s{tail}")
        time.sleep(0.1)


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, urllib.error.URLError):
        return None


# --- the cluster --------------------------------------------------------------------------------


@dataclass
class Cluster:
    app_servers: int = 2
    workers_per_app: int = 1
    threads: int = 4
    keep: bool = False
    quiet: bool = False
    name: str = field(default_factory=lambda: f"lms_cluster_{int(time.time())}_{os.getpid()}")
    timings: dict[str, float] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)  # more LMS_* for every process

    def __post_init__(self) -> None:
        if not 1 <= self.app_servers <= 8:
            raise ValueError("app_servers: 1 to 8")
        self.dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.port = free_port()
        self.app_ports = [free_port() for _ in range(self.app_servers)]
        self.url = f"http://127.0.0.1:{self.port}"
        self.content_url = f"http://localhost:{self.port}"
        self.files_dir = self.dir / "files"
        self.database = self.name
        self.database_url = f"postgresql+psycopg://{self._pg_authority()}/{self.database}"
        self.redis_db: int | None = None
        self.redis_url = ""
        self.apps: list[Proc] = []
        self.worker: Proc | None = None
        self.webhooks_worker: Proc | None = None
        self.beat: Proc | None = None
        self.nginx: Proc | None = None
        self._db_created = False

    # -- life cycle --

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Cluster:
        began = time.monotonic()
        if not nginx_available():
            raise ClusterError(f"nginx not found ({NGINX}); apt-get install nginx")
        for folder in ("files", "logs", "instance", "nginx", "beat", "prometheus"):
            (self.dir / folder).mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)  # nginx's workers run as nobody when started by root
        step = time.monotonic()
        self._create_database()
        self._claim_redis()
        self.timings["database"] = time.monotonic() - step
        step = time.monotonic()
        self._flask("db", "upgrade")
        self.timings["migrate"] = time.monotonic() - step
        step = time.monotonic()
        self._flask("reference", "load")
        self._flask("demo", "load")
        self.timings["data"] = time.monotonic() - step
        step = time.monotonic()
        self.apps = [self._app_proc(i) for i in range(self.app_servers)]
        self.worker = self._celery_proc("worker")
        self.webhooks_worker = self._celery_proc("worker-webhooks")
        self.beat = self._celery_proc("beat")
        for proc in (*self.apps, self.worker, self.webhooks_worker, self.beat):
            proc.start()
        checked = self.nginx_test()
        if checked.returncode != 0:
            raise ClusterError(f"nginx -t:\n{checked.stderr}")
        self.nginx = Proc(
            "nginx", self._nginx_argv(), self._base_env(), self.dir / "logs/nginx.log"
        )
        self.nginx.start()
        for i in range(self.app_servers):
            self._wait_app(i)
        _wait("nginx", lambda: http_status(self.url + "/healthz") == 200, 30, self.nginx)
        self._wait_log(self.worker, "ready.", 60)
        self._wait_log(self.webhooks_worker, "ready.", 60)
        self._wait_log(self.beat, "beat: Starting", 30)
        self.timings["processes"] = time.monotonic() - step
        self.timings["start"] = time.monotonic() - began
        self._say(f"cluster {self.name} up in {self.timings['start']:.1f} s: {self.url}")
        return self

    def stop(self) -> None:
        began = time.monotonic()
        # The proxy first (no new requests), then the rest at once; each gets its grace period.
        if self.nginx is not None:
            step = time.monotonic()
            self.nginx.stop()
            self.timings["stop_nginx"] = time.monotonic() - step
        procs = (*self.apps, self.beat, self.worker, self.webhooks_worker)
        rest = [proc for proc in procs if proc is not None]
        for proc in rest:
            proc.terminate()
        for proc in rest:
            step = time.monotonic()
            proc.stop()
            self.timings[f"stop_{proc.name}"] = time.monotonic() - step
        step = time.monotonic()
        self._release_redis()
        self._drop_database()
        self.timings["stop_databases"] = time.monotonic() - step
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.timings["stop"] = time.monotonic() - began
        self._say(f"cluster {self.name} stopped in {self.timings['stop']:.1f} s")

    # -- fault drills --

    def kill_app(self, i: int) -> None:
        self.apps[i].kill()

    def restart_app(self, i: int) -> None:
        self.apps[i].stop()
        self.apps[i] = self._app_proc(i)
        self.apps[i].start()
        self._wait_app(i)

    def kill_worker(self) -> None:
        """SIGKILL the whole Celery worker (a host lost). Tasks it had taken come back only
        after the Redis visibility timeout (2 h, lms/tasks.py): nothing is left to requeue
        them. ``kill_worker_child`` is the drill for a task redelivered at once."""
        self.worker.kill()

    def kill_worker_child(self) -> list[int]:
        """SIGKILL the worker's pool processes (an OOM kill mid-task): the worker's main
        process requeues the task in hand at once (task_reject_on_worker_lost) and forks a new
        child. Returns the pids killed."""
        children = Path(f"/proc/{self.worker.popen.pid}/task/{self.worker.popen.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def restart_worker(self) -> None:
        self.worker.stop()
        self.worker = self._celery_proc("worker")
        since = self._log_size(self.worker)  # the log is appended to: wait for a new "ready."
        self.worker.start()
        self._wait_log(self.worker, "ready.", 60, since)

    def kill_beat(self) -> None:
        self.beat.kill()

    def restart_beat(self) -> None:
        self.beat.stop()
        self.beat = self._celery_proc("beat")
        since = self._log_size(self.beat)
        self.beat.start()
        self._wait_log(self.beat, "beat: Starting", 30, since)

    def kill_nginx(self) -> None:
        self.nginx.kill()

    def app_url(self, i: int) -> str:
        """An app server directly, past nginx."""
        return f"http://127.0.0.1:{self.app_ports[i]}"

    # -- talking to it --

    def send_task(self, name: str, *args: object) -> str:
        """Queue a task for the cluster's workers, as the app servers do (to the queue
        ``TASK_ROUTES`` names); returns its id."""
        from celery import Celery

        client = Celery("cluster-client", broker=self.redis_url)
        client.conf.task_routes = TASK_ROUTES
        try:
            return client.send_task(name, args=list(args)).id
        finally:
            client.close()

    def sql(self, statement: str, params: tuple | dict | None = None) -> list[tuple]:
        """Run one statement on the cluster's database (autocommit); rows if it returns any."""
        import psycopg

        with psycopg.connect(self._libpq(self.database), autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def queued(self) -> int:
        """Tasks waiting in the broker's queues (not those a worker has taken)."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            return sum(int(client.llen(queue)) for queue in QUEUES)
        finally:
            client.close()

    def drain(self, timeout: float = 300) -> float:
        """Wait until the worker has taken every queued task (the demo load queues ~600: its
        certificates and e-mails); the seconds it took."""
        return _wait("the queue", lambda: self.queued() == 0, timeout, self.worker)

    def env(self) -> dict[str, str]:
        """The LMS_* environment of every process of the cluster (for a CLI command against it)."""
        return self._base_env()

    # -- internals --

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def _pg_authority(self) -> str:
        parts = urllib.parse.urlsplit(PG_ADMIN)
        return parts.netloc

    def _libpq(self, database: str) -> str:
        parts = urllib.parse.urlsplit(PG_ADMIN)
        return urllib.parse.urlunsplit(("postgresql", parts.netloc, f"/{database}", "", ""))

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self._db_created = True

    def _drop_database(self) -> None:
        if not self._db_created:
            return
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._db_created = False

    def _claim_redis(self) -> None:
        """The first empty Redis database (15 down to 1), claimed atomically with a key."""
        import redis

        for number in range(15, 0, -1):
            client = redis.Redis.from_url(f"{REDIS}/{number}")
            try:
                if client.set(REDIS_CLAIM, self.name, nx=True):
                    if client.dbsize() == 1:
                        self.redis_db = number
                        self.redis_url = f"{REDIS}/{number}"
                        return
                    client.delete(REDIS_CLAIM)  # it holds someone's data
            finally:
                client.close()
        raise ClusterError("no empty Redis database (1-15) to claim")

    def _release_redis(self) -> None:
        if self.redis_db is None:
            return
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            if client.get(REDIS_CLAIM) == self.name.encode():
                client.flushdb()
        finally:
            client.close()
        self.redis_db = None

    def _base_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LMS_", "FLASK_", "GUNICORN_", "PROMETHEUS_", "CELERY_"))
        }
        env.update(
            {
                "LMS_ENV": "development",  # the demo accounts keep the demo password
                "LMS_DATABASE_URL": self.database_url,
                "LMS_REDIS_URL": self.redis_url,
                "LMS_FILES_DIR": str(self.files_dir),
                "LMS_INSTANCE_DIR": str(self.dir / "instance"),
                "LMS_SECRET_KEY": self._secret(),
                "LMS_BASE_URL": self.url,
                "LMS_TRUSTED_PROXIES": "1",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(self.extra_env)
        return env

    def _secret(self) -> str:
        if not hasattr(self, "_secret_key"):
            self._secret_key = secrets.token_urlsafe(48)
        return self._secret_key

    def _flask(self, *args: str) -> None:
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "lms", *args],
            cwd=ROOT,
            env=self._base_env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        with open(self.dir / "logs/setup.log", "a") as log:
            log.write(f"$ flask {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if result.returncode != 0:
            raise ClusterError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")

    def _app_proc(self, i: int) -> Proc:
        env = self._base_env()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.dir / "prometheus" / f"app{i}")
        argv = [
            str(BIN / "gunicorn"),
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{self.app_ports[i]}",
            "--workers",
            str(self.workers_per_app),
            "--threads",
            str(self.threads),
            "--name",
            f"{self.name}-app{i}",
            "wsgi:app",
        ]
        return Proc(f"app{i}", argv, env, self.dir / f"logs/app{i}.log")

    def _celery_proc(self, kind: str) -> Proc:
        env = self._base_env()  # no PROMETHEUS_MULTIPROC_DIR: as deploy/systemd's units
        argv = [str(BIN / "celery"), "-A", "lms.worker", kind.split("-")[0], "--loglevel=INFO"]
        if kind == "worker-webhooks":  # deploy/systemd/akademi-worker-webhooks.service
            argv += [
                "-Q",
                QUEUES[1],
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{self.name}-webhooks@%h",
            ]
        elif kind == "worker":
            argv += [
                "-Q",
                ",".join(QUEUES),
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--max-tasks-per-child=200",
                "-n",
                f"{self.name}@%h",
            ]
        else:
            argv += [
                "--schedule",
                str(self.dir / "beat/celerybeat-schedule"),
                "--pidfile",
                str(self.dir / "beat/beat.pid"),
            ]
        return Proc(kind, argv, env, self.dir / f"logs/{kind}.log")

    def _wait_app(self, i: int) -> None:
        url = self.app_url(i) + "/healthz"
        took = _wait(f"app server {i}", lambda: http_status(url) == 200, 90, self.apps[i])
        self.timings[f"app{i}_ready"] = took

    @staticmethod
    def _log_size(proc: Proc) -> int:
        try:
            return proc.log.stat().st_size
        except OSError:
            return 0

    def _wait_log(self, proc: Proc, marker: str, timeout: float, since: int = 0) -> None:
        def ready() -> bool:
            try:
                with open(proc.log, "rb") as log:
                    log.seek(since)
                    return marker.encode() in log.read()
            except OSError:
                return False

        _wait(proc.name, ready, timeout, proc)

    def render_site(self) -> str:
        """deploy/nginx/akademi.conf.template filled in for this cluster (plain http on a loopback
        port; each response names its app server in X-Akademi-Upstream)."""
        template = (DEPLOY / "nginx/akademi.conf.template").read_text()
        upstreams = " ".join(
            f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in self.app_ports
        )
        text = Template(template).safe_substitute(
            AKADEMI_SERVER_NAME="127.0.0.1",
            AKADEMI_CONTENT_SERVER_NAME="localhost",
            AKADEMI_LISTEN=f"127.0.0.1:{self.port}",
            AKADEMI_TLS=str(DEPLOY / "nginx/no-tls.conf"),
            AKADEMI_PROXY=str(DEPLOY / "nginx/proxy.conf"),
            AKADEMI_UPSTREAMS=upstreams,
            AKADEMI_STATIC=str(ROOT / "lms/static"),
        )
        return text.replace("# @cluster@", "add_header X-Akademi-Upstream $upstream_addr always;")

    def _write_nginx_conf(self) -> None:
        folder = self.dir / "nginx"
        (folder / "akademi.conf").write_text(self.render_site())
        mime = Path("/etc/nginx/mime.types")
        types = f"include {mime};" if mime.exists() else "types { text/css css; }"
        temp = "\n".join(
            f"    {kind}_temp_path {folder / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "nginx.conf").write_text(
            f"""# Generated by bench/cluster.py for {self.name}.
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
worker_rlimit_nofile {2 * NGINX_WORKER_CONNECTIONS};
events {{ worker_connections {NGINX_WORKER_CONNECTIONS}; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log {folder / "access.log"};
    sendfile on;
{temp}
    include {folder / "akademi.conf"};
}}
"""
        )

    def _nginx_argv(self) -> list[str]:
        folder = self.dir / "nginx"
        return [
            NGINX,
            "-p",
            f"{folder}/",
            "-c",
            str(folder / "nginx.conf"),
            "-e",
            str(folder / "error.log"),
        ]

    def nginx_test(self) -> subprocess.CompletedProcess:
        """``nginx -t`` on the generated configuration (no process is started)."""
        (self.dir / "nginx").mkdir(parents=True, exist_ok=True)
        self._write_nginx_conf()
        return subprocess.run(
            [*self._nginx_argv(), "-t"], capture_output=True, text=True, timeout=30
        )


# --- a browser, and the smoke check ------------------------------------------------------------


class Browser:
    """Cookies, forms and the upstream each response came from (nginx's X-Akademi-Upstream)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        data = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.base + path, data=data, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def login(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """Logs in through the form; the page it lands on (it fails loudly otherwise)."""
        status, _, page = self.get("/masuk")
        token = TOKEN.search(page)
        if status != 200 or token is None:
            raise ClusterError(f"login page: {status}")
        form = {"identifier": username, "password": password, "csrf_token": token.group(1)}
        status, headers, page = self.post("/masuk", form)
        if status != 200 or 'action="/keluar"' not in page:  # the logout form: signed in
            raise ClusterError(f"login as {username} failed: {status}")
        return page


def smoke(cluster: Cluster) -> dict[str, object]:
    """Log in as ``pegawai`` through nginx, load a page from each app server, render a
    certificate in the worker. Returns what was seen (raises ClusterError on a failure)."""
    seen: dict[str, object] = {}
    browser = Browser(cluster.url)
    browser.login("pegawai")
    upstreams: set[str] = set()
    wanted = {f"127.0.0.1:{port}" for port in cluster.app_ports}
    for _ in range(10 * cluster.app_servers):
        status, headers, page = browser.get("/dasbor")
        if status != 200:
            raise ClusterError(f"/dasbor through nginx: {status}")
        upstreams.add(headers.get("X-Akademi-Upstream", ""))
        if wanted <= upstreams:
            break
    if not wanted <= upstreams:
        raise ClusterError(f"pages came from {sorted(upstreams)}, not every one of {wanted}")
    seen["upstreams"] = sorted(upstreams)
    status, headers, _ = browser.get("/static/css/app.css")
    if status != 200 or "X-Akademi-Upstream" in headers:
        raise ClusterError(f"static file not served by nginx: {status}")
    seen["static_by_nginx"] = True
    seen["backlog_drained_s"] = round(cluster.drain(), 1)
    seen["certificate_render_s"] = round(_render_through_worker(cluster), 2)
    return seen


def _render_through_worker(cluster: Cluster, timeout: float = 90) -> float:
    """pegawai's certificate: wait for the PDF (the demo load queued its render), forget it,
    queue ``certificates.render`` for the worker and wait until the same file is back."""
    rows = cluster.sql(
        "SELECT c.id FROM certificates c JOIN users u ON u.employee_id = c.employee_id "
        "WHERE u.username = 'pegawai' ORDER BY c.id LIMIT 1"
    )
    if not rows:
        raise ClusterError("pegawai has no certificate in the demo data")
    cert_id = rows[0][0]

    def stored() -> tuple[str, str] | None:
        row = cluster.sql("SELECT pdf_key, pdf_sha256 FROM certificates WHERE id = %s", (cert_id,))
        return row[0] if row and row[0][0] else None

    _wait("demo certificate PDF", lambda: stored() is not None, timeout, cluster.worker)
    key, digest = stored()
    (cluster.files_dir / key).unlink()
    cluster.sql(
        "UPDATE certificates SET pdf_key = NULL, pdf_sha256 = NULL WHERE id = %s", (cert_id,)
    )
    began = time.monotonic()
    cluster.send_task("certificates.render", cert_id)
    _wait("certificate render in the worker", lambda: stored() is not None, timeout, cluster.worker)
    took = time.monotonic() - began
    again_key, again_digest = stored()
    data = (cluster.files_dir / again_key).read_bytes()
    if again_key != key or again_digest != digest or hashlib.sha256(data).hexdigest() != digest:
        raise ClusterError("the re-rendered certificate is not the same file")
    return took


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app-servers", type=int, default=2, help="gunicorn app servers (2-3)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per app server")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--for", dest="seconds", type=float, help="stop after this many seconds")
    parser.add_argument("--smoke", action="store_true", help="check it end to end, then stop")
    parser.add_argument("--keep", action="store_true", help="keep the folder (logs) at the end")
    args = parser.parse_args(argv)

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cluster = Cluster(
        app_servers=args.app_servers,
        workers_per_app=args.workers,
        threads=args.threads,
        keep=args.keep,
    )
    status = 0
    try:
        with cluster:
            print(f"  nginx       {cluster.url}  (content origin {cluster.content_url})")
            for i in range(cluster.app_servers):
                print(f"  app {i}       {cluster.app_url(i)}")
            print(f"  database    {cluster.database} on {cluster._pg_authority()}")
            print(f"  redis       {cluster.redis_url}")
            print(f"  files, logs {cluster.dir}")
            print("  log in as any demo account (README), password demo12345")
            timings = ", ".join(f"{k} {v:.1f} s" for k, v in cluster.timings.items())
            print(f"  timings: {timings}", flush=True)
            if args.smoke:
                result = smoke(cluster)
                print(f"  smoke: {result}", flush=True)
            elif args.seconds is not None:
                time.sleep(args.seconds)
            else:
                print("Ctrl-C stops it.", flush=True)
                while True:
                    time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except ClusterError as error:
        print(f"cluster: {error}", file=sys.stderr)
        status = 1
    stops = ", ".join(f"{k[5:]} {v:.1f} s" for k, v in cluster.timings.items() if k[:5] == "stop_")
    print(f"  stop: {cluster.timings.get('stop', 0):.1f} s ({stops})")
    return status


if __name__ == "__main__":
    sys.exit(main())
