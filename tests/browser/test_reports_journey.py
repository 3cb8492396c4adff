"""HR reports in Chromium (issue 7): BKPSDM filters the JP compliance report to one OPD, sees the
chart and its data table, and downloads CSV, XLSX and PDF through the page's links; each file is
read back and holds exactly that OPD's employees, with the JP of the ledger. An Admin OPD sees
only their own department and gets 403 for another department's unit in an edited URL."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from lms.auth.models import User
from lms.careers.ledger.queries import jp_totals, target
from lms.completion.consumers import dispatch
from lms.completion.services import current_completion, record_classroom
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Unit
from tests.browser.conftest import SHOTS, loaded_width, sign_in

OPD = "DINKES"
OPD_NAME = "Dinas Kesehatan"
OTHER_OPD = "DISDIK"
TITLE = "Kepatuhan JP"
HEADERS = ["NIP", "Nama", "Unit kerja", "Perangkat daerah", "Golongan", "Jenis jabatan"]
# Classroom completions recorded for two Dinas Kesehatan employees (JP 6 + 8 + 6 and 8), so one
# reaches the 20 JP target and one does not: the report is not all zeros.
PLAN = (("TIK-101", "KPM-101", "MPP-101"), ("KPM-101",))


def _squash(text: str) -> str:
    """pdftotext may split or wrap words: compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def _opd_employees(unit: Unit) -> list[Employee]:
    """Active employees of the OPD's unit subtree, in id order (the report's population)."""
    return list(
        db.session.scalars(
            select(Employee)
            .join(Unit, Unit.id == Employee.unit_id)
            .where(Unit.path.startswith(unit.path), Employee.is_active.is_(True))
            .order_by(Employee.id)
        )
    )


def _record_completions(live_app) -> tuple[dict[str, Decimal], Decimal]:
    """Record the classroom completions of PLAN (once), feed the ledger; NIP → JP, JP target."""
    with live_app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == OPD))
        hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        # Ordinary employees (who sign in with their NIP), not the demo accounts others use.
        regular = set(
            db.session.scalars(
                select(User.employee_id)
                .join(Employee, Employee.id == User.employee_id)
                .where(User.username == Employee.nip)
            )
        )
        people = [e for e in _opd_employees(unit) if e.id in regular]
        assert len(people) >= len(PLAN) + 2, len(people)
        for employee, codes in zip(people[-len(PLAN) :], PLAN, strict=True):
            for code in codes:
                course = db.session.scalar(select(Course).where(Course.code == code))
                if current_completion(employee.id, course_id=course.id) is None:
                    record_classroom(employee, course, completed_on=local_today(), score=88, by=hr)
        db.session.commit()
        dispatch()  # the learning-record consumer turns the completions into ledger entries
        year = local_today().year
        totals = jp_totals(year)
        ledger = dict(
            db.session.execute(
                select(Employee.nip, func.coalesce(totals.c.jp_total, 0))
                .select_from(Employee)
                .outerjoin(totals, totals.c.employee_id == Employee.id)
                .where(Employee.id.in_([e.id for e in _opd_employees(unit)]))
            ).all()
        )
        goal = Decimal(target())
        db.session.remove()
    return {nip: Decimal(str(jp)) for nip, jp in ledger.items()}, goal


def _unit_id(live_app, code: str) -> int:
    with live_app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code))
        db.session.remove()
    return unit_id


