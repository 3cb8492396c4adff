"""An employee completes a demo course in Chromium: the lessons, the post-test (passed), the
course evaluation; the certificate appears at once, its PDF downloads and reads back with every
field, and its QR code leads to the public verification page, which shows a verifier the fields
they need (NIP masked); a typed number shows only the validity until the holder's NIP is given."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.browser.conftest import SHOTS, answer_correctly, sign_in

COURSE = "KOM-101"
TOOLS = ("pdftotext", "pdftoppm", "zbarimg")


def _squash(text: str) -> str:
    """pdftotext splits letter-spaced words: compare without any whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.mark.browser
def test_employee_completes_a_course_and_verifies_the_certificate(
    page,
    live_server,
    live_app,
    shot,
    axe_check,
) -> None:
    if missing := [t for t in TOOLS if shutil.which(t) is None]:
        pytest.fail(f"install poppler-utils and zbar-tools: missing {missing}")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "pegawai")

    # The demo certificate is there from the start.
    page.goto(f"{live_server}/sertifikat")
    expect(page.get_by_text("Manajemen Waktu dan Produktivitas Kerja ASN").first).to_be_visible()
    axe_check("my certificates (demo)")
    shot("70-certificates-demo")

    # Enrol and work through every lesson.
    page.goto(f"{live_server}/pelatihan/{COURSE}")
    page.get_by_role("button", name="Daftar", exact=True).click()
    start = page.get_by_role("button", name="Mulai belajar")
    expect(start).to_be_visible()
    expect(page.get_by_text("Lulus Post-test")).to_be_visible()  # what is still missing
    start.click()
    for _ in range(20):
        button = page.locator("main form button[type=submit]").filter(has_text="Tandai selesai")
        if button.count() == 0:
            break
        with page.expect_navigation():
            button.first.click()
    expect(page.get_by_role("link", name=re.compile("Post-test")).first).to_be_visible()
    shot("71-last-lesson")

    # The post-test: start, answer everything right, submit.
    page.get_by_role("link", name=re.compile("Post-test")).first.click()
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_url("**/kuis/percobaan/*")
    answer_correctly(page, live_app)
    shot("72-posttest-answered")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#quiz-submit").click()
    page.wait_for_url("**/hasil")
    expect(page.locator("#attempt-status")).to_have_text("Sudah dinilai")
    axe_check("post-test result")

    # Not complete yet: the course page names the missing evaluation.
    page.goto(f"{live_server}/pelatihan/{COURSE}")
    expect(page.get_by_text("Isi evaluasi penyelenggaraan.")).to_be_visible()
    shot("73-course-missing-evaluation")
    page.get_by_role("button", name="Isi evaluasi penyelenggaraan").click()
    for radio in page.locator("fieldset.likert input[type=radio][value='5']").all():
        radio.check()
    page.locator("textarea").first.fill("Materinya praktis untuk loket pelayanan.")
    axe_check("evaluation form")
    shot("74-evaluation-form")
    page.get_by_role("button", name="Kirim evaluasi").click()

    # Complete: the certificate is on the course page and in the list.
    page.goto(f"{live_server}/pelatihan/{COURSE}")
    expect(page.locator(".completion-done")).to_be_visible()
    number = re.search(r"Sertifikat nomor (\S+)", page.locator(".completion-done").inner_text())[1]
    axe_check("course completed")
    shot("75-course-completed")
    page.goto(f"{live_server}/sertifikat")
    expect(page.get_by_text(number)).to_be_visible()
    shot("76-certificates")

    with live_app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
        cert_id, token, fields = certificate.id, certificate.token, dict(certificate.fields)
        db.session.remove()

    # The PDF downloads (with the learner's session) and reads back with every key field.
    response = page.request.get(f"{live_server}/sertifikat/{cert_id}/pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "77-certificate.pdf"
    pdf.write_bytes(response.body())
    text = _squash(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    for value in (fields["name"], fields["nip"], fields["title"], fields["jp_words"], number):
        assert _squash(value) in text, value
    assert _squash(f"{fields['jp']} ({fields['jp_words'].split('(')[1].split(')')[0]})") in text

    # Page 1 as an image (looked at), and its QR code decoded to the verify URL.
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SHOTS / "78-certificate"),
        ],
        check=True,
    )
    png = next(Path(SHOTS).glob("78-certificate*.png"))
    qr = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
    url = qr.stdout.strip()
    assert url.endswith(f"/verify/{token}"), qr.stdout + qr.stderr

    # The QR's page shows a verifier what they need (public: a fresh, signed-out context).
    sign_out_context = page.context.browser.new_context()
    visitor = sign_out_context.new_page()
    visitor.goto(f"{live_server}/verify/{token}")
    body = visitor.locator("main").inner_text()
    masked = fields["nip"][:4] + "*" * 10 + fields["nip"][-4:]
    for value in (fields["name"], fields["title"], number, "BERLAKU", masked, "Kualifikasi"):
        assert value in body, value
    for value in (fields["nip"], fields["nip"][:8], fields["birth"], fields["jabatan"]):
        assert value not in _squash(body), value
    visitor.screenshot(path=str(SHOTS / "79-verify.png"), full_page=True)

    # A number typed by hand shows only the validity, until the holder's NIP is given.
    visitor.goto(f"{live_server}/verify")
    visitor.get_by_label("Nomor sertifikat").fill(number)
    visitor.get_by_role("button", name="Periksa").click()
    body = visitor.locator("main").inner_text()
    assert "BERLAKU" in body and number in body
    assert fields["name"] not in body and fields["title"] not in body
    visitor.screenshot(path=str(SHOTS / "79-verify-number.png"), full_page=True)
    visitor.get_by_label("NIP pemegang (18 angka)").fill(
        fields["nip"][:8] + " " + fields["nip"][8:]
    )
    visitor.get_by_role("button", name="Tampilkan data").click()
    body = visitor.locator("main").inner_text()
    assert fields["name"] in body and masked in body and fields["title"] in body
    assert "tanggal_lahir" not in visitor.url  # the script sends only the field filled in
    assert f"nip={fields['nip']}" in visitor.url  # without the spaces
    visitor.screenshot(path=str(SHOTS / "79-verify-proof.png"), full_page=True)
    sign_out_context.close()
