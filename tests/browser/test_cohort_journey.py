"""HR runs a cohort (angkatan) of the PKP programme: create it, add two participants.

Uses the PKP programme that `content load` brings from content/programmes/pkp-2026.yaml. The
participants are two supervisors (pengawas, golongan III/c) who are not demo accounts, so the
other journeys see the demo accounts as they were.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lms.indonesian import local_today
from tests.browser.conftest import sign_in, sign_out

CODE = "PKP-2027-UJI"
FIRST = ("199212192016101046", "Tommy Nasution")
SECOND = "Ilham Muchtar"
INELIGIBLE_NIP = "199411102017102953"  # the `pegawai` account: pelaksana, III/a


@pytest.mark.browser
def test_hr_creates_pkp_cohort_and_adds_two_participants(
    page,
    live_server,
    shot,
    axe_check,
) -> None:
    start = local_today() + timedelta(days=30)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "bkpsdm")
    expect(page.get_by_role("heading", name="Angkatan berjalan", level=2)).to_be_visible()
    axe_check("bkpsdm dashboard with cohorts")

    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Program & angkatan").click()
    expect(page.get_by_role("heading", name="Program pelatihan", level=1)).to_be_visible()
    axe_check("programme list")
    shot("30-cohort-programmes")

    page.get_by_role("link", name="Pelatihan Kepemimpinan Pengawas").click()
    expect(page.get_by_role("heading", name="Susunan pelatihan")).to_be_visible()
    assert page.locator("main ol li").count() >= 4
    axe_check("programme page (HR)")
    shot("31-cohort-programme-pkp")

    page.get_by_role("button", name="Tambah angkatan").click()
    # The programme's eligibility is offered as the cohort's default, and PKP's agenda (five
    # phases with their kind, JP and days) as its phases.
    expect(page.get_by_label("Jabatan Pengawas")).to_be_checked()
    expect(page.locator("#min_grade")).to_have_value("III/b")
    expect(page.locator("#phases-2-kind")).to_have_value("classroom")
    expect(page.locator("#phases-3-name")).to_have_value("Aksi perubahan (implementasi)")
    expect(page.locator("#phases-3-jp")).to_have_value("280")
    expect(page.locator("#phases-3-days")).to_have_value("60")
    axe_check("new cohort form")
    shot("32a-cohort-form-agenda")
    page.locator("#code").fill(CODE)
    page.locator("#name").fill("Angkatan I Tahun 2027")
    page.locator("#starts_on").fill(start.isoformat())
    page.locator("#ends_on").fill((start - timedelta(days=1)).isoformat())  # wrong on purpose
    page.locator("#enrol_deadline").fill((start - timedelta(days=7)).isoformat())
    page.locator("#quota").fill("2")
    page.locator("#place").fill("Aula BKPSDM Kota Palembang")
    page.get_by_role("button", name="Simpan").click()
    error = page.locator("#ends_on-error")
    expect(error).to_have_text("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    expect(page.locator("#ends_on")).to_have_attribute("aria-invalid", "true")
    axe_check("cohort form with an error")
    shot("32-cohort-form-error")

    # The agenda's 132 days: the phases get their dates from the start, one after another.
    page.locator("#ends_on").fill((start + timedelta(days=131)).isoformat())
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Angkatan Angkatan I Tahun 2027 tersimpan.")).to_be_visible()
    expect(page.get_by_role("heading", name="Tahapan")).to_be_visible()
    expect(page.locator("main ol li")).to_have_count(5)
    expect(page.locator("main ol li").nth(2)).to_contain_text("210 JP")
    expect(page.get_by_text("Kuota terpakai: 0 dari 2 peserta")).to_be_visible()
    axe_check("new cohort page")
    shot("33-cohort-page-empty")

    # An ineligible employee is refused, with the reasons.
    page.get_by_label("NIP pegawai").fill(INELIGIBLE_NIP)
    page.get_by_role("button", name="Tambahkan", exact=True).click()
    refusal = page.locator(".flash-error")
    expect(refusal).to_contain_text("tidak dapat mengikuti angkatan ini")
    expect(refusal).to_contain_text("Golongan III/a di bawah syarat minimal golongan III/b.")
    axe_check("cohort page with a refusal")
    shot("34-cohort-refused-ineligible")

    # First participant by NIP, second through the search.
    page.get_by_label("NIP pegawai").fill(FIRST[0])
    page.get_by_role("button", name="Tambahkan", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text(FIRST[1])
    expect(page.locator(".flash-success")).to_contain_text("ditambahkan sebagai peserta")
    page.get_by_label("Cari pegawai (nama atau NIP)").fill(SECOND)
    page.get_by_role("button", name="Cari").click()
    expect(page.get_by_role("heading", name=f"Hasil pencarian “{SECOND}”")).to_be_visible()
    axe_check("cohort page with search results")
    shot("35-cohort-search")
    page.get_by_role("button", name=f"Tambahkan {SECOND}").click()
    expect(page.locator(".flash-success")).to_contain_text(SECOND)
    expect(page.get_by_text("Kuota terpakai: 2 dari 2 peserta")).to_be_visible()
    rows = page.locator("table").last.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="aktif")).to_have_count(2)
    axe_check("cohort page with two participants")
    shot("36-cohort-two-participants")
    # The organiser's page: the grid, attendance, and no closing before the end date.
    page.get_by_role("button", name="Kehadiran dan penutupan").click()
    expect(page.get_by_role("heading", name="Kemajuan peserta per tahap")).to_be_visible()
    expect(page.locator("#penutupan + article")).to_contain_text("belum dapat ditutup")
    axe_check("organiser page before the end date")
    shot("36a-cohort-organiser-before-end")

    page.goto(f"{live_server}/angkatan")
    expect(page.get_by_role("link", name="Angkatan I Tahun 2027")).to_be_visible()
    axe_check("cohort list")
    shot("37-cohort-list")
    page.goto(f"{live_server}/dasbor")
    expect(page.locator(".dash-cohorts")).to_contain_text("Angkatan I Tahun 2027")
    shot("38-cohort-hr-dashboard")
    sign_out(page)

    # An employee sees the cohort and why she cannot join it.
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/program/PKP")
    card = page.locator("article.card", has_text="Angkatan I Tahun 2027")
    expect(card).to_contain_text("0 kursi tersisa dari 2")
    expect(card).to_contain_text("Mengapa Anda belum dapat mendaftar:")
    expect(card).to_contain_text("Jenis jabatan Jabatan Pelaksana tidak memenuhi syarat")
    axe_check("programme page (employee)")
    shot("39-cohort-programme-employee")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    shot("40-cohort-programme-employee-phone")
    sign_out(page)
