"""Infrastructure fault drills on a real cluster (bench/cluster.py), each bounded and on loopback.

    .venv/bin/python bench/drills_infra.py pg-restart     [--learners 6] [--down 8] [--for 40]
    .venv/bin/python bench/drills_infra.py redis-stop     [--learners 6] [--down 8] [--for 40]
    .venv/bin/python bench/drills_infra.py webhook-down   [--completions 40] [--down-seconds 20]
    .venv/bin/python bench/drills_infra.py webhook-down --completions 1000 --down-seconds 600
    .venv/bin/python bench/drills_infra.py backup-restore

The servers a drill stops are private (a PostgreSQL from ``initdb`` in a temporary folder, a
``redis-server`` without persistence, each on a free port, pointed at with LMS_CLUSTER_PG /
LMS_CLUSTER_REDIS): the shared ones on 5432 and 6379 are never touched. Each drill prints and
writes ``bench/results/drill-<name>.json``: acknowledged writes lost (must be 0), duplicates (0),
the recovery time, and the errors during the fault and after it (0 after).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- private servers ---------------------------------------------------------------------------


class PrivatePostgres:
    """initdb + pg_ctl in a temporary folder on a free port (as ``postgres`` when run as root)."""

    def __init__(self) -> None:
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="drill-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, timeout=120)

    def __enter__(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        self.start()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=True)
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if redis.Redis.from_url(self.url).ping():
                    return
            time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(20)
            self.proc = None

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


def _cluster(extra_env: dict[str, str] | None = None, **kwargs):
    """A bench/cluster.py Cluster (imported now: it reads LMS_CLUSTER_* when imported)."""
    import cluster

    class DrillCluster(cluster.Cluster):
        def _base_env(self) -> dict[str, str]:
            return {**super()._base_env(), **(extra_env or {})}

    return DrillCluster(**kwargs), cluster


# --- the learner load --------------------------------------------------------------------------


class Load:
    """Simulated learners through nginx: catalogue, lesson pages (recording the last lesson),
    lessons marked done (the acknowledged writes: a 200 JSON answer), a fresh login now and then."""

    def __init__(self, c, cluster_mod, learners: int) -> None:
        self.c, self.mod, self.events, self.acked = c, cluster_mod, [], []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.plans = self._plans(learners)

    def _plans(self, n: int) -> list[tuple[str, str, list[str]]]:
        users = [r[0] for r in self.c.sql(
            "SELECT username FROM users WHERE demo_password AND active AND username ~ '^[0-9]+$' "
            "ORDER BY id LIMIT %s", (n * 3,))]  # fmt: skip
        courses = self.c.sql(
            "SELECT c.code, array_agg(l.key ORDER BY l.id) FROM courses c "
            "JOIN lessons l ON l.version_id = c.published_version_id GROUP BY c.code ORDER BY c.code"
        )
        plans = []
        for username in users:
            browser = self.mod.Browser(self.c.url)
            browser.login(username)
            for code, keys in courses:
                status, _, page = browser.get(f"/pelatihan/{code}")
                token = self.mod.TOKEN.search(page)
                if token:
                    browser.post(f"/pelatihan/{code}/daftar", {"csrf_token": token.group(1)})
                active = self.c.sql(
                    "SELECT 1 FROM enrolments e JOIN users u ON u.employee_id = e.employee_id "
                    "JOIN courses c ON c.id = e.course_id WHERE u.username = %s AND c.code = %s "
                    "AND e.status = 'active'",
                    (username, code),
                )
                if active:
                    plans.append((username, code, keys))
                    break
            if len(plans) == n:
                break
        if not plans:
            raise RuntimeError("no learner could enrol in a course")
        return plans

    def _note(self, kind: str, ok: bool, began: float, detail: str = "") -> None:
        with self.lock:
            self.events.append((began, time.monotonic(), kind, ok, detail))

    def _learner(self, username: str, code: str, keys: list[str]) -> None:
        browser, i, logged_in = None, 0, False
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                if not logged_in or i % 25 == 0:
                    browser = self.mod.Browser(self.c.url)
                    browser.login(username)
                    logged_in = True
                    self._note("login", True, began)
                    began = time.monotonic()
                status, _, _ = browser.get("/pelatihan")
                self._note("catalogue", status == 200, began, str(status))
                key = keys[i % len(keys)]
                began = time.monotonic()
                status, _, page = browser.get(f"/belajar/{code}/{key}")
                self._note("lesson", status == 200, began, str(status))
                token = self.mod.TOKEN.search(page)
                if status == 200 and token:
                    began = time.monotonic()
                    req = browser.opener.open
                    import urllib.parse
                    import urllib.request

                    data = urllib.parse.urlencode({"csrf_token": token.group(1)}).encode()
                    request = urllib.request.Request(
                        f"{self.c.url}/belajar/{code}/{key}/selesai",
                        data=data,
                        headers={"Accept": "application/json"},
                    )
                    try:
                        with req(request, timeout=30) as response:
                            body = json.loads(response.read())
                            ok = response.status == 200 and body.get("done") is True
                    except Exception as error:
                        ok, body = False, str(error)
                    self._note("mark_done", ok, began, "" if ok else str(body)[:100])
                    if ok:
                        with self.lock:
                            self.acked.append((username, code, key))
            except Exception as error:
                logged_in = False
                self._note("exception", False, began, f"{type(error).__name__}: {error}"[:120])
                time.sleep(0.2)
            i += 1

    def run(self, seconds: float, fault) -> dict:
        threads = [threading.Thread(target=self._learner, args=p, daemon=True) for p in self.plans]
        start = time.monotonic()
        for t in threads:
            t.start()
        fault_window = fault()  # returns (down_at, up_at) in monotonic time
        while time.monotonic() - start < seconds:
            time.sleep(0.5)
        self.stop.set()
        for t in threads:
            t.join(60)
        return self.summary(*fault_window)

    def summary(self, down_at: float, up_at: float) -> dict:
        during = [e for e in self.events if e[0] < up_at and e[1] >= down_at]
        after = [e for e in self.events if e[0] >= up_at]
        first_ok = min((e[1] for e in after if e[3]), default=None)
        # recovered: from the server's return until every kind of request has succeeded again
        failed_kinds = {e[2] for e in during if not e[3]}
        kinds_ok = {}  # the first success after the return of each kind that failed meanwhile
        for e in sorted(after):
            if e[3] and (e[2] in failed_kinds or "exception" in failed_kinds):
                kinds_ok.setdefault(e[2], e[1])
        errors_after = [e for e in after if not e[3]]
        return {
            "learners": len(self.plans),
            "requests": len(self.events),
            "acknowledged_writes": len(self.acked),
            "errors_during_fault": sum(1 for e in during if not e[3]),
            "errors_after": len(errors_after),
            "errors_after_sample": sorted({f"{e[2]} {e[4]}" for e in errors_after})[:5],
            "errors_during_sample": sorted({f"{e[2]} {e[4]}" for e in during if not e[3]})[:5],
            "first_success_after_s": round(first_ok - up_at, 2) if first_ok else None,
            "recovery_s": round(max(kinds_ok.values()) - up_at, 2) if kinds_ok else 0.0,
            "down_s": round(up_at - down_at, 2),
        }

    def integrity(self) -> dict:
        acked = set(self.acked)
        present = {
            (u, c, k)
            for u, c, k in self.c.sql(
                "SELECT u.username, c.code, p.lesson_key FROM lesson_progress p "
                "JOIN enrolments e ON e.id = p.enrolment_id JOIN courses c ON c.id = e.course_id "
                "JOIN users u ON u.employee_id = e.employee_id"
            )
        }
        dup_progress = self.c.sql(
            "SELECT count(*) FROM (SELECT enrolment_id, lesson_key FROM lesson_progress "
            "GROUP BY 1, 2 HAVING count(*) > 1) d"
        )[0][0]
        dup_enrol = self.c.sql(
            "SELECT count(*) FROM (SELECT course_id, employee_id FROM enrolments "
            "GROUP BY 1, 2 HAVING count(*) > 1) d"
        )[0][0]
        half = self.c.sql(  # the drill's enrolments: progress shown without its lesson rows
            "SELECT count(*) FROM enrolments e JOIN users u ON u.employee_id = e.employee_id "
            "JOIN courses c ON c.id = e.course_id WHERE (u.username, c.code) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[])) AND e.progress > 0 AND NOT EXISTS "
            "(SELECT 1 FROM lesson_progress p WHERE p.enrolment_id = e.id)",
            ([p[0] for p in self.plans], [p[1] for p in self.plans]),
        )[0][0]
        return {
            "acknowledged_writes_lost": len(acked - present),
            "acknowledged_distinct": len(acked),
            "duplicates": dup_progress + dup_enrol,
            "enrolments_with_progress_but_no_rows": half,
        }


def _learner_drill(name: str, args, make_fault) -> dict:
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(PrivatePostgres()) if name == "pg-restart" else None
        rds = stack.enter_context(PrivateRedis()) if name == "redis-stop" else None
        if pg:
            os.environ["LMS_CLUSTER_PG"] = pg.url
        if rds:
            os.environ["LMS_CLUSTER_REDIS"] = rds.url
        c, mod = _cluster(app_servers=2)
        stack.enter_context(c)
        load = Load(c, mod, args.learners)

        worker: dict = {}

        def fault() -> tuple[float, float]:
            time.sleep(args.warmup)
            down_at, up_at = make_fault(pg or rds, args.down)
            # the Celery worker takes tasks again (it reconnects to the broker by itself)
            c.send_task("webhooks.deliver_due")
            with contextlib.suppress(Exception):
                c.drain(120)
                worker["worker_recovery_s"] = round(time.monotonic() - up_at, 2)
            return down_at, up_at

        result = load.run(args.seconds, fault)
        result.update(worker)
        result.update(load.integrity())
        return result


def _restart(server, down: float) -> tuple[float, float]:
    down_at = time.monotonic()
    server.stop()
    time.sleep(down)
    server.start()
    return down_at, time.monotonic()


# --- webhook-down ------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on a fixed port that counts deliveries by event id; stop/start it."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event_id = json.loads(body)["event_id"]
                with owner.lock:
                    owner.counts[event_id] = owner.counts.get(event_id, 0) + 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a: object) -> None:
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self) -> set[str]:
        with self.lock:
            return set(self.counts)

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


COMPLETE = r"""
import math, sys, time, datetime
from sqlalchemy import select
from lms import create_app
from lms.extensions import db
from lms.org.models import Employee
from lms.courses.models import Course
from lms.completion.services import complete_course
from lms.completion.models import Completion
from lms.integrations.webhooks import add_endpoint
from lms.tasks import run_ready
app = create_app()
with app.app_context():
    if sys.argv[1] == "endpoint":
        add_endpoint(sys.argv[2], "drill-secret-0123456789abcdef", ["completion.created"])
        db.session.commit(); sys.exit(0)
    n, pause, reserve = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])

    def pairs():
        courses = db.session.scalars(select(Course).where(
            Course.published_version_id.is_not(None)).order_by(Course.id)).all()
        employees = db.session.scalars(select(Employee).where(
            Employee.is_active.is_(True)).order_by(Employee.id)).all()
        done = set(db.session.execute(select(Completion.employee_id, Completion.course_id)))
        return courses, [(e, c) for c in courses for e in employees if (e.id, c.id) not in done]

    courses, todo = pairs()
    if not courses: sys.exit(4)
    if len(todo) < reserve:  # the demo's ~200 employees x its courses are not enough: add some
        sys.path.insert(0, "bench")
        from quiz_load import seed_learners
        more = math.ceil((reserve - len(todo)) / len(courses)) + 1
        seed_learners(more, "9996", "Latihan", "LATIHAN", 1966, "199003", "latihan")
        db.session.commit()
        courses, todo = pairs()
    made = 0
    now = datetime.datetime.now(datetime.timezone.utc)
    for emp, course in todo[:n]:
        complete_course(emp, course, completed_at=now, score=None, source="classroom")
        db.session.commit()  # one transaction per completion, as a view does
        run_ready()
        made += 1
        if made % 100 == 0: print(made, flush=True)
        if pause: time.sleep(pause)
    print("made", made, flush=True)
    sys.exit(0 if made == n else 3)
