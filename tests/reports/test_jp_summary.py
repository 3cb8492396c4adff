"""The JP compliance report and the dashboard's JP figures read the employee-year summary:
the same output as the source-row computation (the ledger's ``jp_totals``) on random data, and a
query count that does not grow with the rows."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.careers.ledger.queries import jp_totals
from lms.careers.records.models import LearningRecord
from lms.careers.summary.services import rebuild
from lms.completion.consumers import dispatch
from lms.extensions import cache, db
from lms.org.models import Employee, Unit
from lms.reports import dashboard
from lms.reports.definitions import REPORTS
from lms.reports.definitions.jp_compliance import JpComplianceReport
from lms.reports.filters import Scope, parse
from tests.conftest import login
from tests.factories import make_employee, make_nip
from tests.reports.data import YEAR, generate
from tests.test_query_counts import count_queries

NOW = datetime(YEAR, 6, 20, 3, 0, tzinfo=UTC)


def _report_output(scope: Scope, **args: str) -> tuple:
    report = REPORTS["jp-compliance"]
    f = parse(args, scope, default_year=YEAR)
    page = report.page(scope, f)
    assert page.total == report.count(scope, f)
    assert page.summary == report.summary(scope, f)
    return (
        list(report.iter_rows(scope, f)),
        page.rows,
        page.total,
        page.totals,
        page.summary,
        [(c.title, c.headers, c.rows) for c in page.charts],
        [(c.title, c.headers, c.rows) for c in report.charts(scope, f)],
    )


def _scopes() -> list[Scope]:
    dinkes = db.session.scalar(select(Unit.path).where(Unit.code == "DINKES"))
    return [Scope.all(), Scope(path=dinkes)]


def _more_records(seed: int) -> None:
    """Outside learning at random days of this year and last, so targets are crossed at
    different dates (the dashboard's trend "on this date last year")."""
    rng = random.Random(seed)
    people = list(db.session.scalars(select(Employee)))
    for emp in rng.sample(people, len(people) // 2):
        for _ in range(rng.randint(1, 4)):
            ends = date(rng.choice([YEAR, YEAR - 1]), rng.randint(1, 12), rng.randint(1, 28))
            db.session.add(
                LearningRecord(
                    employee_id=emp.id,
                    source="outside",
                    status=rng.choice(["verified", "verified", "pending", "rejected"]),
                    review_reason="x",
                    name="Kursus",
                    starts_on=ends - timedelta(days=2),
                    ends_on=ends,
                    year=ends.year,
                    jp=Decimal(rng.choice([3, 6.5, 8, 12])),
                    competency_kind=rng.choice(["teknis", "manajerial", "sosial_kultural"]),
                )
            )
    db.session.commit()


def test_report_from_the_summary_equals_the_source_rows(app, world, monkeypatch) -> None:
    with app.app_context():
        generate(seed=8, per_opd=8)
        _more_records(8)
        for scope in _scopes():
            for args in ({}, {"status": "memenuhi"}, {"status": "belum"}, {"sort": "-jp"}):
                from_summary = _report_output(scope, **args)
                with monkeypatch.context() as m:
                    m.setattr(JpComplianceReport, "ledger", staticmethod(jp_totals))
                    from_source = _report_output(scope, **args)
                assert from_summary == from_source
                assert from_summary[2] > 0
        year_before = _report_output(Scope.all(), tahun=str(YEAR - 1))
        with monkeypatch.context() as m:
            m.setattr(JpComplianceReport, "ledger", staticmethod(jp_totals))
            assert _report_output(Scope.all(), tahun=str(YEAR - 1)) == year_before


def test_dashboard_jp_share_equals_the_source_rows(app, world) -> None:
    with app.app_context():
        generate(seed=9, per_opd=8)
        _more_records(9)
        for scope in _scopes():
            for day in (date(YEAR, 1, 1), date(YEAR, 3, 15), date(YEAR, 6, 20), date(YEAR, 12, 31)):
                got = dashboard.jp_share(scope, day)
                assert got == dashboard.jp_share_from_ledger(scope, day)
            assert got[0] > 0 and got[1] > 0


def test_dashboard_months_equal_the_completions(app, world) -> None:
    """Every OPD's chart from the summary; a department's from the completions: same counts."""
    with app.app_context():
        generate(seed=10, per_opd=6)
        everything = dashboard.figures(Scope.all(), now=NOW)
        starts = [d for d, _n in everything["per_month"]]
        tz = dashboard.local_zone()
        bounds = [*starts, dashboard.shift_months(starts[-1], 1)]
        windows = [
            (dashboard.utc_start(a, tz), dashboard.utc_start(b, tz))
            for a, b in zip(bounds, bounds[1:], strict=False)
        ]
        assert [n for _d, n in everything["per_month"]] == dashboard.completion_counts(
            Scope.all(), windows
        )
        assert sum(n for _d, n in everything["per_month"]) > 0
        # "this month so far" and "last month to the same moment": summary days + source rows
        for now in (NOW, datetime(YEAR, 3, 3, 1, 0, tzinfo=UTC), datetime(YEAR, 5, 31, 16, 0)):
            now = now.replace(tzinfo=UTC)
            local = now.astimezone(tz)
            start = local.date().replace(day=1)
            expected = dashboard.completion_counts(
                Scope.all(),
                [
                    (dashboard.utc_start(start, tz), now),
                    (
                        dashboard.utc_start(dashboard.shift_months(start, -1), tz),
                        dashboard.same_moment(local, dashboard.shift_months(local.date(), -1)),
                    ),
                ],
            )
            raw = dashboard.figures(Scope.all(), now=now)["raw"]
            assert [raw["completions_month"], raw["completions_last_month"]] == expected


def _add_employees(n: int, tag: str) -> None:
    unit = db.session.scalar(select(Unit).where(Unit.code == "DISDIK"))
    for i in range(n):
        emp = make_employee(unit, f"Pegawai {tag} {i}", nip=make_nip())
        db.session.flush()
        db.session.add(
            LearningRecord(
                employee_id=emp.id,
                source="outside",
                status="verified",
                name="Kursus",
                starts_on=date(YEAR, 2, 1),
                ends_on=date(YEAR, 2, 2),
                year=YEAR,
                jp=Decimal(5 + i % 30),
                competency_kind="teknis",
            )
        )
    db.session.commit()


def _page_queries(app) -> tuple[int, int]:
    with app.app_context():
        cache.clear()  # both sizes measured cold: kept choices would hide a query the first had
    client = app.test_client()
    login(client, "bkpsdm")
    with count_queries(app) as report:
        assert client.get(f"/laporan/jp-compliance?tahun={YEAR}").status_code == 200
    with count_queries(app) as dash:
        assert client.get("/dasbor").status_code == 200
    return report["n"], dash["n"]


def test_query_counts_stay_flat_from_10_to_1000_rows(app, world) -> None:
    with app.app_context():
        _add_employees(10, "A")
        dispatch()
    few = _page_queries(app)
    with app.app_context():
        _add_employees(990, "B")
        rebuild()
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Employee)) > 1000
    assert _page_queries(app) == few
