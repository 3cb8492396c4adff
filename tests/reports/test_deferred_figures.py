"""The first view of a large report (issue 19): the completions and enrolments pages answer with
their rows at once and leave the figures (totals, charts, row count, pager) to a JSON request
the page's script makes; the figures are the exact ones and both requests stay flat in queries
from 10 to 1,000 rows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import distinct, event, func, select

from lms.completion.models import Completion
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests.conftest import login
from tests.reports.test_page_scale import _add_rows, forget_figures
from tests.test_query_counts import count_queries

TOTALS = re.compile(r'<dl class="facts report-totals">.*?</dl>', re.S)


@pytest.fixture
def deferring(app):
    app.config["REPORTS_DEFER_OVERVIEW"] = True
    forget_figures(app)
    yield app
    app.config.pop("REPORTS_DEFER_OVERVIEW", None)
    app.config.pop("REPORTS_OVERVIEW_SECONDS", None)
    forget_figures(app)


def _figures(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["html"]


@pytest.mark.parametrize("key", ["completions", "enrolments"])
def test_rows_first_then_the_exact_figures(deferring, client, world, key: str) -> None:
    app = deferring
    with app.app_context():
        _add_rows(60, "P")
    login(client, "bkpsdm")
    page = client.get(f"/laporan/{key}").get_data(as_text=True)
    assert "Menghitung ringkasan" in page
    assert f'data-figures-url="/laporan/{key}/ringkasan?page=1' in page
    assert "js/report-figures.js" in page
    assert "baris." not in page
    assert page.count("<tr>") > 50  # the rows are there (a page of 50 and the header)
    html = _figures(client, f"/laporan/{key}/ringkasan?page=1")
    app.config["REPORTS_DEFER_OVERVIEW"] = False
    inline = client.get(f"/laporan/{key}").get_data(as_text=True)
    assert TOTALS.search(html).group(0) == TOTALS.search(inline).group(0)
    with app.app_context():
        if key == "completions":
            valid = Completion.status == "valid"
            n = db.session.scalar(select(func.count()).where(valid))
            people = db.session.scalar(select(func.count(distinct(Completion.employee_id))))
        else:
            n = db.session.scalar(select(func.count(Enrolment.id)))
            people = db.session.scalar(select(func.count(distinct(Enrolment.employee_id))))
    assert f">{n} baris." in html
    assert f"<dd>{n}</dd>" in html and f"<dd>{people}</dd>" in html
    assert 'data-part="report-pager"' in html and "page=2" in html


def test_the_figures_follow_the_filters_and_the_scope(deferring, client, world) -> None:
    with deferring.app_context():
        _add_rows(30, "Q")
        n = db.session.scalar(select(func.count()).where(Completion.code == "SKL-Q-0"))
    login(client, "bkpsdm")
    assert ">0 baris." in _figures(client, "/laporan/completions/ringkasan?tahun=2001")
    assert f">{n} baris." in _figures(client, "/laporan/completions/ringkasan?pelatihan=SKL-Q-0")
    assert client.get("/laporan/completions/ringkasan?tahun=abc").status_code == 200


def test_cached_figures_show_at_once(deferring, client, world) -> None:
    deferring.config["REPORTS_OVERVIEW_SECONDS"] = 300
    with deferring.app_context():
        _add_rows(20, "R")
    login(client, "bkpsdm")
    assert "Menghitung ringkasan" in client.get("/laporan/completions").get_data(as_text=True)
    _figures(client, "/laporan/completions/ringkasan")
    page = client.get("/laporan/completions").get_data(as_text=True)
    assert "Menghitung ringkasan" not in page and "20 baris." in page


def test_without_script_the_link_computes_them_in_the_page(deferring, client, world) -> None:
    with deferring.app_context():
        _add_rows(20, "S")
    login(client, "bkpsdm")
    page = client.get("/laporan/completions?hitung=1").get_data(as_text=True)
    assert "Menghitung ringkasan" not in page and "20 baris." in page
    assert "report-figures.js" not in page


def test_small_reports_keep_their_figures_in_the_page(deferring, client, world) -> None:
    login(client, "bkpsdm")
    page = client.get("/laporan/certificates").get_data(as_text=True)
    assert "Menghitung ringkasan" not in page and "baris." in page


def test_rows_and_figures_queries_flat_from_10_to_1000_rows(deferring, world) -> None:
    app = deferring
    client = app.test_client()
    login(client, "bkpsdm")
    paths = [
        "/laporan/completions",
        "/laporan/completions/ringkasan",
        "/laporan/completions/ringkasan?sort=-jp&tahun=2026",
        "/laporan/enrolments",
        "/laporan/enrolments/ringkasan?status=active",
    ]

    def measure() -> dict[str, int]:
        out = {}
        for path in paths:
            client.get(path)
            with count_queries(app) as counter:
                assert client.get(path).status_code == 200, path
            out[path] = counter["n"]
        return out

    with app.app_context():
        _add_rows(10, "T")
    small = measure()
    with app.app_context():
        _add_rows(1000, "U")
    assert measure() == small
    # The rows alone: the deferred page runs fewer queries than one with its figures.
    app.config["REPORTS_DEFER_OVERVIEW"] = False
    with count_queries(app) as inline:
        client.get("/laporan/completions")
    app.config["REPORTS_DEFER_OVERVIEW"] = True
    with count_queries(app) as rows_only:
        client.get("/laporan/completions")
    assert rows_only["n"] < inline["n"]


def test_a_first_view_reads_no_figures_and_no_stamp(deferring, world) -> None:
    """Nothing cached for this filter set: the deferred page neither computes the figures nor
    reads the stamp (``max(id)``, ``max(updated_at)``) it would check them against."""
    deferring.config["REPORTS_OVERVIEW_SECONDS"] = 300
    client = deferring.test_client()
    login(client, "bkpsdm")
    client.get("/laporan/enrolments?tahun=2025")
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement.lower())

    with deferring.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/laporan/enrolments?tahun=2024").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert seen and not [s for s in seen if "max(enrolments" in s or "from (select" in s]
