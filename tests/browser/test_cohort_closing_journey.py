"""The organiser (partner staff) records classroom attendance and closes a Latsar cohort that has
ended: one participant passes with the project's qualification, one fails with what was missing.

The cohort is the test's own (LATSAR-2026-UJI, organised by the demo partner BPSDMD Provinsi
Sumatera Selatan, two participants who are not demo accounts), so the demo cohorts stay as they are for
the other journeys. The project outcomes are stand-ins: the project is another sub-feature.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.demo import DEMO_ACCOUNTS
from lms.auth.models import PartnerInstitution, User
from lms.completion import services as completion
from lms.enrolments.cohorts import editing
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_today
from lms.leadership.projects import outcome as project_outcome
from lms.leadership.projects.outcome import ProjectOutcome
from lms.org.models import Employee
from tests.browser.conftest import sign_in, sign_out

CODE = "LATSAR-2026-UJI"


def _setup(live_app) -> dict[str, int]:
    """The cohort, ended yesterday, with the Latsar agenda; two employees who are not demo accounts
    took part and did every course."""
    with live_app.app_context():
        latsar = db.session.scalar(select(Programme).where(Programme.code == "LATSAR"))
        partner = db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD-SUMSEL")
        )
        hr = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        ends = local_today() - timedelta(days=1)
        start = ends - timedelta(days=85)
        rows = [
            {**phase, "starts_on": "", "ends_on": ""} for phase in latsar.kind.phases
        ]  # the kind's agenda, dated from the start
        cohort = editing.save_cohort(
            hr,
            latsar,
            None,
            {
                "code": CODE,
                "name": "Angkatan Uji Tahun 2026",
                "starts_on": start,
                "ends_on": ends,
                "approval_steps": "hr",
                "organiser_partner_id": partner.id,
                "phases": rows,
            },
        )
        demo_people = select(User.employee_id).where(
            User.employee_id.is_not(None), User.username.in_([a[0] for a in DEMO_ACCOUNTS])
        )
        people = db.session.scalars(
            select(Employee)
            .where(Employee.is_active.is_(True), Employee.id.not_in(demo_people))
            .order_by(Employee.id.desc())
            .limit(2)
        ).all()
        members = {}
        for person, score in zip(people, (92, 78), strict=True):
            db.session.add(CohortMember(cohort=cohort, employee=person, status="active"))
            db.session.flush()
            for pc in latsar.courses:
                if completion.current_completion(person.id, course_id=pc.course_id) is None:
                    completion.record_classroom(
                        person, pc.course, completed_on=start, score=score, by=hr
                    )
        db.session.flush()
        for member in cohort.members:
            members[member.employee.display_name] = member.id
        db.session.commit()
        return members


@pytest.mark.browser
def test_partner_records_attendance_and_closes_a_cohort(
    page, live_server, live_app, shot, axe_check, monkeypatch
) -> None:
    members = _setup(live_app)
    (first, first_id), (second, second_id) = sorted(members.items())
    outcomes = {
        first_id: ProjectOutcome("assessed", Decimal("88.40"), "Memuaskan", True),
        second_id: ProjectOutcome("assessed", Decimal("61.20"), "Kurang Memuaskan", False),
    }
    # The live server runs in this process: its requests read the stand-in outcomes.
    monkeypatch.setattr(
        project_outcome, "outcomes", lambda ids: {i: outcomes[i] for i in ids if i in outcomes}
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "mitra")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Angkatan yang diselenggarakan").click()
    expect(page.get_by_role("heading", name="Angkatan yang diselenggarakan")).to_be_visible()
    axe_check("organised cohorts (partner)")
    shot("i17-close-1-organised-list")

    page.get_by_role("link", name="Angkatan Uji Tahun 2026").click()
    expect(page.get_by_role("heading", name="Kemajuan peserta per tahap")).to_be_visible()
    grid = page.locator("table.phase-grid")
    expect(grid.locator("tbody tr")).to_have_count(2)
    expect(grid).to_contain_text("pelatihan selesai")
    expect(grid).to_contain_text("proyek dinilai")
    axe_check("organiser page")
    shot("i17-close-2-organiser-grid")

    # Classroom attendance, in bulk: both were there.
    form = page.locator("details[open] form")
    form.get_by_label(first).check()
    form.get_by_label(second).check()
    form.get_by_role("button", name="Simpan tanda Pembelajaran klasikal").click()
    expect(page.locator(".flash-success")).to_contain_text("2 ditambahkan")

    page.get_by_role("button", name="Tutup angkatan").click()
    expect(page.get_by_role("button", name="Ya, tutup angkatan")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 peserta lulus")
    expect(page.locator("main")).to_contain_text("1 peserta tidak lulus")
    axe_check("closing confirmation")
    shot("i17-close-3-confirm")
    page.get_by_role("button", name="Ya, tutup angkatan").click()
    expect(page.locator(".flash-success")).to_contain_text("1 lulus, 1 tidak lulus")
    passed = grid.locator("tbody tr", has_text=first)
    expect(passed).to_contain_text("Lulus")
    expect(passed).to_contain_text("Memuaskan")
    failed = grid.locator("tbody tr", has_text=second)
    expect(failed).to_contain_text("Tidak lulus")
    expect(failed).to_contain_text("Aktualisasi: Kurang Memuaskan")
    expect(page.locator("#kehadiran + article")).to_contain_text("sudah ditutup")
    axe_check("organiser page after closing")
    shot("i17-close-4-results")
    sign_out(page)

    with live_app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == CODE))
        records = db.session.scalars(
            select(completion.Completion).where(completion.Completion.cohort_id == cohort.id)
        ).all()
        programme_records = [r for r in records if r.programme_id is not None]
        assert [(r.jp, r.organiser) for r in programme_records] == [
            (Decimal(561), "BPSDMD Provinsi Sumatera Selatan")
        ]
