"""Fault drills on the production topology (bench/cluster.py), each bounded and stopping by itself.

    .venv/bin/python bench/drills.py app-kill     [--employees 200] [--questions 10]
    .venv/bin/python bench/drills.py worker-kill  [--certificates 35] [--mode full|child]
    .venv/bin/python bench/drills.py outbox-relay [--batch 10]

``app-kill``: the employees log in through nginx, then take the exam at once (intro, start,
attempt page, one autosave per question, submit, result: bench/quiz_load.py's browser); when a
third of the answers are acknowledged, app server 0 is killed with SIGKILL and restarted a few
seconds later. A request that fails is sent again after a short pause, twice at most: the exam
page (lms/static/js/quiz.js) keeps an unacknowledged answer on the device and sends it again.
A request that finds its idle keep-alive connection closed by nginx (keepalive_timeout 65 s:
employees wait after their login for their turn in the burst) is sent once more at once, as
browsers do (quiz_load's Browser.call): counted apart, not as an error.
Every answer the server acknowledged must be stored, every employee ends with one graded attempt.

``worker-kill``: N certificates' PDFs are removed (their sha256 kept), N renders are queued and
the Celery worker is killed (SIGKILL) when a quarter are back: ``--mode full`` kills the whole
worker and starts it again (the cluster runs with ``LMS_CELERY_VISIBILITY_TIMEOUT`` of a few
seconds so Redis redelivers its unacknowledged task quickly; 2 h in production), ``--mode child``
kills the pool process only (requeued at once). Every certificate must end with one PDF whose
sha256 equals the stored one and the one it had before. The demo has 35 certificates; for more
(the issue's 200), the drill first writes completions (each issues a certificate) and waits until
the worker has rendered them.

``outbox-relay``: the outbox dispatcher crashes after a consumer's effect was committed but
before its position was saved. A new webhook endpoint subscribes to every event type; the
``webhooks`` and ``learning_record`` consumers forget their processed marks and every position goes
back to 0, so every event is delivered to every consumer again (a duplicate for the learning
record, whose record exists). A dispatcher in a subprocess commits each effect as it is made and
kills itself (SIGKILL) after half of them; another one then runs to the end. Each event must end
with one webhook delivery, each completion with one learning record (as before), each consumer
with one processed mark per event, and the positions where they were.

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
    load_at_start = [round(x, 2) for x in os.getloadavg()]
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
        load_at_burst = [round(x, 2) for x in os.getloadavg()]
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
        before, during, after = split_errors(recorder, events["kill"], events["restarted"])
        resent = recorder.resent_summary()
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
        "errors_before": before,
        "errors_during": during,
        "errors_after": after,
        "resent_stale_keepalive": resent,
        "last_error_after_kill_s": round(last_error - events["kill"], 1),
        "requests_retried": RetryingBrowser.retried,
        "employees_failed": failed,
        "nginx_upstream_errors": upstream_log.count("upstream"),
        "load_average_at_start": load_at_start,
        "load_average_at_burst": load_at_burst,
        "error_examples": [f"{s}: {m}" for _t, s, m in recorder.error_times[:5]],
        "database": checked,
        "machine": machine(),
    }
    duplicates = checked["employees_with_several_attempts"]
    data["ok"] = (
        checked["answers_lost"] == 0
        and duplicates == 0
        and before == 0
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
            ("errors before / during the fault", f"{before} / {during}"),
            ("errors after recovery", after),
            ("requests sent again after an error", data["requests_retried"]),
            ("resent on a stale keep-alive connection", stale_line(resent)),
            ("employees who gave up", failed),
            ("logins / burst wall time", f"{data['login_s']} s / {data['burst_s']} s"),
            ("load average: start / burst", f"{load_at_start} / {load_at_burst}"),
            ("verdict", "OK" if data["ok"] else "FAILED"),
        ],
        data,
    )
    return data


def stale_line(resent: dict) -> str:
    """``N (idle a–b s)``: requests a browser sent again because the server had closed its idle
    keep-alive connection (nginx's keepalive_timeout), not errors."""
    if not resent["count"]:
        return "0"
    return f"{resent['count']} (connection idle {resent['idle_s_min']}–{resent['idle_s_max']} s)"


# --------------------------------------------------------------------------- worker-kill


def _rendered(c: Cluster, ids: list[int]) -> int:
    return c.sql(
        "SELECT count(*) FROM certificates WHERE id = ANY(%s) AND pdf_key IS NOT NULL", (ids,)
    )[0][0]


def _more_certificates(c: Cluster, wanted: int) -> int:
    """The demo has 35 certificates: for more, completions are written (each issues one, whose
    render the worker then runs) by bench/drills_infra.py's maker. Returns how many were made."""
    import drills_infra

    missing = wanted - c.sql("SELECT count(*) FROM certificates")[0][0]
    if missing <= 0:
        return 0
    maker = drills_infra.make_completions(c.env(), missing)
    if maker.wait(timeout=300 + missing) != 0:
        raise ClusterError(f"making {missing} completions failed (exit {maker.returncode})")
    return missing


def drill_worker_kill(args: argparse.Namespace) -> dict:
    extra = {"LMS_CELERY_VISIBILITY_TIMEOUT": str(args.visibility)} if args.mode == "full" else {}
    with Cluster(app_servers=1, quiet=args.quiet, extra_env=extra) as c:
        c.drain()
        made = _more_certificates(c, args.certificates)
        _wait(
            "every certificate rendered",
            lambda: c.sql("SELECT count(*) FROM certificates WHERE pdf_key IS NULL")[0][0] == 0,
            300 + 6 * made,
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
        quarter = len(ids) // 4
        _wait(
            "a quarter rendered", lambda: _rendered(c, ids) >= quarter, 300 + 3 * quarter, c.worker
        )
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
            args.visibility + 300 + 5 * len(ids),
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
        files = [p for f in folders for p in f.iterdir() if p.is_file()]
        on_disk = sum(1 for p in files if p.suffix == ".pdf")
        # lms/storage.py writes each PDF to a temporary file of its own; a render killed
        # mid-write leaves it behind (hidden; the hourly storage sweep deletes it once an hour
        # old, long after this check): counted, not a stray PDF
        temporary = sum(1 for p in files if p.name.endswith(".part"))
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
        "temporary_files_left": temporary,
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

DUPLICATES = {
    "learning records per completion": "SELECT count(*) FROM (SELECT completion_id FROM "
    "learning_records WHERE completion_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d",
    "webhook deliveries per endpoint and event": "SELECT count(*) FROM (SELECT endpoint_id, "
    "event_id FROM webhook_deliveries GROUP BY 1, 2 HAVING count(*) > 1) d",
    "processed marks per consumer and event": "SELECT count(*) FROM (SELECT consumer, event_id "
    "FROM outbox_processed GROUP BY 1, 2 HAVING count(*) > 1) d",
}
#: The dispatcher in a subprocess. With CRASH_AFTER=k, each consumer's effect is committed as soon
#: as it is made (with its processed mark) and the process kills itself (SIGKILL) right after the
#: k-th one: the effect is stored, the consumer's position is not.
DISPATCH = """
import json, os, signal, sys
from wsgi import app
from lms.completion import consumers
from lms.extensions import db

crash_after = int(os.environ.get("CRASH_AFTER") or 0)
if crash_after:
    original, done = consumers.handle_once, [0]

    def handle_once(name, handler, event):
        ran = original(name, handler, event)
        db.session.commit()  # the effect and its mark are stored; the position is not
        done[0] += ran
        if done[0] >= crash_after:
            print(json.dumps({"crashed_after": done[0], "at": [name, event.seq]}), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return ran

    consumers.handle_once = handle_once
with app.app_context():
    print(json.dumps(consumers.dispatch(batch=int(sys.argv[1]))), flush=True)
"""
#: The consumers whose processed marks the drill removes, so their handlers see every event
#: again and must de-duplicate on their own (the learning record) or make each effect once (a
#: new webhook endpoint gets one delivery per event).
FRESH = ("webhooks", "learning_record")


def _dispatch(c: Cluster, batch: int, crash_after: int = 0) -> subprocess.CompletedProcess:
    env = {**c.env(), "CRASH_AFTER": str(crash_after)}
    return subprocess.run(
        [sys.executable, "-c", DISPATCH, str(batch)],
        cwd=BENCH.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _last_json(text: str) -> dict:
    lines = [line for line in text.strip().splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def drill_outbox_relay(args: argparse.Namespace) -> dict:
    with Cluster(app_servers=1, quiet=args.quiet) as c:
        c.drain()
        settled = _dispatch(c, args.batch)  # the demo's events, handled and positions saved
        if settled.returncode:
            raise ClusterError(f"dispatch: {settled.stderr[-2000:]}")
        types = [row[0] for row in c.sql("SELECT DISTINCT type FROM outbox_events")]
        events = c.sql("SELECT count(*) FROM outbox_events")[0][0]
        endpoint = c.sql(
            "INSERT INTO webhook_endpoints (url, secret, events, description, active, "
            "created_at, updated_at) VALUES ('http://127.0.0.1:9/drill', %s, CAST(%s AS json), "
            "'latihan gangguan', true, now(), now()) RETURNING id",
            ("d" * 48, json.dumps(types)),
        )[0][0]
        records_before = c.sql("SELECT count(*) FROM learning_records")[0][0]
        positions = dict(c.sql("SELECT name, last_seq FROM outbox_consumers"))
        # Two consumers forget what they processed, every position goes back to the start.
        c.sql("DELETE FROM outbox_processed WHERE consumer = ANY(%s)", (list(FRESH),))
        c.sql("UPDATE outbox_consumers SET last_seq = 0")
        crash_after = max(1, events // 2)
        began = time.monotonic()
        victim = _dispatch(c, args.batch, crash_after)
        crashed = _last_json(victim.stdout)
        positions_at_kill = dict(c.sql("SELECT name, last_seq FROM outbox_consumers"))
        deliveries_at_kill = c.sql(
            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = %s", (endpoint,)
        )[0][0]
        again = _dispatch(c, args.batch)
        done = time.monotonic()
        handled = _last_json(again.stdout) if again.returncode == 0 else {}
        deliveries = c.sql(
            "SELECT count(*), count(DISTINCT event_id) FROM webhook_deliveries "
            "WHERE endpoint_id = %s",
            (endpoint,),
        )[0]
        records_after = c.sql("SELECT count(*) FROM learning_records")[0][0]
        marks = dict(c.sql("SELECT consumer, count(*) FROM outbox_processed GROUP BY 1"))
        duplicates = {k: c.sql(q)[0][0] for k, q in DUPLICATES.items()}
        positions_after = dict(c.sql("SELECT name, last_seq FROM outbox_consumers"))
    data = {
        "drill": "outbox-relay",
        "events": events,
        "batch": args.batch,
        "crash": crashed,
        "crashed": victim.returncode == -9,
        "positions_before": positions,
        "positions_at_kill": positions_at_kill,
        "positions_after": positions_after,
        "webhook_deliveries_at_kill": deliveries_at_kill,
        "webhook_deliveries": deliveries[0],
        "webhook_deliveries_distinct_events": deliveries[1],
        "learning_records": [records_before, records_after],
        "processed_marks": marks,
        "handled_after_restart": handled,
        "duplicates": duplicates,
        "recovery_s": round(done - began, 1),
        "dispatcher_error": again.stderr[-2000:] if again.returncode else "",
        "machine": machine(),
    }
    data["ok"] = (
        again.returncode == 0
        and data["crashed"]
        and deliveries[0] == deliveries[1] == events
        and records_after == records_before
        and not any(duplicates.values())
        and all(n == events for n in marks.values())
        and positions_after == positions
    )
    report(
        "outbox-relay",
        [
            ("events", events),
            ("dispatcher killed (effect stored, position not)", crashed.get("at", "no")),
            ("positions at the kill", positions_at_kill),
            ("webhook deliveries at the kill", deliveries_at_kill),
            ("events handled after the restart", handled),
            ("webhook deliveries (new endpoint)", f"{deliveries[0]} for {events} events"),
            ("learning records", f"{records_before} → {records_after}"),
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
    p.add_argument("--time-limit", type=int, help="seconds before the drill is stopped")
    sub = p.add_subparsers(dest="drill", required=True)
    app = sub.add_parser("app-kill", help="kill -9 an app server in the exam burst")
    app.add_argument("--employees", type=int, default=200)
    app.add_argument("--questions", type=int, default=10)
    app.add_argument("--concurrency", type=int, default=20)
    app.add_argument("--kill-at", type=float, default=1 / 3, help="share of answers acknowledged")
    app.add_argument("--down", type=float, default=3.0, help="seconds before the restart")
    worker = sub.add_parser("worker-kill", help="kill -9 the Celery worker mid-renders")
    worker.add_argument(
        "--certificates", type=int, default=35, help="the demo has 35; the issue's size: 200"
    )
    worker.add_argument("--mode", choices=("full", "child"), default="full")
    worker.add_argument("--visibility", type=int, default=10, help="visibility timeout (full)")
    outbox = sub.add_parser("outbox-relay", help="kill the outbox dispatcher mid-replay")
    outbox.add_argument("--batch", type=int, default=10, help="events per commit")
    return p


DRILLS = {
    "app-kill": drill_app_kill,
    "worker-kill": drill_worker_kill,
    "outbox-relay": drill_outbox_relay,
}


def time_limit(args: argparse.Namespace) -> int:
    """15 minutes; a worker-kill drill renders its certificates twice (the ones it adds to the
    demo's, then the drill's), 1–3 s per PDF on a busy 2-core machine: 8 s more per certificate."""
    if args.time_limit:
        return args.time_limit
    return 900 + (8 * args.certificates if args.drill == "worker-kill" else 0)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    limit = time_limit(args)

    def out_of_time(_signum: int, _frame: object) -> None:
        raise ClusterError(f"out of time ({limit} s): stopped")

    signal.signal(signal.SIGALRM, out_of_time)  # bounded: the cluster stops in the with-block
    signal.alarm(limit)
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
