"""Reports benchmark on the city-size dataset: page p95, a 1,000,000-row CSV, a 100,000-row XLSX.

    .venv/bin/python bench/reports.py [--url sqlite:////tmp/city.db] [--completions 1000000]

Without ``--url`` it builds a throwaway SQLite database with ``bench/generate.py`` first. It then
adds what the generator does not make yet: the missing tables (``create_all``), ~``--completions``
valid completion rows (bulk inserts, each with an identity snapshot, about 67 courses per
employee) and verified learning records for them, so the JP compliance report has a ledger.

Measured in this process, through the Flask test client (no network, no gunicorn):
- report pages (``/laporan/<report>``, BKPSDM scope, no filter): p50 / p95 / max over N requests;
- the deferred figures after new data (``--after-change`` rounds): the first request once the
  stamp changed (stale-while-revalidate: kept figures at once; ``--max-stale 0``: computed in the
  request, as before), the background recompute, the next request;
- CSV export of every completion row: time to first byte, total time, bytes, peak RSS growth
  (Linux ``VmHWM`` reset through ``/proc/self/clear_refs`` before the export); goal 30 s, 60 MiB;
- XLSX of 100,000 rows with XlsxWriter in constant-memory mode: time and peak RSS growth.

Prints the figures and writes them to ``bench/results/reports.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from lms import create_app
from lms.extensions import db

MIB = 1024 * 1024


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def fill_completions(target_rows: int, seed: int = 11) -> dict:
    """Bulk-insert valid completions (and their learning records) up to ``target_rows`` (COPY on
    PostgreSQL)."""
    import lms.reports.models  # noqa: F401
    from bench.generate import _bulk
    from lms.careers.records.models import LearningRecord
    from lms.completion.models import Completion
    from lms.courses.models import Course, CourseVersion
    from lms.org.models import Employee, Unit

    db.create_all()  # tables the migrations do not have yet
    have = db.session.scalar(select(func.count(Completion.id))) or 0
    if have >= target_rows:
        return {"completions_existing": have}
    rng = random.Random(seed)
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    courses = db.session.execute(
        select(Course.id, Course.code, CourseVersion.title, CourseVersion.jp, CourseVersion.id)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .order_by(Course.id)
    ).all()
    employees = db.session.execute(
        select(Employee.id, Employee.nip, Employee.full_name, Employee.unit_id).order_by(
            Employee.id
        )
    ).all()
    per_employee = max(1, min(len(courses), -(-(target_rows - have) // len(employees))))
    t0 = time.perf_counter()
    rows: list[dict] = []
    records: list[dict] = []
    year = date.today().year
    written = 0
    for emp_id, nip, name, unit_id in employees:
        unit = units[unit_id]
        opd = units[int(unit.path.strip("/").split("/")[0])]
        identity = {"name": name, "nip": nip, "unit": unit.name, "opd": opd.name, "opd_id": opd.id}
        for course_id, code, title, jp, version_id in rng.sample(courses, per_employee):
            if written >= target_rows - have:
                break
            moment = datetime(
                rng.choice((year, year, year - 1)),
                rng.randint(1, 12),
                rng.randint(1, 28),
                3,
                tzinfo=UTC,
            )
            rows.append(
                {
                    "employee_id": emp_id,
                    "course_id": course_id,
                    "version_id": version_id,
                    "source": "online",
                    "status": "valid",
                    "completed_at": moment,
                    "year": moment.year,
                    "score": Decimal(rng.randint(50, 100)),
                    "jp": jp,
                    "competency_kind": "teknis",
                    "code": code,
                    "title": title,
                    "organiser": "",
                    "identity": identity,
                    "unit_id": opd.id,
                    "revoke_reason": "",
                    "created_at": moment,
                    "updated_at": moment,
                }
            )
            if moment.year == year and rng.random() < 0.05:
                records.append(
                    {
                        "employee_id": emp_id,
                        "source": "import",
                        "status": "verified",
                        "competency_kind": "teknis",
                        "siasn_type": "kursus",
                        "name": title,
                        "organiser": "",
                        "starts_on": moment.date(),
                        "ends_on": moment.date(),
                        "year": year,
                        "jp": jp,
                        "certificate_number": "",
                        "review_reason": "",
                        "siasn_status": "not_sent",
                        "siasn_message": "",
                        "evidence_name": "",
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )
            written += 1
            if len(rows) >= 20_000:
                _bulk(Completion, rows)
                rows.clear()
        if written >= target_rows - have:
            break
    if rows:
        _bulk(Completion, rows)
    _bulk(LearningRecord, records)
    db.session.commit()
    # Bulk inserts bypass the session's tracking of the summary tables: build them as
    # `flask summary rebuild` does after such a load.
    from lms.careers.summary.services import rebuild

    t1 = time.perf_counter()
    rebuild()
    db.session.commit()
    return {
        "summary_rebuild_s": round(time.perf_counter() - t1, 1),
        "completions_inserted": written,
        "learning_records_inserted": len(records),
        "fill_s": round(time.perf_counter() - t0, 1),
    }


def _login(app, client, username: str) -> None:
    from lms.auth.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        ident = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True


def pages(app, client, repeat: int, only: list[str] | None = None, rounds: int = 0) -> dict:
    """p50 / p95 / max per report page; for a page whose totals arrive after its rows
    (``deferred_overview``), the same for ``/laporan/<key>/ringkasan``, whose ``first_ms`` is
    the first computation (later requests of the same filters reuse it: ``cached_overview``)."""
    from lms.reports.definitions import REPORTS

    out = {}
    for key in only or REPORTS:
        out[key] = _timed(client, f"/laporan/{key}", repeat, f"page {key}")
        if REPORTS[key].deferred_overview:  # the totals the page fetches after its rows
            out[f"{key} figures"] = _timed(
                client, f"/laporan/{key}/ringkasan", repeat, f"  figures {key}"
            )
            if rounds:
                out[f"{key} figures after new data"] = after_change(app, client, key, rounds)
    return out


def _touch(key: str) -> None:
    """New data for ``key``'s stamp, as a busy city makes it: an outbox event (completions:
    every completion created or revoked writes one), an enrolment changed (enrolments)."""
    from sqlalchemy import insert, update

    from lms.completion.models import Completion, OutboxEvent
    from lms.db import utcnow
    from lms.enrolments.models import Enrolment

    if key == "completions":
        newest = db.session.scalar(select(func.max(Completion.id)))
        db.session.execute(
            insert(OutboxEvent).values(
                event_id=f"bench-{time.time_ns()}", type="completion.created", completion_id=newest
            )
        )
    else:
        newest = db.session.scalar(select(func.max(Enrolment.id)))
        db.session.execute(
            update(Enrolment).where(Enrolment.id == newest).values(updated_at=utcnow())
        )
    db.session.commit()


def after_change(app, client, key: str, rounds: int) -> dict:
    """The figures' first request after new data (the stamp changed), ``rounds`` times: kept
    figures served stale while one recompute runs in the background (``kept``), or computed in
    the request (``--max-stale 0``, as before issue 19's stale-while-revalidate); then how long
    the background recompute took and the next request."""
    from lms.tasks import background_worker

    url = f"/laporan/{key}/ringkasan"
    client.get(url)  # kept figures for this filter set
    background_worker.join()
    first, recompute, after, stale = [], [], [], 0
    for _ in range(rounds):
        with app.app_context():
            _touch(key)
        t0 = time.perf_counter()
        response = client.get(url)
        first.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        stale += bool(response.get_json().get("stale"))
        t0 = time.perf_counter()
        background_worker.join()
        recompute.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        client.get(url)
        after.append((time.perf_counter() - t0) * 1000)
    row = {
        "first_after_change_ms": round(statistics.median(first), 1),
        "first_after_change_max_ms": round(max(first), 1),
        "stale_answers": f"{stale}/{rounds}",
        "background_recompute_ms": round(statistics.median(recompute), 1),
        "next_request_ms": round(statistics.median(after), 1),
    }
    print(f"  figures {key} after new data: {row}", flush=True)
    return row


def _timed(client, url: str, repeat: int, label: str) -> dict:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    first = times[0]
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    row = {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
        "first_ms": round(first, 1),
    }
    print(
        f"  {label:22s} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f} ms"
        f"  max {row['max_ms']:8.1f} ms  first {first:8.1f} ms",
        flush=True,
    )
    return row


def csv_export(client) -> dict:
    base = _status("VmRSS")
    _reset_peak()
    t0 = time.perf_counter()
    response = client.get("/laporan/completions.csv", buffered=False)
    first = None
    size = 0
    lines = 0
    for chunk in response.response:
        if first is None:
            first = time.perf_counter() - t0
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    total = time.perf_counter() - t0
    growth = max(_status("VmHWM") - base, 0)
    return {
        "rows": lines - 1,
        "bytes": size,
        "ttfb_s": round(first or 0, 3),
        "total_s": round(total, 1),
        "peak_rss_growth_mib": round(growth / MIB, 1),
        "goal": "30 s, 60 MiB",
        "met": total <= 30 and growth <= 60 * MIB,
    }


def xlsx_export(app, rows: int) -> dict:
    from lms.reports.definitions import REPORTS
    from lms.reports.exports import write_xlsx
    from lms.reports.filters import Filters, Scope

    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.xlsx"
        base = _status("VmRSS")
        _reset_peak()
        t0 = time.perf_counter()
        written = write_xlsx(REPORTS["completions"], Scope.all(), Filters(), str(out), limit=rows)
        total = time.perf_counter() - t0
        growth = max(_status("VmHWM") - base, 0)
        return {
            "rows": written,
            "bytes": out.stat().st_size,
            "total_s": round(total, 1),
            "peak_rss_growth_mib": round(growth / MIB, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a database made by bench/generate.py (else one is built)")
    parser.add_argument("--scale", type=float, default=1.0, help="for the generated database")
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per report page")
    parser.add_argument("--pages", help="only these report pages (comma-separated keys)")
    parser.add_argument("--no-exports", action="store_true", help="measure the pages only")
    parser.add_argument(
        "--after-change",
        type=int,
        default=3,
        help="rounds of new data then the figures' first request (0: skip)",
    )
    parser.add_argument(
        "--max-stale",
        type=int,
        help="REPORTS_FIGURES_MAX_STALE (0: figures computed in the request after new data)",
    )
    parser.add_argument(
        "--schema",
        choices=("create-all", "migrate"),
        default="create-all",
        help="how the generated database gets its tables (migrations may lag the models)",
    )
    parser.add_argument("--output", default=str(Path(__file__).parent / "results/reports.json"))
    args = parser.parse_args()
    results: dict = {"started": datetime.now(UTC).isoformat()}
    url = args.url
    if not url:
        from bench.generate import generate

        if args.schema == "create-all":
            import flask_migrate

            import lms.reports.models  # noqa: F401

            flask_migrate.upgrade = lambda *a, **k: db.create_all()
        path = Path(tempfile.mkdtemp()) / "city.db"
        url = f"sqlite:///{path}"
        print(f"generating the city dataset into {path} …", flush=True)
        results["generate"] = generate(url, args.scale)
    config = {"SQLALCHEMY_DATABASE_URI": url, "FILES_DIR": tempfile.mkdtemp()}
    if args.max_stale is not None:
        config["REPORTS_FIGURES_MAX_STALE"] = args.max_stale
    app = create_app(config, env="development")
    with app.app_context():
        print("adding completions …", flush=True)
        results["fill"] = fill_completions(args.completions)
        print(f"  {results['fill']}")
    client = app.test_client()
    _login(app, client, "bench.bkpsdm")
    # The exports first: with --url (nothing to fill) the heap is still small, so the peak RSS
    # growth is the export's own; after a fill, freed memory is reused and growth reads lower.
    if not args.no_exports:
        print("CSV export of every completion …", flush=True)
        results["csv"] = csv_export(client)
        print(f"  {results['csv']}")
        print(f"XLSX of {args.xlsx_rows} rows …", flush=True)
        results["xlsx"] = xlsx_export(app, args.xlsx_rows)
        print(f"  {results['xlsx']}")
    print("report pages:", flush=True)
    only = [key for key in (args.pages or "").split(",") if key]
    results["pages"] = pages(app, client, args.repeat, only or None, args.after_change)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
