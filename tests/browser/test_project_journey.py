"""Issue 17 in Chromium: a PKP participant's aksi perubahan from the first draft to the STTPP,
every step by the person whose step it is, and a participant who fails and gets none.

BKPSDM names the coach; the participant drafts the proposal; the coach returns it with a comment;
the participant revises and sends it again; coach and mentor (the participant's direct
supervisor) approve; the participant keeps the logbook with evidence files, the mentor returns
one entry and confirms the rest; BKPSDM schedules the seminar with an examiner and records it
held; coach, mentor and examiner score the rubric; the project is assessed with its kualifikasi.
Then BKPSDM, the organiser, marks the self-study, distance and classroom phases of both
participants on the organiser's page and closes the cohort (its end date has passed): the
participant finds the STTPP in their certificates, its PDF reads STTPP with the qualification,
and it verifies on the public verification page (qualification and organiser shown). The other
participant, assessed Kurang Memuaskan, fails: no STTPP, and their page says what was missing.

The cohort is this test's own (``PKP-2026-PROYEK``, with the PKP kind's agenda, ended
yesterday), of the PKP programme that `content load` brings; the participants are pengawas in no
other cohort, outside the demo accounts, so the other journeys see the demo as it was. The
failing participant's project is taken to its assessment through the services the screens use
(the demo's own steps, ``lms.leadership.demo``): the screens of that are the first one's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.demo import DEMO_ACCOUNTS
from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.cohorts import editing
from lms.enrolments.cohorts import services as cohorts
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_time, local_today
from lms.leadership import demo as project_demo
from lms.leadership.projects.demo_texts import pdf_bytes
from lms.leadership.projects.models import Project
from lms.leadership.projects.outcome import outcome
from lms.org.models import Employee
from tests.browser import project_journey_end as end
from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_layout_journey import PHONE, no_sideways_scroll

CODE = end.CODE
COACH = "Dr. Hj. Rosdiana Putri, M.Si. (Widyaiswara Ahli Madya)"
EXAMINER = "Drs. H. Syamsul Bahri, M.M. (Widyaiswara Ahli Utama)"
TITLE = "Layanan Antrean Daring di Loket Pelayanan"
MILESTONES = ("Menyusun SOP antrean daring", "Uji coba di loket", "Evaluasi waktu tunggu")
# Every criterion the same: coach 92, mentor 88, examiner 85 → (92×40 + 88×30 + 85×30) / 100.
SCORES = {"coach": 92, "mentor": 88, "penguji": 85}
FINAL = Decimal("88.70")
#: The failing participant's assessors: coach 66, mentor 64, examiner 62 → 64.20.
FAILING_SCORES = (66, 64, 62)
#: The phases the organiser marks (the others are met by the project's assessment).
MARKED_KINDS = ("self_study", "distance", "classroom")


@dataclass(frozen=True)
class Cast:
    member_id: int
    participant: str  # username (the NIP)
    participant_name: str
    mentor: str  # the supervisor's username
    mentor_name: str
    failing: str  # the failing participant's username (the NIP)
    failing_name: str
    failing_member_id: int
    phases: tuple[str, ...]  # the names of the phases the organiser marks


def _pengawas(exclude: set[int]) -> Employee:
    """An active pengawas outside the demo accounts and every cohort, whose supervisor (not the
    demo `atasan`) has an account: they mentor."""
    demo = {
        u.employee_id
        for u in db.session.scalars(
            select(User).where(User.username.in_([n for n, _r, _d in DEMO_ACCOUNTS]))
        )
    }
    atasan = db.session.scalar(select(User).where(User.username == "atasan")).employee_id
    in_cohorts = set(db.session.scalars(select(CohortMember.employee_id)))
    return next(
        e
        for e in db.session.scalars(
            select(Employee)
            .where(Employee.jabatan_type_code == "pengawas", Employee.is_active.is_(True))
            .order_by(Employee.id.desc())
        )
        if e.id not in demo | in_cohorts | exclude
        and e.supervisor_id not in (None, atasan)
        and e.full_name not in ("Tommy Nasution", "Ilham Muchtar")  # the cohort journey's
        and db.session.scalar(select(User).where(User.employee_id == e.supervisor_id))
    )


def _fail_project(member: CohortMember, cohort: Cohort) -> None:
    """The second participant's aksi perubahan, from proposal to an assessment in a failing
    band, as the demo takes its participants there (coach `coach`, examiner `penguji`)."""
    user = {
        u.username: u
        for u in db.session.scalars(
            select(User).where(User.username.in_(["bkpsdm", "coach", "penguji"]))
        )
    }
    cast = project_demo.Cast(user["bkpsdm"], user["coach"], user["penguji"])
    project_demo._advance(member, "assessed", FAILING_SCORES, cast, project_demo._Clock(cohort), 0)


def _cast(live_app) -> Cast:
    """A PKP cohort of this test with the kind's agenda, ended yesterday, and two pengawas in
    it whose supervisors have accounts; the second one's project assessed, failing."""
    today = local_today()
    with live_app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "PKP"))
        programme.kind_code = programme.kind_code or "PKP"  # as the programme kinds file sets it
        db.session.flush()
        cohort = editing.save_cohort(
            None,
            programme,
            None,
            {
                "code": CODE,
                "name": "Angkatan Uji Proyek",
                "starts_on": today - timedelta(days=140),  # the kind's agenda takes 132
                "ends_on": today - timedelta(days=1),
                "quota": 5,
                "approval_steps": "",
                "place": "Palembang",
                # The kind's agenda, dated from the start.
                "phases": [
                    {**phase, "starts_on": "", "ends_on": ""} for phase in programme.kind.phases
                ],
            },
        )
        db.session.flush()
        employee = _pengawas(set())
        member = cohorts.add_member(None, cohort, employee, today=cohort.starts_on)
        failing = _pengawas({employee.id})
        failing_member = cohorts.add_member(None, cohort, failing, today=cohort.starts_on)
        db.session.flush()
        _fail_project(failing_member, cohort)
        participant = db.session.scalar(select(User).where(User.employee_id == employee.id))
        mentor = db.session.scalar(select(User).where(User.employee_id == employee.supervisor_id))
        failing_user = db.session.scalar(select(User).where(User.employee_id == failing.id))
        phases = tuple(p.name for p in cohort.phases if p.kind in MARKED_KINDS)
        db.session.commit()
        cast = Cast(
            member.id,
            participant.username,
            employee.display_name,
            mentor.username,
            mentor.name,
            failing_user.username,
            failing.display_name,
            failing_member.id,
            phases,
        )
        db.session.remove()
    return cast


