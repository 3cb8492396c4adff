"""A large report's figures (totals, row count, charts), kept in the shared cache and served
stale while they are computed again (issue 19; Totara's cached reports do the same).

The figures aggregate every row in scope (a million completions: seconds on SQLite), the rows of
a page come from an index. Each filter set's last figures are kept in ``lms.extensions.cache``
(Redis when configured: shared by every worker; else this process) with the report's ``stamp``
(its newest row and latest change) and the moment they were computed:

- same stamp, younger than ``REPORTS_OVERVIEW_SECONDS`` (default 300; 0 in tests and to switch
  the cache off): fresh, served as they are;
- new data since (another stamp), or older than that, but younger than
  ``REPORTS_FIGURES_MAX_STALE`` (default 300): served at once as *stale*, with the time they
  were computed (the page says "Angka per pukul 14:05 WIB"), while one recompute runs in the
  background (``refresh_figures``; one per key at a time: a lock taken with the cache's ``add``,
  released by the task, expiring after ``LOCK_SECONDS`` should its worker die);
- older than that, or never computed: computed in the request, as without the cache.

``exact=True`` (the "compute on this page" link, ``?hitung=1``) never serves stale figures.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from celery import shared_task
from flask import current_app
from flask_babel import force_locale, get_locale

from lms.extensions import cache, db
from lms.reports.filters import Filters, Scope
from lms.tasks import soon

if TYPE_CHECKING:
    from lms.reports.definitions.base import Report

#: Seconds the recompute lock of one key lives at most: above the task's hard time limit.
LOCK_SECONDS = 330


def _clock() -> float:
    """Seconds since the epoch (a function: the tests move the clock)."""
    return time.time()


def _ttl() -> int:
    return int(
        current_app.config.get("REPORTS_OVERVIEW_SECONDS", 0 if current_app.testing else 300)
    )


def _max_stale() -> int:
    return int(current_app.config.get("REPORTS_FIGURES_MAX_STALE", 300))


def cache_key(report: Report, scope: Scope, f: Filters) -> str:
    """Per database (one process may serve several apps: tests, the growth benchmark), report,
    scope, filters (not the sort or page) and locale (the labels are translated)."""
    args = {k: v for k, v in f.query_args().items() if k not in ("sort", "page")}
    parts = (str(db.engine.url), report.key, scope, tuple(sorted(args.items())), str(get_locale()))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"reports:figures:{report.key}:{digest}"


def compute(report: Report, scope: Scope, f: Filters, key: str | None = None) -> tuple:
    """The figures computed now, kept when the report has a stamp. The stamp and the time are
    taken first: data written while the figures are computed leaves the kept stamp behind (they
    are computed again), and the time shown is never later than the data they read."""
    at = _clock()
    stamp = report.stamp() if _ttl() else None
    value = report.overview(scope, f)
    if stamp is not None:
        entry = {"stamp": stamp, "at": at, "value": value}
        timeout = max(_ttl(), _max_stale()) + 60
        cache.set(key or cache_key(report, scope, f), entry, timeout=timeout)
    return value


def kept_overview(
    report: Report, scope: Scope, f: Filters, *, compute_missing: bool = True, exact: bool = False
) -> tuple[tuple, datetime | None] | None:
    """The figures and, when stale, the moment they were computed (else ``None``).

    ``compute_missing`` false (the page answering with its rows first): ``None`` unless kept
    figures can be served, without reading the stamp when nothing is kept for this filter set.
    """
    ttl = _ttl()
    if not ttl:
        return (report.overview(scope, f), None) if compute_missing else None
    key = cache_key(report, scope, f)
    entry = cache.get(key)
    age = _clock() - entry["at"] if entry is not None else None
    if age is None or age >= max(ttl, _max_stale()):
        entry = None
    if entry is None and not compute_missing:
        return None
    stamp = report.stamp() if entry is not None else None
    if entry is not None and entry["stamp"] == stamp and age < ttl:
        return entry["value"], None
    if entry is not None and not exact and age < _max_stale():
        _refresh(report, scope, f, key)
        return entry["value"], datetime.fromtimestamp(entry["at"], UTC)
    if not compute_missing:
        return None
    return compute(report, scope, f, key), None


def _refresh(report: Report, scope: Scope, f: Filters, key: str) -> None:
    """One recompute of ``key`` at a time, in the background."""
    if cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
        # Plain strings: the in-process queue de-duplicates waiting tasks by their arguments.
        scope_json = json.dumps(asdict(scope), sort_keys=True)
        filters_json = json.dumps(f.as_json(), sort_keys=True)
        soon(refresh_figures, report.key, scope_json, filters_json, str(get_locale()))


@shared_task(name="reports.refresh_figures", ignore_result=True, time_limit=300)
def refresh_figures(report_key: str, scope_json: str, filters_json: str, locale: str) -> None:
    """Compute a filter set's figures again and keep them; release the key's lock. Run twice
    (a redelivered message), it computes them twice: nothing else changes."""
    from lms.reports.definitions import REPORTS

    report = REPORTS[report_key]
    scope = Scope(**json.loads(scope_json))
    with force_locale(locale):  # the key and the labels: in the reader's language
        f = Filters.from_json(json.loads(filters_json))
        key = cache_key(report, scope, f)
        try:
            compute(report, scope, f, key)
        finally:
            cache.delete(f"{key}:lock")
