"""A city morning through the proxy: locust against nginx in front of several app servers.

    .venv/bin/python bench/city_morning.py [--users 200] [--spawn-rate 20] [--time 120]
                                           [--app-servers 2] [--employees 1000]

Starts ``bench/cluster.py``'s cluster (PostgreSQL, Redis, gunicorn app servers, nginx, Celery
worker and beat; the demo data loaded) with the per-address login limit raised
(``LMS_LOGIN_ADDRESS_RATE_LIMIT``: every simulated user comes from 127.0.0.1), seeds the
employees, course and quiz of ``bench/quiz_load.py`` (its ``seed``), waits for the worker to
empty the queue the demo load filled, and runs ``bench/locustfile.py`` headless against the
nginx URL.

Each app server's ``/metrics`` (multiprocess mode: the cluster gives each its own
``PROMETHEUS_MULTIPROC_DIR``) is read directly, on loopback, before and after the run, and the
difference of ``lms_http_requests_total`` (the ``/metrics`` reads left out) is set beside
locust's count: no request reached an app server that locust did not make, and none that locust
made was lost on the way (nginx's own failures would show as locust errors without a counter).

Prints per request name: count, errors, p50/p95/p99 (locust's, ms), then Prometheus per endpoint
(count, status classes, p95 as the histogram bucket it falls in), then the checks: p95 <= 300 ms
for every page (GET of an HTML page), 0 errors, counts agreeing. Writes
``bench/results/city-morning.json``; exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from cluster import BIN, Cluster  # noqa: E402
from quiz_load import seed  # noqa: E402

RESULTS = BENCH / "results" / "city-morning.json"
PAGE_BUDGET_MS = 300.0
#: locust request names that are pages (a GET answered with HTML); the rest are form posts,
#: autosaves, a CSV download and JSON polls.
PAGES = (
    "login page",
    "catalogue",
    "search",
    "course page",
    "lesson page",
    "dashboard",
    "quiz intro",
    "attempt page",
    "quiz result",
    "dashboard (supervisor)",
    "team JP",
    "dashboard (BKPSDM)",
    "report page",
    "export page",
)
METRICS_ENDPOINT = "main.metrics"
RAISED_ADDRESS_LIMIT = "100000 per minute"


def scrape(url: str) -> dict:
    """``lms_http_requests_total`` and the duration buckets, by (endpoint, status class)."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(url + "/metrics", timeout=10) as resp:
        body = resp.read().decode()
    counts: dict[tuple[str, str], float] = defaultdict(float)
    buckets: dict[tuple[str, str, float], float] = defaultdict(float)
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "lms_http_requests_total":
                counts[(labels["endpoint"], labels["status"])] += sample.value
            elif sample.name == "lms_http_request_duration_seconds_bucket":
                key = (labels["endpoint"], labels["status"], float(labels["le"]))
                buckets[key] += sample.value
    return {"counts": counts, "buckets": buckets}


def difference(before: list[dict], after: list[dict]) -> dict:
    """After minus before, summed over the app servers."""
    counts: dict[tuple[str, str], float] = defaultdict(float)
    buckets: dict[tuple[str, str, float], float] = defaultdict(float)
    for b, a in zip(before, after, strict=True):
        for key, value in a["counts"].items():
            counts[key] += value - b["counts"].get(key, 0.0)
        for key, value in a["buckets"].items():
            buckets[key] += value - b["buckets"].get(key, 0.0)
    return {"counts": counts, "buckets": buckets}


def prometheus_rows(diff: dict) -> list[dict]:
    endpoints: dict[str, dict] = {}
    for (endpoint, status), value in diff["counts"].items():
        if value and endpoint != METRICS_ENDPOINT:
            row = endpoints.setdefault(endpoint, {"endpoint": endpoint, "requests": 0})
            row["requests"] += int(value)
            row[status] = row.get(status, 0) + int(value)
    for endpoint, row in endpoints.items():
        merged: dict[float, float] = defaultdict(float)
        for (ep, _status, le), value in diff["buckets"].items():
            if ep == endpoint:
                merged[le] += value
        total = merged.get(float("inf"), 0.0)
        row["p95_bucket_ms"] = next(
            (le * 1000 for le in sorted(merged) if total and merged[le] >= 0.95 * total), None
        )
    return sorted(endpoints.values(), key=lambda r: -r["requests"])


