"""The evaluation submit that completes a course: its latency, in-process.

``.venv/bin/python bench/evaluation_submit.py [--n 200] [--code PATH] [--drain] [--json PATH]``

1. Builds a temporary SQLite database and file store: N learners, each with an account, enrolled
   in one published course (one module of two lessons, evaluation required) with both lessons
   done, so the evaluation is the one missing rule.
2. For each learner, through the Flask test client: log in and open the form (not timed), then
   ``POST /pelatihan/<code>/evaluasi`` (timed, until the client has the whole response, which
   includes every ``after_request`` hook, as a browser waits for it). That submit completes the
   course: completion record and outbox event, certificate issued, and whatever the code runs
   before answering.
3. Afterwards, waits for the in-process background thread (``lms.tasks.background_worker``) and
   checks that every learner has a completion and a certificate with its PDF stored.

``--code PATH`` imports ``lms`` from another checkout (e.g. ``/work/main``, the code before a
change), so "before" and "after" run the same script one right after the other (the machine is
shared). ``--drain`` waits for the background thread between submits (not timed): the submit
alone, as with a Celery worker in another process; without it the PDFs render in this process's
background thread while later submits run, as on one machine without a broker.

Besides wall time, the CPU time of the request's own thread (``time.thread_time``) is reported:
on a shared machine (load average 10 on 2 cores) wall time mostly measures the other load, while
the request thread's CPU is what the submit itself costs (the background thread's rendering and
other processes are not in it).

The app runs with the production default ``TASKS_IN_THREAD = True`` (the test configuration
turns it off). Prints p50/p95/max and writes JSON to ``bench/results/evaluation_submit.json``
(ignored by git). Touches nothing outside a temporary directory and that file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "evaluation_submit.json"
CODE = "EVAL-BENCH"
PASSWORD = "bench12345"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def build(app, n: int) -> list[str]:
    """N learners with both lessons done; returns their usernames."""
    from lms.auth import services as auth
    from lms.courses import services as courses
    from lms.enrolments.models import Enrolment
    from lms.extensions import db
    from lms.learning.services import mark_done
    from lms.org.models import Employee, Instansi
    from lms.org.reference import load_reference
    from lms.org.services import save_unit

    with app.app_context():
        db.create_all()
        load_reference()
        instansi = Instansi(code="5671", name="Pemerintah Kota Palembang", city="Palembang")
        db.session.add(instansi)
        db.session.flush()
        opd = save_unit(
            None, instansi=instansi, code="DINKES", name="Dinas Kesehatan", kind="opd", parent=None
        )
        course = courses.create_course(
            CODE,
            courses.category_named("Pelayanan Publik"),
            {
                "title": "Pelayanan Publik Prima",
                "summary": "Pelatihan pelayanan publik.",
                "competency_kind": "teknis",
                "jp": 4,
                "delivery_mode": "e-learning",
                "jenis_diklat_code": 16,
                "tags": ["pelayanan"],
            },
            None,
        )
        version = course.latest_version
        module = courses.add_module(version, "Modul 1")
        for i in range(2):
            courses.save_lesson(module, None, f"Materi {i + 1}", "Isi.", 45)
        course.require_evaluation = True
        courses.publish(None, version)
        db.session.flush()
        lessons = list(course.published_version.modules[0].lessons)
        names = []
        for i in range(n):
            employee = Employee(
                nip=f"19880517201503{1 + i % 2}{i % 999 + 1:03d}"
                if i < 999
                else f"19880518201503{1 + i % 2}{i % 999 + 1:03d}",
                full_name=f"Peserta Bench {i + 1}",
                gender="L",
                birth_place="Palembang",
                unit=opd,
                golongan_code="III/a",
                position_name="Pengolah Data",
            )
            db.session.add(employee)
            db.session.flush()
            name = f"bench.{i + 1}"
            auth.create_user(name, PASSWORD, set(), employee=employee)
            enrolment = Enrolment(course_id=course.id, employee_id=employee.id, status="active")
            db.session.add(enrolment)
            db.session.flush()
            for lesson in lessons:
                mark_done(enrolment, lesson)
            names.append(name)
            if i % 50 == 49:
                db.session.commit()
        db.session.commit()
        return names


def token_of(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return match.group(1).decode() if match else ""


def login(client, username: str) -> None:
    page = client.get("/masuk")
    data = {"identifier": username, "password": PASSWORD, "csrf_token": token_of(page.data)}
    response = client.post("/masuk", data=data)
    if response.status_code != 302:
        raise SystemExit(f"login of {username} failed: {response.status_code}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="learners (200)")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose lms to import")
    parser.add_argument("--drain", action="store_true", help="wait for background work between")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        del os.environ[key]
    sys.path.insert(0, str(args.code.resolve()))
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-eval-"))
    try:
        return run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> int:
    import logging

    from sqlalchemy import func, select

    import lms
    from lms import create_app
    from lms.certificates.models import Certificate
    from lms.completion.models import Completion
    from lms.evaluations.questions import sections_for
    from lms.extensions import db
    from lms.tasks import background_worker

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "FILES_DIR": str(tmp / "files"),
            "BASE_URL": "https://akademi.palembang.go.id",
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "LOGIN_ADDRESS_RATE_LIMIT": "100000 per minute",
            "TASKS_IN_THREAD": True,  # the production default; the tests turn it off
        },
        env="testing",
    )
    t0 = time.perf_counter()
    names = build(app, args.n)
    print(
        f"code {Path(lms.__file__).parent.parent}: built {len(names)} learners in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    with app.app_context():
        from lms.courses import queries as course_queries

        course = course_queries.course_by_code(CODE)
        keys = [item.key for section in sections_for(course) for item in section.items]

    path = f"/pelatihan/{CODE}/evaluasi"
    timings: list[float] = []
    cpu_times: list[float] = []  # CPU of the request's own thread: steady on a loaded machine
    statuses: dict[int, int] = {}
    for i, name in enumerate(names, 1):
        client = app.test_client()
        login(client, name)
        data = {key: "4" for key in keys}
        data["csrf_token"] = token_of(client.get(path).data)
        t, cpu = time.perf_counter(), time.thread_time()
        response = client.post(path, data=data)
        timings.append(time.perf_counter() - t)
        cpu_times.append(time.thread_time() - cpu)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if args.drain:
            background_worker.join()
        if i % 50 == 0:
            print(
                f"  {i}: p50 {statistics.median(timings) * 1000:.0f} ms, "
                f"p95 {pct(timings, 0.95) * 1000:.0f} ms, "
                f"request-thread CPU p95 {pct(cpu_times, 0.95) * 1000:.0f} ms",
                flush=True,
            )
    t = time.perf_counter()
    background_worker.join()
    drained = time.perf_counter() - t

    with app.app_context():
        completions = db.session.scalar(select(func.count(Completion.id)))
        certificates = db.session.scalar(select(func.count(Certificate.id)))
        pdfs = db.session.scalar(
            select(func.count(Certificate.id)).where(Certificate.pdf_key.is_not(None))
        )
    result = {
        "code": str(Path(lms.__file__).parent.parent),
        "n": len(timings),
        "drain_between": args.drain,
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(pct(timings, 0.95) * 1000, 1),
        "max_ms": round(max(timings) * 1000, 1),
        "cpu_p50_ms": round(statistics.median(cpu_times) * 1000, 1),
        "cpu_p95_ms": round(pct(cpu_times, 0.95) * 1000, 1),
        "statuses": statuses,
        "background_left_after_last_submit_s": round(drained, 2),
        "completions": completions,
        "certificates": certificates,
        "pdfs_stored": pdfs,
        "loadavg": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    ok = statuses == {302: len(timings)} and completions == certificates == pdfs == len(timings)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
