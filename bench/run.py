"""Throughput benchmark: LMS pages under gunicorn, each as a ratio to a trivial Flask route.

``make bench`` (or ``.venv/bin/python bench/run.py``) builds a throwaway SQLite database with the
city-size data of ``bench/generate.py`` (``--dataset demo``: the small demo data), starts the LMS
and ``bench/plain_app.py`` under the same gunicorn settings, and measures requests/second per page.
Runs on a shared machine vary by about ±30 %, so the plain route is measured again just before
every page and the page is reported as a ratio to that measurement.

Uses ``wrk`` when it is on PATH, otherwise a Python load generator (http.client keep-alive
connections, one per thread). Prints a table and writes it to ``bench/results/latest.json``.
Exit status: 0 on success, 1 if a server or a login fails or any response was not 200.
"""

from __future__ import annotations

import argparse
import ast
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "latest.json"
HOST = "127.0.0.1"
COOKIE_NAME = "akademi_session"
DEMO_PASSWORD = "demo12345"  # the documented demo password (lms/org/demo.py)
CITY_PASSWORD = "bench12345"  # the accounts of bench/generate.py
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
GUNICORN_ARGS = ["-w", "2", "--worker-class", "gthread", "--threads", "4"]

# (label, path, account or None for anonymous)
DEMO_PAGES: list[tuple[str, str, str | None]] = [
    ("GET /healthz", "/healthz", None),
    ("GET /masuk", "/masuk", None),
    ("GET /dasbor (pegawai)", "/dasbor", "pegawai"),
    ("GET /dasbor (bkpsdm)", "/dasbor", "bkpsdm"),
    ("GET /organisasi/pegawai (bkpsdm)", "/organisasi/pegawai", "bkpsdm"),
    ("GET /organisasi/pegawai?q=a (bkpsdm)", "/organisasi/pegawai?q=a", "bkpsdm"),
]


def city_pages(lesson_code: str, lesson_key: str) -> list[tuple[str, str, str | None]]:
    """The pages measured on the city dataset; the lesson is the learner's active course."""
    return [
        ("GET /pelatihan (pegawai)", "/pelatihan", "bench.pegawai"),
        (
            "GET /pelatihan?q=uji&kompetensi=teknis (pegawai)",
            "/pelatihan?q=uji&kompetensi=teknis",
            "bench.pegawai",
        ),
        ("GET /pelatihan/UJI-0001 (pegawai)", "/pelatihan/UJI-0001", "bench.pegawai"),
        (
            f"GET /belajar/{lesson_code}/<lesson 1> (pegawai)",
            f"/belajar/{lesson_code}/{lesson_key}",
            "bench.pegawai",
        ),
        ("GET /dasbor (pegawai)", "/dasbor", "bench.pegawai"),
        ("GET /dasbor (atasan)", "/dasbor", "bench.atasan"),
        ("GET /dasbor (bkpsdm)", "/dasbor", "bench.bkpsdm"),
        ("GET /organisasi/pegawai?q=uji (bkpsdm)", "/organisasi/pegawai?q=uji", "bench.bkpsdm"),
    ]


PLAIN_LABEL = "plain Flask route"

# wrk: count every status other than 200 and report the numbers as one JSON line.
WRK_SCRIPT = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0 end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "non200": %d, '
    .. '"socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), bad,
    e.connect + e.read + e.write + e.timeout))
