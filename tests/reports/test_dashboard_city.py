"""Every OPD's dashboard figures come from one statement built once (issue 19), and they equal
the per-figure queries a department's dashboard runs (the source rows)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lms.reports import dashboard
from lms.reports.filters import Scope
from tests.reports.data import YEAR, generate
from tests.reports.test_jp_summary import _more_records
from tests.test_query_counts import count_queries

MOMENTS = [
    datetime(YEAR, 6, 20, 3, 0, tzinfo=UTC),
    datetime(YEAR, 3, 3, 1, 0, tzinfo=UTC),
    datetime(YEAR, 12, 31, 16, 30, tzinfo=UTC),
]


def _expected(now: datetime) -> dict[str, int]:
    tz = dashboard.local_zone()
    local = now.astimezone(tz)
    today = local.date()
    last_month = dashboard.shift_months(today, -1)
    last_year = dashboard.shift_months(today, -12)
    everything = Scope.all()
    n, ok, ok_before = dashboard.jp_share_from_ledger(everything, today)
    start = today.replace(day=1)
    done = dashboard.completion_counts(
        everything,
        [
            (dashboard.utc_start(start, tz), now),
            (
                dashboard.utc_start(dashboard.shift_months(start, -1), tz),
                dashboard.same_moment(local, last_month),
            ),
        ],
    )
    cohorts = dashboard.active_cohorts(everything, [today, last_month])
    certs = dashboard.certificate_counts(
        everything,
        [
            (dashboard.utc_start(date(today.year, 1, 1), tz), now),
            (
                dashboard.utc_start(date(today.year - 1, 1, 1), tz),
                dashboard.same_moment(local, last_year),
            ),
        ],
    )
    return {
        "employees": n,
        "at_target": ok,
        "at_target_last_year": ok_before,
        "completions_month": done[0],
        "completions_last_month": done[1],
        "cohorts": cohorts[0],
        "cohorts_last_month": cohorts[1],
        "certificates": certs[0],
        "certificates_last_year": certs[1],
    }


def test_city_figures_equal_the_source_rows_in_one_statement(app, world) -> None:
    with app.app_context():
        generate(seed=11, per_opd=6)
        _more_records(11)
        for now in MOMENTS:
            with count_queries(app) as counted:
                raw = dashboard.figures(Scope.all(), now=now)["raw"]
            assert counted["n"] == 1
            assert raw == _expected(now)
        assert dashboard.figures(Scope.all(), now=MOMENTS[0])["raw"]["employees"] > 0


def test_city_figures_with_a_target_of_zero(app, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "JP_TARGET", 0)  # the session's app: never leak it
    with app.app_context():
        generate(seed=12, per_opd=3)
        raw = dashboard.figures(Scope.all(), now=MOMENTS[0])["raw"]
        assert raw["at_target"] == raw["at_target_last_year"] == raw["employees"] > 0


def test_city_counts_are_kept_for_the_configured_seconds(app, world, monkeypatch) -> None:
    """Every BKPSDM visit within ``DASHBOARD_CITY_SECONDS`` reuses the counts (no statement);
    another day or another JP target counts again, and nothing is kept when it is 0."""
    monkeypatch.setattr(dashboard, "_CITY", {})
    monkeypatch.setitem(app.config, "DASHBOARD_CITY_SECONDS", 60)
    with app.app_context():
        generate(seed=13, per_opd=3)
        first = dashboard.figures(Scope.all(), now=MOMENTS[0])["raw"]
        with count_queries(app) as counted:
            again = dashboard.figures(Scope.all(), now=MOMENTS[0])["raw"]
        assert (counted["n"], again) == (0, first)
        with count_queries(app) as counted:
            other_day = dashboard.figures(Scope.all(), now=MOMENTS[1])["raw"]
        assert counted["n"] == 1 and other_day == _expected(MOMENTS[1])
        monkeypatch.setitem(app.config, "JP_TARGET", 0)
        with count_queries(app) as counted:
            raw = dashboard.figures(Scope.all(), now=MOMENTS[0])["raw"]
        assert counted["n"] == 1 and raw["at_target"] == raw["employees"]
        monkeypatch.setitem(app.config, "DASHBOARD_CITY_SECONDS", 0)
        monkeypatch.setattr(dashboard, "_CITY", {})
        dashboard.figures(Scope.all(), now=MOMENTS[0])
        assert dashboard._CITY == {}
