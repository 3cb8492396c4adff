"""Pure tests of the server's data-model checks and the time arithmetic."""

from decimal import Decimal

import pytest

from lms.packages.runtime import cmi
from lms.packages.runtime.cmi import CmiError


@pytest.mark.parametrize(
    ("text", "cs"),
    [
        ("0000:00:00", 0),
        ("00:00:01.5", 150),
        ("0001:02:03.04", 372304),
        ("9999:59:59.99", 3599999999),
    ],
)
def test_scorm12_timespan_parses(text, cs):
    assert cmi.parse_timespan_12(text) == cs


@pytest.mark.parametrize("text", ["1:00:00", "0000:60:00", "00:00:00.123", "abc", ""])
def test_scorm12_timespan_refuses(text):
    with pytest.raises(CmiError) as caught:
        cmi.parse_timespan_12(text)
    assert caught.value.element == "cmi.core.session_time"


@pytest.mark.parametrize(
    ("text", "cs"),
    [
        ("PT0S", 0),
        ("PT1M5.5S", 6550),
        ("PT1H", 360000),
        ("P1DT1S", 8640100),
        ("P1Y", 365 * 8640000),
        ("P1M", 30 * 8640000),
    ],
)
def test_iso_duration_parses(text, cs):
    assert cmi.parse_duration(text) == cs


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "1H", "PT-1S", "PT1.234S"])
def test_iso_duration_refuses(text):
    with pytest.raises(CmiError):
        cmi.parse_duration(text)


def test_total_time_is_the_sum_of_sessions_in_either_format():
    total = cmi.parse_timespan_12("0000:59:59.50") + cmi.parse_timespan_12("0000:00:00.75")
    assert cmi.format_timespan_12(total) == "0001:00:00.25"
    total = cmi.parse_duration("PT59M59.5S") + cmi.parse_duration("PT0.75S")
    assert cmi.format_duration(total) == "PT1H0.25S"
    assert cmi.format_duration(0) == "PT0S"
    assert cmi.format_duration(6000) == "PT1M"
    assert cmi.parse_duration(cmi.format_duration(123456789)) == 123456789
    assert cmi.format_timespan_12(10**12) == "9999:59:59.99"


def test_scorm12_commit_is_read_into_columns_and_data():
    got = cmi.read_commit(
        cmi.SCORM12,
        {
            "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "85",
            "cmi.core.score.min": "0",
            "cmi.core.score.max": "100",
            "cmi.core.lesson_location": "7",
            "cmi.core.exit": "suspend",
            "cmi.core.session_time": "0000:01:30.00",
            "cmi.suspend_data": "x" * 4096,
            "cmi.interactions.0.id": "q1",
            "cmi.core.student_name": "ignored",
        },
    )
    assert (got.lesson_status, got.score_raw, got.location, got.exit) == (
        "passed",
        Decimal("85"),
        "7",
        "suspend",
    )
    assert got.session_cs == 9000
    assert got.extra == {"cmi.interactions.0.id": "q1"}


@pytest.mark.parametrize(
    ("standard", "key", "value"),
    [
        (cmi.SCORM12, "cmi.core.lesson_status", "excellent"),
        (cmi.SCORM12, "cmi.core.score.raw", "101"),
        (cmi.SCORM12, "cmi.core.score.raw", "abc"),
        (cmi.SCORM12, "cmi.core.score.raw", "NaN"),
        (cmi.SCORM12, "cmi.suspend_data", "x" * 4097),
        (cmi.SCORM12, "cmi.core.lesson_location", "x" * 256),
        (cmi.SCORM12, "cmi.core.exit", "normal"),
        (cmi.SCORM2004, "cmi.success_status", "completed"),
        (cmi.SCORM2004, "cmi.completion_status", "passed"),
        (cmi.SCORM2004, "cmi.score.scaled", "1.5"),
        (cmi.SCORM2004, "cmi.suspend_data", "x" * 64001),
        (cmi.SCORM2004, "cmi.location", "x" * 1001),
        (cmi.SCORM2004, "cmi.session_time", "0000:01:00"),
    ],
)
def test_values_outside_the_data_model_are_refused_naming_the_element(standard, key, value):
    with pytest.raises(CmiError) as caught:
        cmi.read_commit(standard, {key: value})
    assert caught.value.element == key


def test_scorm2004_limits_are_the_specs():
    got = cmi.read_commit(
        cmi.SCORM2004,
        {"cmi.suspend_data": "x" * 64000, "cmi.location": "y" * 1000, "cmi.score.scaled": "-1"},
    )
    assert len(got.suspend_data) == 64000 and got.score_scaled == Decimal("-1")
    assert (got.completion_status, got.success_status) == ("unknown", "unknown")


def test_non_text_values_are_refused():
    with pytest.raises(CmiError):
        cmi.read_commit(cmi.SCORM12, {"cmi.core.lesson_status": ["passed"]})
    with pytest.raises(CmiError):
        cmi.read_commit(cmi.SCORM12, ["cmi.core.lesson_status"])  # type: ignore[arg-type]


def _d(value):
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize(
    ("raw", "low", "high", "scaled", "percent"),
    [
        (None, None, None, "0.9", "90.00"),  # scaled wins
        ("3", "0", "10", "0.9", "90.00"),
        (None, None, None, "-0.5", "0.00"),  # a negative scaled score is 0
        ("9", "0", "10", None, "90.00"),  # raw placed between min and max
        ("15", "10", "20", None, "50.00"),
        ("80", None, None, None, "80.00"),  # SCORM 1.2: 0-100 when min/max are not given
        ("7", None, "8", None, "87.50"),
        ("150", "0", "100", None, "100.00"),  # clamped
        ("-5", None, None, None, "0.00"),
        ("42", "50", "50", None, "42.00"),  # max not above min: raw itself
        (None, "0", "100", None, None),  # no score reported
        ("2", "0", "3", None, "66.67"),
    ],
)
def test_percent_score(raw, low, high, scaled, percent):
    found = cmi.percent_score(_d(raw), _d(low), _d(high), _d(scaled))
    assert found == (None if percent is None else Decimal(percent))
