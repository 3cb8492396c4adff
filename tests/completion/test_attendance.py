"""Pure rules of attendance rows: dates, scores, future dates."""

from __future__ import annotations

from datetime import date

import pytest

from lms.completion.attendance import date_problem, parse_date, parse_score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-03-2024", date(2024, 3, 5)),
        ("05/03/2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        (" 2024-03-05 ", date(2024, 3, 5)),
        ("2024-03-05T00:00:00", date(2024, 3, 5)),  # an Excel date cell
    ],
)
def test_dates_in_the_accepted_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-02-2024", "2024/03/05", "5 Maret 2024", "", "03-2024"])
def test_bad_dates_name_the_value(text: str) -> None:
    with pytest.raises(ValueError, match="dd-mm-yyyy"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("  ", None), ("85", 85.0), ("85,5", 85.5), ("0", 0.0), ("100", 100.0)],
)
def test_scores(text: str, expected: float | None) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "bukan angka"),
        ("101", "antara 0 dan 100"),
        ("-1", "antara 0 dan 100"),
        ("NaN", "antara 0 dan 100"),
        ("85.555", "dua angka"),
    ],
)
def test_bad_scores(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_score(text)


def test_future_dates_are_refused() -> None:
    today = date(2024, 5, 1)
    assert date_problem(date(2024, 5, 1), today) is None
    assert date_problem(date(2024, 4, 30), today) is None
    assert "02-05-2024" in date_problem(date(2024, 5, 2), today)
