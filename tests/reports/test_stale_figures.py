"""Kept report figures served stale while computed again (issue 19, ``reports.definitions.kept``):
after new data the figures answer at once with the last ones and the time they were computed
(Asia/Jakarta), one recompute replaces them; past ``REPORTS_FIGURES_MAX_STALE`` or with
``?hitung=1`` they are computed in the request; exports never read them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from lms.reports.definitions import kept
from tests.conftest import login
from tests.reports.test_page_scale import _add_rows, forget_figures

T0 = datetime(2026, 12, 6, 7, 5, tzinfo=UTC).timestamp()  # 14:05 WIB
ROWS = re.compile(r">(\d+) baris\.")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    app.config.update(REPORTS_DEFER_OVERVIEW=True, REPORTS_OVERVIEW_SECONDS=300)
    forget_figures(app)
    moment = Clock()
    monkeypatch.setattr(kept, "_clock", moment)
    yield moment
    for name in ("REPORTS_DEFER_OVERVIEW", "REPORTS_OVERVIEW_SECONDS", "REPORTS_FIGURES_MAX_STALE"):
        app.config.pop(name, None)
    forget_figures(app)


def _figures(client, path: str) -> tuple[int, str, bool]:
    response = client.get(path)
    assert response.status_code == 200
    data = response.get_json()
    return int(ROWS.search(data["html"]).group(1)), data["html"], data["stale"]


def _stale_after_new_rows(app, client, key: str, tag: str) -> int:
    """Figures computed at 14:05 WIB, then five new rows a minute later: the count before."""
    with app.app_context():
        _add_rows(20, tag)
    login(client, "bkpsdm")
    n, html, stale = _figures(client, f"/laporan/{key}/ringkasan")
    assert not stale and "Angka per pukul" not in html
    with app.app_context():
        _add_rows(5, tag + "x")
    return n


@pytest.mark.parametrize("key", ["completions", "enrolments"])
def test_stale_figures_at_once_then_the_recomputed_ones(app, clock, client, world, key) -> None:
    n = _stale_after_new_rows(app, client, key, "SW")
    clock.now = T0 + 60
    stale_n, html, stale = _figures(client, f"/laporan/{key}/ringkasan")
    assert (stale_n, stale) == (n, True)
    assert "Angka per pukul 14:05 WIB" in html
    assert f"/laporan/{key}?hitung=1" in html  # exact figures one click away
    # The recompute ran after that answer (inline in the tests; a thread or Celery otherwise).
    fresh_n, html, stale = _figures(client, f"/laporan/{key}/ringkasan")
    assert (fresh_n, stale) == (n + 5, False)
    assert "Angka per pukul" not in html


def test_the_page_itself_shows_kept_figures_with_their_time(app, clock, client, world) -> None:
    n = _stale_after_new_rows(app, client, "completions", "SP")
    clock.now = T0 + 120
    page = client.get("/laporan/completions").get_data(as_text=True)
    assert f">{n} baris." in page and "Angka per pukul 14:05 WIB" in page
    assert "Menghitung ringkasan" not in page
    assert "data-stale" in page and "js/report-figures.js" in page  # asks again later
    page = client.get("/laporan/completions").get_data(as_text=True)
    assert f">{n + 5} baris." in page and "Angka per pukul" not in page
    assert "js/report-figures.js" not in page


def test_one_recompute_per_key_at_a_time(app, clock, client, world, monkeypatch) -> None:
    n = _stale_after_new_rows(app, client, "completions", "SL")
    started: list[tuple] = []
    monkeypatch.setattr(kept, "soon", lambda task, *args: started.append(args))
    clock.now = T0 + 30
    for _ in range(3):
        assert _figures(client, "/laporan/completions/ringkasan")[0] == n
    assert len(started) == 1  # the first took the key's lock; it is still running
    assert started[0][0] == "completions"


def test_the_recompute_in_the_background_thread(app, clock, client, world) -> None:
    """Without a broker, in a web request: the app's background thread (as in production)."""
    from lms.tasks import background_worker

    n = _stale_after_new_rows(app, client, "enrolments", "ST")
    app.config["TASKS_IN_THREAD"] = True
    try:
        clock.now = T0 + 30
        assert _figures(client, "/laporan/enrolments/ringkasan")[:3:2] == (n, True)
        background_worker.join()
    finally:
        app.config["TASKS_IN_THREAD"] = False
    assert _figures(client, "/laporan/enrolments/ringkasan")[:3:2] == (n + 5, False)


def test_past_max_stale_the_request_computes_them(app, clock, client, world) -> None:
    app.config["REPORTS_FIGURES_MAX_STALE"] = 60
    n = _stale_after_new_rows(app, client, "completions", "SM")
    clock.now = T0 + 61
    fresh_n, html, stale = _figures(client, "/laporan/completions/ringkasan")
    assert (fresh_n, stale) == (n + 5, False) and "Angka per pukul" not in html


def test_hitung_gives_exact_figures(app, clock, client, world) -> None:
    n = _stale_after_new_rows(app, client, "completions", "SH")
    clock.now = T0 + 10
    fresh_n, _html, stale = _figures(client, "/laporan/completions/ringkasan?hitung=1")
    assert (fresh_n, stale) == (n + 5, False)
    with app.app_context():
        _add_rows(1, "SHy")
    page = client.get("/laporan/completions?hitung=1").get_data(as_text=True)
    assert f">{n + 6} baris." in page and "Angka per pukul" not in page


def test_exports_read_the_rows_not_the_kept_figures(app, clock, client, world) -> None:
    n = _stale_after_new_rows(app, client, "completions", "SE")
    clock.now = T0 + 10
    body = client.get("/laporan/completions.csv?dialek=standar").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))) == n + 5 + 1


def test_the_time_is_jakarta_time_across_midnight(app, clock, client, world) -> None:
    """17:30 UTC on 6 December is 00:30 WIB on the 7th: the note reads the local clock."""
    clock.now = datetime(2026, 12, 6, 17, 30, tzinfo=UTC).timestamp()
    _stale_after_new_rows(app, client, "completions", "SJ")
    clock.now += 60
    _n, html, stale = _figures(client, "/laporan/completions/ringkasan")
    assert stale and "Angka per pukul 00:30 WIB" in html
