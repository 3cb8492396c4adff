"""Issue 18, point 1, end to end in Chromium: non-classroom sessions reach the JP ledger.

A staff member of `atasan` (signing in with their NIP) has a low SKP predikat; `atasan` opens a
coaching plan (mentoring, 4 sessions). The employee logs two mentoring sessions against it, with
`atasan` as mentor and an evidence file; `atasan` confirms the first (80 minutes: 1.78 JP, 1.5 JP
recognised, rounded down) and returns the second with a reason. The employee sees one session
confirmed and one returned with the reason, the plan at 1 of 4, and the ledger moved by exactly
the recognised 1.5 JP. Axe runs on every page; screenshots in tests/_artifacts/screenshots/.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.careers.skp import services as skp
from lms.careers.skp.models import SkpEvaluation
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.browser.conftest import sign_in, sign_out
from tests.careers.ledger_helpers import pdf_bytes

FIRST = "Menyusun laporan kinerja triwulan"
SECOND = "Membaca ulang indikator kinerja"
REASON = "Durasi 60 menit tidak sesuai notulen; mohon diperiksa lagi."


def _number(text: str) -> Decimal:
    """A figure as the pages print it: "11", "1,5", "2,5 JP"."""
    return Decimal(re.search(r"-?\d+(?:[.,]\d+)?", text)[0].replace(",", "."))


def _gauge_total(page) -> Decimal:
    card = page.locator("article.card").filter(has=page.locator(".big-figure")).first
    return _number(card.locator(".big-figure strong").inner_text())


def _setup(live_app) -> tuple[str, str, str]:
    """A staff member of atasan (not `pegawai`) with a low predikat this year: their NIP, their
    name, atasan's name."""
    with live_app.app_context():
        atasan = db.session.scalar(select(User).where(User.username == "atasan"))
        staff = db.session.scalars(
            select(Employee)
            .join(User, User.employee_id == Employee.id)
            .where(Employee.supervisor_id == atasan.employee_id, User.username != "pegawai")
            .order_by(Employee.id)
        ).first()
        assert staff is not None
        period = skp.ensure_period(staff, local_today().year)
        db.session.add(
            SkpEvaluation(
                period=period,
                kind="periodic",
                sequence=1,
                label=f"Triwulan I {period.year}",
                hasil_kerja="di_bawah",
                perilaku="sesuai",
                predikat="butuh_perbaikan",
                evaluator_id=atasan.employee_id,
                note="Laporan kinerja sering terlambat.",
            )
        )
        db.session.commit()
        facts = staff.nip, staff.display_name, atasan.employee.display_name
        db.session.remove()
    return facts


