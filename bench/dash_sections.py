"""Where a dashboard's time goes: each section's milliseconds and statements, and the page's.

    .venv/bin/python bench/dash_sections.py --url sqlite:////tmp/city.db [--account bench.bkpsdm]
                                            [--repeat 20] [--statements] [--config K=N]

Requests ``/dasbor`` through the Flask test client (development settings, as ``bench/run.py``
starts gunicorn) after ``--warm`` requests, and times every registered dashboard section, the
dashboard's own context (``org.queries.dashboard_context``) and the template rendering (with
the statements sent while rendering). Prints the median per part over ``--repeat`` requests;
``--statements`` adds each statement's median time, slowest first. Nothing is written.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from functools import wraps
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from lms import create_app
from lms.extensions import db


def _timed(name: str, fn, current: dict, spent: dict):
    @wraps(fn)
    def run(*args, **kwargs):
        outer = current["part"]
        current["part"] = name
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name].append((time.perf_counter() - t0) * 1000)
            current["part"] = outer

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--account", default="bench.bkpsdm")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--config", action="append", default=[], help="KEY=INT app setting")
    args = parser.parse_args()

    import lms.dashboard as dash
    import lms.main.views as main_views
    import lms.org.queries as org_queries
    from bench.reports import _login

    settings = {"SQLALCHEMY_DATABASE_URI": args.url, "FILES_DIR": tempfile.mkdtemp()}
    settings.update((k, int(v)) for k, v in (item.split("=", 1) for item in args.config))
    app = create_app(settings, env="development")
    current = {"part": "other"}
    spent: dict[str, list[float]] = defaultdict(list)
    count: dict[str, int] = defaultdict(int)
    per_statement: dict[str, list[float]] = defaultdict(list)

    def part(e: dash._Entry) -> str:
        return f"{e.fn.__module__}.{e.fn.__name__}"

    # A kept section (``keep=``) keeps it, timed as the section's part too: a visit that finds
    # its HTML costs the tokens and a cache read, under the section's name.
    dash._SECTIONS[:] = [
        dash._Entry(
            e.order,
            e.part,
            e.wide,
            _timed(part(e), e.fn, current, spent),
            None if e.keep is None else _timed(part(e), e.keep, current, spent),
        )
        for e in dash._SECTIONS
    ]
    org_queries.dashboard_context = _timed(
        "org.queries.dashboard_context", org_queries.dashboard_context, current, spent
    )
    main_views.render_template = _timed(
        "render_template", main_views.render_template, current, spent
    )

    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        ms = (time.perf_counter() - started.pop(id(cursor), time.perf_counter())) * 1000
        count[current["part"]] += 1
        spent[f"db:{current['part']}"].append(ms)
        per_statement[f"[{current['part']}] {' '.join(statement.split())[:160]}"].append(ms)

    client = app.test_client()
    _login(app, client, args.account)
    for _ in range(args.warm):
        assert client.get("/dasbor").status_code == 200
    for store in (spent, count, per_statement):
        store.clear()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    pages = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        assert client.get("/dasbor").status_code == 200
        pages.append((time.perf_counter() - t0) * 1000)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)

    n = args.repeat
    print(f"/dasbor ({args.account}): median {statistics.median(pages):.1f} ms over {n}")
    print(f"{'part':70s} {'ms':>8s} {'db ms':>8s} {'stmts':>6s}")
    for name in sorted(k for k in spent if not k.startswith("db:")):
        ms = sum(spent[name]) / n
        db_ms = sum(spent.get(f"db:{name}", [])) / n
        print(f"{name:70s} {ms:8.1f} {db_ms:8.1f} {count[name] / n:6.1f}")
    other = sum(spent.get("db:other", [])) / n
    print(f"{'(statements outside the parts)':70s} {'':8s} {other:8.1f} {count['other'] / n:6.1f}")
    if args.statements:
        for text, times in sorted(per_statement.items(), key=lambda kv: -sum(kv[1])):
            print(f"{sum(times) / n:8.2f} ms  {text}")


if __name__ == "__main__":
    main()
