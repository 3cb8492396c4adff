"""Quiz load benchmark: 1,000 employees start and submit a 20-question quiz at once.

    .venv/bin/python bench/quiz_load.py [--users 1000] [--concurrency 50]

Creates a PostgreSQL database of its own (``--admin-url``, default the local server as
``postgres``), migrates it with ``flask db upgrade``, fills it with bulk inserts (employees,
accounts sharing one password hash, one published course with a 20-question post-test, active
enrolments) and starts the LMS under gunicorn (``wsgi:app``, 2 gthread workers of 4 threads, as
the README recommends for 2 cores; ``--gunicorn`` for others).

Every employee is a simulated browser with a session cookie and a loopback address of its own
(127.0.x.y: the login rate limit counts per address, as it would for people on different
machines). Phase 1 logs everyone in through the real form (argon2, so reported on its own);
phase 2, the timed window, is the exam: every employee opens the quiz page, starts, loads the
attempt page, saves 20 answers one by one through the autosave endpoint (JSON + X-CSRFToken, as
``lms/static/js/quiz.js`` does), submits and opens the result page, ``--concurrency`` employees at
a time and without pauses. ``--login-in-window`` logs in inside the window instead.

Afterwards it reads the database and compares every acknowledged answer with what was stored
(lost answers, must be 0), and checks one graded attempt per employee. Prints a table and writes
``bench/results/quiz_load.json`` (ignored by git); drops the database at the end. Exit status 1
on any error, lost answer or missing attempt.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import resource
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from run import (  # noqa: E402
    COOKIE_NAME,
    GUNICORN_ARGS,
    HOST,
    BenchError,
    Server,
    base_env,
    children_of,
    gunicorn_extra_args,
    percentile,
    run_flask,
    safe_url,
    session_cookie,
)
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

RESULTS = BENCH / "results" / "quiz_load.json"
PASSWORD = "kuis12345"
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 60.0
TARGET_S = 60.0  # the exam window for 1,000 employees, logged in before it
TARGET_WITH_LOGINS_S = 90.0  # the same with --login-in-window: everyone logs in inside it
CHOICES = 4
STEPS = ("login", "intro", "start", "attempt page", "save", "submit", "result")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
QUESTION = re.compile(r'data-question="(\d+)"')


# --------------------------------------------------------------------------- database


def create_database(admin_url: str, prefix: str = "akademi_quizload") -> str:
    """A new, empty database ``<prefix>_<random>`` on the admin URL's server; returns its URL."""
    assert re.fullmatch(r"akademi_[a-z]+", prefix)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    assert name and re.fullmatch(r"akademi_[a-z]+_[0-9a-f]{8}", name)  # one of create_database's
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def build_schema(url: str, env: dict[str, str], tmp: Path, how: str) -> str:
    """``migrate``: ``flask db upgrade``, then refuse if the models have columns the migrations
    lack (work in progress); ``create-all``: ``db.create_all()`` from the models."""
    from sqlalchemy import inspect

    from lms import create_app
    from lms.extensions import db

    if how == "migrate":
        run_flask(env, "db", "upgrade")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "schema", "FILES_DIR": str(tmp / "files")},
        env="development",
    )
    with app.app_context():
        if how == "create-all":
            db.create_all()
        found = inspect(db.engine)
        tables = set(found.get_table_names())
        missing = []
        for table in db.metadata.sorted_tables:
            if table.name not in tables:
                missing.append(table.name)
                continue
            have = {c["name"] for c in found.get_columns(table.name)}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
        db.engine.dispose()
    if missing:
        raise BenchError(
            "the migrations lag behind the models (missing: "
            + ", ".join(missing[:8])
            + (" ..." if len(missing) > 8 else "")
            + "); run with --schema create-all"
        )
    return how


