"""The small flows of issue 15 in Chromium: a destructive action asks first (disabling an
account), the nomination form's list, the catalogue's JP range, and BKPSDM's webhook status."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from tests.browser.conftest import DEMO_PASSWORD, sign_in, sign_out


def _spare_account(live_app) -> str:
    """A demo employee's NIP account that no other browser test signs in with."""
    with live_app.app_context():
        username = db.session.scalar(
            select(User.username)
            .where(User.employee_id.is_not(None), User.username.regexp_match(r"^[0-9]{18}$"))
            .order_by(User.username.desc())
            .limit(1)
        )
        db.session.remove()
    assert username
    return username


@pytest.mark.browser
def test_disabling_an_account_asks_what_will_happen_then_disables_it(
    page, browser, live_server, live_app, shot, axe_check
) -> None:
    target = _spare_account(live_app)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/pengguna?q={target}")
    row = page.locator("tbody tr", has_text=target)
    expect(row.get_by_text("aktif", exact=True)).to_be_visible()

    # One click does not disable: it asks, saying what will happen.
    row.get_by_role("button", name="Nonaktifkan").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"Nonaktifkan akun {target}?")
    expect(page.get_by_text("Yang akan terjadi:")).to_be_visible()
    expect(page.get_by_text("Semua sesinya di setiap perangkat berakhir")).to_be_visible()
    expect(
        page.get_by_text("Data, riwayat belajar, dan sertifikatnya tetap tersimpan.")
    ).to_be_visible()
    axe_check("confirmation: disable account")
    shot("i15-01-confirm-disable-account")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    shot("i15-01b-confirm-disable-account-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # "Batal" goes back and nothing changed.
    page.get_by_role("button", name="Batal").click()
    page.wait_for_url(re.compile(r".*/admin/pengguna\?q="))
    row = page.locator("tbody tr", has_text=target)
    expect(row.get_by_text("aktif", exact=True)).to_be_visible()

    # Asked again and confirmed: the account is disabled.
    row.get_by_role("button", name="Nonaktifkan").click()
    page.get_by_role("button", name="Ya, nonaktifkan akun").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Akun {target} dinonaktifkan")
    row = page.locator("tbody tr", has_text=target)
    expect(row.get_by_text("nonaktif", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Aktifkan")).to_be_visible()
    axe_check("users after disabling")
    shot("i15-02-account-disabled")

    # The owner cannot sign in any more.
    other = browser.new_context()
    try:
        login_page = other.new_page()
        login_page.goto(f"{live_server}/masuk")
        login_page.get_by_label("Nama pengguna atau NIP").fill(target)
        login_page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
        login_page.get_by_role("button", name="Masuk").click()
        expect(login_page).to_have_url(re.compile(r".*/masuk"))
    finally:
        other.close()

    # Enabling again is not destructive: one click.
    row.get_by_role("button", name="Aktifkan").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Akun {target} diaktifkan")
    sign_out(page)


@pytest.mark.browser
def test_catalogue_points_out_a_jp_minimum_above_the_maximum(
    page, live_server, shot, axe_check
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/pelatihan")
    page.get_by_label("JP minimal").fill("10")
    page.get_by_label("JP maksimal").fill("4")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("#jp-error")).to_contain_text("lebih besar daripada JP maksimal")
    expect(page.get_by_label("JP minimal")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("0 pelatihan ditemukan")).to_have_count(0)
    axe_check("catalogue with a JP range that cannot match")
    shot("i15-03-catalogue-jp-range")
    sign_out(page)


@pytest.mark.browser
def test_bkpsdm_sees_webhook_delivery_status(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "bkpsdm")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Webhook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhook")
    expect(page.locator("#delivery-note")).to_contain_text("dikirim oleh aplikasi ini")
    expect(page.get_by_text("Daftarkan penerima")).to_have_count(0)
    axe_check("webhooks, read by BKPSDM")
    shot("i15-04-webhooks-bkpsdm")
    sign_out(page)


@pytest.mark.browser
def test_nomination_offers_each_person_only_what_they_may_still_be_nominated_for(
    page, live_server, live_app, shot, axe_check
) -> None:
    """A supervisor's form: a course a report has completed is hidden once that report is
    chosen (nominate.js), and offered again for the others."""
    from lms.enrolments.models import Enrolment
    from lms.org.models import Employee
    from tests.factories import make_course

    with live_app.app_context():
        boss = db.session.scalar(select(User).where(User.username == "atasan"))
        me = db.session.scalar(select(User).where(User.username == "pegawai"))
        staff = db.session.scalars(
            select(Employee)
            .where(Employee.supervisor_id == boss.employee_id, Employee.id != me.employee_id)
            .order_by(Employee.id)
        ).all()
        assert len(staff) >= 2
        course = make_course(
            "USUL-ALUR-1", title="Manajemen Risiko Layanan", approval_steps="supervisor,hr"
        )
        db.session.add(Enrolment(course_id=course.id, employee_id=staff[0].id, status="completed"))
        db.session.commit()
        course_id, done_id, other_id = course.id, staff[0].id, staff[1].id
        db.session.remove()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "atasan")
    page.goto(f"{live_server}/pendaftaran/usulkan")
    option = page.locator(f'#course_id option[value="{course_id}"]')
    page.get_by_label("Pegawai yang diusulkan").select_option(str(other_id))
    expect(option).not_to_have_attribute("hidden", "")
    page.locator("#course_id").select_option(str(course_id))
    page.get_by_label("Pegawai yang diusulkan").select_option(str(done_id))
    expect(option).to_have_attribute("hidden", "")
    assert page.locator("#course_id").input_value() == "0"  # choice cleared
    expect(page.get_by_text("Hanya pelatihan yang memerlukan persetujuan")).to_be_visible()
    axe_check("nomination form, supervisor")
    shot("i15-05-nominate-supervisor")
    sign_out(page)


@pytest.mark.browser
def test_revoking_a_certificate_asks_first_with_the_reason_and_batal_changes_nothing(
    page, live_server, live_app, shot, axe_check
) -> None:
    from lms.certificates.models import Certificate

    with live_app.app_context():
        cert_id = db.session.scalar(
            select(Certificate.id).where(Certificate.status == "issued").order_by(Certificate.id)
        )
        db.session.remove()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "bkpsdm")
    page.goto(f"{live_server}/kelola/sertifikat/{cert_id}")
    page.locator("#revoke-reason").fill("Daftar hadir tidak sah.")
    page.get_by_role("button", name="Cabut kelulusan & sertifikat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cabut kelulusan dan sertifikat")
    expect(page.get_by_text("Daftar hadir tidak sah.")).to_be_visible()
    expect(page.get_by_text("JP-nya tidak lagi dihitung", exact=False)).to_be_visible()
    axe_check("confirmation: revoke a certificate")
    shot("i15-06-confirm-revoke-certificate")
    page.get_by_role("button", name="Batal").click()
    page.wait_for_url(f"{live_server}/kelola/sertifikat/{cert_id}")
    with live_app.app_context():
        assert db.session.get(Certificate, cert_id).status == "issued"
        db.session.remove()
    sign_out(page)
