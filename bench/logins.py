"""Login benchmark: 1,000 distinct employees log in through the real form, 50 at a time.

    .venv/bin/python bench/logins.py [--users 1000] [--concurrency 50]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--old-hashes] [--own-addresses]

The exam-morning figure: how long the LMS needs to let everyone in. Builds a throwaway database
(a SQLite file, or with ``--database-url`` a database of its own on that PostgreSQL server, created
and dropped as ``bench/quiz_load.py`` does), migrates it, seeds ``--users`` employees with accounts
(``quiz_load.seed_learners``: ``ujian0000`` …, one argon2id hash with the server's parameters,
shared) and starts the LMS under gunicorn as ``bench/run.py`` does (``wsgi``'s app, 2 gthread
workers of 4 threads, ``LMS_ENV=development``). Each employee is a new keep-alive connection:
``GET /masuk`` (session cookie, CSRF token), then ``POST /masuk``, which must redirect away from
the login page with a new session cookie.

Rate limits: each account logs in once (10 per minute per account is no obstacle), but every
request comes from 127.0.0.1, and the per-address limit (``LOGIN_ADDRESS_RATE_LIMIT``, 100 per
minute, per worker without Redis) would refuse the 101st. config.py reads no ``LMS_*`` variable
for it, so the server is started as ``lms:create_app({"LOGIN_ADDRESS_RATE_LIMIT": ...})`` with
the limit raised; ``--own-addresses`` instead gives each employee a loopback address of its own
(127.0.x.y, as quiz_load.py does) and keeps the configured limit.

``--old-hashes`` stores the hashes of before (argon2id 64 MiB, t=3, p=4): the first morning after
the parameters changed, when every login verifies the old hash and stores a new one; the check
afterwards counts the accounts whose hash was rewritten.

Prints wall time, logins/s, p50/p95 of the page, the form post and the whole login, errors, and
CPU seconds (gunicorn, this script, postgres, the machine); writes ``bench/results/logins.json``.
Goal: 1,000 logins in 30 s on 2 cores. Exit status 1 on any failed login.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from quiz_load import (  # noqa: E402
    PASSWORD,
    TOKEN,
    build_schema,
    cpu_snapshot,
    cpu_used,
    create_database,
    drop_database,
    seed_learners,
)
from run import (  # noqa: E402
    COOKIE_NAME,
    GUNICORN_ARGS,
    HOST,
    BenchError,
    Server,
    base_env,
    gunicorn_extra_args,
    percentile,
    safe_url,
    session_cookie,
)
from sqlalchemy import create_engine, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

RESULTS = BENCH / "results" / "logins.json"
REQUEST_TIMEOUT = 60.0
TARGET_S = 30.0
RAISED_ADDRESS_LIMIT = "100000 per minute"
#: What config.py stored before OWASP's parameters: argon2-cffi's defaults.
OLD_PARAMETERS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
PARAMS = re.compile(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def seed(url: str, tmp: Path, users: int, old_hashes: bool) -> dict:
    """``users`` employees with accounts; the argon2id parameters of the server and of the
    stored hashes."""
    from argon2 import PasswordHasher

    from lms import create_app
    from lms.auth.models import User
    from lms.extensions import db
    from lms.org.reference import load_reference

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "seed", "FILES_DIR": str(tmp / "files")},
        env="development",  # the server's own parameters, as quiz_load.py seeds
    )
    began = time.perf_counter()
    with app.app_context():
        load_reference()
        seed_learners(users, "9997", "Masuk", "MASUK", 1975, "201601")
        if old_hashes:
            db.session.execute(
                update(User)
                .where(User.username.like("ujian%"))
                .values(password_hash=PasswordHasher(**OLD_PARAMETERS).hash(PASSWORD))
            )
        db.session.commit()
        stored = db.session.scalar(select(User.password_hash).where(User.username == "ujian0000"))
        server = {
            "time_cost": app.config["PASSWORD_TIME_COST"],
            "memory_cost": app.config["PASSWORD_MEMORY_COST"],
            "parallelism": app.config["PASSWORD_PARALLELISM"],
        }
        db.session.remove()
        db.engine.dispose()
    return {
        "employees": users,
        "seconds": round(time.perf_counter() - began, 1),
        "server_parameters": server,
        "stored_parameters": hash_parameters(stored),
    }


def hash_parameters(password_hash: str) -> str:
    match = PARAMS.match(password_hash or "")
    return "m={},t={},p={}".format(*match.groups()) if match else "?"


class Results:
    """Latencies (seconds) per step and error messages, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"GET /masuk": [], "POST /masuk": [], "login": []}
        self.errors: list[str] = []

    def ok(self, page: float, post: float) -> None:
        with self.lock:
            self.latencies["GET /masuk"].append(page)
            self.latencies["POST /masuk"].append(post)
            self.latencies["login"].append(page + post)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def log_in(port: int, username: str, address: str, results: Results) -> None:
    """One employee: the login page, then the form, on one keep-alive connection."""
    conn = http.client.HTTPConnection(
        HOST, port, timeout=REQUEST_TIMEOUT, source_address=(address, 0)
    )
    try:
        began = time.perf_counter()
        conn.request("GET", "/masuk")
        resp = conn.getresponse()
        page = resp.read().decode("utf-8", "replace")
        cookie, token = session_cookie(resp.msg), TOKEN.search(page)
        if resp.status != 200 or not cookie or not token:
            results.error(f"GET /masuk: {resp.status}, cookie {bool(cookie)}, token {bool(token)}")
            return
        posted = time.perf_counter()
        form = {"identifier": username, "password": PASSWORD, "csrf_token": token.group(1)}
        conn.request(
            "POST",
            "/masuk",
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{COOKIE_NAME}={cookie}",
            },
        )
        resp = conn.getresponse()
        resp.read()
        done = time.perf_counter()
        location = resp.msg.get("Location", "")
        if resp.status != 302 or "/masuk" in location or not session_cookie(resp.msg):
            results.error(f"POST /masuk: {resp.status} {location}".strip())
            return
        results.ok(posted - began, done - posted)
    except (OSError, http.client.HTTPException) as exc:
        results.error(f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def warm_up(port: int, results: Results) -> None:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        conn.request("GET", "/masuk")
        conn.getresponse().read()
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        results.error(f"warm-up: {exc}")


def check_database(url: str, users: int, server: dict) -> dict:
    """Accounts with a login time, and the parameters of every stored hash."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT password_hash, last_login_at FROM users WHERE username LIKE 'ujian%'")
        ).all()
    engine.dispose()
    by_params: dict[str, int] = {}
    for password_hash, _ in rows:
        key = hash_parameters(password_hash)
        by_params[key] = by_params.get(key, 0) + 1
    current = "m={memory_cost},t={time_cost},p={parallelism}".format(**server)
    return {
        "accounts": len(rows),
        "logged_in": sum(1 for _, at in rows if at is not None),
        "hashes_by_parameters": by_params,
        "hashes_current": by_params.get(current, 0),
        "users": users,
    }


def latency_rows(results: Results) -> list[dict]:
    rows = []
    for step, values in results.latencies.items():
        ordered = sorted(values)

        def ms(pct: float, ordered: list[float] = ordered) -> float | None:
            value = percentile(ordered, pct)
            return round(value * 1000, 1) if value is not None else None

        rows.append(
            {
                "step": step,
                "count": len(ordered),
                "p50_ms": ms(50),
                "p95_ms": ms(95),
                "p99_ms": ms(99),
                "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="employees who log in")
    parser.add_argument("--concurrency", type=int, default=50, help="logins at a time")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server, as the URL of a database on it whose account may CREATE"
        " DATABASE (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres): a throwaway"
        " database is created there and dropped at the end; default a temporary SQLite file",
    )
    parser.add_argument(
        "--old-hashes",
        action="store_true",
        help="store the hashes of before (64 MiB, t=3, p=4): every login verifies and rehashes",
    )
    parser.add_argument(
        "--own-addresses",
        action="store_true",
        help="a loopback address per employee, the per-address limit as configured",
    )
    parser.add_argument(
        "--gunicorn",
        default=" ".join(GUNICORN_ARGS),
        help=f"gunicorn worker options (default: {' '.join(GUNICORN_ARGS)!r})",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args()
    if args.users > 200 * 240:
        parser.error("at most 48,000 users")

    url = None
    created = False
    server = None
    with tempfile.TemporaryDirectory(prefix="akademi-logins-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            if args.database_url:
                url, created = create_database(args.database_url, "akademi_logins"), True
            else:
                url = f"sqlite:///{tmp / 'lms.db'}"
            print(f"database {safe_url(url)}", flush=True)
            env = base_env(tmp, url)
            build_schema(url, env, tmp, "migrate")
            data = seed(url, tmp, args.users, args.old_hashes)
            print(
                f"seeded {data['employees']} employees in {data['seconds']} s; stored hashes "
                f"{data['stored_parameters']}, server parameters "
                "m={memory_cost},t={time_cost},p={parallelism}".format(**data["server_parameters"]),
                flush=True,
            )
            if args.own_addresses:
                target = "wsgi:app"
                limit = "as configured"
            else:
                target = f"lms:create_app({{'LOGIN_ADDRESS_RATE_LIMIT': '{RAISED_ADDRESS_LIMIT}'}})"
                limit = f"raised to {RAISED_ADDRESS_LIMIT} (all logins from 127.0.0.1)"
            server = Server("lms", target, ROOT, env, tmp / "gunicorn.log", "/healthz")
            server.gunicorn_args = args.gunicorn.split()
            server.start()
            print(
                f"gunicorn {args.gunicorn} ready in {server.wait_ready():.1f} s on port"
                f" {server.port}; per-address login limit {limit}",
                flush=True,
            )

            # Warm both workers (imports, the login template) outside the measurement.
            warm = Results()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: warm_up(server.port, warm), range(16)))
            results = Results()

            def one(i: int) -> None:
                address = f"127.0.{10 + i // 200}.{10 + i % 200}" if args.own_addresses else HOST
                log_in(server.port, f"ujian{i:04d}", address, results)

            load_before = os.getloadavg()
            cpu_before = cpu_snapshot(server)
            began = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(one, range(args.users)))
            wall = time.perf_counter() - began
            cpu = cpu_used(cpu_before, cpu_snapshot(server))
            load_after = os.getloadavg()
            memory = server.memory()
            server.stop()
            checks = check_database(url, args.users, data["server_parameters"])
            rows = latency_rows(results)
            done = len(results.latencies["login"])
        except BenchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            if server is not None:
                server.stop()
            if created and not args.keep_database:
                drop_database(args.database_url, url)
                print(f"dropped {make_url(url).database}")

    print(f"\n{'step':<12}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for r in rows:
        cells = "".join(
            f"{'' if r[k] is None else format(r[k], '.1f'):>9}"
            for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
        )
        print(f"{r['step']:<12}{r['count']:>7}{cells}")
    errors = len(results.errors)
    for example in sorted(set(results.errors))[:5]:
        print(f"  error, e.g. {example}")
    rate = done / wall if wall else 0.0
    print(
        f"\n{done} of {args.users} logins in {wall:.1f} s ({rate:.1f} logins/s; target"
        f" {args.users} in {TARGET_S * args.users / 1000:.0f} s, i.e. {1000 / TARGET_S:.1f}/s:"
        f" {'met' if rate >= 1000 / TARGET_S and not errors else 'MISSED'}), {errors} errors"
    )
    gunicorn_ms = cpu["gunicorn"] * 1000 / done if done else None
    print(
        "CPU seconds: "
        + ", ".join(f"{k} {v}" for k, v in cpu.items())
        + f" (of {wall * (os.cpu_count() or 1):.0f} available)"
        + (f"; gunicorn {gunicorn_ms:.0f} ms per login" if gunicorn_ms else "")
        + f"; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(
        "accounts: {logged_in} of {accounts} with a login time; stored hashes by parameters "
        "{hashes_by_parameters}".format(**checks)
    )
    result = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "gunicorn": args.gunicorn.split() + gunicorn_extra_args(),
        "gunicorn_version": metadata.version("gunicorn"),
        "database": "postgresql" if created else "sqlite",
        "users": args.users,
        "concurrency": args.concurrency,
        "own_addresses": args.own_addresses,
        "old_hashes": args.old_hashes,
        "seed": data,
        "wall_s": round(wall, 2),
        "logins_per_s": round(rate, 1),
        "target_s_per_1000": TARGET_S,
        "errors": errors,
        "error_examples": sorted(set(results.errors))[:10],
        "steps": rows,
        "cpu_s": cpu,
        "gunicorn_cpu_ms_per_login": round(gunicorn_ms, 1) if gunicorn_ms else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "memory_kib": memory,
        "checks": checks,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results: {args.output}")
    broken = (
        errors
        or checks["logged_in"] != args.users
        or checks["hashes_current"] != args.users  # --old-hashes: every one rewritten
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