def _percentile(times: dict[float, int], pct: float) -> float:
    """The value at ``pct`` in locust's histogram of response times (ms rounded -> count)."""
    total = sum(times.values())
    if not total:
        return 0.0
    rank, seen = round(pct / 100 * (total - 1)), 0
    for value in sorted(times):
        seen += times[value]
        if seen > rank:
            return value
    return max(times)


def _row(name: str, method: str, requests: int, errors: int, times: dict, top: float) -> dict:
    return {
        "name": name,
        "method": method,
        "requests": requests,
        "errors": errors,
        "p50_ms": _percentile(times, 50),
        "p95_ms": _percentile(times, 95),
        "p99_ms": _percentile(times, 99),
        "max_ms": round(top, 1),
        "page": name in PAGES,
    }


def locust_rows(prefix: Path) -> tuple[list[dict], dict]:
    """Per request name, from locust's final statistics (``--json-file``: written after the
    stop timeout, so it counts every request made; the CSV files are written before it)."""
    rows = []
    merged: dict[float, int] = defaultdict(int)
    for entry in json.loads(Path(f"{prefix}.json").read_text()):
        times = {float(ms): n for ms, n in entry["response_times"].items()}
        for ms, n in times.items():
            merged[ms] += n
        rows.append(
            _row(
                entry["name"],
                entry["method"],
                entry["num_requests"],
                entry["num_failures"],
                times,
                entry["max_response_time"],
            )
        )
    rows.sort(key=lambda r: r["name"])
    total = _row(
        "Aggregated",
        "",
        sum(r["requests"] for r in rows),
        sum(r["errors"] for r in rows),
        merged,
        max((r["max_ms"] for r in rows), default=0.0),
    )
    return rows, total


def locust_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [dict(line) for line in csv.DictReader(handle)]


