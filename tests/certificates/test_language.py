"""Certificate dates on screen follow the reader's language (issue 15, point 15: in English mode
they stayed Indonesian). The PDF itself stays Indonesian: it is a legal document."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

from lms.certificates import render
from lms.certificates.display import printed_rows
from lms.extensions import db
from lms.indonesian import parse_tanggal, tanggal
from lms.org.models import Employee
from tests.certificates.access import issue_certificate
from tests.conftest import login
from tests.factories import make_course

ISSUED = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 28 November 2026 in Palembang (03:00 WIB)


def _english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def _issue(app, world) -> dict:
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        course = make_course("BHS-101", title="Pelatihan Bahasa Tanggal", lessons=1)
        certificate = issue_certificate(
            employee, course, completed_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
        )
        certificate.issued_at = ISSUED
        certificate.fields = {**certificate.fields, "issue_date": "28 November 2026"}
        db.session.commit()
        out = {"id": certificate.id, "token": certificate.token, "fields": dict(certificate.fields)}
        db.session.remove()
    return out


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_my_certificates_list_dates_in_the_readers_language(app, world) -> None:
    _issue(app, world)
    client = app.test_client()
    login(client, "pegawai")
    assert "28 November 2026" in _text(client.get("/sertifikat"))
    _english(client)
    page = _text(client.get("/sertifikat"))
    assert "November 28, 2026" in page and "28 November 2026" not in page


def test_the_register_dates_in_the_readers_language(app, world) -> None:
    _issue(app, world)
    client = app.test_client()
    login(client, "bkpsdm")
    _english(client)
    page = _text(client.get("/kelola/sertifikat"))
    assert "November 28, 2026" in page and "28 November 2026" not in page


def test_the_verify_page_dates_in_the_readers_language(app, world) -> None:
    cert = _issue(app, world)
    client = app.test_client()
    indonesian = _text(client.get(f"/verify/{cert['token']}"))
    assert "20 November 2026" in indonesian and "28 November 2026" in indonesian
    _english(client)
    english = _text(client.get(f"/verify/{cert['token']}"))
    assert "November 20, 2026" in english and "November 28, 2026" in english
    assert "20 November 2026" not in english
    # The API answers the frozen printed fields, Indonesian as documented.
    api = client.get(f"/api/v1/certificates/{cert['token']}").get_json()
    assert api["end_date"] == "20 November 2026"


def test_the_pdf_stays_indonesian_in_english_mode(app, world) -> None:
    cert = _issue(app, world)
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        from lms.certificates.models import Certificate

        html_text = render.render_html(db.session.get(Certificate, cert["id"]))
    assert "28 November 2026" in html_text and "TELAH MENGIKUTI" in html_text


def test_printed_rows_read_back_the_printed_dates(app) -> None:
    fields = {
        "start_date": "3 November 2026",
        "issue_date": "28 November 2026",
        "birth": "Palembang, 17 Mei 1988",
        "place": "Daring (e-learning)",
        "title": "3 November 2026",  # not a date field: left as written
    }
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        rows = {key: value for key, _label, value in printed_rows(fields)}
    assert rows["start_date"] == "November 3, 2026"
    assert rows["issue_date"] == "November 28, 2026"
    assert rows["birth"] == "Palembang, May 17, 1988"
    assert rows["title"] == "3 November 2026"
    with app.test_request_context("/"):
        rows = {key: value for key, _label, value in printed_rows(fields)}
    assert rows["start_date"] == "3 November 2026" and rows["place"] == "Daring"


def test_parse_tanggal_reads_back_what_tanggal_prints() -> None:
    for day in (date(2026, 1, 1), date(2024, 2, 29), date(2026, 12, 31)):
        assert parse_tanggal(tanggal(day)) == day
    for text in ("", None, "30 Februari 2026", "3 Nov 2026", "November 3, 2026", "3 November"):
        assert parse_tanggal(text) is None