end
"""


class BenchError(Exception):
    """A setup step failed: reported without a traceback, exit status 1."""


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_extra_args() -> list[str]:
    """Gunicorn >= 25.1 opens a control socket at one fixed path per user; two instances clash."""
    try:
        major, minor = (int(p) for p in metadata.version("gunicorn").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return []
    return ["--no-control-socket"] if (major, minor) >= (25, 1) else []


@dataclass
class Server:
    name: str
    app: str  # gunicorn WSGI target
    cwd: Path
    env: dict[str, str]
    log_path: Path
    ready_path: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    gunicorn_args: list[str] | None = None  # default GUNICORN_ARGS

    def start(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            *(self.gunicorn_args or GUNICORN_ARGS),
            *gunicorn_extra_args(),
            "-b",
            f"{HOST}:{self.port}",
            self.app,
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float | None = None) -> float:
        """Seconds until ``ready_path`` answers 200; BenchError after ``timeout``."""
        assert self.proc is not None
        timeout = STARTUP_TIMEOUT if timeout is None else timeout
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name}: gunicorn exited with status {self.proc.returncode}\n"
                    + self.log_tail()
                )
            try:
                status, _headers, _body = fetch(self.port, self.ready_path, timeout=2)
                if status == 200:
                    return time.monotonic() - start
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise BenchError(
            f"{self.name}: no answer on {HOST}:{self.port}{self.ready_path} within {timeout:.0f} s\n"
            + self.log_tail()
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "--- gunicorn log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def memory(self) -> dict:
        """Peak (VmHWM) and current (VmRSS) RSS of the master and of each worker, in KiB."""
        assert self.proc is not None
        workers = [proc_status_kib(pid) for pid in children_of(self.proc.pid)]
        return {"master": proc_status_kib(self.proc.pid), "workers": [w for w in workers if w]}

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # gunicorn: graceful shutdown of the workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this script created for it
            proc.wait(timeout=5)


def children_of(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            pids.append(int(entry.name))
    return sorted(pids)


def proc_status_kib(pid: int) -> dict[str, int]:
    """``{"VmHWM": peak RSS, "VmRSS": current RSS}`` in KiB; empty if the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = (line.split() for line in lines if line.startswith(("VmHWM:", "VmRSS:")))
    return {f[0].rstrip(":"): int(f[1]) for f in fields}


#: Measurements of one page or plain route at most, until its connections are spread evenly.
BALANCE_TRIES = 4


def lopsided(split: list[int] | None) -> bool:
    """Whether one worker held over a quarter of the connections more than the other
    (8 connections: 6/2, 7/1 or 8/0; 5/3 and 4/4 are even enough)."""
    if not split or len(split) < 2:
        return False
    return max(split) - min(split) > sum(split) // 4


def balanced(run: Callable[[], Measurement]) -> Measurement:
    """``run()`` again while its connections landed lopsided, up to ``BALANCE_TRIES`` times, the
    most even one kept: which worker accepts a keep-alive connection is luck, and 8/0 measures one
    core, not two. The same rule for the plain route and every page keeps the ratio fair."""
    best = run()
    for _ in range(BALANCE_TRIES - 1):
        if not lopsided(best.split):
            break
        again = run()
        again.retries = best.retries + 1
        if spread(again.split) <= spread(best.split):
            best = again
        else:
            best.retries = again.retries
    return best


def spread(split: list[int] | None) -> int:
    return max(split) - min(split) if split and len(split) > 1 else 0


def connection_split(server: Server) -> list[int]:
    """Established client connections held by each worker, e.g. [5, 3].

    Gunicorn's gthread workers keep a keep-alive connection for its whole life, and which worker
    accepts it is luck: [8, 0] leaves one worker (one core) doing all the work.
    """
    assert server.proc is not None
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "01" and int(cols[1].rsplit(":", 1)[1], 16) == server.port:
                inodes.add(f"socket:[{cols[9]}]")
    split = []
    for pid in children_of(server.proc.pid):
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        split.append(sum(fd_target(fd) in inodes for fd in fds))
    return split


