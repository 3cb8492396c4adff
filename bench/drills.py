"""Fault drills on the production topology (bench/cluster.py), each bounded and stopping by itself.

    .venv/bin/python bench/drills.py app-kill     [--employees 200] [--questions 10]
    .venv/bin/python bench/drills.py worker-kill  [--certificates 200] [--mode full|child]
    .venv/bin/python bench/drills.py outbox-relay [--kill-after 0.5]

``app-kill``: the employees log in through nginx, then take the exam at once (intro, start,
attempt page, one autosave per question, submit, result: bench/quiz_load.py's browser); when a
third of the answers are acknowledged, app server 0 is killed with SIGKILL and restarted a few
seconds later. A request that fails is sent again after a short pause, twice at most: the exam
page (lms/static/js/quiz.js) keeps an unacknowledged answer on the device and sends it again.
Every answer the server acknowledged must be stored, every employee ends with one graded attempt.

``worker-kill``: N certificates' PDFs are removed (their sha256 kept), N renders are queued and
the Celery worker is killed (SIGKILL) when a quarter are back: ``--mode full`` kills the whole
worker and starts it again (the cluster runs with ``LMS_CELERY_VISIBILITY_TIMEOUT`` of a few
seconds so Redis redelivers its unacknowledged task quickly; 2 h in production), ``--mode child``
kills the pool process only (requeued at once). Every certificate must end with one PDF whose
sha256 equals the stored one and the one it had before.

``outbox-relay``: the outbox dispatcher crashes after the consumers' effects were committed but
before their positions were saved: every consumer's position is set back to 0, a dispatcher is
started in a subprocess and killed with SIGKILL after ``--kill-after`` seconds, then another one
runs to the end. Every event is seen again (a duplicate delivery); the effects must not change:
one learning record per completion, one webhook delivery per endpoint and event, one
processed mark per consumer and event.

Each drill prints a small table and writes ``bench/results/drill-<name>.json``; exit status 1 when
an acknowledged write was lost, something is duplicated or missing, or an error happened after
the recovery.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import quiz_load as ql  # noqa: E402  (puts the project on sys.path)
from cluster import Cluster, ClusterError, _wait  # noqa: E402

RESULTS = BENCH / "results"
RETRIES = 2  # a failed request is sent again this many times …
RETRY_PAUSE = 1.0  # … after this many seconds


# --------------------------------------------------------------------------- shared pieces


class TimedRecorder(ql.Recorder):
    """quiz_load's recorder, with the time of every error (to split during / after the fault)."""

    def __init__(self) -> None:
        super().__init__()
        self.error_times: list[tuple[float, str, str]] = []

    def error(self, step: str, message: str) -> None:
        super().error(step, message)
        with self.lock:
            self.error_times.append((time.monotonic(), step, message))


class RetryingBrowser(ql.Browser):
    """quiz_load's browser that sends a failed request again, as the exam page does."""

    retried = 0
    lock = threading.Lock()

    def call(self, step, method, path, expect, body=None, headers=None):
        for attempt in range(RETRIES + 1):
            try:
                return super().call(step, method, path, expect, body, headers)
            except ql.StepFailed:
                if attempt == RETRIES:
                    raise
                with RetryingBrowser.lock:
                    RetryingBrowser.retried += 1
                self.close()
                time.sleep(RETRY_PAUSE)
        raise AssertionError("unreachable")


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def report(name: str, rows: list[tuple[str, object]], data: dict) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\nDrill {name}")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"drill-{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"  written to {path.relative_to(BENCH.parent)}")


def split_errors(recorder: TimedRecorder, fault: float, recovered: float) -> tuple[int, int, int]:
    before = sum(1 for t, *_ in recorder.error_times if t < fault)
    during = sum(1 for t, *_ in recorder.error_times if fault <= t <= recovered)
    after = sum(1 for t, *_ in recorder.error_times if t > recovered)
    return before, during, after


# --------------------------------------------------------------------------- app-kill


