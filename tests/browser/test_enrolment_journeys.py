"""Enrolment journeys in Chromium: a nomination approved by the supervisor and then HR, and HR
enrolling a whole unit in bulk (preview first, then commit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from lms import create_app
from lms.courses.models import Course
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.browser.conftest import sign_in, sign_out
from tests.conftest import PG_URL
from tests.factories import make_course


@pytest.fixture(scope="module")
def live_app(live_server, databases, tmp_path_factory) -> Iterator[Flask]:
    """An app on the live server's own database, to set up courses the journeys need.

    ``live_server`` names its database "browser" through the session's ``databases`` factory:
    a file in its folder on SQLite, the one created database with that label on PostgreSQL.
    """
    if PG_URL:
        name = next(n for n in databases.created if n.startswith("lms_test_browser_"))
        uri = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        uri = f"sqlite:///{databases.tmp / 'browser.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "FILES_DIR": str(tmp_path_factory.mktemp("live-app"))},
        env="testing",
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _menu(page, name: str) -> None:
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()


@pytest.mark.browser
def test_supervisor_approves_a_nomination_then_hr_confirms(
    page,
    live_server,
    live_app,
    shot,
    axe_check,
) -> None:
    with live_app.app_context():
        course = make_course(
            "USUL-PKP-B",
            title="Kepemimpinan Pelayanan Publik",
            category="Kepemimpinan",
            approval_steps="supervisor,hr",
            capacity=30,
        )
        course_id = course.id
        db.session.commit()
        db.session.remove()
    page.set_viewport_size({"width": 1280, "height": 900})

    # The employee nominates themselves.
    sign_in(page, live_server, "pegawai")
    _menu(page, "Usulan pelatihan")
    assert page.get_by_role("heading", level=1).inner_text() == "Ajukan usulan pelatihan"
    page.get_by_label("Pelatihan").select_option(str(course_id))
    axe_check("nomination form")
    shot("30-enrolment-nominate-form")
    page.get_by_role("button", name="Kirim usulan").click()
    assert "menunggu persetujuan atasan langsung" in page.locator(".flash").inner_text()
    expect(page.locator("table").get_by_text("Kepemimpinan Pelayanan Publik")).to_be_visible()
    axe_check("nomination sent")
    shot("31-enrolment-nominate-sent")
    sign_out(page)

    # The direct supervisor sees it on the dashboard and approves it.
    sign_in(page, live_server, "atasan")
    waiting = page.locator(
        "article", has=page.get_by_role("heading", name="Usulan menunggu persetujuan Anda")
    )
    expect(waiting.get_by_text("Kepemimpinan Pelayanan Publik")).to_be_visible()
    expect(page.get_by_role("heading", name="Pendaftaran tim saya")).to_be_visible()
    axe_check("supervisor dashboard with a waiting nomination")
    shot("32-enrolment-supervisor-dashboard")
    # the demo's own nomination may wait there too: open this one
    waiting.locator("li", has_text="Kepemimpinan Pelayanan Publik").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Keputusan Anda")).to_be_visible()
    axe_check("approval page")
    shot("33-enrolment-approval-page")
    # Rejecting without a reason is refused with a message at the field.
    page.get_by_role("button", name="Tolak").click()
    assert page.locator(".field-error").inner_text() == "Tuliskan alasan penolakan."
    axe_check("approval page with an error")
    page.get_by_label("Catatan atau alasan").fill(
        "Sesuai rencana pengembangan kompetensi tahun ini."
    )
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.")).to_be_visible()
    expect(page.get_by_text("menunggu persetujuan BKPSDM / Admin OPD")).to_be_visible()
    axe_check("approval queue after deciding")
    shot("34-enrolment-approved-by-supervisor")
    sign_out(page)

    # HR confirms.
    sign_in(page, live_server, "bkpsdm")
    expect(page.get_by_role("heading", name="Persetujuan menunggu")).to_be_visible()
    _menu(page, "Persetujuan")
    hr_section = page.locator(
        "section", has=page.get_by_role("heading", name="Persetujuan BKPSDM / Admin OPD")
    )
    row = hr_section.locator("tr", has_text="Kepemimpinan Pelayanan Publik")
    expect(row).to_have_count(1)
    axe_check("HR approval queue")
    shot("35-enrolment-hr-queue")
    row.get_by_role("button").click()
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("terdaftar di pelatihan Kepemimpinan Pelayanan Publik")).to_be_visible()
    sign_out(page)

    # The employee is told, in the app.
    sign_in(page, live_server, "pegawai")
    _menu(page, "Pemberitahuan")
    assert page.get_by_text(
        "Anda terdaftar di pelatihan Kepemimpinan Pelayanan Publik."
    ).is_visible()
    axe_check("notifications")
    shot("36-enrolment-notifications")
    page.get_by_role("button", name="Tandai semua sudah dibaca").click()
    expect(page.get_by_text("0 pemberitahuan belum dibaca.")).to_be_visible()
    with live_app.app_context():
        status = db.session.scalar(select(Enrolment.status).where(Enrolment.course_id == course_id))
        db.session.remove()
    assert status == "active"
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.body.scrollWidth - window.innerWidth") <= 1
    shot("37-enrolment-notifications-phone")


@pytest.mark.browser
def test_hr_enrols_a_unit_in_bulk(page, live_server, live_app, shot, axe_check) -> None:
    with live_app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "DINKES"))
        people = db.session.scalar(
            select(func.count(Employee.id))
            .join(Employee.unit)
            .where(Unit.path.startswith(unit.path), Employee.is_active.is_(True))
        )
        assert people >= 4, people
        course = make_course(
            "MASSAL-DINKES-B",
            title="Pelayanan Prima Fasilitas Kesehatan",
            category="Manajemen Pelayanan Publik",
            self_enrol=False,
            capacity=people - 2,  # two will wait
        )
        course_id, unit_id = course.id, unit.id
        db.session.commit()
        db.session.remove()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "bkpsdm")
    _menu(page, "Pendaftaran massal")
    page.get_by_label("Pelatihan").select_option(str(course_id))
    page.get_by_label("Unit kerja (termasuk sub-unit)").select_option(str(unit_id))
    axe_check("bulk enrolment form")
    shot("40-bulk-form")
    page.get_by_role("button", name="Lihat pratinjau").click()
    expect(page.get_by_role("heading", name="Pratinjau pendaftaran massal")).to_be_visible()
    assert page.locator(".facts div", has_text="Akan terdaftar").locator("dd").inner_text() == str(
        people - 2
    )
    assert (
        page.locator(".facts div", has_text="Masuk daftar tunggu").locator("dd").inner_text() == "2"
    )
    axe_check("bulk preview")
    shot("41-bulk-preview")
    with live_app.app_context():
        before = db.session.scalar(
            select(func.count(Enrolment.id)).where(Enrolment.course_id == course_id)
        )
        db.session.remove()
    assert before == 0  # the preview wrote nothing
    page.get_by_role("button", name=f"Daftarkan {people} pegawai").click()
    expect(page.get_by_text(f"{people - 2} pegawai didaftarkan")).to_be_visible()
    axe_check("bulk form after commit")
    shot("42-bulk-done")
    with live_app.app_context():
        states = dict(
            db.session.execute(
                select(Enrolment.status, func.count())
                .where(Enrolment.course_id == course_id)
                .group_by(Enrolment.status)
            ).all()
        )
        db.session.remove()
    assert states == {"active": people - 2, "waitlisted": 2}

    # A NIP list with an unknown NIP is refused row by row, at phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Pelatihan").select_option(str(course_id))
    page.get_by_label("Atau tempel daftar NIP").fill("199001012015031999\n12345")
    page.get_by_role("button", name="Lihat pratinjau").click()
    expect(
        page.get_by_text("2 baris bermasalah. Tidak ada pegawai yang didaftarkan.")
    ).to_be_visible()
    expect(page.get_by_text("NIP tidak terdaftar sebagai pegawai.")).to_be_visible()
    assert page.evaluate("document.body.scrollWidth - window.innerWidth") <= 1
    axe_check("bulk preview with bad rows, phone")
    shot("43-bulk-bad-rows-phone")
    with live_app.app_context():
        assert db.session.get(Course, course_id) is not None
        db.session.remove()
