"""Dashboards in Chromium at a laptop's 1366x768 (issue 15, points 5, 6 and 8): each role's work
is above the fold, the supervisor approves the demo's own nomination from the first login and
BKPSDM confirms it, the employee's finished course reads "Selesai", and a course whose lessons
are all done says what is still missing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.demo import DEMO_APPROVAL_COURSE, demo_nominee
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee
from tests.browser.conftest import SHOTS, sign_in, sign_out
from tests.completion.builders import course_with_posttest, do_lessons, enrol, take_posttest

LAPTOP = {"width": 1366, "height": 768}


def _fold(page, name: str) -> None:
    """What the first screen shows (the ``shot`` fixture takes the whole page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _top(page, heading: str) -> float:
    box = page.get_by_role("heading", name=heading, exact=True, level=2).bounding_box()
    assert box is not None, heading
    return box["y"]


@pytest.mark.browser
def test_bkpsdm_dashboard_opens_with_its_queue_above_the_fold(
    page, live_server, shot, axe_check
) -> None:
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "bkpsdm")
    for heading in ("Antrean telaah", "Persetujuan menunggu", "Angkatan berjalan"):
        assert _top(page, heading) < LAPTOP["height"], heading
    # the personal part comes after the work, not before it
    assert _top(page, "Pekerjaan saya") < _top(page, "Pembelajaran saya")
    assert _top(page, "Antrean telaah") < _top(page, "JP tahun ini")
    # charts of counts: whole numbers on the axis (the data table says the same)
    axe_check("bkpsdm dashboard, laptop")
    _fold(page, "dash-01-bkpsdm-1366x768-fold")
    shot("dash-02-bkpsdm-1366x768-full")
    page.get_by_role("link", name="Ke pembelajaran saya").click()
    expect(page.get_by_role("heading", name="Profil kepegawaian")).to_be_in_viewport()
    sign_out(page)


@pytest.mark.browser
def test_supervisor_approves_the_demo_nomination_then_hr_confirms(
    page, live_server, live_app, shot, axe_check
) -> None:
    with live_app.app_context():
        user, nominee = demo_nominee()
        name, username, nominee_id = nominee.display_name, user.username, nominee.id
        db.session.remove()
    page.set_viewport_size(LAPTOP)

    # The demo supervisor's first screen: the nomination waits, above the fold.
    sign_in(page, live_server, "atasan")
    assert _top(page, "Usulan menunggu persetujuan Anda") < LAPTOP["height"]
    waiting = page.locator(
        "article", has=page.get_by_role("heading", name="Usulan menunggu persetujuan Anda")
    )
    item = waiting.locator("li", has_text="Kepemimpinan Pengawas")
    expect(item).to_contain_text(name)
    assert _top(page, "Pendaftaran tim saya") < _top(page, "Pembelajaran saya")
    axe_check("supervisor dashboard with the demo nomination")
    _fold(page, "dash-03-atasan-1366x768-fold")
    shot("dash-04-atasan-1366x768-full")
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Keputusan Anda")).to_be_visible()
    axe_check("approval page of the demo nomination")
    shot("dash-05-atasan-approval")
    page.get_by_label("Catatan atau alasan").fill("Disiapkan sebagai calon pengawas.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.")).to_be_visible()
    expect(page.get_by_text("menunggu persetujuan BKPSDM / Admin OPD").first).to_be_visible()
    sign_out(page)

    # BKPSDM has it in its queue, first thing on the dashboard, and confirms.
    sign_in(page, live_server, "bkpsdm")
    queue = page.locator(
        "article", has=page.get_by_role("heading", name="Persetujuan menunggu", exact=True)
    )
    expect(queue.get_by_text(name)).to_be_visible()
    _fold(page, "dash-06-bkpsdm-queue-with-the-nomination")
    queue.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="Keputusan Anda")).to_be_visible()
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.")).to_be_visible()
    sign_out(page)
    with live_app.app_context():
        status = db.session.scalar(
            select(Enrolment.status)
            .join(Enrolment.course)
            .where(Enrolment.employee_id == nominee_id)
            .where(Enrolment.course.has(code=DEMO_APPROVAL_COURSE))
        )
        db.session.remove()
    assert status == "active"

    # The nominee (who logs in with their NIP) finds the course on their dashboard.
    sign_in(page, live_server, username)
    mine = page.locator("article", has=page.get_by_role("heading", name="Pelatihan saya"))
    expect(mine.get_by_text("Kepemimpinan Pengawas")).to_be_visible()
    expect(mine.get_by_text("Kemajuan 0%")).to_be_visible()  # enrolled, not started
    sign_out(page)


@pytest.mark.browser
def test_employee_sees_a_finished_course_as_selesai(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "pegawai")  # the demo gave pegawai one finished course
    mine = page.locator("article", has=page.get_by_role("heading", name="Pelatihan saya"))
    # Other journeys on the shared demo server may have finished more courses by now: every
    # finished one says "Selesai".
    finished = mine.locator("span[data-state=completed]")
    expect(finished.first).to_have_text("Selesai")
    assert set(finished.all_inner_texts()) == {"Selesai"}
    expect(page.get_by_text("Anda belum mengikuti pelatihan")).to_have_count(0)
    axe_check("employee dashboard with a finished course")
    shot("dash-07-pegawai-1366x768")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Katalog pelatihan").click()
    card = page.locator("article", has_text="Manajemen Waktu dan Produktivitas Kerja ASN")
    expect(card.locator("span[data-state=completed]")).to_have_text("Selesai")
    expect(card.get_by_text("Terdaftar")).to_have_count(0)
    axe_check("catalogue with a finished course")
    shot("dash-08-catalogue-selesai")
    sign_out(page)


@pytest.mark.browser
def test_a_course_with_every_lesson_done_says_what_is_still_missing(
    page, live_server, live_app, shot, axe_check
) -> None:
    """Lessons done, post-test failed, no evaluation: never "Kemajuan 100%"."""
    with live_app.app_context():
        nominee = demo_nominee()[1]
        learner = db.session.scalar(
            select(Employee)
            .where(Employee.supervisor_id == nominee.supervisor_id, Employee.id != nominee.id)
            .where(Employee.nip != "")
            .order_by(Employee.id.desc())
            .limit(1)
        )
        course, quiz, question = course_with_posttest("KURANG-101")
        enrolment = enrol(course, learner)
        do_lessons(enrolment, course)
        take_posttest(quiz, question, learner, right=False)
        db.session.commit()
        username = db.session.scalar(select(User.username).where(User.employee_id == learner.id))
        db.session.remove()
    missing = "Post-test belum lulus · Evaluasi belum diisi"
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, username)
    mine = page.locator("article", has=page.get_by_role("heading", name="Pelatihan saya"))
    expect(mine).to_contain_text(f"Materi selesai · {missing}")
    expect(mine).not_to_contain_text("Kemajuan 100%")
    axe_check("dashboard with a course whose post-test failed")
    shot("dash-09-learner-missing-posttest")
    mine.get_by_role("link", name="Lihat yang belum terpenuhi").click()
    expect(page.locator("label[for=course-progress]")).to_have_text(f"Materi selesai · {missing}")
    expect(page.get_by_text("Syarat kelulusan yang belum terpenuhi:")).to_be_visible()
    axe_check("course page with what is missing")
    shot("dash-10-course-page-missing")
    sign_out(page)
    sign_in(page, live_server, "atasan")
    team = page.locator("article", has=page.get_by_role("heading", name="Pendaftaran tim saya"))
    expect(team.locator("tr", has_text="Pelatihan KURANG-101")).to_contain_text(missing)
    sign_out(page)