def seed_learners(
    count: int, code: str, label: str, unit_code: str, year: int, tmt: str, prefix: str = "ujian"
):
    """``count`` employees in one OPD of a test instansi, each with an account ``<prefix>NNNN``
    sharing one argon2 hash of PASSWORD (inside an app context); their ids in order."""
    from lms.auth import services as auth
    from lms.auth.models import User
    from lms.extensions import db
    from lms.org.models import Employee, Instansi, Unit

    instansi = Instansi(code=code, name=f"Pemerintah Kota Uji {label}")
    db.session.add(instansi)
    db.session.flush()
    unit = Unit(instansi_id=instansi.id, code=unit_code, name=f"Dinas Uji {label}", kind="opd")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"/{unit.id}/"
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        birth = date(year, 1, 1) + timedelta(days=i)
        rows.append(
            {
                "nip": f"{birth:%Y%m%d}{tmt}{1 + i % 2}{i % 999 + 1:03d}",
                "kind": "pns",
                "full_name": f"Peserta {label} {i:04d}",
                "front_title": "",
                "back_title": "",
                "gender": "L" if i % 2 == 0 else "P",
                "birth_place": "Palembang",
                "birth_date": birth,
                "golongan_code": "III/a",
                "position_name": "Pelaksana",
                "email": "",
                "unit_id": unit.id,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Employee), rows)
    employee_ids = list(
        db.session.scalars(
            select(Employee.id).where(Employee.unit_id == unit.id).order_by(Employee.id)
        )
    )
    hashed = auth.hash_password(PASSWORD)  # one argon2 hash, shared by every account
    db.session.execute(
        insert(User),
        [
            {
                "username": f"{prefix}{i:04d}",
                "password_hash": hashed,
                "display_name": "",
                "email": "",
                "employee_id": emp_id,
                "active": True,
                "session_version": 1,
                "must_change_password": False,
                "created_at": now,
                "updated_at": now,
            }
            for i, emp_id in enumerate(employee_ids)
        ],
    )
    return employee_ids


def enrol_all(course_id: int, employee_ids: list[int]) -> None:
    """Every one of them actively enrolled in the course (inside an app context)."""
    from lms.enrolments.models import Enrolment
    from lms.extensions import db

    now = datetime.now(UTC)
    db.session.execute(
        insert(Enrolment),
        [
            {
                "course_id": course_id,
                "employee_id": emp_id,
                "status": "active",
                "source": "self",
                "requested_at": now,
                "created_at": now,
                "updated_at": now,
                "end_reason": "",
                "progress": 0,
            }
            for emp_id in employee_ids
        ],
    )


def seed(url: str, tmp: Path, users: int, questions: int) -> dict:
    """Employees with accounts, one course with a post-test, every employee enrolled."""
    from lms import create_app
    from lms.courses import services as courses
    from lms.extensions import db
    from lms.org.reference import load_reference
    from lms.quizzes.attempts import services as quiz_svc
    from lms.quizzes.models import Question

    # The server's own (development) argon2 parameters, so a login never rehashes.
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
        employee_ids = seed_learners(users, "9998", "Kuis", "UJIAN", 1970, "201503")
        course = courses.create_course(
            "UJIAN-KUIS",
            courses.category_named("Teknologi Informasi"),
            {
                "title": "Pelatihan Uji Beban Kuis",
                "summary": "Pelatihan untuk uji beban kuis.",
                "competency_kind": "teknis",
                "jp": 4,
                "delivery_mode": "e-learning",
                "jenis_diklat_code": 16,
                "tags": ["uji"],
            },
            None,
        )
        version = course.latest_version
        module = courses.add_module(version, "Modul 1")
        courses.save_lesson(module, None, "Pelajaran 1", "# Pelajaran 1\n\nIsi.", 30)
        courses.publish(None, version)
        bank = [
            Question(
                course_id=course.id,
                type="single_choice",
                name=f"Soal {n + 1}",
                text=f"Pertanyaan nomor {n + 1}?",
                text_html=f"<p>Pertanyaan nomor {n + 1}?</p>",
                data={
                    "answers": [
                        {"text": f"Pilihan {c + 1}", "fraction": 1.0 if c == 0 else 0.0}
                        for c in range(CHOICES)
                    ]
                },
            )
            for n in range(questions)
        ]
        db.session.add_all(bank)
        db.session.flush()
        quiz = quiz_svc.save_quiz(
            course,
            None,
            {
                "title": "Post-test Uji Beban",
                "kind": "post_test",
                "attempts_allowed": 1,
                "time_limit_minutes": 30,
                "shuffle_answers": True,
                "question_ids": [q.id for q in bank],
            },
        )
        enrol_all(course.id, employee_ids)
        db.session.commit()
        result = {
            "quiz_id": quiz.id,
            "course_id": course.id,
            "employees": len(employee_ids),
            "questions": len(bank),
            "seconds": round(time.perf_counter() - started, 1),
            "argon2": "m={PASSWORD_MEMORY_COST} KiB, t={PASSWORD_TIME_COST}, "
            "p={PASSWORD_PARALLELISM}".format(**app.config),
        }
        db.session.remove()
        db.engine.dispose()
    return result


# --------------------------------------------------------------------------- the simulated browser


