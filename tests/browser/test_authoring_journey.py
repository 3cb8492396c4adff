"""Trainer authoring in Chromium: a course with a lesson and an image → submit → BKPSDM
publishes → the course is in the catalogue. Screenshots at each step, axe on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.conftest import loaded_width, sign_in, sign_out

TITLE = "Menulis Pesan Layanan Publik yang Jelas"
CODE = "KOM-UJI-301"


def _picture(path: Path) -> Path:
    """A small diagram as the lesson image (and the cover)."""
    img = Image.new("RGB", (480, 200), "#eef6f3")
    draw = ImageDraw.Draw(img)
    for i, label in enumerate(("Warga", "Petugas", "Jawaban")):
        x = 20 + i * 155
        draw.rectangle([x, 60, x + 130, 140], outline="#0b5d4b", width=4, fill="#ffffff")
        draw.text((x + 30, 92), label, fill="#0b5d4b")
    img.save(path, "PNG")
    return path


@pytest.mark.browser
def test_trainer_authors_a_course_and_bkpsdm_publishes_it(
    page, live_server, shot, axe_check, tmp_path
) -> None:
    picture = _picture(tmp_path / "alur-layanan.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. The trainer's dashboard has "Pelatihan saya"; create a course.
    sign_in(page, live_server, "pengajar")
    section = page.locator("section.dash-trainer")
    expect(section.get_by_role("heading", name="Pelatihan saya")).to_be_visible()
    axe_check("trainer dashboard")
    shot("authoring-01-trainer-dashboard")
    section.get_by_role("button", name="Buat pelatihan").click()
    page.wait_for_url("**/kelola/pelatihan/baru")
    # Bad input first: no title and JP 0 are refused with messages on the fields.
    page.get_by_label("Kode pelatihan").fill(CODE)
    page.get_by_label("Jam pelajaran (JP)").fill("0")
    page.get_by_role("button", name="Buat pelatihan").click()
    assert page.locator("#title-error").inner_text() == "Judul pelatihan wajib diisi."
    axe_check("new course form with errors")
    shot("authoring-02-new-course-errors")
    page.get_by_label("Kategori").select_option("Komunikasi")
    page.get_by_label("Judul pelatihan").fill(TITLE)
    page.get_by_label("Ringkasan").fill(
        "Menyusun jawaban, pengumuman, dan surat balasan yang mudah dipahami warga Palembang."
    )
    page.get_by_label("Tujuan pembelajaran").fill(
        "Menulis kalimat pendek dan lugas\nMenyusun jawaban pengaduan dalam tiga langkah"
    )
    page.get_by_label("Jenis kompetensi").select_option("sosial_kultural")
    page.get_by_label("Jenis pengembangan kompetensi (kode SIASN)").select_option(index=1)
    page.get_by_label("Jam pelajaran (JP)").fill("3")
    page.get_by_label("Kata kunci").fill("komunikasi, layanan publik")
    page.get_by_label("Gambar sampul").set_input_files(str(picture))
    page.get_by_role("button", name="Buat pelatihan").click()
    page.wait_for_url(re.compile(r".*/kelola/pelatihan/\d+$"))
    course_url = page.url
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text(f"Pelatihan {CODE} dibuat sebagai draf")).to_be_visible()

    # 2. A module, then a lesson: preview the Markdown, then save it with an image.
    page.get_by_label("Judul modul").fill("Dasar menulis jelas")
    page.get_by_role("button", name="Tambah modul").click()
    expect(page.get_by_role("heading", name="Modul 1: Dasar menulis jelas")).to_be_visible()
    axe_check("course page with a module")
    shot("authoring-03-course-with-module")
    page.get_by_role("button", name="Tambah pelajaran").click()
    page.get_by_label("Judul pelajaran").fill("Kalimat pendek, makna jelas")
    page.get_by_label("Perkiraan durasi (menit)").fill("20")
    page.get_by_label("Isi pelajaran (Markdown)").fill(
        "## Mengapa kalimat pendek?\n\nWarga membaca pengumuman sambil antre di kantor kelurahan. "
        "Kalimat pendek **lebih cepat dipahami**.\n\n- Satu gagasan per kalimat\n- Pakai kata yang umum\n\n"
        "<script>alert('tidak jalan')</script>"
    )
    page.get_by_role("button", name="Pratinjau").click()
    preview = page.locator("article.lesson-preview")
    expect(preview.get_by_role("heading", name="Mengapa kalimat pendek?")).to_be_visible()
    assert "<script>" in preview.inner_text()  # shown as text, never run
    axe_check("lesson form with preview")
    shot("authoring-04-lesson-preview")
    page.get_by_label("Tambahkan gambar di akhir isi").set_input_files(str(picture))
    page.get_by_label("Keterangan gambar (teks alternatif)").fill(
        "Alur jawaban: warga, petugas, jawaban"
    )
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(re.compile(r".*/kelola/pelatihan/\d+/pelajaran/\d+$"))
    expect(page.get_by_text("Pelajaran “Kalimat pendek, makna jelas” tersimpan.")).to_be_visible()
    body = page.get_by_label("Isi pelajaran (Markdown)").input_value()
    match = re.search(r"!\[Alur jawaban: warga, petugas, jawaban\]\((/berkas/\d+)\)", body)
    assert match, body
    image_url = match.group(1)
    # The snippet list offers the image; "Sisipkan" puts it into the text at the cursor.
    item = page.locator("ul.snippets li", has_text=f"({image_url})")
    assert item.locator("code").inner_text() == f"![alur-layanan]({image_url})"
    item.get_by_role("button", name=re.compile("^Sisipkan")).click()
    assert page.get_by_label("Isi pelajaran (Markdown)").input_value().count(image_url) == 2
    page.get_by_role("button", name="Pratinjau").click()
    image = page.locator("article.lesson-preview img")
    expect(image).to_have_count(2)
    assert loaded_width(image.first) == 480
    axe_check("lesson with image, preview")
    shot("authoring-05-lesson-with-image")

    # 3. Preview as a learner, then submit for review.
    page.goto(course_url)
    page.get_by_role("button", name="Pratinjau sebagai peserta").click()
    expect(page.get_by_role("heading", name="Kalimat pendek, makna jelas")).to_be_visible()
    learner_image = page.locator(".prose img")
    expect(learner_image).to_have_count(1)
    assert loaded_width(learner_image) == 480
    assert loaded_width(page.locator("img.course-cover")) == 480
    axe_check("learner preview")
    shot("authoring-06-learner-preview")
    page.goto(course_url)
    page.get_by_role("button", name="Ajukan telaah ke BKPSDM").click()
    expect(page.get_by_text("Versi 1 diajukan ke BKPSDM untuk ditelaah.")).to_be_visible()
    expect(page.get_by_text("Menunggu telaah").first).to_be_visible()
    axe_check("course in review")
    shot("authoring-07-submitted")
    sign_out(page)

    # 4. BKPSDM sees the queue on the dashboard, reviews and publishes.
    sign_in(page, live_server, "bkpsdm")
    review = page.locator("section.dash-review")
    assert int(review.locator("strong").inner_text()) >= 1
    axe_check("bkpsdm dashboard with review queue")
    shot("authoring-08-bkpsdm-dashboard")
    review.get_by_role("button", name="Buka antrean telaah").click()
    page.wait_for_url("**/kelola/pelatihan/telaah")
    axe_check("review queue")
    shot("authoring-09-review-queue")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Keputusan telaah")).to_be_visible()
    assert loaded_width(page.locator(".prose img")) == 480
    axe_check("review page")
    shot("authoring-10-review-page")
    page.get_by_role("button", name="Terbitkan versi 1").click()
    page.wait_for_url("**/kelola/pelatihan/telaah")
    expect(
        page.get_by_text(f"Versi 1 pelatihan {CODE} terbit dan tampil di katalog.")
    ).to_be_visible()
    shot("authoring-11-published")
    # Enrolment settings: 25 seats. The authoring page also works at phone width.
    page.goto(course_url)
    page.get_by_role("button", name="Pengaturan pendaftaran").click()
    page.get_by_label("Kapasitas (kursi)").fill("25")
    axe_check("course settings")
    shot("authoring-12-settings")
    page.get_by_role("button", name="Simpan pengaturan").click()
    expect(page.get_by_text(f"Pengaturan pelatihan {CODE} tersimpan.")).to_be_visible()
    expect(page.get_by_text("25 kursi")).to_be_visible()
    expect(page.get_by_role("button", name="Buat draf baru")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    overflow = page.evaluate("document.body.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the course page scrolls sideways by {overflow}px at phone width"
    axe_check("published course, authoring view, phone")
    shot("authoring-13-published-course-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    # 5. An employee finds it in the catalogue and sees the lesson image on the course page.
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/pelatihan?q=pesan+layanan")
    card = page.locator("article.course-card", has_text=TITLE)
    expect(card).to_have_count(1)
    axe_check("catalogue search")
    shot("authoring-14-catalogue")
    card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text("Kalimat pendek, makna jelas")).to_be_visible()
    axe_check("published course page")
    shot("authoring-15-course-page")
    assert (
        page.request.get(f"{live_server}{image_url}").headers["x-content-type-options"] == "nosniff"
    )