def _log_session(page, base: str, axe_check, shot, mentor: str, topic: str, minutes: str, n: int):
    page.goto(f"{base}/sesi")
    page.get_by_role("button", name="Catat sesi", exact=True).click()
    page.wait_for_url("**/sesi/catat")
    page.locator("#form_code").select_option("15")
    page.locator("#minutes").fill(minutes)
    page.locator("#topic").fill(topic)
    page.locator("#agreed").fill("Draf diserahkan Jumat; indikator dibahas lagi minggu depan.")
    page.locator("#competency_kind").select_option("manajerial")
    page.locator("#coach_user_id").select_option(label=f"{mentor} (atasan langsung)")
    expect(page.locator("#plan_id option:checked")).to_contain_text("Rencana pendampingan")
    page.locator("#evidence").set_input_files(
        {"name": f"notulen-{n}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    if n == 1:
        axe_check("session form, filled")
        shot("90-nonclass-session-form")
    page.get_by_role("button", name="Simpan dan ajukan konfirmasi").click()
    page.wait_for_url(f"{base}/sesi")
    expect(page.locator(".flash")).to_contain_text(f"Sesi {topic} tersimpan")


@pytest.mark.browser
def test_two_mentoring_sessions_one_confirmed_one_returned(
    page, live_server, live_app, shot, axe_check
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    nip, name, mentor = _setup(live_app)

    # --- atasan opens a coaching plan after the low predikat. ------------------------------------
    sign_in(page, live_server, "atasan")
    page.goto(f"{live_server}/pendampingan")
    row = page.locator("table tbody tr").filter(has_text=name)
    expect(row).to_contain_text("Butuh Perbaikan")
    axe_check("coaching team")
    shot("91-nonclass-coaching-team-before")
    row.get_by_role("button", name=re.compile("Buka rencana pendampingan")).click()
    page.wait_for_url("**/pendampingan/buka/*")
    page.locator("#form_code").select_option(label="Mentoring")
    page.locator("#goals").fill("Laporan kinerja bulanan tepat waktu dan lengkap.")
    page.locator("#sessions_planned").fill("4")
    axe_check("coaching plan form")
    shot("91-nonclass-coaching-plan-form")
    page.get_by_role("button", name="Buka rencana").click()
    page.wait_for_url(re.compile(r".*/pendampingan/\d+$"))
    plan_url = page.url
    expect(page.locator(".flash")).to_contain_text("Rencana pendampingan")
    expect(page.locator("[data-progress]")).to_have_attribute("data-progress", "0/4")
    sign_out(page)

    # --- the employee logs two mentoring sessions against it. ------------------------------------
    sign_in(page, live_server, nip)
    page.goto(f"{live_server}/riwayat")
    jp_before = _gauge_total(page)
    _log_session(page, live_server, axe_check, shot, mentor, FIRST, "80", 1)
    _log_session(page, live_server, axe_check, shot, mentor, SECOND, "60", 2)
    waiting = page.locator("table tbody tr").filter(has_text="Menunggu konfirmasi")
    expect(waiting).to_have_count(2)
    axe_check("my sessions, two waiting")
    shot("92-nonclass-my-sessions-waiting")
    sign_out(page)

    # --- atasan confirms one and returns the other. ----------------------------------------------
    sign_in(page, live_server, "atasan")
    page.goto(f"{live_server}/sesi/periksa")
    expect(page.locator("table tbody tr").filter(has_text=name)).to_have_count(2)
    axe_check("sessions waiting for the supervisor")
    shot("93-nonclass-review-list")
    page.get_by_role("link", name=FIRST).click()
    expect(page.locator("[data-preview]")).to_contain_text("diakui 1,5 JP")
    axe_check("one session, before the decision")
    shot("94-nonclass-session-decide")
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page.locator(".flash")).to_contain_text(f"Sesi {FIRST} dikonfirmasi.")
    page.get_by_role("link", name=SECOND).click()
    page.get_by_label("Alasan (wajib bila dikembalikan)").fill(REASON)
    page.get_by_role("button", name="Kembalikan").click()
    expect(page.locator(".flash")).to_contain_text(f"Sesi {SECOND} dikembalikan.")
    page.goto(plan_url)
    expect(page.locator("[data-progress]")).to_have_attribute("data-progress", "1/4")
    axe_check("coaching plan with one confirmed session")
    shot("95-nonclass-coaching-plan")
    sign_out(page)

    # --- the employee: one confirmed (1.5 JP), one returned with the reason; the ledger. ---------
    sign_in(page, live_server, nip)
    page.goto(f"{live_server}/sesi")
    confirmed = page.locator("table tbody tr").filter(has_text=FIRST)
    expect(confirmed).to_contain_text("Dikonfirmasi")
    expect(confirmed.locator("[data-jp]")).to_have_text("1,5 JP")
    returned = page.locator("table tbody tr").filter(has_text=SECOND)
    expect(returned).to_contain_text("Dikembalikan")
    expect(returned).to_contain_text(REASON)
    axe_check("my sessions, decided")
    shot("96-nonclass-my-sessions-decided")
    page.goto(f"{live_server}/riwayat")
    record = page.locator("table tbody tr").filter(has_text=f"Mentoring: {FIRST}")
    expect(record).to_contain_text("Terverifikasi")
    expect(record).to_contain_text("1,5")
    assert _gauge_total(page) - jp_before == Decimal("1.5")  # exactly the recognised JP
    expect(page.locator("table tbody tr").filter(has_text=SECOND)).to_have_count(0)
    axe_check("learning record with the confirmed session")
    shot("97-nonclass-learning-record")
