"""The end of the aksi perubahan journey (tests/browser/test_project_journey.py): the organiser
closes the cohort, the participant's STTPP is issued and verifies, and the failing participant
gets none and a clear record. Steps called by that journey; no test of its own."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Protocol

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from lms.org.queries import agency_organiser
from tests.browser.conftest import SHOTS, sign_in, sign_out

CODE = "PKP-2026-PROYEK"
TOOLS = ("pdftotext", "pdftoppm")


class Cast(Protocol):
    member_id: int
    participant: str
    participant_name: str
    failing: str
    failing_name: str
    failing_member_id: int
    phases: tuple[str, ...]


def organiser_closes(page, base, cast: Cast, shot, axe_check) -> None:
    """BKPSDM marks the self-study, distance and classroom phases of both participants on the
    organiser's page, then closes the cohort: one passes, one fails."""
    sign_in(page, base, "bkpsdm")
    page.goto(f"{base}/angkatan/{CODE}")
    page.get_by_role("button", name="Kehadiran dan penutupan").click()
    expect(page.get_by_role("heading", name="Kemajuan peserta per tahap")).to_be_visible()
    grid = page.locator("table.phase-grid")
    expect(grid.locator("tbody tr")).to_have_count(2)
    expect(grid.locator("tbody tr", has_text=cast.participant_name)).to_contain_text(
        "2 dari 5 tahap terpenuhi"  # the project and its seminar: assessed
    )
    axe_check("organiser page before the marks")
    shot("i17-project-16-organiser")
    for phase in cast.phases:
        form = page.locator("form", has=page.get_by_role("button", name=f"Simpan tanda {phase}"))
        if not form.is_visible():
            page.locator("details summary", has_text=phase).first.click()
        form.get_by_label(cast.participant_name).check()
        form.get_by_label(cast.failing_name).check()
        form.get_by_role("button", name=f"Simpan tanda {phase}").click()
        expect(page.locator(".flash-success")).to_contain_text("2 ditambahkan")
    expect(grid.locator("tbody tr", has_text=cast.participant_name)).to_contain_text(
        "5 dari 5 tahap terpenuhi"
    )
    page.get_by_role("button", name="Tutup angkatan").click()
    expect(page.locator("main")).to_contain_text("1 peserta lulus")
    expect(page.locator("main")).to_contain_text("1 peserta tidak lulus")
    axe_check("closing confirmation")
    shot("i17-project-17-close-confirm")
    page.get_by_role("button", name="Ya, tutup angkatan").click()
    expect(page.locator(".flash-success")).to_have_text("Angkatan ditutup: 1 lulus, 1 tidak lulus.")
    passed = grid.locator("tbody tr", has_text=cast.participant_name)
    expect(passed).to_contain_text("Lulus")
    expect(passed).to_contain_text("Nilai 88,70 · Memuaskan")
    failed = grid.locator("tbody tr", has_text=cast.failing_name)
    expect(failed).to_contain_text("Tidak lulus")
    expect(failed).to_contain_text("Aksi perubahan: Kurang Memuaskan")
    expect(failed).to_contain_text("Sudah dinilai: Kurang Memuaskan")  # the project phases
    axe_check("organiser page after closing")
    shot("i17-project-18-closed")
    sign_out(page)


