"""Report files: CSV, XLSX and PDF as the web offers them, and the background export job."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import text

from lms.db import utcnow
from lms.extensions import db
from lms.reports import exports
from lms.reports.models import ExportJob
from tests.conftest import csrf_token, login
from tests.reports.data import INJECTION, YEAR


def test_csv_has_bom_headers_and_neutralised_cells(client, world, data) -> None:
    login(client, "bkpsdm")
    response = client.get("/laporan/completions.csv?dialek=standar")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "NIP",
        "Nama",
        "Unit kerja",
        "Perangkat daerah",
        "Kode pelatihan",
        "Judul pelatihan",
    ]
    titles = {r[5] for r in rows[1:]}
    names = {r[1] for r in rows[1:]}
    assert "'" + INJECTION in titles and INJECTION not in titles
    assert any(n.startswith("'@") for n in names)
    assert not any(n.startswith("@") for n in names)
    jp = [r[6] for r in rows[1:]]
    assert all(re.fullmatch(r"\d+(\.\d+)?", v) for v in jp)


def test_neutralise_keeps_numbers_numeric() -> None:
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(Decimal("-1.5")) == Decimal("-1.5")
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(bad) == "'" + bad
    assert exports.neutralise("Budi") == "Budi"


def test_xlsx_cells_are_strings_not_formulas(client, world, data) -> None:
    login(client, "bkpsdm")
    response = client.get("/laporan/completions.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[5] == "Judul pelatihan"
    titles = [row[5] for row in sheet.iter_rows(min_row=2)]
    hit = [c for c in titles if c.value == INJECTION]
    assert hit and all(c.data_type == "s" for c in hit)
    names = [row[1] for row in sheet.iter_rows(min_row=2) if str(row[1].value).startswith("@")]
    assert names and all(c.data_type == "s" for c in names)
    jp = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in jp)
    # no formula anywhere
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_pdf_summary_opens(client, world, data) -> None:
    login(client, "bkpsdm")
    response = client.get(f"/laporan/jp-compliance.pdf?tahun={YEAR}")
    assert response.status_code == 200
    assert response.get_data().startswith(b"%PDF")
    assert response.mimetype == "application/pdf"


def test_url_fetcher_refuses_files_outside_static() -> None:
    fetcher = exports.url_fetcher()
    with pytest.raises(PermissionError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(PermissionError):
        fetcher.fetch("http://example.com/x.png")


# --- background export job --------------------------------------------------------------------


def test_large_xlsx_runs_as_a_job_with_expiring_link(app, client, world, data, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_XLSX_INLINE_MAX", 5)
    login(client, "bkpsdm")
    offer = client.get("/laporan/completions.xlsx?tahun=" + str(YEAR))
    assert offer.status_code == 200 and b"Siapkan berkas XLSX" in offer.data
    token = csrf_token(client, "/laporan/completions.xlsx")
    started = client.post(f"/laporan/completions/ekspor?tahun={YEAR}", data={"csrf_token": token})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    page = client.get(job_url)
    assert b"<progress" in page.data and b"js/reports.js" in page.data
    status = client.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.get_data())).active
    with app.app_context():
        expected = db.session.scalar(
            text("SELECT COUNT(*) FROM completions WHERE status = 'valid' AND year = :y"),
            {"y": YEAR},
        )
        job_id = int(job_url.rstrip("/").split("/")[-1])
        job = db.session.get(ExportJob, job_id)
        assert job.rows_written == expected == job.total_rows
        assert job.filters["year"] == YEAR
        assert sheet.max_row == expected + 1
        job.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(status["download_url"]).status_code == 410
    assert client.get(job_url + "/status").get_json()["download_url"] is None
    assert client.post("/laporan/completions/ekspor", data={}).status_code == 400  # no CSRF


def test_failed_job_is_reported(app, world, data) -> None:
    from lms.reports.tasks import run_export

    with app.app_context():
        job = ExportJob(owner_id=world.users["admin_bkpsdm"].id, report="nope")
        db.session.add(job)
        db.session.commit()
        assert run_export.apply(args=(job.id,)).get() is False
        db.session.expire_all()
        assert db.session.get(ExportJob, job.id).status == "failed"


def test_csv_speaks_indonesian_excel_by_default_and_says_so(client, world, data) -> None:
    """Indonesian Excel opens CSV with `;` and a decimal comma: the Indonesian UI's default, named
    in the file; the standard dialect on request (and for English readers)."""
    login(client, "bkpsdm")
    page = client.get("/laporan/completions").get_data(as_text=True)
    assert "dialek=excel-id" in page and "dialek=standar" in page
    response = client.get("/laporan/completions.csv?tahun=" + str(YEAR))
    assert (
        f'filename="laporan-completions-{YEAR}-excel-id.csv"'
        in (response.headers["Content-Disposition"])
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";"))
    assert rows[0][:2] == ["NIP", "Nama"] and len(rows) > 1
    jp = [r[6] for r in rows[1:]]
    assert all(re.fullmatch(r"\d+(,\d+)?", v) for v in jp), jp
    assert any("," in v for v in jp)  # some JP has decimals: written with a comma
    standard = client.get(f"/laporan/completions.csv?tahun={YEAR}&dialek=standar")
    assert f'filename="laporan-completions-{YEAR}.csv"' in (standard.headers["Content-Disposition"])
    std_rows = list(csv.reader(io.StringIO(standard.get_data(as_text=True)[1:])))
    assert [r[6] for r in std_rows[1:]] == [v.replace(",", ".") for v in jp]
    token = csrf_token(client, "/laporan/completions")
    client.post("/bahasa", data={"lang": "en", "csrf_token": token})
    english = client.get(f"/laporan/completions.csv?tahun={YEAR}")
    assert f'filename="laporan-completions-{YEAR}.csv"' in english.headers["Content-Disposition"]


def test_pdf_summary_runs_as_a_job_off_the_request_path(app, client, world, data) -> None:
    """Issue 19 point 4: the report page starts the PDF as a background export (no PDF is made in
    the request that asks for it); the job page polls and offers the file when done."""
    login(client, "bkpsdm")
    page = client.get(f"/laporan/jp-compliance?tahun={YEAR}").get_data(as_text=True)
    assert f"/laporan/jp-compliance/ekspor?format=pdf&amp;tahun={YEAR}" in page
    token = csrf_token(client, f"/laporan/jp-compliance?tahun={YEAR}")
    started = client.post(
        f"/laporan/jp-compliance/ekspor?format=pdf&tahun={YEAR}", data={"csrf_token": token}
    )
    assert started.status_code == 302
    job_url = started.headers["Location"]
    status = client.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.get_data().startswith(b"%PDF")
    with app.app_context():
        job = db.session.get(ExportJob, int(job_url.rstrip("/").split("/")[-1]))
        assert (job.format, job.report, job.filters["year"]) == ("pdf", "jp-compliance", YEAR)
