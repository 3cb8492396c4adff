"""Issue 15, points 15 and 16, as a user sees them in Chromium: the login page names the target,
breadcrumbs keep their separators under an Indonesian label, and in English mode the stored
notifications and the certificate dates are English (the PDF stays Indonesian)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

ENGLISH_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{1,2}, \d{4}\b"
)


def _switch(page, lang: str) -> None:
    page.locator("#lang-select").select_option(lang)
    page.locator("form.lang-switch button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_wording_and_english_mode(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server}/masuk")
    expect(page.get_by_text("target 20 JP tahunan")).to_be_visible()
    shot("i15w-01-login")

    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/pelatihan/KPM-101")
    crumbs = page.get_by_role("navigation", name="Lokasi halaman")
    expect(crumbs).to_be_visible()
    separator = crumbs.locator("li").first.evaluate("li => getComputedStyle(li, '::after').content")
    assert separator not in ("none", "normal", ""), separator  # Pico's divider, as before
    axe_check("course page (breadcrumb)")
    shot("i15w-02-course-breadcrumb")

    try:
        _switch(page, "en")
        page.goto(f"{live_server}/pemberitahuan")
        expect(page.get_by_text("Congratulations! You have completed").first).to_be_visible()
        assert "Selamat! Anda menyelesaikan" not in page.content()
        shot("i15w-03-notifications-english")

        page.goto(f"{live_server}/sertifikat")
        row = page.locator("table tbody tr").first
        assert ENGLISH_DATE.search(row.inner_text()), row.inner_text()
        shot("i15w-04-certificates-english")

        row.get_by_role("link").first.click()  # the number: the verification page
        page.wait_for_url(re.compile(r".*/verify/.+"))
        dates = page.locator("[data-field=end_date], [data-field=issue_date]")
        expect(dates.first).to_be_visible()
        for text in dates.all_inner_texts():
            assert ENGLISH_DATE.fullmatch(text.strip()), text
        axe_check("verification page in English")
        shot("i15w-05-verify-english")
    finally:
        _switch(page, "id")  # the account's language is stored: leave it Indonesian