def drill_app_kill(args: argparse.Namespace) -> dict:
    with Cluster(app_servers=2, quiet=args.quiet) as c:
        seeded = ql.seed(c.database_url, c.dir, args.employees, args.questions)
        quiz_id = seeded["quiz_id"]
        recorder = TimedRecorder()
        browsers = [RetryingBrowser(c.port, i, recorder) for i in range(args.employees)]

        def login(i: int) -> None:
            ql.log_in(browsers[i], f"ujian{i:04d}")

        took, _, failed_logins = ql.run_phase(args.employees, args.concurrency, login)
        if failed_logins:
            raise ClusterError(f"{failed_logins} logins failed before the drill")
        recorder.error_times.clear()  # the drill starts now
        sent: dict = {}
        sent_lock = threading.Lock()
        expected = args.employees * args.questions
        events: dict[str, float] = {}

        def acknowledged() -> int:
            with sent_lock:
                return sum(1 for _c, acked in list(sent.values()) if acked)

        def fault() -> None:
            deadline = time.monotonic() + 600
            while acknowledged() < expected * args.kill_at and time.monotonic() < deadline:
                time.sleep(0.05)
            events["kill"] = time.monotonic()
            c.kill_app(0)
            time.sleep(args.down)
            c.restart_app(0)
            events["restarted"] = time.monotonic()

        def exam(i: int) -> None:
            ql.take_quiz(browsers[i], quiz_id, random.Random(i), sent)  # shared: live counts

        killer = threading.Thread(target=fault, daemon=True)
        killer.start()
        wall, _, failed = ql.run_phase(args.employees, args.concurrency, exam)
        killer.join(120)
        for b in browsers:
            b.close()
        if "restarted" not in events:
            raise ClusterError("the burst ended before the kill: raise --employees or --kill-at")
        checked = ql.check_database(c.database_url, quiz_id, sent, args.employees)
        _, during, after = split_errors(recorder, events["kill"], events["restarted"])
        last_error = max((t for t, *_ in recorder.error_times), default=events["kill"])
        upstream_log = (c.dir / "nginx/error.log").read_text(errors="replace")
    data = {
        "drill": "app-kill",
        "employees": args.employees,
        "questions": args.questions,
        "concurrency": args.concurrency,
        "login_s": round(took, 1),
        "burst_s": round(wall, 1),
        "killed_after_answers": int(expected * args.kill_at),
        "app_server_down_s": round(events["restarted"] - events["kill"], 1),
        "errors_during": during,
        "errors_after": after,
        "last_error_after_kill_s": round(last_error - events["kill"], 1),
        "requests_retried": RetryingBrowser.retried,
        "employees_failed": failed,
        "nginx_upstream_errors": upstream_log.count("upstream"),
        "error_examples": [f"{s}: {m}" for _t, s, m in recorder.error_times[:5]],
        "database": checked,
        "machine": machine(),
    }
    duplicates = checked["employees_with_several_attempts"]
    data["ok"] = (
        checked["answers_lost"] == 0
        and duplicates == 0
        and after == 0
        and failed == 0
        and checked["attempts_graded"] == args.employees
    )
    report(
        "app-kill",
        [
            ("employees x questions", f"{args.employees} x {args.questions}"),
            ("answers acknowledged", checked["answers_acknowledged"]),
            ("acknowledged answers lost", checked["answers_lost"]),
            ("duplicate attempts", duplicates),
            ("attempts graded", f"{checked['attempts_graded']} / {args.employees}"),
            ("app server down (kill→healthy)", f"{data['app_server_down_s']} s"),
            ("last error after the kill", f"{data['last_error_after_kill_s']} s"),
            ("errors during the fault", during),
            ("errors after recovery", after),
            ("requests sent again", data["requests_retried"]),
            ("employees who gave up", failed),
            ("burst wall time", f"{data['burst_s']} s"),
            ("verdict", "OK" if data["ok"] else "FAILED"),
        ],
        data,
    )
    return data


# --------------------------------------------------------------------------- worker-kill


def _rendered(c: Cluster, ids: list[int]) -> int:
    return c.sql(
        "SELECT count(*) FROM certificates WHERE id = ANY(%s) AND pdf_key IS NOT NULL", (ids,)
    )[0][0]


