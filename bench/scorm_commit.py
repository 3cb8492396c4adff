"""SCORM commit benchmark: the commit round trip's p95 under load.

    .venv/bin/python bench/scorm_commit.py [--learners 200] [--commits 10] [--concurrency 25]

Creates a PostgreSQL database of its own (as ``bench/quiz_load.py`` does, whose helpers it
reuses), migrates it, and fills it with bulk inserts: ``--learners`` employees with accounts
(one shared argon2 hash), one published course, a SCORM 1.2 package of one SCO whose approved
version became that course, and an active enrolment for everyone. Starts the LMS under gunicorn
(``wsgi:app``, 2 gthread workers of 4 threads).

Every learner is a simulated browser with its own cookie and loopback address. Phase 1 (not
timed): the login form, then the player page (``packages.play``) for the CSRF token the player
sends its commits with. Phase 2 (timed): ``--commits`` commits per learner to
``POST /paket/sco/<id>/simpan`` (JSON + ``X-CSRFToken``, as ``static/js/player.js`` sends them),
``--concurrency`` learners at a time, no pauses. Each commit is the whole flattened CMI a SCO
would have by then: lesson status, location, about 2 KB of suspend data, session time, one more
interaction each time, the score on the last one.

Afterwards it reads every learner's ScoAttempt and checks it holds the last commit the server
acknowledged (status, location, suspend data, session time, interactions): a learner whose
stored state is not their last acknowledged commit is a lost commit. Stops by itself: phase 2
stops starting commits after ``--max-seconds``; the database is dropped at the end, also on
failure. Writes ``bench/results/scorm_commit.json`` (ignored by git). Exit status 1 on any error
or lost commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from quiz_load import (  # noqa: E402
    ADMIN_URL,
    Browser,
    Recorder,
    StepFailed,
    build_schema,
    cpu_snapshot,
    cpu_used,
    create_database,
    drop_database,
    enrol_all,
    log_in,
    run_phase,
    seed_learners,
)
from run import (  # noqa: E402
    GUNICORN_ARGS,
    BenchError,
    Server,
    base_env,
    gunicorn_extra_args,
    percentile,
    safe_url,
)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

RESULTS = BENCH / "results" / "scorm_commit.json"
CSRF = re.compile(r'data-csrf="([^"]+)"')
SUSPEND_BYTES = 2048
STEPS = ("login page", "login", "player page", "commit")


def seed(url: str, tmp: Path, learners: int) -> dict:
    """Employees with accounts, a course made from a one-SCO SCORM 1.2 package, enrolments."""
    from lms import create_app
    from lms.courses import services as courses
    from lms.extensions import db
    from lms.org.reference import load_reference
    from lms.packages.models import Package, PackageSco, PackageVersion

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "FILES_DIR": str(tmp / "files"),
        },
        env="development",
    )
    started = time.perf_counter()
    with app.app_context():
        load_reference()
        courses.ensure_default_categories()
        employee_ids = seed_learners(learners, "9997", "SCORM", "SCORM", 1972, "201603")
        course = courses.create_course(
            "UJIAN-SCORM",
            courses.category_named("Teknologi Informasi"),
            {
                "title": "Pelatihan Uji Beban SCORM",
                "summary": "Pelatihan untuk uji beban SCORM.",
                "competency_kind": "teknis",
                "jp": 2,
                "delivery_mode": "e-learning",
                "jenis_diklat_code": 16,
                "tags": ["uji"],
            },
            None,
        )
        module = courses.add_module(course.latest_version, "Modul 1")
        courses.save_lesson(module, None, "Pelajaran 1", "# Pelajaran 1\n\nIsi.", 30)
        courses.publish(None, course.latest_version)
        # The package as the importer leaves it: the player page and the commit read the rows
        # only, never the files, so none are extracted.
        package = Package(code="UJI-SCORM", title="Paket Uji Beban", kind="scorm12")
        version = PackageVersion(
            package=package,
            version=1,
            status="approved",
            storage_key="packages/bench/1",
            course_id=course.id,
            manifest={},
            report={},
        )
        sco = PackageSco(
            version=version, identifier="item_1", title="Materi 1", href="index.html", position=0
        )
        db.session.add_all([package, version, sco])
        db.session.flush()
        enrol_all(course.id, employee_ids)
        db.session.commit()
        result = {
            "version_id": version.id,
            "sco_id": sco.id,
            "learners": len(employee_ids),
            "seconds": round(time.perf_counter() - started, 1),
        }
        db.session.remove()
        db.engine.dispose()
    return result


def session_time_12(cs: int) -> str:
    seconds, cs = divmod(cs, 100)
    return f"{seconds // 3600:04d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{cs:02d}"


def cmi_of(learner: int, k: int, commits: int) -> dict[str, str]:
    """The flattened CMI a SCORM 1.2 SCO holds at its k-th commit (0-based) of ``commits``."""
    last = k == commits - 1
    block = f"L{learner:04d}C{k:03d}|"
    suspend = (block * (SUSPEND_BYTES // len(block) + 1))[:SUSPEND_BYTES]
    flat = {
        "cmi.core.lesson_status": "passed" if last else "incomplete",
        "cmi.core.lesson_location": f"halaman-{k + 1}",
        "cmi.core.exit": "" if last else "suspend",
        "cmi.core.session_time": session_time_12(k * 37 * 100 + 50),
        "cmi.suspend_data": suspend,
    }
    for n in range(k + 1):
        flat.update(
            {
                f"cmi.interactions.{n}.id": f"soal-{n + 1}",
                f"cmi.interactions.{n}.type": "choice",
                f"cmi.interactions.{n}.student_response": "b",
                f"cmi.interactions.{n}.result": "correct" if n % 3 else "wrong",
                f"cmi.interactions.{n}.latency": "0000:00:12",
            }
        )
    if last:
        flat.update({"cmi.core.score.raw": "85", "cmi.core.score.min": "0"})
        flat["cmi.core.score.max"] = "100"
    return flat


def open_player(browser: Browser, version_id: int) -> str:
    _msg, page = browser.call("player page", "GET", f"/paket/versi/{version_id}/main", 200)
    token = CSRF.search(page)
    if not token:
        browser.recorder.error("player page", "no data-csrf on the player page")
        raise StepFailed("player page")
    return token.group(1)


def commit_all(
    browser: Browser, sco_id: int, token: str, learner: int, commits: int, deadline: float, acked
) -> None:
    """Every commit of one learner, one session, in order; ``acked[learner]`` = last acknowledged."""
    headers = {"Content-Type": "application/json", "X-CSRFToken": token}
    session = f"bench-{learner}"
    for k in range(commits):
        if time.perf_counter() > deadline:
            return
        body = json.dumps({"session": session, "cmi": cmi_of(learner, k, commits)})
        _msg, reply = browser.call(
            "commit", "POST", f"/paket/sco/{sco_id}/simpan", 200, body, headers
        )
        if json.loads(reply).get("saved") is not True:
            browser.recorder.error("commit", f"reply {reply[:80]}")
            raise StepFailed("commit")
        acked[learner] = k


def check_database(url: str, sco_id: int, usernames: dict[str, int], acked: dict, commits: int):
    """Each learner's stored state against their last acknowledged commit."""
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT u.username, a.lesson_status, a.location, a.suspend_data, a.cmi, "
                "a.total_time_cs, a.score_raw FROM sco_attempts a "
                "JOIN users u ON u.id = a.user_id WHERE a.sco_id = :s"
            ),
            {"s": sco_id},
        ).all()
        rows_per_user = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT user_id FROM sco_attempts WHERE sco_id = :s "
                "GROUP BY user_id HAVING count(*) > 1) d"
            ),
            {"s": sco_id},
        ).scalar_one()
    engine.dispose()
    by_learner = {usernames[r[0]]: r for r in stored}
    lost = []
    for learner, k in acked.items():
        row = by_learner.get(learner)
        want = cmi_of(learner, k, commits)
        if row is None:
            lost.append((learner, "no row"))
            continue
        _name, status, location, suspend, data, _total, _score = row
        data = data if isinstance(data, dict) else json.loads(data)
        extra = data.get("extra") or {}
        want_extra = {key: v for key, v in want.items() if key.startswith("cmi.interactions.")}
        checks = {
            "lesson_status": status == want["cmi.core.lesson_status"],
            "location": location == want["cmi.core.lesson_location"],
            "suspend_data": suspend == want["cmi.suspend_data"],
            "session_time": (data.get("session") or {}).get("cs") == (k * 37) * 100 + 50,
            "interactions": extra == want_extra,
        }
        wrong = [name for name, ok in checks.items() if not ok]
        if wrong:
            lost.append((learner, ",".join(wrong)))
    return {
        "learners_with_acknowledged_commit": len(acked),
        "acknowledged_commits": sum(k + 1 for k in acked.values()),
        "rows_stored": len(stored),
        "learners_with_several_rows": rows_per_user,
        "learners_state_not_last_acknowledged": len(lost),
        "lost_examples": lost[:10],
        "learners_completed": sum(1 for r in stored if r[1] == "passed"),
    }


