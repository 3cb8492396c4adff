"""Kualifikasi on certificates: LAN's bands kept as data, the pass rule, and the same word on the
PDF and the verification page (issue 13, point 19)."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from lms.certificates import render
from lms.certificates.kualifikasi import (
    DEFAULT_FILE,
    KualifikasiError,
    band_for,
    load_bands,
    parse_bands,
    printed_kualifikasi,
)
from lms.extensions import db
from lms.org.models import Employee
from tests.certificates.access import issue_certificate
from tests.certificates.test_render import pdf_text, squash
from tests.factories import make_course

BANDS = load_bands(DEFAULT_FILE)


def test_the_reference_file_holds_lans_five_bands_in_order() -> None:
    assert [b.name for b in BANDS] == [
        "Sangat Memuaskan",
        "Memuaskan",
        "Cukup Memuaskan",
        "Kurang Memuaskan",
        "Tidak Memuaskan",
    ]
    assert [b.passing for b in BANDS] == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, "Sangat Memuaskan"),
        (Decimal("90.01"), "Sangat Memuaskan"),
        (90, "Memuaskan"),
        (Decimal("80.01"), "Memuaskan"),
        (80, "Cukup Memuaskan"),
        (Decimal("70.01"), "Cukup Memuaskan"),
        (70, "Kurang Memuaskan"),
        (Decimal("60.01"), "Kurang Memuaskan"),
        (60, "Tidak Memuaskan"),
        (0, "Tidak Memuaskan"),
    ],
)
def test_band_boundaries(score, band: str) -> None:
    assert band_for(score, BANDS).name == band


@pytest.mark.parametrize(
    ("score", "printed"),
    [
        (100, "Sangat Memuaskan"),
        (Decimal("90.01"), "Sangat Memuaskan"),
        (86.5, "Memuaskan"),
        (Decimal("70.01"), "Cukup Memuaskan"),
        # At or below the pass mark: no passing word, and no failing band on a certificate.
        (70, ""),
        (Decimal("65.5"), ""),
        (Decimal("60.00"), ""),
        (Decimal("59.99"), ""),
        (0, ""),
        (None, ""),
    ],
)
def test_certificate_prints_only_a_passing_band(score, printed: str) -> None:
    word = printed_kualifikasi(score, BANDS)
    assert word == printed
    assert "LULUS" not in word.upper()


def test_bands_are_data_a_different_pass_rule_changes_what_is_printed() -> None:
    bands = parse_bands(
        {
            "bands": [
                {"name": "Istimewa", "above": 85, "passing": True},
                {"name": "Baik", "above": 60, "passing": True},
                {"name": "Belum Lulus", "passing": False},
            ]
        }
    )
    assert printed_kualifikasi(Decimal("85.01"), bands) == "Istimewa"
    assert printed_kualifikasi(65, bands) == "Baik"
    assert printed_kualifikasi(60, bands) == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "'bands' kosong"),
        ({"bands": [{"name": "A", "passing": "ya"}]}, "band ke-1: 'passing'"),
        ({"bands": [{"passing": True}]}, "band ke-1: 'name' wajib"),
        ({"bands": [{"name": "A", "above": "x", "passing": True}]}, "'above' harus angka"),
        ({"bands": [{"name": "A", "above": 50, "passing": True}]}, "band terakhir"),
        (
            {
                "bands": [
                    {"name": "A", "above": 60, "passing": True},
                    {"name": "B", "above": 70, "passing": True},
                    {"name": "C", "passing": False},
                ]
            },
            "band ke-2: 'above' harus menurun",
        ),
        (
            {
                "bands": [
                    {"name": "A", "above": 80, "passing": False},
                    {"name": "B", "above": 70, "passing": True},
                    {"name": "C", "passing": False},
                ]
            },
            "band lulus 'B' berada di bawah band tidak lulus",
        ),
    ],
)
def test_a_broken_bands_file_is_refused_with_the_band_named(data, message: str) -> None:
    with pytest.raises(KualifikasiError, match=message):
        parse_bands(data, "kualifikasi.yaml")


def _issue(app, world, score):
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        course = make_course("KUAL-101", title="Pelatihan Pelayanan Prima", lessons=1)
        certificate = issue_certificate(employee, course, score=score)
        pdf = render.ensure_pdf(certificate)
        db.session.commit()
        out = (certificate.token, dict(certificate.fields), pdf)
        db.session.remove()
    return out


def test_pdf_and_verify_page_print_the_same_kualifikasi(app, world, client, tmp_path) -> None:
    token, fields, pdf = _issue(app, world, 92.5)
    assert fields["qualification"] == "Sangat Memuaskan"
    text = pdf_text(pdf, tmp_path)
    assert squash("dengan kualifikasi Sangat Memuaskan") in squash(text)
    assert "predikat" not in text.lower()  # the SKP word is not a training result
    page = html.unescape(client.get(f"/verify/{token}").get_data(as_text=True))
    assert "<dt>Kualifikasi</dt>" in page
    assert '<dd data-field="qualification">Sangat Memuaskan</dd>' in page


@pytest.mark.parametrize("score", [65, 55])
def test_a_low_passing_score_prints_no_band_and_no_lulus(
    app, world, client, tmp_path, score
) -> None:
    """A course pass mark of 60 lets 65 pass; LAN calls 65 "Kurang Memuaskan", a failing band, and
    55 used to print "LULUS": the certificate states the completion without a kualifikasi."""
    token, fields, pdf = _issue(app, world, score)
    assert fields["qualification"] == ""
    text = pdf_text(pdf, tmp_path).upper()
    for word in ("LULUS", "MEMUASKAN", "KUALIFIKASI", "PREDIKAT"):
        assert word not in text, word
    assert "TELAH MENGIKUTI" in text
    page = html.unescape(client.get(f"/verify/{token}").get_data(as_text=True)).upper()
    assert "MEMUASKAN" not in page and "LULUS" not in page
