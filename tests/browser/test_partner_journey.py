"""Partner institutions in Chromium (issue 16, point 1): BKPSDM registers a partner and gives it
a staff account; the new staff member changes the temporary password and finds no other
institution's course; the demo `mitra` sees its own institution's course (KPM-101) only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out


def _menu(page, name: str) -> None:
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()


@pytest.mark.browser
def test_bkpsdm_registers_a_partner_and_its_staff_who_sees_only_its_courses(
    page, live_server, shot, axe_check
) -> None:
    sign_in(page, live_server, "bkpsdm")
    _menu(page, "Lembaga mitra")
    expect(page.get_by_role("heading", name="Lembaga mitra", level=1)).to_be_visible()
    demo = page.get_by_role("row", name=re.compile("BPSDMD Provinsi Sumatera Selatan"))
    expect(demo).to_contain_text("Akreditasi berlaku")
    axe_check("partner list")
    shot("partner-01-list")

    page.get_by_role("button", name="Tambah lembaga").click()
    page.get_by_label("Kode lembaga").fill("UNSRI")
    page.get_by_label("Nama lembaga").fill("Universitas Sriwijaya")
    page.get_by_label("Jenis lembaga").select_option("universitas")
    page.get_by_label("Nomor akreditasi").fill("BAN-PT/123/2019")
    page.get_by_label("Tanggal akreditasi").fill("2019-01-01")
    page.get_by_label("Akreditasi berlaku sampai").fill("2024-01-01")
    page.get_by_label("MoU mulai").fill("2027-01-01")
    page.get_by_label("MoU berakhir").fill("2026-01-01")  # before its start: refused
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#mou_ends_on-error")).to_have_text(
        "Akhir MoU tidak boleh sebelum mulai MoU."
    )
    axe_check("partner form with an error")
    shot("partner-02-form-error")
    page.get_by_label("MoU berakhir").fill("2028-12-31")
    page.get_by_label("Nama narahubung").fill("Dr. Rina Marlina")
    page.get_by_label("Surel narahubung").fill("kerjasama@unsri.ac.id")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", name="Universitas Sriwijaya", level=1)).to_be_visible()
    expect(page.locator('[data-status="accreditation-expired"]')).to_have_text(
        "Akreditasi kedaluwarsa"
    )
    expect(page.locator('[data-status="mou-pending"]')).to_have_text("MoU belum berlaku")

    page.get_by_label("Nama pengguna").fill("staf.unsri")
    page.get_by_label("Nama lengkap").fill("Andi Pratama")
    page.get_by_role("button", name="Buat akun").click()
    temporary = page.locator("p.secret code").inner_text().strip()
    assert len(temporary) >= 8
    expect(page.get_by_role("row", name=re.compile("staf.unsri"))).to_contain_text("aktif")
    axe_check("partner detail with a new staff account")
    shot("partner-03-detail-staff")
    sign_out(page)

    # The new staff member: temporary password, forced change, then an empty course list.
    page.goto(f"{live_server}/masuk")
    page.get_by_label("Nama pengguna atau NIP").fill("staf.unsri")
    page.get_by_label("Kata sandi").fill(temporary)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/akun/kata-sandi")
    page.get_by_label("Kata sandi saat ini").fill(temporary)
    page.locator("#new").fill("sandi-unsri-2026")
    page.get_by_label("Ulangi kata sandi baru").fill("sandi-unsri-2026")
    page.get_by_role("button", name="Simpan kata sandi").click()
    page.goto(f"{live_server}/kelola/pelatihan")
    expect(page.get_by_role("heading", name="Pelatihan Universitas Sriwijaya")).to_be_visible()
    expect(page.get_by_text("0 pelatihan.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("KPM-101")
    sign_out(page)


@pytest.mark.browser
def test_demo_mitra_sees_only_its_institutions_course(page, live_server, shot, axe_check) -> None:
    sign_in(page, live_server, "mitra")
    card = page.locator("article", has=page.get_by_role("heading", name="Lembaga mitra"))
    expect(card).to_contain_text("BPSDMD Provinsi Sumatera Selatan")
    axe_check("mitra dashboard")
    shot("partner-04-mitra-dashboard")
    card.get_by_role("button", name="Pelatihan lembaga").click()
    expect(
        page.get_by_role("heading", name="Pelatihan BPSDMD Provinsi Sumatera Selatan")
    ).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("KPM-101")
    axe_check("mitra course list")
    shot("partner-05-mitra-courses")
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kepemimpinan Pengawas")
    page.goto(f"{live_server}/laporan/enrolments")
    expect(page.locator("main")).not_to_contain_text("Pelatihan BKPSDM")
    axe_check("mitra enrolments report")
    shot("partner-06-mitra-report")
    sign_out(page)
