"""The plan as XLSX (opened with openpyxl) and PDF (text read back with pdftotext), each with
what the user sees; formula-looking text stays text; WeasyPrint fetches nothing."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from lms.careers.akpk import exports
from tests.careers.akpk.helpers import YEAR, build_needs
from tests.careers.akpk.test_views import PLAN, _item
from tests.conftest import login


@pytest.fixture
def planned(app, world, no_csrf):
    needs = build_needs(app, world)
    hr = app.test_client()
    login(hr, "bkpsdm")
    hr.post(
        f"{PLAN}/butir-baru",
        data=_item(
            unit_id=str(world.units["dinkes"].id),
            course_id=str(needs.course_id),
            participants=needs.budi_nip,
            target_count="12",
            month="5",
        ),
    )
    hr.post(
        f"{PLAN}/butir-baru",
        data=_item(
            unit_id=str(world.units["disdik"].id),
            title='=HYPERLINK("http://x") Kelas Literasi Digital',
            competency="Literasi Digital",
            budget="7.250.000",
            quarter="4",
        ),
    )
    opd = app.test_client()
    login(opd, "opd.dinkes")
    opd.post(f"{PLAN}/butir-baru", data=_item(title="Usulan Kearsipan Dinkes", budget="1.000.000"))
    return hr, opd


def test_xlsx_opens_with_the_plan_sums_and_participants(app, planned) -> None:
    hr, _opd = planned
    response = hr.get(f"{PLAN}/rencana.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="akpk-{YEAR}.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        f"Rencana {YEAR}",
        "Per perangkat daerah",
        "Realisasi",
        "Peserta bernama",
        "Usulan",
    ]
    rows = list(book[f"Rencana {YEAR}"].iter_rows(values_only=True))
    titles = [r[1] for r in rows[1:-1]]
    assert titles == [
        "Standar Pelayanan Publik untuk Pelaksana",
        '=HYPERLINK("http://x") Kelas Literasi Digital',
    ]
    first = rows[1]
    assert (
        first[3] == "Dinas Kesehatan"
        and first[7] == 12
        and first[8] == 1
        and first[13] == 12_500_000
    )
    assert rows[-1][1] == "Jumlah" and rows[-1][13] == 19_750_000 and rows[-1][7] == 17
    sheet = book[f"Rencana {YEAR}"]
    assert sheet.cell(row=2, column=14).number_format == '"Rp"#,##0'
    formula_cell = sheet.cell(row=3, column=2)
    assert formula_cell.data_type == "s"  # text, never a formula
    opd_rows = list(book["Per perangkat daerah"].iter_rows(values_only=True))
    assert opd_rows[1][0] == "Dinas Kesehatan" and opd_rows[-1][0] == "Jumlah"
    named = list(book["Peserta bernama"].iter_rows(values_only=True))
    assert named[1][2] == "Budi Santoso"
    usulan = list(book["Usulan"].iter_rows(values_only=True))
    assert usulan[1][0] == "Usulan Kearsipan Dinkes" and usulan[1][2] == "Usulan OPD"


def test_an_opd_admins_export_holds_their_opd_only(app, planned) -> None:
    _hr, opd = planned
    book = load_workbook(io.BytesIO(opd.get(f"{PLAN}/rencana.xlsx").data))
    rows = list(book[f"Rencana {YEAR}"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:-1]] == ["Standar Pelayanan Publik untuk Pelaksana"]


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing"
)
def test_pdf_has_the_plan_as_text(app, planned, tmp_path) -> None:
    hr, _opd = planned
    response = hr.get(f"{PLAN}/rencana.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "akpk.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Rencana Pengembangan Kompetensi Tahun {YEAR}" in text
    assert "Standar Pelayanan Publik untuk" in text
    assert "Rp12.500.000" in text and "Rp19.750.000" in text
    assert "Triwulan II · Mei" in text
    assert "Usulan Kearsipan Dinkes" in text  # the open proposal, listed apart


def test_the_pdf_fetches_nothing(app, planned, monkeypatch) -> None:
    """Every URL WeasyPrint asks for goes through the reports' fetcher, which serves only
    ``data:`` URLs and files under lms/static."""
    hr, _opd = planned
    asked: list[str] = []
    original = exports.url_fetcher

    def spy():
        fetcher = original()
        inner = fetcher.fetch

        def fetch(url, *args, **kwargs):
            asked.append(url)
            return inner(url, *args, **kwargs)

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(exports, "url_fetcher", spy)
    assert hr.get(f"{PLAN}/rencana.pdf").status_code == 200
    assert asked and all(url.startswith("data:") for url in asked)