class Recorder:
    """Latencies and errors per step, from every thread; and the requests sent again on a
    stale keep-alive connection (not errors: see Browser.call), with how long it had been idle."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.resent: dict[str, list[float]] = defaultdict(list)

    def ok(self, step: str, seconds: float) -> None:
        with self.lock:
            self.latencies[step].append(seconds)

    def error(self, step: str, message: str) -> None:
        with self.lock:
            self.errors[step].append(message)

    def resend(self, step: str, idle_s: float) -> None:
        with self.lock:
            self.resent[step].append(idle_s)

    def resent_summary(self) -> dict:
        """How many requests were sent again on a stale keep-alive connection, per step, and the
        idle seconds of those connections (min, max)."""
        with self.lock:
            idle = sorted(s for values in self.resent.values() for s in values)
            per_step = {step: len(v) for step, v in self.resent.items() if v}
        return {
            "count": len(idle),
            "per_step": per_step,
            "idle_s_min": round(idle[0], 1) if idle else None,
            "idle_s_max": round(idle[-1], 1) if idle else None,
        }


class StepFailed(Exception):
    pass


#: A reused keep-alive connection the server closed while it was idle (nginx: keepalive_timeout
#: 65 s) fails like this on the next request, before any byte of a response.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Browser:
    """One employee: a keep-alive connection from a loopback address of its own, a cookie.

    Like a browser (Chromium, and urllib3), a request that fails on a REUSED keep-alive
    connection (it had served a response) before any byte of the response arrived is sent once
    more on a new connection: the server closed the idle connection, the request never reached
    the application. Counted as resent (Recorder.resend), not as an error. The same failure on a
    fresh connection, a second failure, or any HTTP status (a 502 or 503 during a fault) stays an
    error."""

    def __init__(self, port: int, index: int, recorder: Recorder) -> None:
        self.port = port
        self.address = f"127.0.{10 + index // 200}.{10 + index % 200}"
        self.recorder = recorder
        self.cookie: str | None = None
        self.conn: http.client.HTTPConnection | None = None
        self.last_response = 0.0  # time.monotonic() of the last response

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(
        self,
        step: str,
        method: str,
        path: str,
        expect: int,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPMessage, str]:
        """One request, timed as ``step``; StepFailed (recorded) unless the status is ``expect``."""
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = f"{COOKIE_NAME}={self.cookie}"
        began = time.perf_counter()
        resent = False
        while True:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    HOST, self.port, timeout=REQUEST_TIMEOUT, source_address=(self.address, 0)
                )
            # http.client opens the socket on the first request and drops it after a response
            # that closes the connection: an open one has served a response and been kept alive.
            reused = self.conn.sock is not None
            answered = False
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                answered = True  # a status line came: never sent again from here on
                page = resp.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if reused and not answered and not resent and isinstance(exc, STALE_CONNECTION):
                    self.recorder.resend(step, time.monotonic() - self.last_response)
                    resent = True
                    continue
                self.recorder.error(step, f"{type(exc).__name__}: {exc}")
                raise StepFailed(step) from exc
            break
        elapsed = time.perf_counter() - began
        self.last_response = time.monotonic()
        cookie = session_cookie(resp.msg)
        if cookie:
            self.cookie = cookie
        if resp.status != expect:
            where = resp.msg.get("Location", "")
            self.recorder.error(step, f"{method} {path}: {resp.status} {where}".strip())
            raise StepFailed(step)
        self.recorder.ok(step, elapsed)
        return resp.msg, page


def log_in(browser: Browser, username: str) -> None:
    _msg, page = browser.call("login page", "GET", "/masuk", 200)
    token = TOKEN.search(page)
    if not token:
        browser.recorder.error("login page", "no CSRF token")
        raise StepFailed("login page")
    form = {"identifier": username, "password": PASSWORD, "csrf_token": token.group(1)}
    msg, _ = browser.call(
        "login",
        "POST",
        "/masuk",
        302,
        urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if "/masuk" in msg.get("Location", ""):
        browser.recorder.error("login", "sent back to /masuk")
        raise StepFailed("login")


def take_quiz(browser: Browser, quiz_id: int, rng: random.Random, sent: dict) -> None:
    """Intro page, start, attempt page, one autosave per question, submit, result page."""
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    _msg, page = browser.call("intro", "GET", f"/kuis/{quiz_id}", 200)
    token = TOKEN.search(page)
    if not token:
        browser.recorder.error("intro", "no CSRF token on the quiz page")
        raise StepFailed("intro")
    msg, _ = browser.call(
        "start",
        "POST",
        f"/kuis/{quiz_id}/mulai",
        302,
        urlencode({"csrf_token": token.group(1)}),
        form_type,
    )
    where = re.search(r"/kuis/percobaan/(\d+)$", msg.get("Location", ""))
    if not where:
        browser.recorder.error("start", f"redirected to {msg.get('Location', '')!r}")
        raise StepFailed("start")
    attempt_id = int(where.group(1))
    _msg, page = browser.call("attempt page", "GET", f"/kuis/percobaan/{attempt_id}", 200)
    token = TOKEN.search(page)
    question_ids = [int(q) for q in dict.fromkeys(QUESTION.findall(page))]
    if not token or not question_ids:
        browser.recorder.error("attempt page", "no CSRF token or no questions")
        raise StepFailed("attempt page")
    json_type = {"Content-Type": "application/json", "X-CSRFToken": token.group(1)}
    for question_id in question_ids:
        choice = rng.randrange(CHOICES)
        body = json.dumps({"question_id": question_id, "response": choice})
        sent[(attempt_id, question_id)] = [choice, False]
        _msg, reply = browser.call(
            "save", "POST", f"/kuis/percobaan/{attempt_id}/jawab", 200, body, json_type
        )
        if json.loads(reply).get("ok") is not True:
            browser.recorder.error("save", f"reply {reply[:80]}")
            raise StepFailed("save")
        sent[(attempt_id, question_id)][1] = True  # acknowledged
    msg, _ = browser.call(
        "submit",
        "POST",
        f"/kuis/percobaan/{attempt_id}/kumpulkan",
        302,
        urlencode({"csrf_token": token.group(1)}),
        form_type,
    )
    if not msg.get("Location", "").endswith(f"/kuis/percobaan/{attempt_id}/hasil"):
        browser.recorder.error("submit", f"redirected to {msg.get('Location', '')!r}")
        raise StepFailed("submit")
    browser.call("result", "GET", f"/kuis/percobaan/{attempt_id}/hasil", 200)


def run_phase(count: int, concurrency: int, job) -> tuple[float, list[float], int]:
    """Run ``job(i)`` for every employee, ``concurrency`` at a time.

    Returns the wall time, each employee's finishing time (seconds from the start) and how many
    employees failed a step."""
    began = time.perf_counter()
    finished: list[float] = []
    failed = 0
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal failed
        try:
            job(i)
        except StepFailed:
            with lock:
                failed += 1
        finally:
            with lock:
                finished.append(time.perf_counter() - began)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - began, sorted(finished), failed


def cpu_snapshot(server: Server) -> dict[str, float]:
    """CPU seconds used so far: gunicorn (master and workers), this process (the simulated
    browsers), every postgres process, and the whole machine (busy time of all cores)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    postgres = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    postgres += used(int(entry.name))
            except OSError:
                continue
    assert server.proc is not None
    me = resource.getrusage(resource.RUSAGE_SELF)
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    idle = int(cpu[3]) + int(cpu[4])
    return {
        "gunicorn": used(server.proc.pid) + sum(used(p) for p in children_of(server.proc.pid)),
        "load generator": me.ru_utime + me.ru_stime,
        "postgres (all)": postgres,
        "machine": (sum(int(c) for c in cpu[:8]) - idle) / tick,
    }


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    used = {k: round(after[k] - before[k], 1) for k in before}
    used["other processes"] = round(
        used["machine"] - used["gunicorn"] - used["load generator"] - used["postgres (all)"], 1
    )
    return used


