"""Numbers as the reader's language writes them: Indonesian 92,86 / 2,5 JP / 1.234, English 92.86,
on pages and in the charts' SVG (their printed values, axis labels and target)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import select

from lms import charts
from lms.completion.models import Completion
from lms.completion.services import complete_course
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import number
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.factories import make_course


def test_number_in_each_locale(app) -> None:
    with app.test_request_context():
        assert number(Decimal("92.857")) == "92,86" and number(2.5) == "2,5"
        assert number(Decimal("4.00")) == "4" and number(1234567) == "1.234.567"
        assert number(Decimal("92.8"), 2) == "92,80" and number(Decimal("0.125")) == "0,13"
        assert number(None) == "–" and number(float("nan")) == "–"
        with force_locale("en"):
            assert number(Decimal("92.857")) == "92.86" and number(1234.5) == "1,234.5"
    assert number(Decimal("2.5")) == "2,5"  # outside a request: Indonesian


def _svg_numbers(svg: str) -> list[str]:
    return re.findall(r">(\d[\d.,]*)<", svg)


def test_chart_labels_follow_the_locale(app) -> None:
    with app.test_request_context():
        bar = charts.bar_chart("Nilai", ["A", "B"], [92.857, 1234.5], target=20.5)
        shown = _svg_numbers(bar.svg)
        assert "92,86" in shown and "1.234,5" in shown and "1.000" in shown
        assert "92.86" not in shown and "(target 20,5)" in bar.svg
        line = charts.line_chart("JP", ["Jan", "Feb"], {"JP": [2.5, 3]})
        assert "2,5" in _svg_numbers(line.svg)
        with force_locale("en"):
            english = charts.bar_chart("Score", ["A", "B"], [92.857, 1234.5])
            assert "92.86" in _svg_numbers(english.svg) and "1,234.5" in _svg_numbers(english.svg)


def test_pages_write_scores_and_jp_in_the_readers_language(app, client, world) -> None:
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        course = make_course("ANGKA-101")
        course.published_version.jp = Decimal("2.5")
        complete_course(
            employee,
            db.session.get(Course, course.id),
            completed_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
            score=Decimal("92.86"),
            source="online",
        )
        db.session.commit()
        completion_id = db.session.scalar(select(Completion.id))
    login(client, "bkpsdm")
    page = client.get(f"/kelola/kelulusan/{completion_id}").get_data(as_text=True)
    assert "92,86" in page and "2,5 JP" in page and "92.86" not in page
    client.post(
        "/bahasa", data={"lang": "en", "csrf_token": csrf_token(client, "/kelola/kelulusan")}
    )
    english = client.get(f"/kelola/kelulusan/{completion_id}").get_data(as_text=True)
    assert "92.86" in english and "2.5 JP" in english
