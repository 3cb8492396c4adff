"""A certificate whose PDF is still being rendered (issue 19: the render runs after the response):
the learner's list shows a progress indicator and "being made", and once the PDF is stored the
page says so by itself (js/certificate-status.js through js/poll-status.js), without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.browser.conftest import sign_in


def _set_pdf_key(live_app, certificate_id: int, key: str | None) -> None:
    with live_app.app_context():
        db.session.get(Certificate, certificate_id).pdf_key = key
        db.session.commit()


@pytest.mark.browser
def test_pending_pdf_turns_ready_on_the_page(page, live_server, live_app, shot, axe_check):
    with live_app.app_context():
        employee_id = db.session.scalar(select(User.employee_id).where(User.username == "pegawai"))
        certificate = db.session.scalars(
            select(Certificate)
            .where(Certificate.employee_id == employee_id, Certificate.pdf_key.is_not(None))
            .order_by(Certificate.id)
        ).first()
        assert certificate is not None, "the demo gives pegawai a certificate with its PDF"
        certificate_id, stored = certificate.id, certificate.pdf_key

    _set_pdf_key(live_app, certificate_id, None)  # as just after the issue, before the task ran
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        sign_in(page, live_server, "pegawai")
        page.goto(f"{live_server}/sertifikat")
        box = page.locator(f"[data-certificate-status-url$='/{certificate_id}/status']")
        expect(box).to_have_attribute("data-state", "pending")
        expect(box.locator("progress")).to_be_visible()
        expect(box.get_by_role("status")).to_have_text("PDF sertifikat sedang dibuat…")
        axe_check("my certificates, a PDF being made")
        shot("71-certificate-pdf-pending")

        _set_pdf_key(live_app, certificate_id, stored)  # the render task stored it
        expect(box).to_have_attribute("data-state", "ready", timeout=20_000)
        expect(box.get_by_role("status")).to_have_text("PDF siap diunduh.")
        expect(box.locator("progress")).to_have_count(0)
        shot("72-certificate-pdf-ready")
    finally:
        _set_pdf_key(live_app, certificate_id, stored)
