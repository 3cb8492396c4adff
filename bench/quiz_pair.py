"""Two versions of the exam path side by side: which one costs more CPU per request.

    .venv/bin/python bench/quiz_pair.py OTHER_CHECKOUT [--users 400] [--concurrency 50]

``bench/quiz_load.py`` run twice one after the other cannot compare two commits on a shared
machine: the same code's gunicorn CPU for the 25,000 exam requests moved from 73 to 98 s between
runs with the other load (more processes, fewer cache hits), more than any code change. This
runs both at once instead: ``OTHER_CHECKOUT`` (a ``git worktree`` of the other commit, its
catalogue compiled) and this checkout each get a database of their own (migrated and seeded by
their own code, ``quiz_load.seed``) and a gunicorn of their own, and the employees are
interleaved between them (one of each at a time), so both see the same contention. It prints
and writes to ``bench/results/quiz_pair.json`` each server's gunicorn CPU seconds and CPU per
request over the window, plus quiz_load's checks (lost answers, graded attempts); exit status 1
on any failed step or lost answer. Both databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import quiz_load as q  # noqa: E402
from run import Server, base_env, children_of  # noqa: E402

RESULTS = BENCH / "results" / "quiz_pair.json"
REQUESTS_PER_EMPLOYEE = 25

# Runs in each checkout with its own code: a database, its schema and the seed; prints them.
SETUP = """
import json, sys
from pathlib import Path
sys.path[:0] = [".", "bench"]
import quiz_load as q
from run import base_env
tmp, users, admin = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
url = q.create_database(admin)
try:
    q.build_schema(url, base_env(tmp, url), tmp, "migrate")
    data = q.seed(url, tmp, users, 20)
except BaseException:
    q.drop_database(admin, url)
    raise
print(json.dumps({"url": url, "quiz_id": data["quiz_id"]}))
"""


def cpu_seconds(server: Server) -> float:
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    assert server.proc is not None
    return used(server.proc.pid) + sum(used(c) for c in children_of(server.proc.pid))


def start(name: str, root: Path, users: int, admin: str, tmp: Path, dbs: dict) -> Server:
    out = subprocess.run(
        [sys.executable, "-c", SETUP, str(tmp), str(users), admin],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise q.BenchError(f"{name}: schema or seed failed:\n{out.stderr[-3000:]}")
    dbs[name] = json.loads(out.stdout.strip().splitlines()[-1])
    server = Server(
        name, "wsgi:app", root, base_env(tmp, dbs[name]["url"]), tmp / "g.log", "/healthz"
    )
    server.start()
    server.wait_ready()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="checkout of the other commit")
    parser.add_argument("--users", type=int, default=400, help="employees per server")
    parser.add_argument("--concurrency", type=int, default=50, help="employees at a time")
    parser.add_argument("--admin-url", default=q.ADMIN_URL)
    args = parser.parse_args()
    roots = {"other": args.other.resolve(), "this": BENCH.parent}
    servers: dict[str, Server] = {}
    dbs: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="akademi-quizpair-") as tmp_name:
            for name, root in roots.items():
                tmp = Path(tmp_name) / name
                tmp.mkdir()
                servers[name] = start(name, root, args.users, args.admin_url, tmp, dbs)
                print(f"{name}: {root} on port {servers[name].port}", flush=True)
            recorder = q.Recorder()
            jobs = [(name, i) for i in range(args.users) for name in roots]
            offset = {name: n * args.users for n, name in enumerate(roots)}  # own addresses
            browsers = {
                (name, i): q.Browser(servers[name].port, offset[name] + i, recorder)
                for name, i in jobs
            }

            def log_in(k: int) -> None:
                name, i = jobs[k]
                q.log_in(browsers[(name, i)], f"ujian{i:04d}")
                browsers[(name, i)].close()

            login_s, _done, failed = q.run_phase(len(jobs), args.concurrency, log_in)
            print(f"logins: {len(jobs)} in {login_s:.1f} s ({failed} failed)", flush=True)
            sent: dict[str, dict] = {name: {} for name in roots}
            lock = threading.Lock()

            def exam(k: int) -> None:
                name, i = jobs[k]
                mine: dict = {}
                try:
                    rng = random.Random(11 * 100_003 + i)
                    q.take_quiz(browsers[(name, i)], dbs[name]["quiz_id"], rng, mine)
                finally:
                    browsers[(name, i)].close()
                    with lock:
                        sent[name].update(mine)

            before = {name: cpu_seconds(s) for name, s in servers.items()}
            window, _done, failed = q.run_phase(len(jobs), args.concurrency, exam)
            after = {name: cpu_seconds(s) for name, s in servers.items()}
            result: dict = {"users_each": args.users, "window_s": round(window, 1)}
            result["failed_employees"] = failed
            result["errors"] = {k: v[:5] for k, v in recorder.errors.items()}
            for name, root in roots.items():
                check = q.check_database(dbs[name]["url"], dbs[name]["quiz_id"], sent[name], 0)
                used = after[name] - before[name]
                result[name] = {
                    "checkout": str(root),
                    "commit": subprocess.run(
                        ["git", "rev-parse", "--short", "HEAD"],
                        cwd=root,
                        capture_output=True,
                        text=True,
                    ).stdout.strip(),
                    "gunicorn_cpu_s": round(used, 1),
                    "cpu_ms_per_request": round(
                        1000 * used / (REQUESTS_PER_EMPLOYEE * args.users), 2
                    ),
                    "answers_lost": check["answers_lost"],
                    "attempts_graded": check["attempts_graded"],
                }
    finally:
        for server in servers.values():
            server.stop()
        for db in dbs.values():
            q.drop_database(args.admin_url, db["url"])
    print(json.dumps(result, indent=1))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1))
    bad = failed or any(result[name]["answers_lost"] for name in roots)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