def _download(page, link_name: str, folder: Path) -> Path:
    """Click a download link of the page; the file as the browser saved it."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.failure() is None, download.failure()
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def _rows_count(page) -> int:
    text = page.locator("#rincian + p").inner_text()  # "24 baris."
    return int(re.match(r"([\d.]+) baris", text)[1].replace(".", ""))


@pytest.mark.browser
def test_bkpsdm_filters_jp_compliance_to_one_opd_and_downloads_every_format(
    page,
    live_server,
    live_app,
    shot,
    axe_check,
    tmp_path,
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("install poppler-utils: pdftotext is missing")
    expected, goal = _record_completions(live_app)
    meets = {nip for nip, jp in expected.items() if jp >= goal}
    assert meets and len(meets) < len(expected)  # some meet the target, some do not
    assert sum(expected.values()) > 0
    year = local_today().year

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "bkpsdm")

    # The reports index, from the menu.
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Laporan", exact=True).click()
    expect(page.get_by_role("heading", name="Laporan", level=1)).to_be_visible()
    axe_check("reports index")
    shot("90-reports-index")

    # The JP compliance report, all departments.
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("Cakupan: Semua perangkat daerah")).to_be_visible()
    assert page.locator("#per-opd ~ .table-wrap tbody tr").count() > 1  # every department
    axe_check("JP compliance, all departments")
    shot("91-jp-compliance-all")

    # Filter to one OPD.
    page.get_by_label("OPD / unit kerja").select_option(label=OPD_NAME)
    with page.expect_navigation():
        page.get_by_role("button", name="Terapkan filter").click()
    assert f"unit={_unit_id(live_app, OPD)}" in page.url
    expect(page.get_by_label("OPD / unit kerja")).to_have_value(str(_unit_id(live_app, OPD)))
    assert _rows_count(page) == len(expected)
    summary = page.locator("section[aria-labelledby=per-opd] tbody tr")
    expect(summary).to_have_count(1)
    expect(summary.locator("th")).to_have_text(OPD_NAME)
    expect(summary.locator("td").first).to_have_text(str(len(expected)))
    expect(summary.locator("td").nth(1)).to_have_text(str(len(meets)))
    opd_cells = page.locator(".report-table tbody tr td:nth-child(4)")
    assert set(opd_cells.all_inner_texts()) == {OPD_NAME}
    for nip in meets:
        expect(page.locator(".report-table tbody tr", has_text=nip)).to_contain_text("Memenuhi")

    # The chart: an SVG picture that loaded, named by its alt text, and its numbers as a table.
    chart = page.locator("figure.chart-figure").first
    picture = chart.locator("img.chart")
    expect(picture).to_have_attribute("alt", "Rata-rata JP per perangkat daerah")
    assert picture.get_attribute("src").startswith("data:image/svg+xml")
    picture.scroll_into_view_if_needed()
    assert loaded_width(picture) > 0
    assert picture.bounding_box()["width"] > 300
    chart.locator("summary").click()
    data = chart.locator("details table")
    expect(data).to_be_visible()
    expect(data.locator("tbody tr")).to_have_count(1)
    expect(data.locator("tbody th")).to_have_text(OPD_NAME)
    mean = sum(expected.values()) / len(expected)
    shown = Decimal(data.locator("tbody td").inner_text().replace(",", "."))
    assert abs(shown - mean) < Decimal("0.01"), (shown, mean)
    axe_check("JP compliance, one OPD, chart data open")
    shot("92-jp-compliance-dinkes")

    # CSV for Indonesian Excel (`;`, decimal comma, named so): UTF-8 with BOM, Indonesian headers,
    # exactly this OPD's employees with the ledger's JP.
    csv_file = _download(page, "Unduh CSV (Excel Indonesia", tmp_path)
    assert csv_file.name == f"laporan-jp-compliance-{year}-excel-id.csv"
    raw = csv_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[: len(HEADERS)] == HEADERS
    assert header[6:] == [
        "JP tahun ini",
        "JP teknis",
        "JP manajerial",
        "JP sosial kultural",
        "Target JP",
        "Status",
    ]
    assert len(body) == len(expected)
    assert {r[3] for r in body} == {OPD_NAME}
    assert {r[0]: Decimal(r[6].replace(",", ".")) for r in body} == expected
    assert {r[0] for r in body if r[11] == "Memenuhi"} == meets
    assert {r[11] for r in body} == {"Memenuhi", "Belum memenuhi"}

    # XLSX: the same rows, numbers as numbers.
    xlsx_file = _download(page, "Unduh XLSX", tmp_path)
    assert xlsx_file.suffix == ".xlsx"
    sheet = load_workbook(xlsx_file, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][: len(HEADERS)]) == HEADERS
    assert len(values) - 1 == len(expected)
    assert {r[3] for r in values[1:]} == {OPD_NAME}
    assert {str(r[0]): Decimal(str(r[6])) for r in values[1:]} == expected
    assert all(isinstance(r[6], int | float) for r in values[1:])

    # PDF: prepared as an export job off the request path (issue 19), then downloaded from the
    # job page: a real PDF with the title, the OPD and its people.
    page.get_by_role("button", name="Siapkan PDF").click()
    ready = page.get_by_role("button", name="Unduh berkas")
    expect(ready).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        ready.click()
    assert info.value.failure() is None, info.value.failure()
    pdf_file = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf_file)
    pdf = pdf_file.read_bytes()
    assert pdf.startswith(b"%PDF")
    (SHOTS / "93-jp-compliance-dinkes.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = _squash(text)
    assert _squash(TITLE) in flat
    assert _squash(OPD_NAME) in flat
    assert _squash(f"Rincian: {len(expected)} baris") in flat
    for nip in expected:
        assert nip in flat, nip
    assert "Dinas Pendidikan" not in text  # no other department
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_file)]
        + [str(SHOTS / "94-jp-compliance-pdf")],
        check=True,
    )

    # The job page leads back to the report.
    page.get_by_role("link", name="Kembali ke laporan").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()


@pytest.mark.browser
def test_opd_admin_sees_only_their_department(
    page,
    live_server,
    live_app,
    shot,
    axe_check,
) -> None:
    with live_app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == OPD))
        own = {e.nip for e in _opd_employees(unit)}
        db.session.remove()
    other_id = _unit_id(live_app, OTHER_OPD)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "opd.dinkes")
    page.goto(f"{live_server}/laporan/jp-compliance")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text(f"Cakupan: {OPD_NAME}")).to_be_visible()
    assert _rows_count(page) == len(own)
    summary = page.locator("section[aria-labelledby=per-opd] tbody tr")
    expect(summary).to_have_count(1)
    expect(summary.locator("th")).to_have_text(OPD_NAME)
    assert set(page.locator(".report-table tbody tr td:nth-child(4)").all_inner_texts()) == {
        OPD_NAME
    }
    # The unit filter offers only their own subtree.
    options = page.get_by_label("OPD / unit kerja").locator("option").all_inner_texts()
    assert "Dinas Pendidikan" not in options and OPD_NAME in options
    axe_check("JP compliance, Admin OPD")
    shot("95-jp-compliance-opd-admin")

    # Sorting by another column still shows only their department.
    page.get_by_role("link", name="JP tahun ini").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("JP tahun ini")
    assert set(page.locator(".report-table tbody tr td:nth-child(4)").all_inner_texts()) == {
        OPD_NAME
    }

    # The CSV without a unit filter: their department only.
    response = page.request.get(f"{live_server}/laporan/jp-compliance.csv")
    assert response.status == 200
    body = io.StringIO(response.body().decode("utf-8-sig"))
    rows = list(csv.reader(body, delimiter=";"))[1:]  # the Indonesian UI's dialect
    assert {r[0] for r in rows} == own and {r[3] for r in rows} == {OPD_NAME}

    # Another department's unit in an edited URL: refused, for the page and every export.
    answer = page.goto(f"{live_server}/laporan/jp-compliance?unit={other_id}")
    assert answer.status == 403
    assert "Dinas Pendidikan" not in page.content()
    axe_check("403 for another department")
    shot("96-jp-compliance-other-opd-403")
    for fmt in ("csv", "xlsx", "pdf"):
        response = page.request.get(f"{live_server}/laporan/jp-compliance.{fmt}?unit={other_id}")
        assert response.status == 403, fmt
        assert b"Dinas Pendidikan" not in response.body()
    response = page.request.get(f"{live_server}/laporan/jp-compliance.csv?unit={OTHER_OPD}")
    assert response.status == 403  # by unit code, too
