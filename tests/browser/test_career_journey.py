"""Issue 6 end to end in Chromium: a completion reaches the whole career side.

pegawai drafts a development plan with a catalogue course and an SKP that atasan agrees to (all
through the UI); BKPSDM notes the OPD's row of the JP table; pegawai completes the course (lessons,
post-test, evaluation) and sees it in the learning record (verified, with its JP), in the JP gauge,
as a ticked plan activity and as evidence of the current SKP period; atasan is told the period
has not ended yet, and once it has, evaluates pegawai, sees and acknowledges the training as
evidence, rates, and gets the predikat of the matrix;
BKPSDM sees the OPD's row change.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.careers.ledger.queries import target
from lms.careers.skp import evaluations, schedule
from lms.careers.skp import views as skp_views
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.services import opd_of
from tests.browser.conftest import answer_correctly, sign_in, sign_out

# Not KOM-101/MWK-101 (the certificate journey, the demo completion) nor TIK-101 (the learner
# journey): MPP-101, 6 JP, teknis.
COURSE = "MPP-101"
COURSE_TITLE = "Standar Pelayanan dan Peningkatan Kualitas Pelayanan Publik"
COURSE_JP = Decimal(6)
NEED = "Penyusunan standar pelayanan publik"
TARGET = "Tersusunnya standar pelayanan loket kepegawaian"
BERAKHLAK_NOTES = {
    "berorientasi_pelayanan": "Melayani pegawai yang datang ke loket dengan ramah.",
    "akuntabel": "Laporan bulanan selalu tepat waktu.",
    "kompeten": "Menerapkan materi standar pelayanan yang baru dipelajari.",
    "harmonis": "Menghargai rekan kerja.",
    "loyal": "Menjaga kerahasiaan data kepegawaian.",
    "adaptif": "Cepat menyesuaikan diri dengan aplikasi baru.",
    "kolaboratif": "Membantu subbidang lain saat sibuk.",
}


def _number(text: str) -> Decimal:
    """A figure as the pages print it: "11", "0,4", "2,5 JP"."""
    return Decimal(re.search(r"-?\d+(?:[.,]\d+)?", text)[0].replace(",", "."))


def _setup_facts(live_app) -> tuple[int, str, Decimal]:
    """The course id, pegawai's OPD name and the JP target."""
    with live_app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.code == COURSE))
        pegawai = db.session.scalar(select(User).where(User.username == "pegawai")).employee
        atasan = db.session.scalar(select(User).where(User.username == "atasan"))
        assert pegawai.supervisor_id == atasan.employee_id  # the demo's direct supervisor
        opd_name = opd_of(pegawai.unit).name
        goal = Decimal(target())
        db.session.remove()
    return course_id, opd_name, goal


def _current_slot(live_app, today):
    """pegawai's periodic evaluation slot that holds today (as the instansi sets the periods)."""
    with live_app.app_context():
        pegawai = db.session.scalar(select(User).where(User.username == "pegawai")).employee
        frequency = schedule.evaluation_period_of(pegawai)
        db.session.remove()
    slots = schedule.periodic_slots(frequency, today.year)
    return next(s for s in slots if s.starts <= today < s.ends)


def _opd_row(page, base: str, opd_name: str) -> dict[str, Decimal]:
    """BKPSDM's OPD JP table (/kelola/jp): the figures of one OPD's row."""
    page.goto(f"{base}/kelola/jp")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Capaian JP per perangkat daerah")
    row = page.locator("table tbody tr").filter(
        has=page.get_by_role("rowheader", name=opd_name, exact=True)
    )
    expect(row).to_have_count(1)
    cells = row.locator("td").all_inner_texts()
    return {
        "employees": _number(cells[0]),
        "at_target": _number(cells[1]),
        "average": _number(cells[3]),
    }


def _gauge_total(page) -> Decimal:
    """This year's JP from the gauge card: the big figure, checked against the chart's data."""
    card = page.locator("article.card").filter(has=page.locator(".big-figure")).first
    big = _number(card.locator(".big-figure strong").inner_text())
    data_row = card.locator("details.chart-data tbody tr").first
    assert _number(data_row.locator("td").text_content()) == big  # the gauge draws the same value
    return big


