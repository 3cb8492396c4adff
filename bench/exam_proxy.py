"""The 1,000-employee exam burst through the proxy: 1 app server, then 2, in one sitting.

    .venv/bin/python bench/exam_proxy.py [--users 1000] [--concurrency 50] [--servers 1 2]

For each number of app servers, ``bench/cluster.py`` starts a cluster of its own (nginx in
front, PostgreSQL, Redis, Celery; the demo data loaded), ``bench/quiz_load.py``'s ``seed`` fills
it (employees ``ujianNNNN``, a 20-question post-test), the worker empties the queue the demo
load filled, and quiz_load's own simulated browsers run the exam against the nginx URL: phase 1
every employee logs in through the form, phase 2 (the timed window) every employee opens the
quiz, starts, autosaves every answer, submits and opens the result, ``--concurrency`` at a
time. Each browser comes from a loopback address of its own (127.0.x.y) and nginx passes it on
in ``X-Forwarded-For`` (the cluster sets ``LMS_TRUSTED_PROXIES=1``), so the login limit per
address holds as for people on different machines.

Afterwards quiz_load's ``check_database`` compares every acknowledged answer with the database
(lost answers: must be 0). Prints each window beside the other and writes
``bench/results/exam-proxy.json``; exit status 1 on any error or lost answer.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from cluster import Cluster  # noqa: E402
from quiz_load import (  # noqa: E402
    TARGET_S,
    Browser,
    Recorder,
    StepFailed,
    check_database,
    log_in,
    print_table,
    run_phase,
    seed,
    step_rows,
    take_quiz,
)

RESULTS = BENCH / "results" / "exam-proxy.json"


def sitting(servers: int, args: argparse.Namespace) -> dict:
    """One cluster of ``servers`` app servers: seed, log everyone in, the timed exam, check."""
    with (
        tempfile.TemporaryDirectory(prefix="akademi-exam-") as tmp_name,
        Cluster(app_servers=servers) as c,
    ):
        data = seed(c.database_url, Path(tmp_name), args.users, args.questions)
        print(f"seeded {data['employees']} employees in {data['seconds']} s", flush=True)
        print(f"queue drained in {c.drain(600):.0f} s", flush=True)
        recorder = Recorder()
        browsers = [Browser(c.port, i, recorder) for i in range(args.users)]
        logged_in = [False] * args.users
        sent: dict = {}
        lock = threading.Lock()

        def login_job(i: int) -> None:
            log_in(browsers[i], f"ujian{i:04d}")
            logged_in[i] = True
            browsers[i].close()

        def quiz_job(i: int) -> None:
            if not logged_in[i]:
                raise StepFailed("not logged in")
            mine: dict = {}
            try:
                take_quiz(
                    browsers[i], data["quiz_id"], random.Random(args.seed * 100_003 + i), mine
                )
            finally:
                browsers[i].close()
                with lock:
                    sent.update(mine)

        login_wall, _finished, login_failed = run_phase(args.users, args.concurrency, login_job)
        login_rows = step_rows(recorder)
        recorder = Recorder()
        for browser in browsers:
            browser.recorder = recorder
        load_before = os.getloadavg()
        wall, finished, failed = run_phase(args.users, args.concurrency, quiz_job)
        load_after = os.getloadavg()
        rows = step_rows(recorder)
        checks = check_database(c.database_url, data["quiz_id"], sent, args.users)
    print_table(f"{servers} app server(s): logins", login_rows)
    print_table(f"{servers} app server(s): the exam", rows)
    requests = sum(r["requests"] for r in rows)
    return {
        "app_servers": servers,
        "login_wall_s": round(login_wall, 1),
        "login_failed": login_failed,
        "window_s": round(wall, 1),
        "target_s": TARGET_S,  # quiz_load's window for 1,000 employees
        "within_target": wall <= TARGET_S,
        "employees_finished_by_target": sum(1 for t in finished if t <= TARGET_S),
        "failed_employees": failed,
        "requests": requests,
        "requests_per_s": round(requests / wall, 1) if wall else None,
        "errors": sum(r["errors"] for r in login_rows + rows),
        "resent_stale_keepalive": recorder.resent_summary(),  # not errors: quiz_load's Browser
        "answers_lost": checks["answers_lost"],
        "checks": checks,
        "login_steps": login_rows,
        "steps": rows,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    sittings = []
    for servers in args.servers:
        began = time.monotonic()
        sittings.append(sitting(servers, args))
        print(f"{servers} app server(s): cluster and exam in {time.monotonic() - began:.0f} s")
    print(f"\n{args.users} employees, {args.concurrency} at a time, through nginx")
    print(f"{'servers':>8}{'window s':>10}{'req/s':>8}{'errors':>8}{'lost':>6}{'load':>14}")
    for s in sittings:
        load = f"{s['load_average_before'][0]:.1f}→{s['load_average_after'][0]:.1f}"
        print(
            f"{s['app_servers']:>8}{s['window_s']:>10}{s['requests_per_s']:>8}"
            f"{s['errors']:>8}{s['answers_lost']:>6}{load:>14}"
        )
    result = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "sittings": sittings,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {args.output}")
    broken = any(
        s["errors"]
        or s["answers_lost"]
        or s["checks"]["employees_with_attempt"] != args.users
        or s["checks"]["attempts_graded"] != args.users
        for s in sittings
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
