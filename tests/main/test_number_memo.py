"""``lms.indonesian.number`` keeps what it formatted: the memo must not mix values of different
types that compare equal, nor locales."""

from decimal import Decimal

from lms.indonesian import number


def test_memo_keeps_types_and_locales_apart(app) -> None:
    assert number(1) == "1"
    assert number(True) == "–"  # True == 1, but it is no figure
    assert number(Decimal("2.50")) == number(2.5) == "2,5"
    assert number(Decimal("1234.5"), 2) == "1.234,50"
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert number(Decimal("1234.5"), 2) in ("1,234.50", "1.234,50")
    assert number(Decimal("1234.5"), 2) == "1.234,50"
    assert number(Decimal("NaN")) == "–" and number(None) == "–"
