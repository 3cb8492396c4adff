"""The career page's next steps in Chromium, for the demo's pelaksana (`pegawai`), fungsional
(`pengajar`) and pengawas (`atasan`) (issue 17 point 6): each next option with met / missing,
the open cohort of the missing programme linked, the supervisor's view of a staff member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db
from lms.indonesian import local_today
from tests.browser.conftest import SHOTS, sign_in, sign_out

COHORT = "PKP-KARIER-UJI"


def _open_pkp_cohort(app) -> int:
    """An open cohort of the demo's PKP programme: enrolment closes in two weeks."""
    today = local_today()
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "PKP"))
        cohort = Cohort(
            programme_id=programme.id,
            code=COHORT,
            name="Angkatan II Tahun 2027",
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=150),
            enrol_deadline=today + timedelta(days=14),
        )
        db.session.add(cohort)
        db.session.commit()
        cohort_id = cohort.id
        db.session.remove()
    return cohort_id


def _drop_cohort(app, cohort_id: int) -> None:
    with app.app_context():
        db.session.delete(db.session.get(Cohort, cohort_id))
        db.session.commit()
        db.session.remove()


@pytest.mark.browser
def test_next_steps_of_a_pelaksana_a_fungsional_and_a_pengawas(
    page, live_server, live_app, shot, axe_check
) -> None:
    cohort_id = _open_pkp_cohort(live_app)
    try:
        sign_in(page, live_server, "pegawai")
        page.goto(f"{live_server}/karier#langkah")
        cards = page.locator("#syarat .card-grid article h4")
        expect(cards).to_have_text(
            [
                "Jabatan Pengawas",
                "Ahli Pertama (Jabatan Fungsional)",
                "Terampil (Jabatan Fungsional)",
            ]
        )
        link = page.get_by_role("link", name="Angkatan terbuka: Pelatihan Kepemimpinan Pengawas")
        expect(link).to_have_attribute("href", f"/program/PKP#cohort-{cohort_id}")
        axe_check("career page of a pelaksana")
        shot("career-next-01-pelaksana")
        page.locator("#syarat").screenshot(path=str(SHOTS / "career-next-01-pelaksana-section.png"))
        link.click()
        expect(page.locator(f"#cohort-{cohort_id}")).to_be_visible()
        sign_out(page)

        sign_in(page, live_server, "pengajar")
        page.goto(f"{live_server}/karier")
        expect(cards).to_have_text(["Ahli Muda (Jabatan Fungsional)", "Jabatan Pengawas"])
        expect(
            page.locator("#syarat").get_by_text("Contoh, disesuaikan instansi").first
        ).to_be_visible()
        axe_check("career page of a fungsional")
        shot("career-next-02-fungsional")
        sign_out(page)

        sign_in(page, live_server, "atasan")
        page.goto(f"{live_server}/karier")
        expect(cards).to_have_text(["Jabatan Administrator"])
        expect(page.locator("#syarat")).to_contain_text("Jabatan saat ini: Pengawas")
        expect(page.locator("#syarat")).to_contain_text(
            "Belum ada angkatan yang dibuka untuk pelatihan ini."
        )
        axe_check("career page of a pengawas")
        shot("career-next-03-pengawas")

        with live_app.app_context():  # the supervisor looks at their pelaksana
            staff = db.session.scalar(select(User).where(User.username == "pegawai")).employee_id
            db.session.remove()
        page.goto(f"{live_server}/kelola/pegawai/{staff}/karier")
        expect(cards).to_have_count(3)
        expect(
            page.get_by_role("link", name="Angkatan terbuka: Pelatihan Kepemimpinan Pengawas")
        ).to_be_visible()
        axe_check("a supervisor's view of a pelaksana's career")
        shot("career-next-04-supervisor-view")
    finally:
        _drop_cohort(live_app, cohort_id)
