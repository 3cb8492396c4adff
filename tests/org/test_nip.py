"""NIP validation table (DOMAIN.md: YYYYMMDD YYYYMM G NNN)."""

from datetime import date

import pytest

from lms.org.nip import NipError, format_nip, is_valid_nip, parse_nip

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("nip", "kind", "gender"),
    [
        ("198805172015031001", "pns", "L"),
        ("19880517 201503 2 014", "pns", "P"),  # spaces as printed on documents
        ("197001011995121999", "pns", "L"),
    ],
)
def test_valid_pns(nip: str, kind: str, gender: str) -> None:
    info = parse_nip(nip, today=TODAY)
    assert info.kind == kind
    assert info.gender == gender
    assert info.birth_date.year in (1988, 1970)


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("198802302015031001", "Tanggal lahir pada NIP (19880230) tidak ada."),  # 30 February
        ("198813012015031001", "Tanggal lahir pada NIP (19881301) tidak ada."),  # month 13
        ("198805172015033001", "Digit jenis kelamin pada NIP (3)"),  # gender digit 3
        ("19880517201503100", "NIP harus 18 digit (terisi 17 digit)."),  # 17 digits
        ("1988051720150310011", "NIP harus 18 digit (terisi 19 digit)."),
        ("19880517201503100A", "NIP hanya boleh berisi angka."),  # a letter
        ("ABCDEFGHIJKLMNOPQR", "NIP hanya boleh berisi angka."),
        ("", "NIP wajib diisi."),
        ("198805172015031000", "Nomor urut pada NIP tidak boleh 000."),
        ("203005172015031001", "tidak masuk akal"),  # born in the future
        ("198805171990031001", "Tahun pengangkatan"),  # appointed at two years old
    ],
)
def test_invalid(nip: str, message: str) -> None:
    with pytest.raises(NipError) as err:
        parse_nip(nip, today=TODAY)
    assert message in str(err.value)


def test_pppk_number_uses_looser_rule_only_when_the_kind_is_pppk() -> None:
    # PPPK: the two digits after the year are not a month (here 21); accepted for a PPPK.
    info = parse_nip("199001012022212001", kind="pppk", today=TODAY)
    assert info.kind == "pppk"
    assert info.gender == "P"
    assert info.appointed_month is None
    # ...but the same number is not a valid PNS NIP.
    with pytest.raises(NipError, match="Bulan pengangkatan"):
        parse_nip("199001012022212001", kind="pns", today=TODAY)
    # PPPK still needs a real birth date and gender digit.
    assert not is_valid_nip("199002302022212001", kind="pppk")
    assert not is_valid_nip("199001012022215001", kind="pppk")


@pytest.mark.parametrize("month", ["00", "13", "21"])
@pytest.mark.parametrize("kind", [None, "pns", "cpns"])
def test_month_outside_1_to_12_is_an_error_not_a_guessed_pppk(month: str, kind: str | None) -> None:
    """Issue 13 point 24: the kind is a field, never guessed from an invalid appointment month."""
    nip = f"19900101 2015{month} 1 001"
    with pytest.raises(NipError) as err:
        parse_nip(nip, kind=kind, today=TODAY)
    assert f"Bulan pengangkatan pada NIP ({month}) harus 01 sampai 12" in str(err.value)
    assert "PPPK" in str(err.value)  # says how to enter a real PPPK number
    assert not is_valid_nip(nip, kind)


def test_cpns_is_checked_by_the_pns_layout() -> None:
    info = parse_nip("199001012024031001", kind="cpns", today=TODAY)
    assert (info.kind, info.appointed_year, info.appointed_month) == ("pns", 2024, 3)


def test_format() -> None:
    assert format_nip("198805172015031001") == "19880517 201503 1 001"