def rows_of(recorder: Recorder) -> list[dict]:
    rows = []
    for step in STEPS:
        values = sorted(recorder.latencies.get(step, []))
        errors = recorder.errors.get(step, [])
        if not values and not errors:
            continue
        ms = {
            f"p{p}_ms": round(percentile(values, p) * 1000, 1) if values else None
            for p in (50, 95, 99)
        }
        rows.append(
            {
                "step": step,
                "requests": len(values) + len(errors),
                "errors": len(errors),
                "error_examples": sorted(set(errors))[:5],
                **ms,
                "max_ms": round(values[-1] * 1000, 1) if values else None,
            }
        )
    return rows


def print_rows(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'step':<13}{'requests':>9}{'errors':>8}" + "".join(f"{h:>9}" for h in _HEADS))
    for r in rows:
        cells = "".join(f"{'' if r[k] is None else f'{r[k]:.1f}':>9}" for k in _KEYS)
        print(f"{r['step']:<13}{r['requests']:>9}{r['errors']:>8}{cells}")
        for example in r["error_examples"]:
            print(f"{'':<13}  e.g. {example}")


_HEADS = ("p50 ms", "p95 ms", "p99 ms", "max ms")
_KEYS = ("p50_ms", "p95_ms", "p99_ms", "max_ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--commits", type=int, default=10, help="commits per learner")
    parser.add_argument("--concurrency", type=int, default=25, help="learners at a time")
    parser.add_argument("--max-seconds", type=float, default=300, help="bound of phase 2")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="may CREATE/DROP DATABASE")
    parser.add_argument("--schema", choices=("migrate", "create-all"), default="migrate")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--gunicorn", default=" ".join(GUNICORN_ARGS))
    args = parser.parse_args()
    if not 1 <= args.learners <= 200 * 240 or args.commits < 1 or args.concurrency < 1:
        raise SystemExit("1 to 48,000 learners (one loopback address each), commits >= 1")

    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the server stops and the database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = None
    server = None
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="akademi-scormcommit-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            url = create_database(args.admin_url)
            print(f"database {safe_url(url)}")
            env = base_env(tmp, url)
            build_schema(url, env, tmp, args.schema)
            data = seed(url, tmp, args.learners)
            print(f"seeded {data['learners']} learners in {data['seconds']} s")
            server = Server("lms", "wsgi:app", ROOT, env, tmp / "gunicorn.log", "/healthz")
            server.gunicorn_args = args.gunicorn.split()
            server.start()
            print(f"gunicorn ready in {server.wait_ready():.1f} s on port {server.port}")

            recorder = Recorder()
            browsers = [Browser(server.port, i, recorder) for i in range(args.learners)]
            tokens: dict[int, str] = {}

            def login_job(i: int) -> None:
                try:
                    log_in(browsers[i], f"ujian{i:04d}")
                    tokens[i] = open_player(browsers[i], data["version_id"])
                finally:
                    browsers[i].close()

            wall, _f, failed = run_phase(args.learners, args.concurrency, login_job)
            print(
                f"phase 1: {args.learners} logins and player pages in {wall:.1f} s ({failed} failed)"
            )
            login_rows = rows_of(recorder)
            recorder = Recorder()
            for b in browsers:
                b.recorder = recorder

            acked: dict[int, int] = {}
            lock = threading.Lock()
            deadline = time.perf_counter() + args.max_seconds

            def commit_job(i: int) -> None:
                if i not in tokens:
                    raise StepFailed("not logged in")
                mine: dict[int, int] = {}
                try:
                    commit_all(
                        browsers[i], data["sco_id"], tokens[i], i, args.commits, deadline, mine
                    )
                finally:
                    browsers[i].close()
                    with lock:
                        acked.update(mine)

            load_before = os.getloadavg()
            cpu_before = cpu_snapshot(server)
            wall, _f, failed = run_phase(args.learners, args.concurrency, commit_job)
            cpu = cpu_used(cpu_before, cpu_snapshot(server))
            load_after = os.getloadavg()
            commit_rows = rows_of(recorder)
            sent = commit_rows[0]["requests"] if commit_rows else 0
            window = {
                "wall_s": round(wall, 1),
                "commits": sent,
                "commits_per_s": round(sent / wall, 1) if wall else None,
                "stopped_by_deadline": time.perf_counter() > deadline,
                "failed_learners": failed,
                "cpu_s": cpu,
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
            }
            usernames = {f"ujian{i:04d}": i for i in range(args.learners)}
            checks = check_database(url, data["sco_id"], usernames, acked, args.commits)
            print_rows("phase 1: logins (argon2id) and player pages", login_rows)
            print_rows("phase 2: commits", commit_rows)
            print(
                f"\nphase 2: {sent} commits in {window['wall_s']} s = {window['commits_per_s']} "
                f"commits/s, {args.concurrency} learners at a time, {failed} learners failed"
                + (" (stopped by --max-seconds)" if window["stopped_by_deadline"] else "")
            )
            print(
                "CPU seconds: "
                + ", ".join(f"{k} {v}" for k, v in cpu.items())
                + f" (of {wall * (os.cpu_count() or 1):.0f} available); load average "
                f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
            )
            print(
                "stored: {acknowledged_commits} commits acknowledged for "
                "{learners_with_acknowledged_commit} learners, {rows_stored} rows, "
                "{learners_completed} passed; state not the last acknowledged commit: "
                "{learners_state_not_last_acknowledged}".format(**checks)
            )
            result = {
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "gunicorn": args.gunicorn.split() + gunicorn_extra_args(),
                "gunicorn_version": metadata.version("gunicorn"),
                "database": safe_url(url),
                "learners": args.learners,
                "commits_per_learner": args.commits,
                "concurrency": args.concurrency,
                "suspend_data_bytes": SUSPEND_BYTES,
                "seed": data,
                "login_steps": login_rows,
                "window": window,
                "steps": commit_rows,
                "checks": checks,
                "errors": sum(r["errors"] for r in login_rows + commit_rows),
                "memory_kib": server.memory(),
            }
        except BenchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a signal now must not cut the cleanup
            if server is not None:
                server.stop()
            if url is not None and not args.keep_database:
                drop_database(args.admin_url, url)
                print(f"dropped {make_url(url).database}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {args.output}")
    checks = result["checks"]
    broken = (
        result["errors"]
        or checks["learners_state_not_last_acknowledged"]
        or checks["learners_with_several_rows"]
        or checks["learners_with_acknowledged_commit"] != args.learners
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
