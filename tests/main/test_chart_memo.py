"""The chart memo (issue 19): a chart drawn again from the same numbers is the stored SVG; other
numbers, another kind of chart or another locale draw anew; the memo stays bounded."""

from __future__ import annotations

import pytest

from lms import charts


@pytest.fixture(autouse=True)
def _fresh_memo():
    charts.memo_clear()
    yield
    charts.memo_clear()


def test_same_data_is_drawn_once() -> None:
    first = charts.bar_chart("JP per tahun", ["2025", "2026"], [4, 8], value_header="JP")
    again = charts.bar_chart("JP per tahun", ["2025", "2026"], [4, 8], value_header="JP")
    assert again.svg == first.svg
    assert charts.memo_info() == {"hits": 1, "misses": 1, "size": 1}


def test_different_data_gives_a_different_svg() -> None:
    base = charts.bar_chart("JP per tahun", ["2025", "2026"], [4, 8])
    other_value = charts.bar_chart("JP per tahun", ["2025", "2026"], [4, 9])
    other_label = charts.bar_chart("JP per tahun", ["2024", "2026"], [4, 8])
    other_title = charts.bar_chart("JP tahun ini", ["2025", "2026"], [4, 8])
    fraction = charts.bar_chart("JP per tahun", ["2025", "2026"], [4.5, 8])
    svgs = {c.svg for c in (base, other_value, other_label, other_title, fraction)}
    assert len(svgs) == 5
    assert charts.memo_info()["misses"] == 5 and charts.memo_info()["hits"] == 0
    assert ">9<" in other_value.svg and ">9<" not in base.svg


def test_whole_numbers_and_floats_are_not_confused() -> None:
    # 1 and 1.0 (and True) hash alike; they are told apart, so a count axis never leaks over
    whole = charts.gauge("JP", 5, 20, unit="JP")
    real = charts.gauge("JP", 5.0, 20.0, unit="JP")
    assert charts.memo_info()["misses"] == 2
    assert whole.title == real.title


def test_gauge_line_and_stacked_charts_are_remembered() -> None:
    for _ in range(2):
        charts.gauge("JP 2026", 12.0, 20.0, unit="JP")
        charts.line_chart("Per bulan", ["Jan", "Feb"], {"Selesai": [1, 2], "Aktif": [3, 4]})
        charts.stacked_bar_chart("Per OPD", ["A"], {"Baik": [1], "Cukup": [2]})
    assert charts.memo_info() == {"hits": 3, "misses": 3, "size": 3}
    # the order of the series is part of the picture (the legend), so it is part of the key
    charts.line_chart("Per bulan", ["Jan", "Feb"], {"Aktif": [3, 4], "Selesai": [1, 2]})
    assert charts.memo_info()["misses"] == 4


def test_the_locale_is_part_of_the_key(app) -> None:
    with app.test_request_context(headers={"Accept-Language": "id"}):
        from flask import session

        session["lang"] = "id"
        indonesian = charts.bar_chart("Nilai", ["A"], [2.5])
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        english = charts.bar_chart("Nilai", ["A"], [2.5])
    assert "2,5" in indonesian.svg
    assert "2.5" in english.svg and "2,5" not in english.svg


def test_a_returned_chart_is_a_copy() -> None:
    first = charts.bar_chart("JP", ["2026"], [4])
    first.rows.append(["changed", 0])
    first.rows[0][1] = 99
    again = charts.bar_chart("JP", ["2026"], [4])
    assert again.rows == [["2026", 4]]


def test_the_memo_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(charts, "MEMO_SIZE", 3)
    for i in range(5):
        charts.bar_chart("JP", ["2026"], [i])
    assert charts.memo_info()["size"] == 3
    charts.bar_chart("JP", ["2026"], [0])  # the oldest was dropped: drawn again
    assert charts.memo_info()["hits"] == 0
    charts.bar_chart("JP", ["2026"], [4])  # the newest is kept
    assert charts.memo_info()["hits"] == 1


def test_the_dashboard_draws_the_jp_charts_once(app, world, client) -> None:
    from tests.conftest import login

    login(client, "pegawai")
    assert client.get("/dasbor").status_code == 200
    drawn = charts.memo_info()["misses"]
    assert drawn >= 2  # the gauge and the JP per year
    assert client.get("/dasbor").status_code == 200
    assert charts.memo_info()["misses"] == drawn
    assert charts.memo_info()["hits"] >= 2


def test_a_gauge_with_a_target_of_zero_draws() -> None:
    """LMS_JP_TARGET=0 with no JP yet: pygal divided by a zero maximum (the dashboard 500ed)."""
    from lms.charts import gauge

    assert "<svg" in gauge("JP", 0, 0, unit="JP").svg
