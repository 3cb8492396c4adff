"""Employee journey: search → enrol → two lessons → progress moves → log out and in → resume."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out


@pytest.mark.browser
def test_employee_search_enrol_learn_resume(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "pegawai")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Katalog pelatihan").click()
    page.get_by_label("Cari judul, kode, atau topik").fill("literasi digital")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url("**/pelatihan?q=*")
    cards = page.locator(".course-card")
    expect(cards).to_have_count(1)
    axe_check("catalogue")
    shot("10-learner-catalogue-search")
    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Silabus")).to_be_visible()
    axe_check("course page")
    shot("11-learner-course-page")
    page.get_by_role("button", name="Daftar").click()
    expect(page.get_by_text("Anda terdaftar. Selamat belajar!")).to_be_visible()
    page.get_by_role("button", name="Mulai belajar").click()
    expect(page.get_by_text("Pelajaran 1 dari 4")).to_be_visible()
    axe_check("lesson page")
    shot("12-learner-lesson-1")
    page.get_by_role("button", name="Tandai selesai dan lanjut").click()
    expect(page.get_by_text("Pelajaran 2 dari 4")).to_be_visible()
    assert page.locator("#lesson-progress").get_attribute("value") == "25"
    # Reaching the end of the second lesson marks it done without a click.
    page.locator("#lesson-end").scroll_into_view_if_needed()
    expect(page.locator("label[for=lesson-progress]")).to_contain_text("50%")
    shot("13-learner-lesson-2-done-by-scrolling")
    sign_out(page)
    sign_in(page, live_server, "pegawai")
    expect(page.get_by_text("Kemajuan 50%")).to_be_visible()
    axe_check("dashboard with a course in progress")
    shot("14-learner-dashboard-progress")
    page.get_by_role("link", name="Lanjutkan ›").first.click()
    expect(page.get_by_text("Pelajaran 2 dari 4")).to_be_visible()  # resumed where left off
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    shot("15-learner-lesson-phone")
