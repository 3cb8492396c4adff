"""Partner institutions in Chromium (issue 16, point 1): BKPSDM registers a partner and gives it
a staff account; the new staff member changes the temporary password and finds no other
institution's course; the demo `mitra` sees its own institution's course (KPM-101) only; a
partner's staff read their institution's profile, are refused uploads once its accreditation
expired, and are shut out while BKPSDM has the institution deactivated."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.auth.services import create_user
from lms.extensions import db
from lms.indonesian import local_today
from lms.permissions import Role
from tests.browser.conftest import SHOTS, sign_in, sign_out


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
    accreditation = demo.locator('[data-accreditation="accreditation-valid"]')
    expect(accreditation.locator(".chip")).to_have_text("berlaku")
    expect(accreditation).to_contain_text("s.d. 28 Feb 2029")
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


STAFF_PASSWORD = "sandi-lan-2026"


def _look(other_page, label: str, name: str) -> None:
    """axe and a screenshot for a page of a second browser context (the fixtures hold `page`)."""
    from axe_playwright_python.sync_playwright import Axe

    bad = [
        v["id"]
        for v in Axe().run(other_page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {label}: {bad}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    other_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _lan_partner(live_app, expires_in_days: int) -> None:
    """A partner whose accreditation ends ``expires_in_days`` from today, with staff `staf.lan`."""
    with live_app.app_context():
        partner = db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "LAN-UJI")
        )
        if partner is None:
            partner = PartnerInstitution(
                code="LAN-UJI",
                name="Lembaga Administrasi Negara",
                kind="lan",
                accreditation_number="LAN/AKR/2021/07",
                mou_number="MoU/LAN/2026",
                contact_name="Hendra Gunawan",
                contact_email="kerjasama@lan.example.go.id",
            )
            db.session.add(partner)
            db.session.flush()
            staff = create_user("staf.lan", STAFF_PASSWORD, {Role.MITRA}, "Fitri Handayani")
            staff.partner_id = partner.id
            colleague = create_user("staf.lan2", STAFF_PASSWORD, {Role.MITRA}, "Bayu Nugroho")
            colleague.partner_id = partner.id
        partner.accreditation_expires_on = local_today() + timedelta(days=expires_in_days)
        db.session.commit()


@pytest.mark.browser
def test_partner_profile_expired_accreditation_and_deactivation(
    page, live_server, live_app, shot, axe_check
) -> None:
    _lan_partner(live_app, 30)
    sign_in(page, live_server, "staf.lan", STAFF_PASSWORD)
    _menu(page, "Profil lembaga")
    expect(page.get_by_role("heading", name="Lembaga Administrasi Negara", level=1)).to_be_visible()
    expect(page.locator('[data-accreditation="ending"]')).to_contain_text("(30 hari lagi)")
    expect(page.locator("#colleagues")).to_contain_text("Bayu Nugroho")
    expect(page.locator("main")).not_to_contain_text("BPSDMD Provinsi Sumatera Selatan")
    axe_check("partner's own profile")
    shot("partner-07-own-profile-ending")

    _lan_partner(live_app, -1)  # the accreditation has now expired
    page.goto(f"{live_server}/dasbor")
    page.locator("article", has=page.get_by_role("heading", name="Lembaga mitra")).get_by_role(
        "button", name="Unggah paket"
    ).click()
    expect(page.locator("#upload-refused")).to_contain_text(
        "sehingga paket modul baru tidak dapat diunggah"
    )
    expect(page.locator("#package-upload")).to_have_count(0)
    axe_check("upload refused: accreditation expired")
    shot("partner-08-upload-refused")

    # BKPSDM sees the state in its list, then deactivates the institution (after confirming)
    # while the staff member is still signed in elsewhere.
    bkpsdm = page.context.browser.new_context().new_page()
    sign_in(bkpsdm, live_server, "bkpsdm")
    bkpsdm.goto(f"{live_server}/kelola/lembaga-mitra")
    row = bkpsdm.get_by_role("row", name=re.compile("Lembaga Administrasi Negara"))
    expect(row.locator('[data-accreditation="accreditation-expired"]')).to_contain_text(
        "kedaluwarsa"
    )
    row.get_by_role("link", name="Lembaga Administrasi Negara").click()
    bkpsdm.get_by_role("button", name="Nonaktifkan lembaga").click()
    expect(bkpsdm.get_by_role("heading", level=1)).to_have_text(
        "Nonaktifkan Lembaga Administrasi Negara?"
    )
    expect(bkpsdm.locator("main")).to_contain_text("2 akun staf aktifnya tidak dapat masuk")
    _look(bkpsdm, "deactivation confirmation", "partner-09-deactivate-confirm")
    bkpsdm.get_by_role("button", name="Ya, nonaktifkan lembaga").click()
    expect(bkpsdm.locator("#partner-inactive")).to_be_visible()
    expect(bkpsdm.get_by_role("row", name=re.compile("staf.lan2"))).to_contain_text(
        "tertahan selama lembaga nonaktif"
    )
    _look(bkpsdm, "deactivated partner", "partner-10-deactivated")

    page.goto(f"{live_server}/lembaga-saya")  # the staff member's next request
    page.wait_for_url("**/masuk**")
    page.get_by_label("Nama pengguna atau NIP").fill("staf.lan")
    page.get_by_label("Kata sandi").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator(".flash-error")).to_have_text(
        "Lembaga mitra Anda (Lembaga Administrasi Negara) sedang dinonaktifkan oleh BKPSDM, "
        "sehingga akun ini tidak dapat masuk. Hubungi BKPSDM untuk informasi lebih lanjut."
    )
    axe_check("login refused: partner inactive")
    shot("partner-11-login-refused")

    bkpsdm.get_by_role("button", name="Aktifkan lembaga").click()
    expect(bkpsdm.locator("#partner-inactive")).to_have_count(0)
    bkpsdm.context.close()
    sign_in(page, live_server, "staf.lan", STAFF_PASSWORD)
    sign_out(page)
