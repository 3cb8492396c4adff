"""Issue 18 point 4 in Chromium: the needs analysis and the agency's yearly plan (AKPK).

The demo's positions carry competency standards, so every OPD has needs from the gaps between
them and the learning records; the test adds, in Dinas Kesehatan, an agreed development plan
and an SKP result below expectations that both speak of the archive. The Admin OPD sees only
their OPD's needs, turns the archive row into a proposal (its employees named); BKPSDM sees
every OPD, plans a catalogue course from another row (a bad budget first, refused with a clear
message), accepts the OPD's proposal, approves the plan (asked first), follows its realisation,
and downloads the plan as XLSX (opened with openpyxl) and PDF (text read back with pdftotext).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.careers.akpk.models import AgencyPlan, AgencyPlanItem
from lms.careers.plans.models import DevelopmentPlan, PlanNeed
from lms.careers.skp.models import SkpEvaluation, SkpPeriod, SkpTarget
from lms.completion.consumers import dispatch
from lms.completion.services import record_classroom
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Unit
from tests.browser.conftest import SHOTS, loaded_width, sign_in, sign_out

YEAR = local_today().year
OPD_NAME = "Dinas Kesehatan"
ARCHIVE = "Pengelolaan Arsip Dinamis"
PROPOSAL = "Pelatihan Pengelolaan Arsip Dinamis Dinkes"
SERVICE = "Pelayanan Publik"
COURSE_TITLE = "Standar Pelayanan dan Peningkatan Kualitas Pelayanan Publik"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _seed_dinkes_needs(live_app) -> tuple[str, str]:
    """An agreed development plan and a 'Butuh Perbaikan' SKP result of two Dinas Kesehatan
    pelaksana (ordinary employees, not the demo accounts); their names."""
    with live_app.app_context():
        opd = db.session.scalar(select(Unit).where(Unit.code == "DINKES"))
        accounts = set(
            db.session.scalars(
                select(User.employee_id).where(User.username != Employee.nip).join(Employee)
            )
        )
        staff = [
            e
            for e in db.session.scalars(
                select(Employee)
                .join(Unit, Unit.id == Employee.unit_id)
                .where(Unit.path.startswith(opd.path), Employee.jabatan_type_code == "pelaksana")
                .order_by(Employee.id)
            )
            if e.id not in accounts
        ]
        planner, weak = staff[0], staff[1]
        if (
            db.session.scalar(
                select(DevelopmentPlan).where(DevelopmentPlan.employee_id == planner.id)
            )
            is None
        ):
            plan = DevelopmentPlan(employee_id=planner.id, year=YEAR, status="agreed")
            plan.needs.append(
                PlanNeed(
                    competency="Pengelolaan arsip dinamis",
                    kind="teknis",
                    current_level=1,
                    target_level=3,
                    reason="career",
                )
            )
            db.session.add(plan)
            period = SkpPeriod(
                employee_id=weak.id, year=YEAR, status="agreed", appraiser_id=weak.supervisor_id
            )
            period.targets.append(
                SkpTarget(
                    description="Penataan arsip surat masuk dan keluar",
                    indicator="Arsip tertata",
                    target_text="100%",
                )
            )
            period.evaluations.append(
                SkpEvaluation(
                    kind="annual",
                    sequence=0,
                    label=f"Tahunan {YEAR}",
                    hasil_kerja="di_bawah",
                    perilaku="sesuai",
                    predikat="butuh_perbaikan",
                    note="Arsip dinamis belum dikelola; surat sulit ditemukan kembali.",
                )
            )
            db.session.add(period)
            db.session.commit()
        names = (planner.full_name, weak.full_name)
        db.session.remove()
    return names


def _complete_one(live_app) -> tuple[str, int]:
    """A classroom completion of the planned catalogue course by its first named participant,
    fed to the learning record; their name and the item's target."""
    with live_app.app_context():
        hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        item = db.session.scalar(select(AgencyPlanItem).where(AgencyPlanItem.title == COURSE_TITLE))
        employee = item.participants[0].employee
        record_classroom(employee, item.course, completed_on=local_today(), score=88, by=hr)
        db.session.commit()
        dispatch()
        found = (employee.full_name, item.target_count)
        db.session.remove()
    return found


def _open_menu_link(page, name: str) -> None:
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name=name).click()


