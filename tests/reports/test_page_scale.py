"""The completions and enrolments report pages at scale (issue 19): a page is the first rows of
the same ordered query the exports stream, its query count stays flat from 10 to 1,000 rows,
and the cached figures follow new data."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from lms.completion.models import Completion
from lms.enrolments.models import Enrolment
from lms.extensions import cache, db
from lms.org.models import Employee
from lms.reports.definitions import REPORTS
from lms.reports.filters import PAGE_SIZE, Filters, Scope
from tests.conftest import login
from tests.factories import make_course
from tests.test_query_counts import count_queries

# (An empty page skips its display query: later pages are checked with rows on both sides.)
PAGES = [
    "/laporan/completions",
    "/laporan/completions?sort=nama",
    "/laporan/completions?sort=-jp&tahun=2026",
    "/laporan/enrolments",
    "/laporan/enrolments?status=active",
    "/laporan/enrolments?sort=nama",
]


def forget_figures(app) -> None:
    """Drop every kept report figure (``lms.reports.definitions.kept``) of the session's app."""
    with app.app_context():
        cache.clear()


def _add_rows(n: int, tag: str) -> None:
    """``n`` valid completions and ``n`` enrolments over the world's employees (bulk)."""
    employees = db.session.execute(select(Employee.id, Employee.nip, Employee.full_name)).all()
    courses = [
        make_course(f"SKL-{tag}-{i}", title=f"Skala {tag} {i}", lessons=1)
        for i in range(n // 5 + 1)
    ]
    db.session.flush()
    start = datetime(2026, 1, 1, 3, tzinfo=UTC)
    completions, enrolments = [], []
    for i in range(n):
        emp_id, nip, name = employees[i % len(employees)]
        course = courses[i // len(employees) % len(courses)]
        moment = start + timedelta(hours=i)
        completions.append(
            {
                "employee_id": emp_id,
                "course_id": course.id,
                "source": "online",
                "status": "valid",
                "completed_at": moment,
                "year": moment.year,
                "score": Decimal(50 + i % 50),
                "jp": Decimal(4),
                "competency_kind": "teknis",
                "code": course.code,
                "title": f"Skala {tag} {i}",
                "identity": {"nip": nip, "name": name, "unit": "U", "opd": "O"},
            }
        )
        enrolments.append(
            {
                "course_id": course.id,
                "employee_id": emp_id,
                "status": ("active", "completed", "withdrawn")[i % 3],
                "source": "self",
                "requested_at": moment,
                "progress": i % 101,
            }
        )
    db.session.execute(insert(Completion), completions)
    db.session.execute(insert(Enrolment), enrolments)
    db.session.commit()


def test_report_page_queries_flat_from_10_to_1000_rows(app, world) -> None:
    client = app.test_client()
    login(client, "bkpsdm")

    def measure() -> dict[str, int]:
        out = {}
        for path in PAGES:
            client.get(path)
            with count_queries(app) as counter:
                assert client.get(path).status_code == 200, path
            out[path] = counter["n"]
        return out

    with app.app_context():
        _add_rows(10, "A")
    small = measure()
    with app.app_context():
        _add_rows(1000, "B")
    assert measure() == small


@pytest.mark.parametrize("key", ["completions", "enrolments"])
@pytest.mark.parametrize("sort", ["", "nama", "-nama", "-jp", "nilai", "progres", "-daftar"])
def test_a_page_is_a_slice_of_the_export_order(app, world, key: str, sort: str) -> None:
    """Pages are fetched in two steps (ids, then display columns): the same rows, in the same
    order, as the streamed export, for every page and sort."""
    with app.app_context():
        _add_rows(130, "C")
        report = REPORTS[key]
        if sort.lstrip("-") not in report.sort_keys():
            sort = ""
        everything = list(report.iter_rows(Scope.all(), Filters(sort=sort)))
        paged = []
        for page in (1, 2, 3, 4):
            f = Filters(sort=sort, page=page)
            paged += list(report.iter_rows(Scope.all(), f, PAGE_SIZE, (page - 1) * PAGE_SIZE))
        assert len(everything) >= 130
        assert paged == everything[: len(paged)]
        assert len(paged) == min(len(everything), 4 * PAGE_SIZE)


def test_page_count_and_totals_agree_with_the_rows(app, client, world) -> None:
    with app.app_context():
        _add_rows(120, "D")
        n = db.session.scalar(select(func.count(Completion.id)))
    login(client, "bkpsdm")
    page = client.get("/laporan/completions").get_data(as_text=True)
    assert f"{n} baris." in page
    body = client.get("/laporan/completions.csv?dialek=standar").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))) == n + 1


def test_cached_figures_follow_a_new_completion(app, client, world) -> None:
    app.config["REPORTS_OVERVIEW_SECONDS"] = 300
    forget_figures(app)
    try:
        with app.app_context():
            _add_rows(20, "E")
        login(client, "bkpsdm")
        assert "20 baris." in client.get("/laporan/completions").get_data(as_text=True)
        client.get("/laporan/completions")
        with count_queries(app) as cached:
            assert "20 baris." in client.get("/laporan/completions?page=2").get_data(as_text=True)
        app.config["REPORTS_OVERVIEW_SECONDS"] = 0
        with count_queries(app) as fresh:
            client.get("/laporan/completions?page=2")
        assert cached["n"] < fresh["n"]  # the figures came from the cache
        app.config["REPORTS_OVERVIEW_SECONDS"] = 300
        with app.app_context():
            _add_rows(5, "F")  # a new completion changes the stamp
        assert "25 baris." in client.get("/laporan/completions").get_data(as_text=True)
    finally:
        app.config.pop("REPORTS_OVERVIEW_SECONDS", None)
        forget_figures(app)


def test_cached_figures_are_per_database(app, world, databases, tmp_path) -> None:
    """Two apps in one process (two databases) with the same stamp keep their own figures."""
    from lms.reports.definitions.base import cached_overview
    from tests.conftest import isolated_app
    from tests.factories import build_world

    report = REPORTS["completions"]
    app.config["REPORTS_OVERVIEW_SECONDS"] = 300
    forget_figures(app)
    try:
        with app.app_context():
            _add_rows(20, "G")
        with app.test_request_context():
            assert cached_overview(report, Scope.all(), Filters())[1] == 20
        with isolated_app(databases, tmp_path, "other", REPORTS_OVERVIEW_SECONDS=300) as other:
            with other.app_context():
                build_world()
                db.session.commit()
                _add_rows(20, "G")  # the same highest id, no outbox: the same stamp
                db.session.execute(
                    Completion.__table__.update()
                    .where(Completion.id % 2 == 0)
                    .values(status="revoked", revoked_at=func.now(), revoke_reason="uji")
                )
                db.session.commit()
            with other.test_request_context():
                assert cached_overview(report, Scope.all(), Filters())[1] == 10
    finally:
        app.config.pop("REPORTS_OVERVIEW_SECONDS", None)
        forget_figures(app)
