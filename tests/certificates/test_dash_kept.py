"""The dashboard's latest certificates are kept per employee (certificates.queries.MINE): a
certificate issued, its PDF made or its revocation shows on the very next visit, also in
another worker."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.org.models import Employee
from tests.certificates.access import issue_certificate
from tests.conftest import login
from tests.factories import make_course
from tests.test_query_counts import count_queries


def _issue(app, world) -> int:
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        certificate = issue_certificate(employee, make_course("SRT-101", title="Arsip Dinamis"))
        certificate.pdf_key = None
        db.session.commit()
        certificate_id = certificate.id
        db.session.remove()
    return certificate_id


def _change(app, certificate_id: int, **values: object) -> None:
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        for name, value in values.items():
            setattr(certificate, name, value)
        db.session.commit()
        db.session.remove()


def test_issue_pdf_and_revocation_show_at_once_here_and_in_another_worker(
    app, client, world, worker_app
) -> None:
    login(client, "pegawai")
    other = worker_app().test_client()
    login(other, "pegawai")
    for browser in (client, other):
        assert "Sertifikat terbaru" not in browser.get("/dasbor").text  # kept: none
    certificate_id = _issue(app, world)
    for browser in (client, other):
        page = browser.get("/dasbor").text
        assert "Arsip Dinamis" in page and 'data-state="pending"' in page
    _change(app, certificate_id, pdf_key="certificates/x.pdf")
    for browser in (client, other):
        page = browser.get("/dasbor").text
        assert "Arsip Dinamis" in page and 'data-state="pending"' not in page
    _change(
        app, certificate_id, status="revoked", revoked_at=datetime.now(UTC), revoke_reason="Salah"
    )
    for browser in (client, other):
        assert "Sertifikat terbaru" not in browser.get("/dasbor").text


def test_the_next_visit_reads_no_certificate(app, client, world) -> None:
    _issue(app, world)
    login(client, "pegawai")
    client.get("/dasbor")
    with count_queries(app) as counter:
        assert "Arsip Dinamis" in client.get("/dasbor").text
    assert not any("FROM certificates" in s for s in counter["sql"])
    with app.app_context():
        assert db.session.scalar(select(Certificate.status)) == "issued"