def fd_target(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except OSError:  # closed meanwhile
        return ""


# --------------------------------------------------------------------------- HTTP helpers


def fetch(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[int, http.client.HTTPMessage, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.msg, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def session_cookie(msg: http.client.HTTPMessage) -> str | None:
    for header in msg.get_all("Set-Cookie") or []:
        match = re.match(rf"\s*{COOKIE_NAME}=([^;]*)", header)
        if match:
            return match.group(1)
    return None


def login(port: int, username: str, password: str) -> str:
    """Log in once through the form; returns the ``Cookie`` header value of the session."""
    status, msg, page = fetch(port, "/masuk")
    cookie = session_cookie(msg)
    tag = re.search(r"<input[^>]*\bname=\"csrf_token\"[^>]*>", page)
    token = re.search(r"\bvalue=\"([^\"]*)\"", tag.group(0)) if tag else None
    if status != 200 or not cookie or not token:
        raise BenchError(f"login {username}: GET /masuk gave {status}, no session cookie or token")
    form = {"identifier": username, "password": password, "csrf_token": token.group(1)}
    status, msg, _ = fetch(
        port,
        "/masuk",
        method="POST",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{COOKIE_NAME}={cookie}",
        },
    )
    new_cookie = session_cookie(msg)
    location = msg.get("Location", "")
    if status != 302 or not new_cookie or "/masuk" in location:
        raise BenchError(f"login {username}: POST /masuk gave {status} (Location {location!r})")
    return f"{COOKIE_NAME}={new_cookie}"


@dataclass
class ServerTiming:
    """One response's ``Server-Timing`` header (development mode), e.g.
    ``app;dur=12.3, db;dur=4.5;desc="7 queries"``; None where the header or the metric is absent."""

    app_ms: float | None = None
    db_ms: float | None = None
    queries: int | None = None


def server_timing(msg: http.client.HTTPMessage) -> ServerTiming:
    metrics: dict[str, dict[str, str]] = {}
    for header in msg.get_all("Server-Timing") or []:
        for metric in header.split(","):
            name, *params = (part.strip() for part in metric.split(";"))
            if name:
                metrics[name] = dict(
                    (key.strip(), value.strip().strip('"'))
                    for key, _, value in (param.partition("=") for param in params)
                )

    def number(name: str) -> float | None:
        try:
            return float(metrics[name]["dur"])
        except (KeyError, ValueError):
            return None

    queries = re.match(r"\d+", metrics.get("db", {}).get("desc", ""))
    return ServerTiming(number("app"), number("db"), int(queries.group()) if queries else None)


def sample_timing(port: int, path: str, headers: dict[str, str]) -> ServerTiming:
    """One more request of the page, outside any measurement, for its Server-Timing."""
    try:
        status, msg, _body = fetch(port, path, headers=headers)
    except (OSError, http.client.HTTPException):
        return ServerTiming()
    return server_timing(msg) if status == 200 else ServerTiming()


# --------------------------------------------------------------------------- load generators


@dataclass
class Measurement:
    requests: int
    seconds: float
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    split: list[int]  # connections per worker, sampled half-way through
    retries: int = 0  # measurements before this one that landed lopsided (see balanced)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(sorted_values: list[float], pct: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[round(pct / 100 * (len(sorted_values) - 1))]


def python_load(
    server: Server, path: str, headers: dict[str, str], duration: float, connections: int
) -> Measurement:
    """``connections`` threads, each with one keep-alive connection, for ``duration`` seconds."""
    port = server.port
    barrier = threading.Barrier(connections + 1)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop_at = 0.0

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        mine = latencies[i]
        barrier.wait()
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors[i] += 1
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()  # http.client reconnects on the next request
            mine.append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    stop_at = start + duration
    barrier.wait()
    time.sleep(duration / 2)
    split = connection_split(server)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    merged = sorted(x for per_thread in latencies for x in per_thread)
    p50, p95 = percentile(merged, 50), percentile(merged, 95)
    return Measurement(
        requests=len(merged),
        seconds=elapsed,
        errors=sum(errors),
        p50_ms=p50 * 1000 if p50 is not None else None,
        p95_ms=p95 * 1000 if p95 is not None else None,
        split=split,
    )


def wrk_load(
    wrk: str,
    script: Path,
    server: Server,
    path: str,
    headers: dict[str, str],
    duration: float,
    connections: int,
) -> Measurement:
    cmd = [
        wrk,
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={REQUEST_TIMEOUT:.0f}s",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://{HOST}:{server.port}{path}")
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        time.sleep(duration / 2)
        split = connection_split(server)
        try:
            stdout, stderr = proc.communicate(timeout=duration + 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise BenchError("wrk did not finish") from None
    line = next((ln for ln in stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{stdout}\n{stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    return Measurement(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["non200"] + data["socket_errors"],
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        split=split,
    )


# --------------------------------------------------------------------------- the run


def run_flask(env: dict[str, str], *args: str) -> None:
    cmd = [sys.executable, "-m", "flask", "--app", "lms", *args]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise BenchError(f"`flask {' '.join(args)}` failed:\n{out.stdout}\n{out.stderr}")


def base_env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_ENV="development",
        LMS_INSTANCE_DIR=str(tmp / "instance"),
        LMS_DATABASE_URL=database_url,
        LMS_FILES_DIR=str(tmp / "files"),
        LMS_SECRET_KEY=secrets.token_urlsafe(32),
        LMS_SERVER_TIMING="1",  # the Server-Timing header (on in development anyway)
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def generate_city(env: dict[str, str], url: str, scale: float, log_path: Path) -> dict:
    """Run ``bench/generate.py`` into ``url``; its counts and timings, plus wall time and peak RSS.

    Runs in its own process (the generator holds about a million rows in memory), waited for with
    ``wait4`` for the peak RSS. Its output goes to ``log_path``; the last line is the result dict.
    """
    cmd = [sys.executable, str(BENCH / "generate.py"), "--url", url, "--scale", str(scale)]
    start = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    except BaseException:  # SIGTERM, Ctrl-C: the generator must not outlive the run
        proc.kill()
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    output = log_path.read_text(errors="replace")
    tail = "\n".join(output.splitlines()[-30:])
    if proc.returncode != 0:
        raise BenchError(f"bench/generate.py failed ({proc.returncode}):\n{tail}")
    last = next((ln for ln in reversed(output.splitlines()) if ln.startswith("{")), None)
    try:
        result = ast.literal_eval(last) if last else None
    except (ValueError, SyntaxError):
        result = None
    if not isinstance(result, dict):
        raise BenchError(f"bench/generate.py printed no result dict:\n{tail}")
    return result | {"wall_s": round(wall, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024)}


def learner_lesson(url: str, username: str = "bench.pegawai") -> dict:
    """The first lesson of a course in which ``username`` has an active enrolment, read directly.

    Also reports the learner's enrolments and whether they are enrolled in UJI-0001 (the measured
    course page shows their progress if they are).
    """
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT c.code, l.key FROM enrolments e"
                    " JOIN employees emp ON emp.id = e.employee_id"
                    " JOIN users u ON u.employee_id = emp.id"
                    " JOIN courses c ON c.id = e.course_id"
                    " JOIN lessons l ON l.version_id = c.published_version_id"
                    " JOIN modules m ON m.id = l.module_id"
                    " WHERE u.username = :u AND e.status = 'active'"
                    " ORDER BY c.code, m.position, l.position, l.id LIMIT 1"
                ),
                {"u": username},
            ).first()
            statuses = conn.execute(
                text(
                    "SELECT e.status, c.code FROM enrolments e"
                    " JOIN users u ON u.employee_id = e.employee_id"
                    " JOIN courses c ON c.id = e.course_id WHERE u.username = :u"
                ),
                {"u": username},
            ).all()
    finally:
        engine.dispose()
    if row is None:
        raise BenchError(f"{username} has no active enrolment in a course with a published lesson")
    counts: dict[str, int] = {}
    for status, _code in statuses:
        counts[status] = counts.get(status, 0) + 1
    in_uji_0001 = next((status for status, code in statuses if code == "UJI-0001"), None)
    return {"code": row[0], "key": row[1], "enrolments": counts, "uji_0001": in_uji_0001}


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarise(
    label: str,
    path: str,
    pairs: list[tuple[Measurement, Measurement]],
    timings: list[ServerTiming] | None = None,
) -> dict:
    """One table row from the (plain, page) measurement pairs of every round, and the
    Server-Timing sampled after each round's measurement of the page."""
    ratios = [page.rps / base.rps for base, page in pairs if base.rps]
    timings = timings or []
    queries = median([t.queries for t in timings])
    return {
        "page": label,
        "path": path,
        "rps": median([page.rps for _, page in pairs]),
        "plain_rps": median([base.rps for base, _ in pairs]),
        "ratio": median(ratios),
        "ratio_min": min(ratios, default=None),
        "ratio_max": max(ratios, default=None),
        "p50_ms": median([page.p50_ms for _, page in pairs]),
        "p95_ms": median([page.p95_ms for _, page in pairs]),
        "app_ms": median([t.app_ms for t in timings]),
        "db_ms": median([t.db_ms for t in timings]),
        "queries": round(queries) if queries is not None else None,
        "server_timings": [asdict(t) for t in timings],
        "splits": [page.split for _, page in pairs],
        "errors": sum(page.errors for _, page in pairs),  # the plain row counts its own
        "runs": [
            {"plain": asdict(base) | {"rps": base.rps}, "page": asdict(page) | {"rps": page.rps}}
            for base, page in pairs
        ],
    }


def mib(status: dict[str, int]) -> str:
    return f"{status.get('VmHWM', 0) / 1024:.0f}/{status.get('VmRSS', 0) / 1024:.0f}"


def split_text(split: list[int] | None, retries: int = 0) -> str:
    text = "/".join(map(str, split)) if split else "-"
    return f"{text} after {retries} lopsided" if retries else text


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: list[dict]) -> None:
    head = [
        "page",
        "req/s",
        "plain req/s",
        "ratio",
        "range",
        "p50 ms",
        "p95 ms",
        "db ms",
        "queries",
        "conns",
        "errors",
    ]
    body = [
        [
            r["page"],
            fmt(r["rps"], ".0f"),
            fmt(r["plain_rps"], ".0f"),
            fmt(r["ratio"], ".3f"),
            f"{fmt(r['ratio_min'], '.3f')}–{fmt(r['ratio_max'], '.3f')}" if r["splits"] else "",
            fmt(r["p50_ms"], ".1f"),
            fmt(r["p95_ms"], ".1f"),
            fmt(r.get("db_ms"), ".1f"),
            fmt(r.get("queries"), "d"),
            " ".join(split_text(x) for x in r["splits"]),
            str(r["errors"]),
        ]
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w)
        for i, (h, w) in enumerate(zip(head, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for cells in body:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )


def _terminated(*_: object) -> None:
    raise BenchError("terminated by SIGTERM")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each page")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument(
        "--dataset",
        choices=("demo", "city"),
        default="city",
        help="city: bench/generate.py (15,000 employees at scale 1); demo: `flask demo load`",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size of the city dataset (1.0 = city size)"
    )
    parser.add_argument(
        "--database-url",
        help="an existing, empty database to fill and measure (e.g. PostgreSQL) instead of a"
        " temporary SQLite file; it is left as it is afterwards",
    )
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error("--scale must be positive")

    wrk = shutil.which("wrk") if args.generator in ("auto", "wrk") else None
    if args.generator == "wrk" and not wrk:
        print("wrk is not on PATH", file=sys.stderr)
        return 1
    generator = "wrk" if wrk else "python"

    # SIGTERM (e.g. a CI timeout) must still run the clean-up below.
    signal.signal(signal.SIGTERM, _terminated)

    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    servers: list[Server] = []
    try:
        database_url = args.database_url or f"sqlite:///{tmp / 'lms.db'}"
        env = base_env(tmp, database_url)
        print(
            f"temp dir {tmp}; generator {generator}; dataset {args.dataset}"
            + (f" (scale {args.scale:g})" if args.dataset == "city" else "")
            + f"; database {safe_url(database_url)}",
            flush=True,
        )
        t0 = time.monotonic()
        generation: dict = {}
        if args.dataset == "demo":
            run_flask(env, "db", "upgrade")
            run_flask(env, "demo", "load")
            pages, password = DEMO_PAGES, DEMO_PASSWORD
            learner: dict = {}
        else:
            print("generating the city dataset (about 70 s at scale 1 on SQLite)...", flush=True)
            generation = generate_city(env, database_url, args.scale, tmp / "generate.log")
            learner = learner_lesson(database_url)
            pages, password = city_pages(learner["code"], learner["key"]), CITY_PASSWORD
            print(
                "generated: "
                + ", ".join(
                    f"{generation[k]:,} {k.replace('_', ' ')}"
                    for k in ("employees", "units", "courses", "enrolments", "lesson_progress")
                    if k in generation
                ),
                flush=True,
            )
            print(
                "generation timings (s): "
                + ", ".join(
                    f"{k.removesuffix('_s')} {generation[k]}"
                    for k in ("employees_s", "courses_s", "enrolments_s", "progress_s", "total_s")
                    if k in generation
                )
                + f" (wall {generation['wall_s']}, incl. migrations and start-up);"
                f" generator peak RSS {generation['peak_rss_mib']} MiB",
                flush=True,
            )
            print(
                f"bench.pegawai enrolments {learner['enrolments']}; lesson page course"
                f" {learner['code']}; UJI-0001: {learner['uji_0001'] or 'not enrolled'}",
                flush=True,
            )
        print(f"database ready in {time.monotonic() - t0:.1f} s", flush=True)

        lms = Server("lms", "wsgi:app", ROOT, env, tmp / "lms.log", "/healthz")
        plain = Server("plain", "plain_app:app", BENCH, env, tmp / "plain.log", "/")
        servers = [lms, plain]
        for s in servers:
            s.start()
        for s in servers:
            print(f"{s.name} up on port {s.port} in {s.wait_ready():.1f} s", flush=True)

        # Once per account: the login rate limit is 10 per minute.
        cookies = {
            user: login(lms.port, user, password) for user in sorted({u for *_, u in pages if u})
        }
        targets = [
            (label, path, {"Cookie": cookies[user]} if user else {}) for label, path, user in pages
        ]
        for label, path, headers in targets:  # a wrong cookie would measure a redirect
            status, _msg, _body = fetch(lms.port, path, headers=headers)
            if status != 200:
                raise BenchError(
                    f"{label}: expected 200 before measuring, got {status}\n" + lms.log_tail()
                )

        script = tmp / "count.lua"
        script.write_text(WRK_SCRIPT)

        def measure_once(server: Server, path: str, headers: dict, duration: float) -> Measurement:
            if wrk:
                return wrk_load(wrk, script, server, path, headers, duration, args.connections)
            return python_load(server, path, headers, duration, args.connections)

        def measure(server: Server, path: str, headers: dict, duration: float) -> Measurement:
            return balanced(lambda: measure_once(server, path, headers, duration))

        # Warm both workers of each server (imports, template compilation, connection pools).
        warm = max(1.0, args.duration / 5)
        measure(plain, "/", {}, warm)
        for _label, path, headers in targets:
            measure(lms, path, headers, warm)

        # Rounds: every page once per round, each right after its own plain measurement, so a
        # slow spell of the machine or a lopsided connection split hits one round, not the result.
        runs: dict[str, list[tuple[Measurement, Measurement]]] = {t[0]: [] for t in targets}
        timings: dict[str, list[ServerTiming]] = {t[0]: [] for t in targets}
        for rnd in range(1, args.rounds + 1):
            print(f"round {rnd}/{args.rounds}", flush=True)
            for label, path, headers in targets:
                base = measure(plain, "/", {}, args.duration)
                page = measure(lms, path, headers, args.duration)
                runs[label].append((base, page))
                timings[label].append(sample_timing(lms.port, path, headers))
                print(
                    f"  {label}: {page.rps:.0f} req/s, conns {split_text(page.split, page.retries)}"
                    f" (plain {base.rps:.0f}, conns {split_text(base.split, base.retries)})",
                    flush=True,
                )

        rows = [summarise(label, path, runs[label], timings[label]) for label, path, _ in targets]
        plain_all = [base for pairs in runs.values() for base, _ in pairs]
        plain_rps = [m.rps for m in plain_all]
        rows.insert(
            0,
            {
                "page": f"{PLAIN_LABEL} (median of {len(plain_all)})",
                "path": "/",
                "rps": median(plain_rps),
                "plain_rps": median(plain_rps),
                "ratio": 1.0,
                "ratio_min": 1.0,
                "ratio_max": 1.0,
                "p50_ms": median([m.p50_ms for m in plain_all]),
                "p95_ms": median([m.p95_ms for m in plain_all]),
                "app_ms": None,
                "db_ms": None,
                "queries": None,
                "server_timings": [],
                "splits": [],
                "errors": sum(m.errors for m in plain_all),
                "runs": [asdict(m) | {"rps": m.rps} for m in plain_all],
            },
        )
        memory = {s.name: s.memory() for s in servers}

        print()
        print_table(rows)
        print()
        print(
            f"plain route: {min(plain_rps):.0f}–{max(plain_rps):.0f} req/s over"
            f" {len(plain_rps)} measurements"
        )
        for name, mem in memory.items():
            print(
                f"RSS {name} (peak/now, MiB): master {mib(mem['master'])},"
                f" workers {', '.join(mib(w) for w in mem['workers'])}"
            )

        errors = sum(r["errors"] for r in rows)
        result = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "generator": generator,
            "dataset": args.dataset,
            "scale": args.scale if args.dataset == "city" else None,
            "database": safe_url(database_url),
            "generation": generation,
            "learner": learner,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "connections": args.connections,
            "gunicorn": GUNICORN_ARGS + gunicorn_extra_args(),
            "gunicorn_version": metadata.version("gunicorn"),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "rows": rows,
            "peak_rss": memory,
            "errors": errors,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written to {args.output}")
        if errors:
            print(f"FAILED: {errors} responses were not 200", file=sys.stderr)
            return 1
        return 0
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
