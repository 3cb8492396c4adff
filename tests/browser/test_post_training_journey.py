"""Issue 18 point 3 end to end in Chromium: a post-training evaluation (evaluasi pascapelatihan).

Fajar (an employee of Diskominfo) completed KPM-101 in a classroom three months ago; his direct
supervisor is Rina. The daily job (the cron command) invites both: a notification and an e-mail
each (captured by a local SMTP server). Fajar opens his notification, is told what is missing
when he sends too little, and answers; Rina answers from hers. BKPSDM sees the result on the
course's post-training page and in the report filtered to the course (the row, the chart, the
OPD summary). Rina sees both answers on Fajar's SKP, evaluates the quarter once it has ended (the
clock moves, as in the career journey) and finds them as evidence on the evaluation's page.

The two people are made for this journey (not the demo's pegawai/atasan, whose SKP the career
journey evaluates), so the journeys do not depend on their order.
"""

from __future__ import annotations

import re
import socket
import time
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth import services as auth
from lms.auth.models import User
from lms.careers.skp import evaluations, schedule
from lms.careers.skp import services as skp
from lms.careers.skp import views as skp_views
from lms.completion.consumers import dispatch
from lms.completion.services import record_classroom
from lms.courses.models import Course
from lms.evaluations.followup.models import Followup
from lms.evaluations.followup.rules import add_months
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Unit
from tests.browser.conftest import loaded_width, sign_in, sign_out
from tests.factories import make_employee, make_nip

COURSE = "KPM-101"
COURSE_TITLE = "Kepemimpinan Pengawas: Memimpin Tim melalui Coaching dan Umpan Balik"
UNIT = "DISKOMINFO-APTIKA"
OPD_NAME = "Dinas Komunikasi dan Informatika"
ALUMNUS, SUPERVISOR = "fajar.pasca", "rina.pasca"
CHANGED = "Saya kini memakai model GROW dalam coaching mingguan bersama tim aplikasi."
OBSTACLE = "Jadwal rapat yang padat membuat sesi coaching sering tertunda."
PASSWORD = "Pasca-Latihan-2026"  # the demo's own password is refused for a new account
SEEN = "Fajar rutin memberi umpan balik SBI; dua anggota timnya menyelesaikan modul lebih cepat."


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(live_app) -> dict:
    """Fajar and Rina with accounts; Fajar's classroom completion of KPM-101 three months ago,
    fed through the outbox (the follow-up is scheduled, open today); his SKP of this year,
    agreed by Rina."""
    today = local_today()
    with live_app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == UNIT))
        rina = make_employee(
            unit,
            "Rina Marlina",
            gender="P",
            nip=make_nip("2", birth=date(1983, 2, 14), appointed="200803"),
            position_name="Kepala Seksi Aplikasi",
            golongan_code="III/d",
            email="rina@contoh.test",
        )
        fajar = make_employee(
            unit,
            "Fajar Nugroho",
            rina,
            nip=make_nip("1", birth=date(1992, 7, 21), appointed="201903"),
            position_name="Pranata Komputer Ahli Pertama",
            email="fajar@contoh.test",
        )
        auth.create_user(ALUMNUS, PASSWORD, set(), employee=fajar)
        rina_user = auth.create_user(SUPERVISOR, PASSWORD, set(), employee=rina)
        hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        course = db.session.scalar(select(Course).where(Course.code == COURSE))
        done = record_classroom(fajar, course, completed_on=add_months(today, -3), score=86, by=hr)
        period = skp.ensure_period(fajar, today.year)
        skp.add_target(
            period,
            skp.TargetInput(
                "Terlaksananya coaching tim pengembang aplikasi", "Sesi coaching", "12 sesi"
            ),
        )
        skp.submit_period(period)
        skp.decide_period(period, rina_user, True)
        db.session.commit()
        dispatch()  # the post_training consumer schedules the follow-up
        followup = db.session.scalar(select(Followup).where(Followup.completion_id == done.id))
        assert followup is not None and followup.due_on <= today <= followup.closes_on
        facts = {
            "followup_id": followup.id,
            "course_id": course.id,
            "period_id": period.id,
            "frequency": schedule.evaluation_period_of(fajar),
        }
        db.session.remove()
    return facts