def _dashboard_card(page, base, heading: str, link: str) -> None:
    page.goto(f"{base}/dasbor")
    card = page.locator("article.card", has=page.get_by_role("heading", name=heading))
    expect(card).to_be_visible()
    card.locator("a", has_text=link).click()


@pytest.mark.browser
def test_aksi_perubahan_from_draft_to_sttpp(
    page, live_server, live_app, shot, axe_check, tmp_path
) -> None:
    cast = _cast(live_app)
    base = live_server
    project_url = f"{base}/proyek/{cast.member_id}"
    page.set_viewport_size({"width": 1280, "height": 900})
    evidence = tmp_path / "notulen-rapat.pdf"
    evidence.write_bytes(pdf_bytes("Notulen rapat tim efektif"))
    fake = tmp_path / "foto-kegiatan.pdf"
    fake.write_bytes(b"MZ\x90\x00 bukan PDF")

    # --- BKPSDM names the coach -------------------------------------------------------------
    sign_in(page, base, "bkpsdm")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Proyek perubahan peserta").click()
    expect(
        page.get_by_role("heading", name="Proyek perubahan per angkatan", level=1)
    ).to_be_visible()
    axe_check("project cohorts")
    shot("i17-project-01-cohorts")
    page.get_by_role("link", name="Pelatihan Kepemimpinan Pengawas · Angkatan Uji Proyek").click()
    expect(page.get_by_role("heading", name="Proyek peserta Angkatan Uji Proyek")).to_be_visible()
    page.get_by_role("button", name="Atur coach dan mentor").click()
    row = page.locator("article.role-row", has_text=cast.participant_name)
    expect(row).to_contain_text(f"Mentor sekarang: {cast.mentor_name} (atasan langsung)")
    row.get_by_label("Coach", exact=True).select_option(label=COACH)
    axe_check("cohort roles")
    row.get_by_role("button", name=f"Simpan untuk {cast.participant_name}").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Coach dan mentor {cast.participant_name} tersimpan."
    )
    shot("i17-project-02-roles")
    sign_out(page)

    # --- the participant drafts and submits the proposal ------------------------------------
    sign_in(page, base, cast.participant)
    _dashboard_card(page, base, "Aksi perubahan", "Susun rancangan")
    expect(page.get_by_role("heading", name="Aksi perubahan", level=1)).to_be_visible()
    expect(page.locator("li[aria-current=step]")).to_contain_text("Rancangan")
    axe_check("project page, not started")
    shot("i17-project-03-start")
    page.get_by_role("button", name="Susun rancangan").click()
    page.get_by_label("Judul proyek").fill(TITLE)
    page.get_by_label("Masalah / isu yang diangkat").fill(
        "Antrean di loket masih manual.\nWaktu tunggu rata-rata 75 menit."
    )
    page.get_by_label("Pemangku kepentingan").fill("Kepala dinas; petugas loket; masyarakat")
    for number, title in enumerate(MILESTONES, start=1):
        page.get_by_label(f"Milestone ke-{number}: kegiatan").fill(title)
    page.get_by_label("Perubahan yang diharapkan").fill("Waktu tunggu di bawah 30 menit.")
    axe_check("proposal form")
    shot("i17-project-04-proposal-form")
    page.get_by_role("button", name="Simpan rancangan").click()
    expect(page.locator(".flash-success")).to_contain_text("Rancangan tersimpan.")
    page.get_by_role("button", name="Ajukan rancangan").click()
    expect(page.get_by_role("heading", name=f"Ajukan rancangan {TITLE}?")).to_be_visible()
    axe_check("submit confirmation")
    page.get_by_role("button", name="Ya, ajukan").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Rancangan diajukan kepada coach dan mentor."
    )
    expect(page.locator("li[aria-current=step]")).to_contain_text("Persetujuan coach dan mentor")
    shot("i17-project-05-submitted")
    sign_out(page)

    # --- the coach returns it ---------------------------------------------------------------
    sign_in(page, base, "coach")
    expect(page.locator(".dash-project-queue")).to_contain_text("menunggu keputusan Anda")
    axe_check("coach dashboard")
    _dashboard_card(page, base, "Bimbingan proyek perubahan", "Buka daftar bimbingan")
    expect(page.get_by_role("heading", name="Bimbingan dan penilaian proyek")).to_be_visible()
    axe_check("coach queue")
    shot("i17-project-06-coach-queue")
    page.get_by_role("link", name=cast.participant_name).click()
    page.get_by_role("button", name="Kembalikan untuk perbaikan").click()
    expect(page.locator(".flash-error")).to_have_text(
        "Tuliskan catatan perbaikan bila rancangan dikembalikan."
    )
    page.get_by_label("Catatan untuk peserta").fill(
        "Sertakan data waktu tunggu tiga bulan terakhir."
    )
    page.get_by_role("button", name="Kembalikan untuk perbaikan").click()
    expect(page.locator(".flash-success")).to_have_text("Rancangan dikembalikan.")
    sign_out(page)

    # --- the participant revises and submits again --------------------------------------------
    sign_in(page, base, cast.participant)
    page.goto(project_url)
    expect(page.locator(".notice-error")).to_contain_text("Sertakan data waktu tunggu")
    axe_check("returned proposal")
    shot("i17-project-07-returned")
    page.get_by_role("button", name="Ubah rancangan").click()
    page.get_by_label("Masalah / isu yang diangkat").fill(
        "Antrean di loket masih manual.\nWaktu tunggu rata-rata 75 menit (Januari–Maret: 78, 74, 73)."
    )
    page.get_by_role("button", name="Simpan rancangan").click()
    page.get_by_role("button", name="Ajukan rancangan").click()
    page.get_by_role("button", name="Ya, ajukan").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Rancangan diajukan kepada coach dan mentor."
    )
    sign_out(page)

    # --- coach and mentor approve ---------------------------------------------------------
    for username in ("coach", cast.mentor):
        sign_in(page, base, username)
        page.goto(project_url)
        page.get_by_role("button", name="Setujui rancangan").click()
        expect(page.locator(".flash-success")).to_have_text("Rancangan disetujui.")
        sign_out(page)

    # --- the logbook: one file refused, three entries with evidence -------------------------
    sign_in(page, base, cast.participant)
    page.goto(project_url)
    expect(page.locator("li[aria-current=step]")).to_contain_text("Pelaksanaan")
    page.locator("summary", has_text="Riwayat pengajuan").click()
    expect(page.get_by_text("Pengajuan ke-2")).to_be_visible()
    axe_check("approved project with history")
    shot("i17-project-08-approved")
    for number, milestone in enumerate(MILESTONES):
        page.get_by_role("button", name="Tambah catatan pelaksanaan").click()
        page.get_by_label("Milestone").select_option(label=milestone)
        page.get_by_label("Tanggal kegiatan").fill(local_today().isoformat())
        page.get_by_label("Uraian kegiatan dan hasilnya").fill(f"{milestone}: selesai bersama tim.")
        if number == 0:
            page.get_by_label("Berkas bukti", exact=False).set_input_files(str(fake))
            page.get_by_role("button", name="Kirim ke mentor").click()
            expect(page.locator("#files-error")).to_contain_text(
                "Berkas foto-kegiatan.pdf tidak dapat diterima"
            )
            axe_check("entry form with a refused file")
            shot("i17-project-09-file-refused")
        page.get_by_label("Berkas bukti", exact=False).set_input_files(str(evidence))
        page.get_by_role("button", name="Kirim ke mentor").click()
        expect(page.locator(".flash-success")).to_contain_text("dikirim ke mentor")
    sign_out(page)

    # --- the mentor returns the first entry and confirms the others ---------------------------
    sign_in(page, base, cast.mentor)
    page.goto(project_url)
    entries = page.locator(".log-entry")
    expect(entries).to_have_count(3)
    axe_check("logbook for the mentor")
    shot("i17-project-10-mentor-logbook")
    first = entries.nth(0)
    first.get_by_label("Catatan mentor").fill("Lampirkan juga daftar hadir rapat.")
    first.get_by_role("button", name="Kembalikan").click()
    expect(page.locator(".flash-success")).to_have_text("Catatan dikembalikan.")
    for _i in range(2):
        page.locator(".log-entry.log-submitted").first.get_by_role(
            "button", name="Konfirmasi"
        ).click()
        expect(page.locator(".flash-success")).to_have_text("Catatan dikonfirmasi.")
    sign_out(page)

    sign_in(page, base, cast.participant)
    page.goto(project_url)
    page.get_by_role("link", name="Perbaiki catatan ini").click()
    expect(page.get_by_text("Lampirkan juga daftar hadir rapat.")).to_be_visible()
    page.get_by_label("Uraian kegiatan dan hasilnya").fill("SOP disusun; daftar hadir terlampir.")
    page.get_by_label("Berkas bukti", exact=False).set_input_files(str(evidence))
    axe_check("revising a returned entry")
    page.get_by_role("button", name="Kirim ke mentor").click()
    expect(page.locator(".flash-success")).to_contain_text("dikirim ke mentor")
    sign_out(page)

    sign_in(page, base, cast.mentor)
    page.goto(project_url)
    page.locator(".log-entry.log-submitted").get_by_role("button", name="Konfirmasi").click()
    expect(page.get_by_text("3 dari 3 milestone dikonfirmasi mentor.")).to_be_visible()
    sign_out(page)

    # --- BKPSDM schedules the seminar with its examiner, then records it held ------------------
    sign_in(page, base, "bkpsdm")
    page.goto(f"{base}/proyek/angkatan/{CODE}")
    axe_check("cohort overview")
    shot("i17-project-11-overview")
    page.get_by_role("link", name=cast.participant_name).click()
    page.get_by_role("button", name="Jadwalkan seminar").click()
    tomorrow = local_time(utcnow() + timedelta(days=1)).replace(hour=9, minute=0)
    page.get_by_label("Tanggal dan jam seminar").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Tempat").fill("Aula BKPSDM Kota Palembang")
    page.get_by_label(EXAMINER).check()
    axe_check("seminar form")
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.locator(".flash-success")).to_contain_text("Seminar dijadwalkan")
    expect(page.locator("section[aria-labelledby=seminar]")).to_contain_text("09.00")
    shot("i17-project-12-seminar-scheduled")
    with live_app.app_context():  # the day of the seminar comes
        project = db.session.scalar(select(Project).where(Project.member_id == cast.member_id))
        project.seminar.starts_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        db.session.remove()
    page.reload()
    page.get_by_role("button", name="Catat seminar telah diselenggarakan").click()
    expect(page.locator(".flash-success")).to_contain_text("Seminar tercatat telah diselenggarakan")
    sign_out(page)

    # --- three assessors score the rubric --------------------------------------------------
    for username, score in (
        (cast.mentor, SCORES["mentor"]),
        ("penguji", SCORES["penguji"]),
        ("coach", SCORES["coach"]),
    ):
        sign_in(page, base, username)
        page.goto(project_url)
        page.get_by_role("button", name="Beri penilaian").click()
        for field in page.locator("input[type=number]").all():
            field.fill(str(score))
        if username == "coach":
            axe_check("rubric form")
            shot("i17-project-13-rubric")
        page.get_by_role("button", name="Simpan penilaian").click()
        expect(page.locator(".flash-success")).to_have_text("Penilaian tersimpan.")
        sign_out(page)

    # --- the outcome -----------------------------------------------------------------------
    sign_in(page, base, cast.participant)
    page.goto(project_url)
    expect(page.locator(".big-figure")).to_contain_text("88,70")
    expect(page.locator(".big-figure")).to_contain_text("Memuaskan")
    expect(page.locator(".big-figure")).to_contain_text("Lulus")
    expect(page.locator("li.step-done")).to_have_count(5)
    axe_check("assessed project")
    shot("i17-project-14-assessed")
    page.set_viewport_size(PHONE)  # the stepper and the score table fit a phone
    page.reload()
    no_sideways_scroll(page, "assessed project on a phone")
    shot("i17-project-15-assessed-phone")
    with live_app.app_context():
        result = outcome(cast.member_id)
        db.session.remove()
    assert (result.state, result.score, result.band, result.passed) == (
        "assessed",
        FINAL,
        "Memuaskan",
        True,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    # --- BKPSDM closes the cohort; the STTPP; the participant who failed ----------------------
    end.organiser_closes(page, base, cast, shot, axe_check)
    end.participant_gets_the_sttpp(page, base, live_app, cast, shot, axe_check)
    end.failing_participant_sees_why(page, base, live_app, cast, shot, axe_check)