"""


def make_completions(
    env: dict[str, str], n: int, pause: float = 0.0, reserve: int = 0
) -> subprocess.Popen:
    """A subprocess writing ``n`` new completions (each with its certificate, its e-mail and its
    outbox event) through ``complete_course``, one transaction each, ``pause`` s apart. First it
    makes sure ``reserve`` (employee, course) pairs without a completion exist: the demo has
    about 200 employees and 5 courses, so a large drill adds employees (bench/quiz_load.py's
    ``seed_learners``, accounts ``latihanNNNN``; once per cluster). Also bench/drills.py's."""
    argv = [sys.executable, "-c", COMPLETE, "complete", str(n), str(pause), str(max(n, reserve))]
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def _finish(proc: subprocess.Popen, timeout: float) -> None:
    if proc.wait(timeout=timeout) != 0:
        raise RuntimeError(f"making completions failed (exit {proc.returncode})")


def _until(check, timeout: float, pause: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def webhook_drill(args) -> dict:
    """N completions in three phases: receiver up (its events delivered), receiver down (the
    completions of the middle phase spread over the outage; it stays down at least until a
    delivery has failed, so the retries are drilled even on a slow machine), receiver up again
    (the last phase's rounds, and beat's every 60 s, send the retries). Every event of the
    drill must then arrive exactly once."""
    n = args.completions
    first = last = max(1, min(100, n // 4))
    middle = max(1, n - first - last)
    settle = args.settle or max(300.0, 2 * args.down + 3 * n)  # bounded, scaled to the size
    receiver = Receiver()
    receiver.start()
    attempts = 12  # backoff 1 s: 1, 2, 4 ... 1024 s before dead: longer than any --down
    env = {
        "LMS_WEBHOOK_ALLOW_PRIVATE": "127.0.0.1",
        "LMS_WEBHOOK_BACKOFF_SECONDS": "1",
        "LMS_WEBHOOK_MAX_ATTEMPTS": str(max(attempts, int(args.down).bit_length() + 3)),
        "LMS_WEBHOOK_TIMEOUT": "3",
    }
    c, _ = _cluster(env, app_servers=1, quiet=getattr(args, "quiet", False))
    with c:
        c.drain(settle)  # the demo's own tasks first: the drill's are then the only ones queued
        run_env = c.env()
        url = f"http://127.0.0.1:{receiver.port}/hook"
        subprocess.run([sys.executable, "-c", COMPLETE, "endpoint", url], env=run_env,
                       cwd=ROOT, check=True, capture_output=True, timeout=120)  # fmt: skip
        first_seq = c.sql("SELECT coalesce(max(seq), 0) FROM outbox_events")[0][0]

        def events() -> set[str]:
            return {r[0] for r in c.sql(
                "SELECT event_id FROM outbox_events WHERE type = 'completion.created' "
                "AND seq > %s", (first_seq,))}  # fmt: skip

        def failed() -> int:
            return c.sql("SELECT count(*) FROM webhook_deliveries "
                         "WHERE status IN ('failed', 'dead') OR attempts > 1")[0][0]  # fmt: skip

        began = time.monotonic()
        _finish(make_completions(run_env, first, reserve=n), settle)  # 1. receiver up
        if not _until(lambda: events() <= receiver.received(), settle):
            raise RuntimeError("the first completions were not delivered with the receiver up")
        first_s = time.monotonic() - began
        receiver.stop()  # 2. receiver down, the middle completions spread over the outage
        down_at = time.monotonic()
        maker = make_completions(run_env, middle, 0.8 * args.down / middle)
        _until(lambda: time.monotonic() - down_at >= args.down and failed() > 0, settle + args.down)
        failed_at_up = failed()
        receiver.start()
        up_at = time.monotonic()
        _finish(maker, settle)
        _finish(make_completions(run_env, last), settle)  # 3. receiver up again
        made_s = time.monotonic() - began
        expected = events()
        _until(lambda: expected <= receiver.received(), settle, 1)
        all_in = time.monotonic()
        time.sleep(5)  # late duplicates would show now
        states = dict(c.sql("SELECT status, count(*) FROM webhook_deliveries GROUP BY 1"))
        retried = c.sql("SELECT count(*), coalesce(sum(attempts - 1), 0) FROM webhook_deliveries "
                        "WHERE event_id = ANY(%s) AND attempts > 1", (list(expected),))[0]  # fmt: skip
    receiver.stop()
    got = receiver.counts
    missing = len(expected - set(got))
    return {
        "completions": len(expected),
        "phases": [first, middle, last],
        "first_phase_delivered_s": round(first_s, 1),
        "events_received": len(set(got) & expected),
        "events_missing": missing,
        "acknowledged_writes_lost": missing,
        "duplicates": sum(k - 1 for k in got.values() if k > 1),
        "unknown_events": len(set(got) - expected),
        "delivery_states": states,
        "deliveries_failed_when_back": failed_at_up,
        "deliveries_retried": int(retried[0]),
        "failed_attempts": int(retried[1]),
        "down_s": round(up_at - down_at, 1),
        "recovery_s": round(all_in - up_at, 1),
        "completions_made_s": round(made_s, 1),
        "errors_after": missing,
        "settle_s": settle,
        "settings": env,
    }


# --- backup-restore ----------------------------------------------------------------------------

TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"


def _fingerprint(sql) -> dict[str, list]:
    out = {}
    for (table,) in sql(TABLES):
        out[table] = list(sql(
            f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) '
            f'FROM "{table}" t'))[0]  # fmt: skip
    return out


def _file_sums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def backup_drill(args) -> dict:
    import psycopg

    c, _ = _cluster(app_servers=1)
    with c, PrivatePostgres() as target:
        c.drain(600)  # the demo's certificates rendered: files to back up
        time.sleep(2)
        backup = c.dir / "backup"
        began = time.monotonic()
        subprocess.run(["sh", str(ROOT / "deploy/backup.sh"), c.database_url,
                        str(c.files_dir), str(backup)], check=True, timeout=600)  # fmt: skip
        backup_s = time.monotonic() - began
        source_rows = _fingerprint(c.sql)
        source_files = _file_sums(c.files_dir)
        with psycopg.connect(target.url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE restored")
        restored_url = target.url.rsplit("/", 1)[0] + "/restored"
        restored_files = c.dir / "restored-files"
        began = time.monotonic()
        subprocess.run(["sh", str(ROOT / "deploy/restore.sh"), str(backup), restored_url,
                        str(restored_files)], check=True, timeout=600)  # fmt: skip
        restore_s = time.monotonic() - began

        def target_sql(statement: str, params=None) -> list:
            with psycopg.connect(restored_url, autocommit=True) as conn:
                cur = conn.execute(statement, params)
                return cur.fetchall() if cur.description else []

        target_rows = _fingerprint(target_sql)
        target_files = _file_sums(restored_files)
        size = sum(p.stat().st_size for p in backup.iterdir())
    tables_differ = sorted(t for t in source_rows if source_rows[t] != target_rows.get(t))
    files_differ = sorted(set(source_files) ^ set(target_files)) + sorted(
        k for k in source_files if k in target_files and source_files[k] != target_files[k]
    )
    return {
        "tables": len(source_rows),
        "rows": sum(v[0] for v in source_rows.values()),
        "files": len(source_files),
        "tables_differ": tables_differ,
        "files_differ": files_differ[:20],
        "acknowledged_writes_lost": len(tables_differ) + len(files_differ),
        "duplicates": 0,
        "errors_after": 0,
        "backup_s": round(backup_s, 1),
        "restore_s": round(restore_s, 1),
        "recovery_s": round(restore_s, 1),
        "backup_bytes": size,
    }


# --- main --------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="no cluster start/stop lines")
    sub = parser.add_subparsers(dest="drill", required=True)
    for name in ("pg-restart", "redis-stop"):
        p = sub.add_parser(name)
        p.add_argument("--learners", type=int, default=6)
        p.add_argument("--warmup", type=float, default=8, help="seconds of load before the fault")
        p.add_argument("--down", type=float, default=8, help="seconds the server stays down")
        p.add_argument("--for", dest="seconds", type=float, default=45, help="seconds of load")
    p = sub.add_parser("webhook-down")
    p.add_argument("--completions", type=int, default=40, help="the issue's size: 1000")
    p.add_argument(
        "--down-seconds", "--down", dest="down", type=float, default=20,
        help="seconds the receiver is down (the issue's: 600)",
    )  # fmt: skip
    p.add_argument("--settle", type=float, default=None, help="most seconds to wait per step")
    sub.add_parser("backup-restore")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    load_before = _load()
    began = time.monotonic()
    if args.drill in ("pg-restart", "redis-stop"):
        result = _learner_drill(args.drill, args, _restart)
    elif args.drill == "webhook-down":
        result = webhook_drill(args)
    else:
        result = backup_drill(args)
    result.update(
        drill=args.drill,
        took_s=round(time.monotonic() - began, 1),
        load_average_before=load_before,
        load_average_after=_load(),
        args={k: v for k, v in vars(args).items() if k != "drill"},
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"drill-{args.drill}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    ok = result["acknowledged_writes_lost"] == 0 and result["duplicates"] == 0
    ok = ok and result["errors_after"] == 0
    if args.drill == "webhook-down":  # an outage no delivery felt drilled nothing
        ok = ok and result["deliveries_failed_when_back"] > 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
