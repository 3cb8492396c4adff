"""'Today' is the agency's date (Asia/Jakarta), whatever the server's clock says."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms import indonesian


class _Clock(datetime):
    moment = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 WIB on 1 January 2027

    @classmethod
    def now(cls, tz=None):
        return cls.moment.astimezone(tz) if tz else cls.moment.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 31, 18, 30, tzinfo=UTC), date(2027, 1, 1)),  # past midnight in WIB
        (datetime(2026, 12, 31, 16, 59, tzinfo=UTC), date(2026, 12, 31)),  # 23:59 WIB
        (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_local_today_is_the_jakarta_date(monkeypatch, moment, expected) -> None:
    monkeypatch.setattr(_Clock, "moment", moment)
    monkeypatch.setattr(indonesian, "datetime", _Clock)
    assert indonesian.local_today() == expected


def test_the_configured_zone_is_used(app, monkeypatch) -> None:
    monkeypatch.setattr(indonesian, "datetime", _Clock)
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "UTC")
    with app.app_context():
        assert indonesian.local_today() == date(2026, 12, 31)
    assert indonesian.local_today() == date(2027, 1, 1)  # no app: Asia/Jakarta
