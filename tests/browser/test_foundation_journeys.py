"""Main journeys of the foundation, in Chromium: every demo account, dashboards, phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out

ACCOUNTS = [
    ("admin", "Admin sistem"),
    ("bkpsdm", "Admin BKPSDM"),
    ("opd.dinkes", "Admin OPD"),
    ("pengajar", "Pengajar"),
    ("mitra", "Mitra"),
    ("atasan", "Atasan langsung"),
    ("pegawai", "Pegawai"),
]


@pytest.mark.browser
def test_pegawai_dashboard_desktop_and_phone(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/masuk")
    assert page.locator("html").get_attribute("lang") == "id"
    axe_check("login")
    shot("01-login")
    sign_in(page, live_server, "pegawai")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Halo,")
    expect(page.get_by_text("Profil kepegawaian")).to_be_visible()
    expect(page.locator("progress#jp-progress")).to_be_visible()
    axe_check("pegawai dashboard")
    shot("02-pegawai-dashboard-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px at phone width"
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("link", name="Ganti kata sandi")).to_be_visible()
    axe_check("pegawai dashboard, phone, menu open")
    shot("03-pegawai-dashboard-phone")
    page.get_by_role("link", name="Ganti kata sandi").click()
    expect(page.locator("#new")).to_be_visible()
    assert page.locator("label[for=new]").inner_text().startswith("Kata sandi baru")
    axe_check("change password, phone")
    sign_out(page)


@pytest.mark.browser
def test_bkpsdm_dashboard_and_employee_search(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "bkpsdm")
    expect(page.get_by_text("Administrasi BKPSDM")).to_be_visible()
    axe_check("bkpsdm dashboard")
    shot("04-bkpsdm-dashboard")
    page.get_by_text("Data pegawai").click()
    page.get_by_label("Cari nama atau NIP").fill("a")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/organisasi/pegawai?q=*")
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 5
    axe_check("employee list")
    shot("05-bkpsdm-employees")
    rows.first.get_by_role("link").click()
    expect(page.get_by_text("NIP").first).to_be_visible()
    axe_check("employee page")
    page.goto(f"{live_server}/organisasi/impor")
    axe_check("import page")
    page.goto(f"{live_server}/organisasi/unit")
    axe_check("units page")
    shot("06-bkpsdm-units")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/organisasi/pegawai")
    body_overflow = page.evaluate("document.body.scrollWidth - window.innerWidth")
    assert body_overflow <= 1  # wide tables scroll inside their own box
    shot("07-bkpsdm-employees-phone")


@pytest.mark.browser
@pytest.mark.parametrize(("username", "role_label"), ACCOUNTS)
def test_every_demo_account_lands_on_its_dashboard(
    page, live_server, axe_check, username, role_label
) -> None:
    sign_in(page, live_server, username)
    expect(page.locator(".roles .chip", has_text=role_label)).to_have_count(1)
    axe_check(f"dashboard of {username}")
    sign_out(page)


@pytest.mark.browser
def test_keyboard_skip_link_and_error_page(page, live_server, axe_check) -> None:
    page.goto(f"{live_server}/tidak-ada")
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Langsung ke isi"
    page.keyboard.press("Enter")
    expect(page.locator("#konten")).to_be_focused()
    axe_check("404 page")
    # The login form puts the cursor in its first field.
    page.goto(f"{live_server}/masuk")
    expect(page.locator("#identifier")).to_be_focused()  # autofocus lands a moment after load