def _send_due(live_app, monkeypatch) -> _Inbox:
    """The daily job, as cron runs it, with a local SMTP server catching the e-mails."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(live_app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(live_app.config, "SMTP_PORT", controller.port)
    try:
        result = live_app.test_cli_runner().invoke(args=["followup", "send-due"])
        assert result.exit_code == 0, result.output
        assert "2 notice(s) sent" in result.output, result.output
        deadline = time.monotonic() + 5
        while len(inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    return inbox


def _answer(page, ratings: list[str], changed: str, obstacle: str = "") -> None:
    for fieldset, value in zip(page.locator("fieldset.likert").all(), ratings, strict=True):
        fieldset.locator(f"input[type=radio][value='{value}']").check()
    page.locator("#text_changed").fill(changed)
    page.locator("#text_obstacles").fill(obstacle)
    page.get_by_role("button", name="Kirim jawaban").click()


@pytest.mark.browser
def test_post_training_questionnaire_reaches_the_report_and_the_skp(
    page, live_server, live_app, shot, axe_check, monkeypatch
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    facts = _setup(live_app)
    followup_id = facts["followup_id"]

    # --- 1. The daily job invites both sides, in the app and by e-mail. -------------------------
    inbox = _send_due(live_app, monkeypatch)
    mail = {tos[0]: body for tos, body in inbox.messages}
    assert set(mail) == {"fajar@contoh.test", "rina@contoh.test"}
    assert f"/evaluasi-pascapelatihan/{followup_id}" in mail["fajar@contoh.test"]
    assert f"/tim/evaluasi-pascapelatihan/{followup_id}" in mail["rina@contoh.test"]
    assert "Subject: Akademi ASN: Evaluasi pascapelatihan" in mail["rina@contoh.test"]

    # --- 2. Fajar answers from his notification. ------------------------------------------------
    sign_in(page, live_server, ALUMNUS, PASSWORD)
    page.goto(f"{live_server}/pemberitahuan")
    invitation = page.locator("tbody tr").filter(has_text="Evaluasi pascapelatihan")
    expect(invitation).to_have_count(1)
    expect(invitation).to_contain_text(f"{COURSE_TITLE}: ceritakan penerapannya di tempat kerja")
    axe_check("alumnus's notifications")
    shot("97-pascapelatihan-00-alumnus-notification")
    invitation.get_by_role("link", name="Buka").click()
    page.wait_for_url(f"**/evaluasi-pascapelatihan/{followup_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluasi pascapelatihan")
    expect(page.locator("#followup-state")).to_contain_text("Menunggu jawaban")
    axe_check("alumnus's questionnaire")
    shot("97-pascapelatihan-01-alumnus-form")
    # Too little: two statements and the required story left out.
    page.locator("fieldset.likert").nth(0).locator("input[value='4']").check()
    page.locator("fieldset.likert").nth(2).locator("input[value='5']").check()
    page.get_by_role("button", name="Kirim jawaban").click()
    errors = page.locator("#followup-errors")
    expect(errors).to_contain_text("Jawaban belum terkirim")
    expect(errors).to_contain_text("Pilih salah satu jawaban (1–5).")
    expect(errors).to_contain_text("Pertanyaan ini wajib dijawab.")
    axe_check("alumnus's questionnaire with errors")
    shot("97-pascapelatihan-02-alumnus-errors")
    _answer(page, ["4", "4", "5", "3"], CHANGED, OBSTACLE)
    page.wait_for_url("**/evaluasi-pascapelatihan")
    expect(page.locator(".flash")).to_contain_text("Terima kasih, jawaban Anda tersimpan.")
    row = page.locator("#saya tbody tr").filter(has_text=COURSE_TITLE)
    expect(row).to_contain_text("Sudah dijawab")
    axe_check("alumnus's list, answered")
    shot("97-pascapelatihan-03-alumnus-answered")
    sign_out(page)

    # --- 3. Rina answers for her direct report. -------------------------------------------------
    sign_in(page, live_server, SUPERVISOR, PASSWORD)
    page.goto(f"{live_server}/evaluasi-pascapelatihan")
    team = page.locator("#tim tbody tr").filter(has_text="Fajar Nugroho")
    expect(team).to_contain_text("Menunggu jawaban")
    axe_check("supervisor's list")
    team.get_by_role("link", name="Fajar Nugroho").click()
    page.wait_for_url(f"**/tim/evaluasi-pascapelatihan/{followup_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Evaluasi pascapelatihan: Fajar Nugroho"
    )
    expect(page.get_by_text("Pegawai menerapkan pengetahuan atau keterampilan")).to_be_visible()
    axe_check("supervisor's questionnaire")
    shot("97-pascapelatihan-04-supervisor-form")
    _answer(page, ["5", "4", "4", "5"], SEEN)
    expect(page.locator(".flash")).to_contain_text("Terima kasih, jawaban Anda tersimpan.")
    expect(page.locator("#tim tbody tr").filter(has_text="Fajar Nugroho")).to_contain_text(
        "Sudah dijawab"
    )
    sign_out(page)

    # --- 4. BKPSDM: the course's page and its report. -------------------------------------------
    sign_in(page, live_server, "bkpsdm")
    page.goto(f"{live_server}/kelola/pascapelatihan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluasi pascapelatihan")
    axe_check("BKPSDM's overview")
    shot("97-pascapelatihan-05-hr-overview")
    page.goto(f"{live_server}/kelola/pelatihan/{facts['course_id']}/pascapelatihan")
    expect(page.locator("#answers-alumnus")).to_have_text(re.compile(r"[1-9]\d*"))
    expect(page.locator("#hasil-alumnus-section")).to_contain_text(CHANGED)
    expect(page.locator("#hasil-supervisor-section")).to_contain_text(SEEN)
    axe_check("course's post-training page")
    shot("97-pascapelatihan-06-course-page")
    page.get_by_role("button", name="Buka laporan").click()  # a link styled as one
    page.wait_for_url(re.compile(rf".*/laporan/post-training\?pelatihan={COURSE}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluasi pascapelatihan")
    row = page.locator(".report-table tbody tr").filter(has_text=COURSE)
    expect(row).to_have_count(1)
    cells = row.locator("td").all_inner_texts()
    # kode, judul, jenis, alumni, alumni's answers, supervisors', alumni's mean, supervisors', index
    assert cells[2] == "Pelatihan" and cells[3:6] == ["1", "1", "1"], cells
    assert cells[6:] == ["4", "4,5", "85"], cells  # (4+4+5+3)/4, (5+4+4+5)/4, (4+4.5)/2 × 20
    opd = page.locator("#per-opd ~ .table-wrap tbody tr").filter(has_text=OPD_NAME)
    expect(opd).to_have_count(1)
    picture = page.locator("figure.chart-figure img").first
    assert picture.get_attribute("src").startswith("data:image/svg+xml")
    assert loaded_width(picture) > 0
    expect(page.get_by_text("Lihat data: Sebaran jawaban per pernyataan")).to_be_visible()
    axe_check("post-training report for the course")
    shot("97-pascapelatihan-07-report")
    page.goto(f"{live_server}/laporan/post-training-answers?pelatihan={COURSE}")
    answers = page.locator(".report-table tbody tr").filter(has_text="Fajar Nugroho")
    expect(answers).to_contain_text("Dijawab kedua pihak")
    expect(answers).to_contain_text(CHANGED)
    axe_check("post-training answers report")
    sign_out(page)

    # --- 5. The SKP: Rina sees the answers as evidence and evaluates the quarter. ---------------
    today = local_today()
    current = next(
        s
        for s in schedule.periodic_slots(facts["frequency"], today.year)
        if s.starts <= today < s.ends
    )
    sign_in(page, live_server, SUPERVISOR, PASSWORD)
    period_url = f"{live_server}/tim/kinerja/{facts['period_id']}"
    page.goto(period_url)
    evidence = page.locator("#pascapelatihan")
    expect(evidence).to_contain_text(COURSE_TITLE)
    expect(evidence).to_contain_text(CHANGED)
    axe_check("SKP period with post-training evidence")
    shot("97-pascapelatihan-08-skp-period")
    monkeypatch.setattr(schedule, "local_today", lambda: current.ends)
    monkeypatch.setattr(evaluations, "local_today", lambda: current.ends)
    monkeypatch.setattr(skp_views, "local_today", lambda: current.ends)
    page.goto(f"{period_url}/evaluasi?periode=periodic:{current.sequence}")
    proof = page.locator("#pascapelatihan")
    expect(proof).to_contain_text("Penerapan hasil pelatihan (evaluasi pascapelatihan)")
    expect(proof).to_contain_text(SEEN)
    page.locator("input[name=hasil_kerja][value=sesuai]").check()
    page.locator("input[name=perilaku][value=di_atas]").check()
    page.get_by_label("Catatan umum dan rencana tindak lanjut").fill(
        "Coaching tim berjalan; lanjutkan dan bagikan praktiknya ke seksi lain."
    )
    axe_check("SKP evaluation form with post-training evidence")
    shot("97-pascapelatihan-09-skp-evaluate")
    page.get_by_role("button", name="Simpan evaluasi").click()
    page.wait_for_url(re.compile(r".*/kinerja/evaluasi/\d+$"))
    expect(page.locator(".big-figure strong")).to_have_text("Baik")
    shown = page.locator("#pascapelatihan")
    expect(shown.locator("h3")).to_contain_text(COURSE_TITLE)
    expect(shown).to_contain_text(CHANGED)
    expect(shown).to_contain_text(SEEN)
    expect(shown).to_contain_text("Atasan langsung: Rina Marlina")
    evaluation_url = page.url
    axe_check("SKP evaluation with post-training evidence")
    shot("97-pascapelatihan-10-skp-evaluation")
    sign_out(page)
    monkeypatch.undo()

    # Fajar reads the same evidence on his evaluation.
    sign_in(page, live_server, ALUMNUS, PASSWORD)
    page.goto(evaluation_url)
    expect(page.locator("#pascapelatihan")).to_contain_text(SEEN)
    axe_check("alumnus reads the SKP evaluation")
    sign_out(page)