def participant_gets_the_sttpp(page, base, live_app, cast: Cast, shot, axe_check) -> None:
    """The participant's result, the STTPP in their certificates, its PDF, and the public
    verification page with the STTPP's fields."""
    if missing := [t for t in TOOLS if shutil.which(t) is None]:
        pytest.fail(f"install poppler-utils: missing {missing}")
    sign_in(page, base, cast.participant)
    card = page.locator("article.dash-my-cohorts")
    expect(card).to_contain_text("Lulus")
    card.get_by_role("link", name="Tahapan dan hasil").click()
    expect(page.locator("main")).to_contain_text("Kualifikasi Memuaskan")
    axe_check("my cohort, passed")
    shot("i17-project-19-my-result")
    page.get_by_role("link", name="Lihat sertifikat saya").click()
    row = page.locator("tbody tr", has_text="Pelatihan Kepemimpinan Pengawas")
    expect(row).to_have_count(1)
    number = row.locator("a[href^='/verify/']").inner_text()
    assert re.fullmatch(r"\d{4}/STTPP-PKP/BKPSDM/\d{4}", number), number  # its own series
    axe_check("my certificates with the STTPP")
    shot("i17-project-20-certificates")

    with live_app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
        cert_id, token, organiser = cert.id, cert.token, agency_organiser()
        db.session.remove()
    response = page.request.get(f"{base}/sertifikat/{cert_id}/pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / "i17-project-sttpp.pdf"
    pdf.write_bytes(response.body())
    # pdftotext splits letter-spaced words: compare without any whitespace.
    text = re.sub(
        r"\s+",
        "",
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout,
    )
    for value in (
        "SURAT TANDA TAMAT PENDIDIKAN DAN PELATIHAN",
        number,
        cast.participant_name,
        f"diselenggarakan oleh {organiser}",
        "LULUS dengan kualifikasi Memuaskan",
    ):
        assert re.sub(r"\s+", "", value) in text, value
    subprocess.run(  # page 1 as an image, looked at
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(SHOTS / "i17-project-21-sttpp-page1"),
        ],
        check=True,
    )
    sign_out(page)

    # Anyone (not signed in) verifies it: the token's page shows the STTPP's fields.
    page.goto(f"{base}/verify/{token}")
    expect(page.locator(".verify-status")).to_contain_text("BERLAKU")
    expect(page.locator("dd[data-field=document]")).to_contain_text("STTPP")
    expect(page.locator("dd[data-field=number]")).to_have_text(number)
    expect(page.locator("dd[data-field=qualification]")).to_have_text("Memuaskan")
    expect(page.locator("dd[data-field=organiser]")).to_have_text(organiser)
    expect(page.locator("dd[data-field=name]")).to_contain_text(cast.participant_name.split(",")[0])
    axe_check("public verification of the STTPP")
    shot("i17-project-22-verified")


def failing_participant_sees_why(page, base, live_app, cast: Cast, shot, axe_check) -> None:
    """The failing participant: the result with what was missing, no STTPP anywhere."""
    sign_in(page, base, cast.failing)
    card = page.locator("article.dash-my-cohorts")
    expect(card).to_contain_text("Tidak lulus")
    card.get_by_role("link", name="Tahapan dan hasil").click()
    result = page.locator("article.notice-error")
    expect(result).to_contain_text("Tidak lulus")
    expect(result).to_contain_text("Nilai akhir 64,20")
    expect(result).to_contain_text("Aksi perubahan: Kurang Memuaskan")
    expect(result).to_contain_text("Tidak ada sertifikat untuk angkatan ini.")
    expect(page.locator("main")).to_contain_text("3 dari 5")  # a failed project meets no phase
    axe_check("my cohort, failed")
    shot("i17-project-23-failed-result")
    page.goto(f"{base}/sertifikat")
    expect(page.locator("main")).not_to_contain_text("Pelatihan Kepemimpinan Pengawas")
    axe_check("certificates of the failed participant")
    sign_out(page)
    with live_app.app_context():
        member = db.session.get(CohortMember, cast.failing_member_id)
        records = db.session.scalars(
            select(Completion).where(
                Completion.employee_id == member.employee_id,
                Completion.programme_id.is_not(None),
            )
        ).all()
        certificates = db.session.scalars(
            select(Certificate.number).where(Certificate.number.like("%/STTPP-PKP/%"))
        ).all()
        assert (member.result, records) == ("failed", [])
        assert len(certificates) == 1  # the passed participant's only
        db.session.remove()