def _download(page, link_name: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.failure() is None, download.failure()
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


@pytest.mark.browser
def test_bkpsdm_builds_the_yearly_plan_from_needs_and_exports_it(
    page, live_server, live_app, shot, axe_check, tmp_path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("install poppler-utils: pdftotext is missing")
    planner_name, weak_name = _seed_dinkes_needs(live_app)
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- the Admin OPD: their OPD's needs, and a proposal from the archive row ----------------
    sign_in(page, live_server, "opd.dinkes")
    _open_menu_link(page, "Kebutuhan & rencana (AKPK)")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Analisis kebutuhan dan rencana pengembangan kompetensi"
    )
    axe_check("AKPK index, Admin OPD")
    shot("akpk-01-index-opd")
    page.get_by_role("link", name=f"Kebutuhan {YEAR}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Kebutuhan pengembangan kompetensi {YEAR}"
    )
    assert (
        page.get_by_label("Perangkat daerah", exact=True).count() == 0
    )  # no OPD filter: their own only
    per_opd = page.locator("section[aria-labelledby=per-opd] tbody th")
    expect(per_opd).to_have_text([OPD_NAME])
    archive_row = page.locator("#rincian ~ .table-wrap tbody tr", has_text=ARCHIVE).filter(
        has_text="Pelaksana"
    )
    expect(archive_row).to_have_count(1)
    # The three sources name the archive: the plan, the SKP result, the position standard.
    expect(archive_row).to_contain_text("Rencana pengembangan pegawai: 1")
    expect(archive_row).to_contain_text("Hasil SKP di bawah ekspektasi: 1")
    expect(archive_row).to_contain_text("Kesenjangan standar kompetensi jabatan")
    axe_check("AKPK needs, Admin OPD")
    shot("akpk-02-needs-opd")

    archive_row.get_by_role("link", name=re.compile("Masukkan ke rencana")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Usulkan kegiatan untuk rencana {YEAR}"
    )
    expect(page.get_by_label("Kompetensi yang dikembangkan")).to_have_value(ARCHIVE)
    named = page.get_by_label("Peserta bernama (boleh dikosongkan)").input_value()
    assert planner_name in named and weak_name in named
    count = int(page.get_by_label("Jumlah peserta").input_value())
    assert count == len([line for line in named.splitlines() if line.strip()])
    page.get_by_label("Nama kegiatan").fill(PROPOSAL)
    page.get_by_label("JP per peserta").fill("12")
    page.get_by_label("Triwulan pelaksanaan").select_option(label="Triwulan III")
    page.get_by_label("Anggaran (Rp)").fill("8.400.000")
    axe_check("AKPK item form, Admin OPD")
    shot("akpk-03-proposal-form")
    page.get_by_role("button", name="Kirim usulan").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Kegiatan {PROPOSAL} disimpan.")
    expect(page.locator("tr", has_text=PROPOSAL)).to_contain_text("Usulan OPD")
    axe_check("AKPK plan, Admin OPD")
    shot("akpk-04-plan-opd")
    sign_out(page)

    # --- BKPSDM: every OPD, a catalogue course for a row, the proposal accepted ---------------
    sign_in(page, live_server, "bkpsdm")
    page.goto(f"{live_server}/kelola/akpk/{YEAR}/kebutuhan")
    assert page.locator("section[aria-labelledby=per-opd] tbody tr").count() > 5  # every OPD
    chart = page.locator("figure.chart-figure img.chart")
    expect(chart).to_have_attribute("alt", "Kompetensi yang paling banyak dibutuhkan")
    assert loaded_width(chart) > 0
    axe_check("AKPK needs, BKPSDM")
    shot("akpk-05-needs-bkpsdm")
    # The OPD's archive row is marked as planned (proposed).
    page.get_by_label("Perangkat daerah", exact=True).select_option(label=OPD_NAME)
    page.get_by_label("Sumber kebutuhan").select_option(
        label="Kesenjangan standar kompetensi jabatan"
    )
    page.get_by_role("button", name="Tampilkan").click()
    rows = page.locator("#rincian ~ .table-wrap tbody tr")
    expect(rows.filter(has_text=ARCHIVE).filter(has_text="Pelaksana")).to_contain_text(
        "Sudah direncanakan"
    )
    service_row = rows.filter(has=page.locator("th", has_text=re.compile(rf"^{SERVICE}"))).filter(
        has_text="Pelaksana"
    )
    service_count = int(service_row.locator("td").nth(2).inner_text())
    axe_check("AKPK needs, BKPSDM, one OPD")
    shot("akpk-06-needs-dinkes")
    service_row.get_by_role("link", name=re.compile("Masukkan ke rencana")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tambah kegiatan ke rencana {YEAR}")
    # The catalogue course that matches is chosen; its JP is taken when the field is empty.
    assert (
        COURSE_TITLE
        in page.get_by_label("Pelatihan di katalog").locator("option:checked").inner_text()
    )
    assert page.get_by_label("Jumlah peserta").input_value() == str(service_count)
    page.get_by_label("Triwulan pelaksanaan").select_option(label="Triwulan II")
    page.get_by_label("Bulan (boleh dikosongkan)").select_option(label="Mei")
    page.get_by_label("Anggaran (Rp)").fill("15.000.000,50")
    page.get_by_role("button", name="Simpan kegiatan").click()
    expect(page.locator("#budget-error")).to_have_text(
        "Anggaran ditulis dalam Rupiah utuh, tanpa sen (misalnya 12.500.000)."
    )
    expect(page.get_by_label("Anggaran (Rp)")).to_have_attribute("aria-invalid", "true")
    axe_check("AKPK item form, refused budget")
    shot("akpk-07-budget-refused")
    page.get_by_label("Anggaran (Rp)").fill("Rp 15.000.000")
    page.get_by_role("button", name="Simpan kegiatan").click()
    service_item = page.locator("tr", has_text=COURSE_TITLE)
    expect(service_item).to_contain_text("Masuk rencana")
    expect(service_item).to_contain_text("Rp15.000.000")
    expect(service_item).to_contain_text("Triwulan II · Mei")

    # The proposal waits for BKPSDM: accepted.
    waiting = page.locator("article[aria-labelledby=usulan] article", has_text=PROPOSAL)
    expect(waiting).to_be_visible()
    axe_check("AKPK plan with a proposal, BKPSDM")
    shot("akpk-08-plan-proposal")
    waiting.get_by_role("button", name=re.compile("Terima ke rencana")).click()
    expect(page.locator(".flash-success")).to_contain_text(f"Masuk rencana: {PROPOSAL}")
    expect(page.locator("tr", has_text=PROPOSAL)).to_contain_text("Masuk rencana")
    expect(page.locator("tfoot")).to_contain_text("Rp23.400.000")

    # Approve the plan: asked first, then locked.
    page.get_by_role("button", name=f"Tetapkan rencana {YEAR}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Tetapkan rencana pengembangan kompetensi {YEAR}?"
    )
    axe_check("AKPK approve confirmation")
    shot("akpk-09-approve-confirm")
    page.get_by_role("button", name="Ya, tetapkan rencana").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Rencana {YEAR} ditetapkan.")
    expect(page.get_by_role("button", name=f"Buka kembali rencana {YEAR}")).to_be_visible()
    expect(page.get_by_role("link", name="Tambah kegiatan")).to_have_count(0)
    axe_check("AKPK plan approved")
    shot("akpk-10-plan-approved")

    # The plan against what happened: one named participant completes the course in class.
    _done_name, planned_count = _complete_one(live_app)
    page.get_by_role("link", name="Realisasi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Realisasi rencana pengembangan kompetensi {YEAR}"
    )
    done_row = page.locator("tr", has_text=COURSE_TITLE)
    expect(done_row.locator("td").nth(2)).to_contain_text(f"1 / {planned_count}")
    percent = round(100 / planned_count)
    expect(done_row.locator("progress")).to_have_attribute("value", str(percent))
    expect(done_row).to_contain_text(f"{percent}%")
    expect(page.locator("tr", has_text=PROPOSAL)).to_contain_text("Belum ditautkan")
    picture = page.locator("figure.chart-figure img.chart")
    assert loaded_width(picture) > 0
    axe_check("AKPK realisation")
    shot("akpk-11-realisation")

    # --- exports --------------------------------------------------------------------------------
    page.get_by_role("link", name="Rencana", exact=True).click()
    xlsx_file = _download(page, "Unduh XLSX", tmp_path)
    assert xlsx_file.name == f"akpk-{YEAR}.xlsx"
    book = load_workbook(xlsx_file)
    values = list(book[f"Rencana {YEAR}"].iter_rows(values_only=True))
    titles = {r[1]: r for r in values[1:-1]}
    assert set(titles) == {COURSE_TITLE, PROPOSAL}
    assert titles[COURSE_TITLE][13] == 15_000_000 and titles[COURSE_TITLE][3] == OPD_NAME
    assert titles[PROPOSAL][13] == 8_400_000 and titles[PROPOSAL][9] == 12
    assert values[-1][1] == "Jumlah" and values[-1][13] == 23_400_000
    realised = {r[0]: r for r in list(book["Realisasi"].iter_rows(values_only=True))[1:]}
    assert realised[COURSE_TITLE][4] == 1 and realised[PROPOSAL][4] == 0
    named_rows = list(book["Peserta bernama"].iter_rows(values_only=True))[1:]
    assert {r[2] for r in named_rows} >= {planner_name, weak_name}

    pdf_file = _download(page, "Unduh PDF", tmp_path)
    pdf = pdf_file.read_bytes()
    assert pdf.startswith(b"%PDF")
    (SHOTS / "akpk-12-plan.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = _squash(text)
    for expected in (
        f"Rencana Pengembangan Kompetensi Tahun {YEAR}",
        "Status: Ditetapkan",
        COURSE_TITLE,
        PROPOSAL,
        "Rp15.000.000",
        "Rp23.400.000",
        "Triwulan II · Mei",
    ):
        assert _squash(expected) in flat, expected
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf_file),
            str(SHOTS / "akpk-13-plan-pdf"),
        ],
        check=True,
    )

    with live_app.app_context():
        plan = db.session.scalar(select(AgencyPlan).where(AgencyPlan.year == YEAR))
        assert plan.status == "approved"
        items = {i.title: i for i in plan.items}
        assert items[PROPOSAL].status == "accepted" and items[PROPOSAL].unit.name == OPD_NAME
        assert items[COURSE_TITLE].course.code == "MPP-101"
        assert items[COURSE_TITLE].budget == Decimal(15_000_000)
        db.session.remove()