# --------------------------------------------------------------------------- checking the database


def check_database(url: str, quiz_id: int, sent: dict, employees: int) -> dict:
    """Compare every answer sent with what is stored; count attempts and their states."""
    engine = create_engine(url)
    with engine.connect() as conn:
        attempts = conn.execute(
            text(
                "SELECT id, employee_id, status, submitted_at IS NOT NULL, score "
                "FROM quiz_attempts WHERE quiz_id = :q"
            ),
            {"q": quiz_id},
        ).all()
        stored = {
            (a, q): r
            for a, q, r in conn.execute(
                text(
                    "SELECT a.attempt_id, a.question_id, a.response FROM attempt_answers a "
                    "JOIN quiz_attempts t ON t.id = a.attempt_id WHERE t.quiz_id = :q"
                ),
                {"q": quiz_id},
            )
        }
        auto_marks = conn.execute(
            text(
                "SELECT count(*) FROM grade_changes g JOIN quiz_attempts t ON t.id = g.attempt_id "
                "WHERE t.quiz_id = :q AND g.reason = 'auto'"
            ),
            {"q": quiz_id},
        ).scalar_one()
    engine.dispose()
    acknowledged = [key for key, (_c, acked) in sent.items() if acked]
    lost = [key for key in acknowledged if stored.get(key, "missing") != sent[key][0]]
    unacknowledged_stored = sum(
        1 for key, (choice, acked) in sent.items() if not acked and stored.get(key) == choice
    )
    per_employee = defaultdict(int)
    for _id, employee_id, *_rest in attempts:
        per_employee[employee_id] += 1
    return {
        "answers_sent": len(sent),
        "answers_acknowledged": len(acknowledged),
        "answers_lost": len(lost),
        "lost_examples": [list(k) for k in lost[:10]],
        "answers_sent_unacknowledged_but_stored": unacknowledged_stored,
        "answers_stored": len(stored),
        "auto_grade_marks": auto_marks,
        "attempts": len(attempts),
        "employees_with_attempt": len(per_employee),
        "employees_with_several_attempts": sum(1 for n in per_employee.values() if n > 1),
        "attempts_graded": sum(1 for a in attempts if a[2] == "graded"),
        "attempts_submitted_at_set": sum(1 for a in attempts if a[3]),
        "employees": employees,
    }