def drill_worker_kill(args: argparse.Namespace) -> dict:
    extra = {"LMS_CELERY_VISIBILITY_TIMEOUT": str(args.visibility)} if args.mode == "full" else {}
    with Cluster(app_servers=1, quiet=args.quiet, extra_env=extra) as c:
        c.drain()
        _wait(
            "demo certificates rendered",
            lambda: c.sql("SELECT count(*) FROM certificates WHERE pdf_key IS NULL")[0][0] == 0,
            300,
            c.worker,
        )
        before = c.sql(
            "SELECT id, pdf_key, pdf_sha256 FROM certificates ORDER BY id LIMIT %s",
            (args.certificates,),
        )
        ids = [row[0] for row in before]
        for _id, key, _digest in before:
            (c.files_dir / key).unlink()
        c.sql(
            "UPDATE certificates SET pdf_key = NULL, pdf_sha256 = NULL WHERE id = ANY(%s)", (ids,)
        )
        log_before = c.worker.log.read_text(errors="replace")
        began = time.monotonic()
        for cert_id in ids:
            c.send_task("certificates.render", cert_id)
        _wait("a quarter rendered", lambda: _rendered(c, ids) >= len(ids) // 4, 300, c.worker)
        killed_at = time.monotonic()
        rendered_at_kill = _rendered(c, ids)
        if args.mode == "full":
            c.kill_worker()
            time.sleep(1)
            c.restart_worker()
        else:
            c.kill_worker_child()
        restarted = time.monotonic()
        _wait(
            "every certificate rendered",
            lambda: _rendered(c, ids) == len(ids),
            args.visibility + 300,
            c.worker,
        )
        done = time.monotonic()
        after = {
            row[0]: row[1:]
            for row in c.sql(
                "SELECT id, pdf_key, pdf_sha256 FROM certificates WHERE id = ANY(%s)", (ids,)
            )
        }
        wrong, missing = [], []
        for cert_id, key, digest in before:
            new_key, new_digest = after.get(cert_id, (None, None))
            path = c.files_dir / new_key if new_key else None
            if path is None or not path.exists():
                missing.append(cert_id)
                continue
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
            if not (new_key == key and new_digest == digest == actual):
                wrong.append(cert_id)
        folders = {(c.files_dir / key).parent for _i, key, _d in before}
        on_disk = sum(1 for f in folders for p in f.iterdir() if p.is_file())
        referenced = c.sql("SELECT count(*) FROM certificates WHERE pdf_key IS NOT NULL")[0][0]
        worker_log = c.worker.log.read_text(errors="replace")[len(log_before) :]
        task_errors = worker_log.count("] ERROR/")
    data = {
        "drill": "worker-kill",
        "mode": args.mode,
        "visibility_timeout_s": args.visibility if args.mode == "full" else 7200,
        "certificates": len(ids),
        "rendered_at_kill": rendered_at_kill,
        "kill_after_s": round(killed_at - began, 1),
        "worker_back_s": round(restarted - killed_at, 1),
        "recovery_s": round(done - killed_at, 1),
        "total_s": round(done - began, 1),
        "missing": len(missing),
        "wrong_hash": len(wrong),
        "pdf_files_in_folders": on_disk,
        "certificates_with_pdf": referenced,
        "worker_error_lines": task_errors,
        "machine": machine(),
    }
    # Error lines are the killed task's "worker lost" report (during the fault); after the
    # recovery nothing may be missing or wrong.
    data["ok"] = not missing and not wrong and on_disk <= referenced
    report(
        "worker-kill",
        [
            ("certificates re-rendered", len(ids)),
            ("kill", f"{args.mode} worker at {rendered_at_kill} rendered"),
            ("missing PDFs", len(missing)),
            ("wrong sha256", len(wrong)),
            ("PDF files / certificates with a PDF", f"{on_disk} / {referenced}"),
            ("worker back (kill→ready)", f"{data['worker_back_s']} s"),
            ("recovery (kill→all rendered)", f"{data['recovery_s']} s"),
            ("worker ERROR lines (during)", task_errors),
            ("verdict", "OK" if data["ok"] else "FAILED"),
        ],
        data,
    )
    return data


# --------------------------------------------------------------------------- outbox-relay

COUNTS = {
    "events": "SELECT count(*) FROM outbox_events",
    "processed": "SELECT count(*) FROM outbox_processed",
    "learning_records": "SELECT count(*) FROM learning_records WHERE completion_id IS NOT NULL",
    "webhook_deliveries": "SELECT count(*) FROM webhook_deliveries",
}
DUPLICATES = {
    "learning records per completion": "SELECT count(*) FROM (SELECT completion_id FROM "
    "learning_records WHERE completion_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d",
    "webhook deliveries per endpoint and event": "SELECT count(*) FROM (SELECT endpoint_id, "
    "event_id FROM webhook_deliveries GROUP BY 1, 2 HAVING count(*) > 1) d",
    "processed marks per consumer and event": "SELECT count(*) FROM (SELECT consumer, event_id "
    "FROM outbox_processed GROUP BY 1, 2 HAVING count(*) > 1) d",
}
DISPATCH = (
    "import json\nfrom wsgi import app\nfrom lms.completion.consumers import dispatch\n"
    "with app.app_context():\n    print(json.dumps(dispatch(batch=BATCH)))\n"
)


def _dispatcher(c: Cluster, batch: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DISPATCH.replace("BATCH", str(batch))],
        cwd=BENCH.parent,
        env=c.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def drill_outbox_relay(args: argparse.Namespace) -> dict:
    with Cluster(app_servers=1, quiet=args.quiet) as c:
        c.drain()
        # The demo's events were dispatched by the worker (after their commits); settle.
        first = _dispatcher(c, args.batch)
        first.communicate(timeout=300)
        counts_before = {k: c.sql(q)[0][0] for k, q in COUNTS.items()}
        positions = dict(c.sql("SELECT name, last_seq FROM outbox_consumers"))
        # The crash: effects committed, positions not saved (set back to the start).
        c.sql("UPDATE outbox_consumers SET last_seq = 0")
        began = time.monotonic()
        victim = _dispatcher(c, args.batch)
        time.sleep(args.kill_after)
        killed = victim.poll() is None
        if killed:
            os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        positions_at_kill = dict(c.sql("SELECT name, last_seq FROM outbox_consumers"))
        again = _dispatcher(c, args.batch)
        out, err = again.communicate(timeout=300)
        done = time.monotonic()
        handled = json.loads(out.strip().splitlines()[-1]) if again.returncode == 0 else {}
        counts_after = {k: c.sql(q)[0][0] for k, q in COUNTS.items()}
        duplicates = {k: c.sql(q)[0][0] for k, q in DUPLICATES.items()}
        positions_after = dict(c.sql("SELECT name, last_seq FROM outbox_consumers"))
    changed = {k: counts_after[k] - counts_before[k] for k in COUNTS}
    data = {
        "drill": "outbox-relay",
        "dispatcher_killed": killed,
        "kill_after_s": args.kill_after,
        "batch": args.batch,
        "positions_before": positions,
        "positions_at_kill": positions_at_kill,
        "positions_after": positions_after,
        "counts_before": counts_before,
        "counts_after": counts_after,
        "handled_again_by_consumer": handled,
        "duplicates": duplicates,
        "recovery_s": round(done - began, 1),
        "dispatcher_error": err[-2000:] if again.returncode else "",
        "machine": machine(),
    }
    data["ok"] = (
        again.returncode == 0
        and not any(changed.values())
        and not any(duplicates.values())
        and not any(handled.values())
        and positions_after == positions
    )
    report(
        "outbox-relay",
        [
            ("events replayed", counts_before["events"]),
            ("dispatcher killed mid-replay", f"{killed} (after {args.kill_after} s)"),
            ("positions at the kill", positions_at_kill),
            ("effects run again", sum(handled.values()) if handled else "?"),
            (
                "learning records",
                f"{counts_before['learning_records']} → {counts_after['learning_records']}",
            ),
            (
                "webhook deliveries",
                f"{counts_before['webhook_deliveries']} → {counts_after['webhook_deliveries']}",
            ),
            ("duplicates", sum(duplicates.values())),
            ("positions back where they were", positions_after == positions),
            ("recovery (crash→caught up)", f"{data['recovery_s']} s"),
            ("verdict", "OK" if data["ok"] else "FAILED"),
        ],
        data,
    )
    return data


# --------------------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quiet", action="store_true", help="no cluster start/stop lines")
    sub = p.add_subparsers(dest="drill", required=True)
    app = sub.add_parser("app-kill", help="kill -9 an app server in the exam burst")
    app.add_argument("--employees", type=int, default=200)
    app.add_argument("--questions", type=int, default=10)
    app.add_argument("--concurrency", type=int, default=20)
    app.add_argument("--kill-at", type=float, default=1 / 3, help="share of answers acknowledged")
    app.add_argument("--down", type=float, default=3.0, help="seconds before the restart")
    worker = sub.add_parser("worker-kill", help="kill -9 the Celery worker mid-renders")
    worker.add_argument("--certificates", type=int, default=200)
    worker.add_argument("--mode", choices=("full", "child"), default="full")
    worker.add_argument("--visibility", type=int, default=10, help="visibility timeout (full)")
    outbox = sub.add_parser("outbox-relay", help="kill the outbox dispatcher mid-replay")
    outbox.add_argument("--kill-after", type=float, default=1.0)
    outbox.add_argument("--batch", type=int, default=50)
    return p


DRILLS = {
    "app-kill": drill_app_kill,
    "worker-kill": drill_worker_kill,
    "outbox-relay": drill_outbox_relay,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    def out_of_time(_signum: int, _frame: object) -> None:
        raise ClusterError("out of time (15 minutes): stopped")

    signal.signal(signal.SIGALRM, out_of_time)  # bounded: the cluster stops in the with-block
    signal.alarm(900)
    try:
        data = DRILLS[args.drill](args)
    except ClusterError as error:
        print(f"drill {args.drill}: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
    return 0 if data["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