@pytest.mark.browser
def test_a_completion_reaches_record_ledger_plan_skp_and_hr(
    page,
    live_server,
    live_app,
    shot,
    axe_check,
    monkeypatch,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    year = local_today().year
    course_id, opd_name, goal = _setup_facts(live_app)

    # --- 1. Setup through the UI: pegawai's development plan and SKP, agreed by atasan. ---------
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/riwayat")
    jp_before = _gauge_total(page)

    page.goto(f"{live_server}/rencana")
    page.locator("#need-competency").fill(NEED)
    page.locator("#need-kind").select_option("teknis")
    page.locator("#need-current_level").select_option("2")
    page.locator("#need-target_level").select_option("3")
    page.locator("#need-reason").select_option("career")
    page.get_by_role("button", name="Tambah kebutuhan").click()
    expect(page.locator(".flash")).to_contain_text(f"Kebutuhan {NEED} ditambahkan.")
    page.locator("#act-kind").select_option("course")
    page.locator("#act-need_id").select_option(label=NEED)
    page.locator("#act-course_id").select_option(str(course_id))
    page.locator("#act-deadline").fill(f"{year}-12-31")
    page.get_by_role("button", name="Tambah kegiatan").click()
    expect(page.locator(".flash")).to_contain_text("Kegiatan ditambahkan ke rencana.")
    activity = page.locator("#kegiatan tbody tr").filter(has_text=COURSE_TITLE)
    expect(activity).to_contain_text("Direncanakan")
    axe_check("development plan, drafted")
    shot("80-career-plan-drafted")

    page.goto(f"{live_server}/kinerja")
    page.get_by_role("textbox", name="Rencana hasil kerja", exact=True).fill(TARGET)
    page.get_by_label("Indikator kinerja individu").fill("Standar pelayanan ditetapkan kepala")
    page.get_by_label("Target", exact=True).fill("1 dokumen")
    page.get_by_role("button", name="Tambah rencana hasil kerja").click()
    expect(page.locator(".flash")).to_contain_text("Rencana hasil kerja ditambahkan.")
    page.get_by_role("button", name="Ajukan SKP kepada atasan").click()
    expect(page.locator(".flash")).to_contain_text("SKP diajukan kepada atasan langsung Anda.")
    sign_out(page)

    sign_in(page, live_server, "atasan")
    page.goto(f"{live_server}/tim/kinerja")
    team = page.locator("table tbody tr").filter(has_text="Diajukan ke atasan")
    expect(team).to_have_count(1)
    team.locator("th a").click()
    page.wait_for_url(re.compile(r".*/tim/kinerja/\d+$"))
    period_url = page.url
    expect(page.get_by_text(TARGET)).to_be_visible()
    page.get_by_role("button", name="Sepakati SKP").click()
    expect(page.locator(".flash")).to_contain_text("disepakati")
    expect(page.locator("dl.facts")).to_contain_text("Disepakati")
    sign_out(page)

    # --- 2. BKPSDM notes pegawai's OPD in the JP table. -----------------------------------------
    sign_in(page, live_server, "bkpsdm")
    before = _opd_row(page, live_server, opd_name)
    axe_check("OPD JP table, before")
    shot("81-career-hr-jp-before")
    sign_out(page)

    # --- 3. pegawai completes the course: lessons, post-test, evaluation. -----------------------
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/pelatihan/{COURSE}")
    page.get_by_role("button", name="Daftar", exact=True).click()
    page.get_by_role("button", name="Mulai belajar").click()
    for _ in range(20):
        button = page.locator("main form button[type=submit]").filter(has_text="Tandai selesai")
        if button.count() == 0:
            break
        with page.expect_navigation():
            button.first.click()
    page.get_by_role("link", name=re.compile("Post-test")).first.click()
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_url("**/kuis/percobaan/*")
    answer_correctly(page, live_app)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#quiz-submit").click()
    page.wait_for_url("**/hasil")
    expect(page.locator("#attempt-status")).to_have_text("Sudah dinilai")
    page.goto(f"{live_server}/pelatihan/{COURSE}")
    page.get_by_role("button", name="Isi evaluasi penyelenggaraan").click()
    for radio in page.locator("fieldset.likert input[type=radio][value='5']").all():
        radio.check()
    page.locator("textarea").first.fill("Contoh maklumat pelayanan langsung bisa dipakai.")
    page.get_by_role("button", name="Kirim evaluasi").click()
    page.goto(f"{live_server}/pelatihan/{COURSE}")
    expect(page.locator(".completion-done")).to_be_visible()

    # The learning record lists it, verified, with its JP; the gauge shows the new total.
    page.goto(f"{live_server}/riwayat")
    record = page.locator(f"#tahun-{year} ~ .table-wrap tbody tr").filter(has_text=COURSE_TITLE)
    expect(record).to_have_count(1)
    expect(record).to_contain_text("tercatat otomatis")
    expect(record.locator("td").nth(4)).to_have_text("Terverifikasi")
    assert _number(record.locator("td").nth(2).inner_text()) == COURSE_JP
    jp_after = _gauge_total(page)
    assert jp_after == jp_before + COURSE_JP, (jp_before, jp_after)
    axe_check("learning record after the completion")
    shot("82-career-learning-record")

    # The plan's activity ticked itself.
    page.goto(f"{live_server}/rencana")
    activity = page.locator("#kegiatan tbody tr").filter(has_text=COURSE_TITLE)
    expect(activity.locator("td").nth(4)).to_contain_text("✓ Selesai")
    expect(page.locator("dl.facts")).to_contain_text(f"{jp_after.normalize():f}".replace(".", ","))
    axe_check("development plan, activity done")
    shot("83-career-plan-ticked")

    # The current SKP period (agreed) shows the training as evidence.
    page.goto(f"{live_server}/kinerja")
    expect(page.locator("dl.facts")).to_contain_text("Disepakati")
    evidence = page.locator("#bukti tbody tr").filter(has_text=f"({COURSE})")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text(COURSE_TITLE)
    axe_check("SKP with the training as evidence")
    shot("84-career-skp-evidence")
    sign_out(page)

    # --- 4. atasan evaluates once the period has ended (PermenPANRB 6/2022): before its end the
    # form says so and has no save button; then the clock moves to the day after it ends. The
    # training is evidence, acknowledged; sesuai × sesuai → Baik. ------------------------------
    sign_in(page, live_server, "atasan")
    current = _current_slot(live_app, local_today())
    page.goto(f"{period_url}/evaluasi?periode=periodic:{current.sequence}")
    expect(page.locator("form p.notice")).to_contain_text(f"Periode {current.label} belum berakhir")
    expect(page.get_by_role("button", name="Simpan evaluasi")).to_have_count(0)
    monkeypatch.setattr(schedule, "local_today", lambda: current.ends)
    monkeypatch.setattr(evaluations, "local_today", lambda: current.ends)
    monkeypatch.setattr(skp_views, "local_today", lambda: current.ends)
    page.goto(period_url)
    page.get_by_role("button", name="Beri evaluasi kinerja").click()  # a link styled as one
    page.wait_for_url(re.compile(r".*/tim/kinerja/\d+/evaluasi"))
    proof = page.get_by_label(f"{COURSE_TITLE} ({COURSE})")
    expect(proof).to_be_visible()
    proof.check()  # acknowledged as evidence (offered ticked; ticked it stays)
    expect(proof).to_be_checked()
    page.locator("input[name=hasil_kerja][value=sesuai]").check()
    page.locator("input[name=perilaku][value=sesuai]").check()
    for code, note in BERAKHLAK_NOTES.items():
        page.locator(f"#nilai_{code}").fill(note)
    page.get_by_label("Catatan umum dan rencana tindak lanjut").fill(
        "Pertahankan; terapkan standar pelayanan di loket."
    )
    axe_check("SKP evaluation form")
    shot("85-career-skp-evaluate")
    page.get_by_role("button", name="Simpan evaluasi").click()
    page.wait_for_url(re.compile(r".*/kinerja/evaluasi/\d+$"))
    expect(page.locator(".flash")).to_contain_text("predikat Baik")
    expect(page.locator(".big-figure strong")).to_have_text("Baik")  # the matrix: sesuai/sesuai
    shown = page.locator("#bukti-title + ul li").filter(has_text=COURSE_TITLE)
    expect(shown).to_contain_text("Diakui sebagai bukti")
    axe_check("SKP evaluation result")
    shot("86-career-skp-predikat")
    sign_out(page)
    monkeypatch.undo()

    # --- 5. BKPSDM: the OPD's row changed by exactly pegawai's 6 JP. ---------------------------
    sign_in(page, live_server, "bkpsdm")
    after = _opd_row(page, live_server, opd_name)
    axe_check("OPD JP table, after")
    shot("87-career-hr-jp-after")
    assert after["employees"] == before["employees"]
    crossed = int(jp_before < goal <= jp_after)
    assert after["at_target"] == before["at_target"] + crossed, (before, after)
    assert after["average"] > before["average"], (before, after)
    # Each average is rounded to 0.1: the rise is 6 JP shared by the OPD's employees.
    rise = COURSE_JP / before["employees"]
    assert abs(after["average"] - before["average"] - rise) <= Decimal("0.1"), (before, after)
