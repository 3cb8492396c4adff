"""A partner uploads module packages in Chromium: an unsafe zip is refused with every reason,
the golf SCORM package uploads with a progress bar, BKPSDM reads the report and the outline and
returns it with notes, the partner reads them. Screenshots at each step, axe on every page."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_out
from tests.packages import zips


@pytest.mark.browser
def test_partner_uploads_and_bkpsdm_returns(page, live_server, shot, axe_check, tmp_path) -> None:
    golf = zips.FIXTURES / "singlescobasic.zip"
    if not golf.exists():
        pytest.skip(f"shared fixture absent: {golf}")
    unsafe = tmp_path / "modul-berbahaya.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("imsmanifest.xml", zips.MANIFEST_12)
        archive.writestr("index.html", "<p>hai</p>")
        archive.writestr("../../etc/cron.html", "x")
        archive.writestr("alat.exe", "MZ")
    unsafe.write_bytes(out.getvalue())
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, live_server, "mitra")
    page.get_by_role("button", name="Unggah paket").first.click()
    page.wait_for_url("**/paket/unggah")
    axe_check("upload form")
    page.get_by_label("Paket modul (.zip)").set_input_files(str(unsafe))
    page.get_by_role("button", name="Unggah dan periksa").click()
    problems = page.locator("#upload-problems")
    expect(problems).to_contain_text("2 masalah")
    expect(problems).to_contain_text("../../etc/cron.html")
    expect(problems).to_contain_text("alat.exe")
    axe_check("refused upload")
    shot("packages-01-refused")

    # A slow line: the progress bar follows the bytes sent.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 96_000},
    )
    page.get_by_label("Paket modul (.zip)").set_input_files(str(golf))
    page.get_by_label("Kode modul").fill("GOLF-DASAR")
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#upload-progress")).to_be_visible()
    page.wait_for_function(
        "() => { const v = document.getElementById('upload-bar'); return v && v.value > 5; }"
    )
    shot("packages-02-progress")
    page.wait_for_url("**/paket/versi/*", timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.locator("main")).to_contain_text("Menunggu telaah")
    expect(page.locator("#outline")).to_contain_text("shared/launchpage.html")
    axe_check("version page (partner)")
    shot("packages-03-uploaded")
    sign_out(page)

    sign_in(page, live_server, "bkpsdm")
    page.goto(f"{live_server}/paket")
    page.get_by_role("link", name="Golf Explained - Run-time Basic Calls").click()
    page.get_by_role("link", name="1", exact=True).click()
    expect(page.locator("#validation-report")).to_contain_text("46 berkas")
    axe_check("version page (reviewer)")
    shot("packages-04-review")
    page.get_by_label("Catatan untuk mitra").fill("Tambahkan halaman tujuan pembelajaran.")
    page.get_by_role("button", name="Kembalikan ke mitra").click()
    expect(page.locator("main")).to_contain_text("Dikembalikan")
    sign_out(page)

    sign_in(page, live_server, "mitra")
    page.goto(f"{live_server}/paket")
    expect(page.locator("main")).to_contain_text("Dikembalikan")
    page.get_by_role("link", name="Golf Explained - Run-time Basic Calls").click()
    expect(page.locator("main")).to_contain_text("Tambahkan halaman tujuan pembelajaran.")
    axe_check("package page with notes")
    shot("packages-05-partner-notes")