def run_locust(c: Cluster, data: dict, args: argparse.Namespace, prefix: Path) -> int:
    env = dict(os.environ)
    env.update(
        {
            "LOCUST_QUIZ_ID": str(data["quiz_id"]),
            "LOCUST_SUPERVISORS": str(args.supervisors),
            "LOCUST_HR": str(args.hr),
        }
    )
    argv = [
        str(BIN / "locust"),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{args.time}s",
        "--stop-timeout",
        "30",  # users finish the task in hand: no request cut off mid-way
        "--host",
        c.url,
        "--json-file",
        str(prefix),
        "--csv",  # for the failures' messages
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    print("$ " + " ".join(argv[1:]), flush=True)
    return subprocess.run(argv, cwd=ROOT, env=env, timeout=args.time + 300).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent simulated users")
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started a second")
    parser.add_argument("--time", type=int, default=120, help="seconds of load")
    parser.add_argument("--app-servers", type=int, default=2)
    parser.add_argument("--employees", type=int, default=1000, help="employee accounts seeded")
    parser.add_argument("--supervisors", type=int, default=8, help="users as `atasan`")
    parser.add_argument("--hr", type=int, default=5, help="users as `bkpsdm`")
    parser.add_argument("--no-drain", action="store_true", help="do not wait for the queue")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.users - args.supervisors - args.hr > args.employees:
        raise SystemExit("more simulated employees than employee accounts")

    load_before = os.getloadavg()
    print(f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    extra = {"LMS_LOGIN_ADDRESS_RATE_LIMIT": RAISED_ADDRESS_LIMIT}
    with (
        tempfile.TemporaryDirectory(prefix="akademi-city-") as tmp_name,
        Cluster(app_servers=args.app_servers, extra_env=extra) as c,
    ):
        tmp = Path(tmp_name)
        data = seed(c.database_url, tmp, args.employees, 20)
        print(f"seeded {data['employees']} employees in {data['seconds']} s")
        if not args.no_drain:
            print(f"queue drained in {c.drain(600):.0f} s", flush=True)
        urls = [c.app_url(i) for i in range(args.app_servers)]
        before = [scrape(u) for u in urls]
        load_start = os.getloadavg()
        began = time.monotonic()
        code = run_locust(c, data, args, tmp / "locust")
        wall = time.monotonic() - began
        load_end = os.getloadavg()
        after = [scrape(u) for u in urls]
        rows, total = locust_rows(tmp / "locust")
        failures = locust_failures(tmp / "locust")
    prom = prometheus_rows(difference(before, after))
    prom_total = sum(r["requests"] for r in prom)
    prom_errors = sum(r.get("5xx", 0) + r.get("4xx", 0) for r in prom)

    print(
        f"\nlocust: {args.users} users, {args.time} s, through nginx to {args.app_servers} servers"
    )
    print(f"{'name':<24}{'method':>7}{'reqs':>7}{'errors':>7}{'p50':>7}{'p95':>7}{'p99':>7}")
    for r in rows:
        mark = "" if not r["page"] else " page"
        print(
            f"{r['name']:<24}{r['method']:>7}{r['requests']:>7}{r['errors']:>7}"
            f"{r['p50_ms']:>7.0f}{r['p95_ms']:>7.0f}{r['p99_ms']:>7.0f}{mark}"
        )
    for failure in failures[:10]:
        print(f"  failure: {failure}")
    print("\nPrometheus (app servers' /metrics, after minus before; /metrics itself left out)")
    print(f"{'endpoint':<40}{'reqs':>7}{'2xx':>6}{'3xx':>6}{'4xx':>6}{'5xx':>6}{'p95 ≤ ms':>10}")
    for r in prom:
        cells = "".join(f"{r.get(s, 0):>6}" for s in ("2xx", "3xx", "4xx", "5xx"))
        p95 = f"{r['p95_bucket_ms']:.0f}" if r["p95_bucket_ms"] is not None else ""
        print(f"{r['endpoint']:<40}{r['requests']:>7}{cells}{p95:>10}")

    pages = [r for r in rows if r["page"]]
    worst = max(pages, key=lambda r: r["p95_ms"]) if pages else None
    checks = {
        "pages_p95_within_budget": bool(pages)
        and all(r["p95_ms"] <= PAGE_BUDGET_MS for r in pages),
        "worst_page": worst["name"] if worst else None,
        "worst_page_p95_ms": worst["p95_ms"] if worst else None,
        "locust_errors": total.get("errors", 0),
        "prometheus_4xx_5xx": prom_errors,
        "locust_requests": total.get("requests", 0),
        "prometheus_requests": prom_total,
        "counts_differ_by": prom_total - total.get("requests", 0),
    }
    print(
        f"\npages p95 <= {PAGE_BUDGET_MS:.0f} ms: "
        f"{'yes' if checks['pages_p95_within_budget'] else 'NO'} "
        f"(worst {checks['worst_page']}: {checks['worst_page_p95_ms']} ms); "
        f"errors: locust {checks['locust_errors']}, Prometheus 4xx/5xx {prom_errors}; "
        f"requests: locust {checks['locust_requests']}, Prometheus {prom_total} "
        f"(difference {checks['counts_differ_by']})"
    )
    print(
        f"load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; "
        f"locust wall {wall:.0f} s"
    )
    result = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "seconds": args.time,
        "app_servers": args.app_servers,
        "employees_seeded": args.employees,
        "supervisors": args.supervisors,
        "hr": args.hr,
        "cpus": os.cpu_count(),
        "load_average": {"before": load_before, "start": load_start, "end": load_end},
        "locust": {"rows": rows, "total": total, "failures": failures, "exit": code},
        "prometheus": prom,
        "checks": checks,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str))
    print(f"results: {args.output}")
    ok = (
        checks["pages_p95_within_budget"]
        and not checks["locust_errors"]
        and not prom_errors
        and checks["counts_differ_by"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
