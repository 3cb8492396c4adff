"""Charts of counts use whole-number axes (issue 15, point 7): one completion is drawn on an axis
0, 1, not 0, 0.1, ..., 1; larger counts step by 1, 2, 5, 10, ...; measures with fractions (JP 2.5,
average ratings) keep pygal's own ticks."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from lms import charts
from lms.completion.services import complete_course
from lms.courses.models import Course
from lms.db import utcnow
from lms.extensions import db
from lms.org.models import Employee
from tests.conftest import login
from tests.factories import make_course


def _ticks(svg: str) -> list[str]:
    """The value axis's tick labels in a pygal SVG: the axis group whose labels are numbers."""
    for group in re.findall(r'<g class="axis [xy][^"]*">(.*?)</g></g>', svg, re.DOTALL):
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", group)
        if texts and all(re.fullmatch(r"[\d.,]+", t) for t in texts):
            return texts
    raise AssertionError("no numeric axis")


def test_whole_ticks_step_by_1_2_5() -> None:
    assert charts.whole_ticks(0) == [0, 1]  # an empty chart still has an axis
    assert charts.whole_ticks(1) == [0, 1]
    assert charts.whole_ticks(7) == list(range(8))
    assert charts.whole_ticks(11) == list(range(0, 13, 2))
    assert charts.whole_ticks(23) == list(range(0, 26, 5))
    assert charts.whole_ticks(1234) == list(range(0, 1401, 200))


def test_is_count_only_for_whole_numbers() -> None:
    assert charts.is_count([0, 1, None, 5.0])
    assert not charts.is_count([0, 2.5])
    assert not charts.is_count([-1, 2])
    assert not charts.is_count([True])


def test_a_count_of_one_has_the_axis_0_1(app) -> None:
    with app.test_request_context():
        line = charts.line_chart("Penyelesaian", ["Jan", "Feb", "Mar"], {"n": [0, 1, 0]})
        assert _ticks(line.svg) == ["0", "1"]
        bars = charts.bar_chart("JP per tahun", ["2025", "2026"], [0.0, 5.0], target=None)
        assert _ticks(bars.svg) == ["0", "1", "2", "3", "4", "5"]
        stacked = charts.stacked_bar_chart("Jawaban", ["A", "B"], {"ya": [1, 2], "tidak": [3, 4]})
        assert _ticks(stacked.svg) == ["0", "1", "2", "3", "4", "5", "6"]
        histogram = charts.histogram("Nilai", [55, 72, 88])
        assert _ticks(histogram.svg) == ["0", "1"]
        for chart in (line, bars, stacked, histogram):
            assert not any("," in t or "." in t for t in _ticks(chart.svg)), chart.title


def test_fractions_keep_fractional_ticks(app) -> None:
    with app.test_request_context():
        jp = charts.line_chart("JP", ["Jan", "Feb"], {"JP": [0.5, 1]})
        assert any("," in t for t in _ticks(jp.svg))  # 0,5 is a value of this chart
        forced = charts.line_chart("JP", ["Jan", "Feb"], {"JP": [0.5, 1]}, whole=True)
        assert _ticks(forced.svg) == ["0", "1"]


def test_the_hr_dashboard_chart_counts_in_whole_numbers(app, client, world) -> None:
    """The BKPSDM dashboard's completions per month, with one completion: ticks 0 and 1."""
    with app.app_context():
        course = make_course("HITUNG-101")
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        complete_course(
            employee,
            db.session.get(Course, course.id),
            completed_at=utcnow() - timedelta(days=1),
            score=90,
            source="classroom",
        )
        db.session.commit()
        db.session.remove()
    login(client, "bkpsdm")
    page = client.get("/dasbor").get_data(as_text=True)
    overview = page.split('class="hr-overview"')[1].split("</section>")[0]
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', overview).group(1)
    assert _ticks(base64.b64decode(uri).decode()) == ["0", "1"]