# --------------------------------------------------------------------------- report


def step_rows(recorder: Recorder) -> list[dict]:
    rows = []
    for step in ("login page", *STEPS):
        values = sorted(recorder.latencies.get(step, []))
        errors = recorder.errors.get(step, [])
        if not values and not errors:
            continue

        def ms(pct: float, values: list[float] = values) -> float | None:
            value = percentile(values, pct)
            return round(value * 1000, 1) if value is not None else None

        rows.append(
            {
                "step": step,
                "requests": len(values) + len(errors),
                "errors": len(errors),
                "error_examples": sorted(set(errors))[:5],
                "p50_ms": ms(50),
                "p95_ms": ms(95),
                "p99_ms": ms(99),
                "max_ms": round(values[-1] * 1000, 1) if values else None,
            }
        )
    return rows


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    head = f"{'step':<14}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(head + f"{'max ms':>9}")
    for r in rows:
        cells = [r[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")]
        text_cells = "".join(f"{'' if c is None else f'{c:.1f}':>9}" for c in cells)
        print(f"{r['step']:<14}{r['requests']:>9}{r['errors']:>8}{text_cells}")
        for example in r["error_examples"]:
            print(f"{'':<14}  e.g. {example}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="employees taking the quiz")
    parser.add_argument("--questions", type=int, default=20, help="questions in the quiz")
    parser.add_argument("--concurrency", type=int, default=50, help="employees at a time")
    parser.add_argument(
        "--admin-url", default=ADMIN_URL, help="PostgreSQL URL allowed to CREATE/DROP DATABASE"
    )
    parser.add_argument(
        "--login-in-window",
        action="store_true",
        help="log in inside the timed window instead of in a phase before it",
    )
    parser.add_argument(
        "--schema",
        choices=("migrate", "create-all"),
        default="migrate",
        help="build the schema with `flask db upgrade` (default) or from the models",
    )
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument("--seed", type=int, default=11, help="seed of the answers chosen")
    parser.add_argument(
        "--gunicorn",
        default=" ".join(GUNICORN_ARGS),
        help=f"gunicorn worker options (default: {' '.join(GUNICORN_ARGS)!r})",
    )
    args = parser.parse_args()
    if args.users > 200 * 240:
        raise SystemExit("at most 48,000 users (one loopback address each)")

    url = None
    server = None
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="akademi-quizload-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            url = create_database(args.admin_url)
            print(f"database {safe_url(url)}")
            env = base_env(tmp, url)
            began = time.perf_counter()
            build_schema(url, env, tmp, args.schema)
            schema_s = time.perf_counter() - began
            data = seed(url, tmp, args.users, args.questions)
            print(
                f"schema ({args.schema}) in {schema_s:.1f} s; seeded {data['employees']} employees, "
                f"{data['questions']} questions in {data['seconds']} s"
            )
            server = Server("lms", "wsgi:app", ROOT, env, tmp / "gunicorn.log", "/healthz")
            server.gunicorn_args = args.gunicorn.split()
            server.start()
            print(f"gunicorn ready in {server.wait_ready():.1f} s on port {server.port}")

            recorder = Recorder()
            browsers = [Browser(server.port, i, recorder) for i in range(args.users)]
            sent: dict[tuple[int, int], list] = {}
            sent_lock = threading.Lock()
            logged_in = [False] * args.users

            def login_job(i: int) -> None:
                log_in(browsers[i], f"ujian{i:04d}")
                logged_in[i] = True
                browsers[i].close()

            def quiz_job(i: int) -> None:
                if args.login_in_window:
                    log_in(browsers[i], f"ujian{i:04d}")
                    logged_in[i] = True
                if not logged_in[i]:
                    raise StepFailed("not logged in")
                mine: dict = {}
                try:
                    take_quiz(
                        browsers[i], data["quiz_id"], random.Random(args.seed * 100_003 + i), mine
                    )
                finally:
                    browsers[i].close()
                    with sent_lock:
                        sent.update(mine)

            login_phase = None
            if not args.login_in_window:
                wall, finished, failed = run_phase(args.users, args.concurrency, login_job)
                login_phase = {"wall_s": round(wall, 1), "failed_employees": failed}
                print(f"phase 1: {args.users} logins in {wall:.1f} s ({failed} failed)")
            login_rows = step_rows(recorder)
            recorder = Recorder()
            for b in browsers:
                b.recorder = recorder

            target = TARGET_WITH_LOGINS_S if args.login_in_window else TARGET_S
            load_before = os.getloadavg()
            cpu_before = cpu_snapshot(server)
            wall, finished, failed = run_phase(args.users, args.concurrency, quiz_job)
            cpu = cpu_used(cpu_before, cpu_snapshot(server))
            load_after = os.getloadavg()
            requests = sum(len(v) for v in recorder.latencies.values()) + sum(
                len(v) for v in recorder.errors.values()
            )
            window = {
                "wall_s": round(wall, 1),
                "target_s": target,
                "within_target": wall <= target,
                "employees_finished_by_target": sum(1 for t in finished if t <= target),
                "failed_employees": failed,
                "requests": requests,
                "requests_per_s": round(requests / wall, 1) if wall else None,
                "cpu_s": cpu,
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
            }
            print(
                f"phase 2: {args.users} employees took the quiz in {wall:.1f} s "
                f"({requests} requests, {window['requests_per_s']} req/s, {failed} failed)"
            )
            memory = server.memory()
            checks = check_database(url, data["quiz_id"], sent, args.users)
            quiz_rows = step_rows(recorder)

            if login_phase is not None:
                print_table(f"phase 1: logins (argon2id, {data['argon2']})", login_rows)
            print_table(
                "phase 2: the exam" + (" (logins included)" if args.login_in_window else ""),
                quiz_rows,
            )
            print(
                f"\nwindow: {window['wall_s']} s for {args.users} employees "
                f"(target {target:.0f} s: {'met' if window['within_target'] else 'MISSED'}; "
                f"{window['employees_finished_by_target']} finished by then)"
            )
            print(
                "CPU seconds in the window: "
                + ", ".join(f"{k} {v}" for k, v in cpu.items())
                + f" (of {wall * (os.cpu_count() or 1):.0f} available); load average "
                f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
            )
            print(
                "answers: {answers_sent} sent, {answers_acknowledged} acknowledged, "
                "{answers_stored} stored, LOST {answers_lost}".format(**checks)
            )
            print(
                "attempts: {attempts} for {employees_with_attempt} employees "
                "({employees_with_several_attempts} with more than one), {attempts_graded} "
                "graded, {auto_grade_marks} automatic marks".format(**checks)
            )
            resent = recorder.resent_summary()
            print(
                f"requests resent on a stale keep-alive connection (not errors): {resent['count']}"
            )
            errors = sum(r["errors"] for r in login_rows + quiz_rows)
            result = {
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "gunicorn": args.gunicorn.split() + gunicorn_extra_args(),
                "gunicorn_version": metadata.version("gunicorn"),
                "database": safe_url(url),
                "schema": args.schema,
                "users": args.users,
                "questions": args.questions,
                "concurrency": args.concurrency,
                "login_in_window": args.login_in_window,
                "seed": data,
                "login_phase": login_phase,
                "login_steps": login_rows,
                "window": window,
                "steps": quiz_rows,
                "checks": checks,
                "errors": errors,
                "resent_stale_keepalive": resent,
                "memory_kib": memory,
            }
        except BenchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
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
        or checks["answers_lost"]
        or checks["employees_with_attempt"] != args.users
        or checks["employees_with_several_attempts"]
        or checks["attempts_graded"] != args.users
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
