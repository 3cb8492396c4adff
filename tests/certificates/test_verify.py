"""Public verification: the page and the JSON show every printed field and the status, nothing else."""

from __future__ import annotations

import hashlib
import html
import re
from types import SimpleNamespace

import pytest

from lms.auth.models import User
from lms.certificates import render
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.completion import services as completion_services
from lms.extensions import db
from lms.org.models import Employee
from lms.org.nip import format_nip
from tests.certificates.access import issue_certificate
from tests.factories import make_course

EXTRA_KEYS = {
    "status",
    "revoked_at",
    "revoke_reason",
    "replaced_by",
    "sha256",
    "pdf_url",
    "verify_url",
}


@pytest.fixture
def cert(app, world):  # noqa: ANN001, ANN201
    """A rendered certificate of `pegawai`, whose records carry an e-mail that must never leak."""
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        employee.email = "siti.aminah@dinkes.example.go.id"
        db.session.get(User, world.users["pegawai"].id).email = "akun.siti@example.go.id"
        course = make_course("VER-101", title="Pelatihan Verifikasi Sertifikat", lessons=2)
        certificate = issue_certificate(employee, course)
        render.ensure_pdf(certificate)
        db.session.commit()
        out = SimpleNamespace(
            id=certificate.id,
            number=certificate.number,
            token=certificate.token,
            fields=dict(certificate.fields),
            sha256=certificate.pdf_sha256,
            employee_id=employee.id,
            completion_id=certificate.completion_id,
        )
        db.session.remove()
    return out


def _text(response) -> str:  # noqa: ANN001
    return html.unescape(response.get_data(as_text=True))


def _revoke(app, world, cert, reason: str = "Peserta tidak memenuhi presensi") -> None:  # noqa: ANN001
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        completion = db.session.get(Certificate, cert.id).completion
        completion_services.revoke(completion, hr, reason)
        db.session.commit()
        db.session.remove()


def test_valid_page_shows_every_printed_field_and_the_hash(client, cert) -> None:  # noqa: ANN001
    assert "/" in cert.number  # numbers carry slashes: the path converter must keep them
    response = client.get(f"/verify/{cert.number}")
    assert response.status_code == 200
    page = _text(response)
    assert 'data-status="valid"' in page
    assert "SAH" in page
    for key, value in cert.fields.items():
        if key == "subjects":
            assert value, "the test course has modules, so subjects are printed"
            for subject in value:
                assert subject["title"] in page and subject["jp"] in page
        elif key == "kind":
            assert "Pelatihan" in page
        elif key in ("nip", "signatory_nip") and value:
            assert format_nip(value) in page, key  # grouped as printed
        elif value:
            assert str(value) in page, key
    assert cert.fields["jp_words"] in page
    assert cert.sha256 and cert.sha256 in page
    assert "bandingkan sidik jari SHA-256 berkas PDF Anda" in page
    assert f"/verify/{cert.token}/pdf" in page
    # The page's script lives in a static file: nothing inline under the strict CSP.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None


def test_token_and_number_open_the_same_page(client, cert) -> None:  # noqa: ANN001
    by_token = _text(client.get(f"/verify/{cert.token}"))
    by_number = _text(client.get(f"/verify/{cert.number}"))
    assert cert.number in by_token and cert.number in by_number
    assert cert.fields["name"] in by_token


def test_authentic_pdf_downloads_and_matches_the_published_hash(client, cert) -> None:  # noqa: ANN001
    response = client.get(f"/verify/{cert.token}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert hashlib.sha256(response.data).hexdigest() == cert.sha256


def test_json_has_exactly_the_printed_fields_status_hash_and_links(app, client, cert) -> None:  # noqa: ANN001
    response = client.get(f"/api/v1/certificates/{cert.number}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == set(cert.fields) | EXTRA_KEYS
    for key, value in cert.fields.items():
        assert body[key] == value, key
    base = app.config["BASE_URL"].rstrip("/")
    assert body["status"] == "valid"
    assert body["revoked_at"] is None and body["revoke_reason"] is None
    assert body["replaced_by"] is None
    assert body["sha256"] == cert.sha256
    assert body["verify_url"] == f"{base}/verify/{cert.token}"
    assert body["pdf_url"] == f"{base}/verify/{cert.token}/pdf"
    assert client.get(f"/api/v1/certificates/{cert.token}").get_json() == body


def test_nothing_beyond_printed_fields_leaks(client, cert) -> None:  # noqa: ANN001
    page = _text(client.get(f"/verify/{cert.number}"))
    raw = client.get(f"/api/v1/certificates/{cert.number}").get_data(as_text=True)
    for text in (page, raw):
        assert "siti.aminah@dinkes.example.go.id" not in text
        assert "akun.siti@example.go.id" not in text
        assert "@" not in text.replace("@font-face", "")
    body = client.get(f"/api/v1/certificates/{cert.number}").get_json()
    for key in ("id", "employee_id", "completion_id", "email", "user_id", "token", "birth_date"):
        assert key not in body
    # No link or value exposes an internal id (the HR pages are addressed by id).
    assert "/kelola/sertifikat/" not in page
    assert f"/sertifikat/{cert.id}/" not in page


def test_revoked_certificate_shows_as_revoked_in_page_and_json(app, world, client, cert) -> None:  # noqa: ANN001
    _revoke(app, world, cert)
    page = _text(client.get(f"/verify/{cert.number}"))
    assert 'data-status="revoked"' in page
    assert "DICABUT" in page
    assert "Peserta tidak memenuhi presensi" in page
    assert 'data-status="valid"' not in page
    body = client.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert body["status"] == "revoked"
    assert body["revoke_reason"] == "Peserta tidak memenuhi presensi"
    assert body["revoked_at"] and body["revoked_at"][:4].isdigit()
    assert set(body) == set(cert.fields) | EXTRA_KEYS
    # The PDF stays downloadable as the historical document; the page carries the status.
    assert client.get(f"/verify/{cert.token}/pdf").status_code == 200


def test_replaced_certificate_links_to_the_newer_number(app, world, client, cert) -> None:  # noqa: ANN001
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        new = certificates.reissue(db.session.get(Certificate, cert.id), hr, "Koreksi gelar")
        db.session.commit()
        new_number = new.number
        db.session.remove()
    assert new_number != cert.number
    page = _text(client.get(f"/verify/{cert.number}"))
    assert 'data-status="replaced"' in page
    assert f'href="/verify/{new_number}"' in page
    body = client.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert body["status"] == "replaced"
    assert body["replaced_by"] == new_number
    fresh = client.get(f"/api/v1/certificates/{new_number}").get_json()
    assert fresh["status"] == "valid" and fresh["number"] == new_number


def test_unknown_number_gets_a_clear_404_page_and_json(client, world) -> None:  # noqa: ANN001
    response = client.get("/verify/9999/STTP/BKPSDM/2026")
    assert response.status_code == 404
    page = _text(response)
    assert "Sertifikat dengan nomor 9999/STTP/BKPSDM/2026 tidak ditemukan." in page
    assert 'name="nomor"' in page  # a search form to type the number again
    response = client.get("/api/v1/certificates/9999/STTP/BKPSDM/2026")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert "9999/STTP/BKPSDM/2026" in error["message"]
    assert client.get("/verify/bukan-token/pdf").status_code == 404


def test_search_form_redirects_to_the_certificate(client, cert) -> None:  # noqa: ANN001
    page = client.get("/verify")
    assert page.status_code == 200
    assert 'name="nomor"' in page.get_data(as_text=True)
    response = client.get("/verify", query_string={"nomor": f"  {cert.number} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{cert.number}")
    empty = client.get("/verify", query_string={"nomor": "  "})
    assert empty.status_code == 400
    assert "Isi nomor sertifikat" in _text(empty)


def test_verification_is_rate_limited(app, client, cert, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    assert client.get(f"/verify/{cert.number}").status_code == 200
    assert client.get(f"/api/v1/certificates/{cert.number}").status_code == 200
    assert client.get("/verify/tidak/ada").status_code == 404
    # One bucket for the page, the PDF and the JSON: the fourth request is refused.
    limited = client.get(f"/verify/{cert.number}")
    assert limited.status_code == 429
    assert "Terlalu banyak percobaan" in _text(limited)
    api = client.get(f"/api/v1/certificates/{cert.number}")
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "too_many_requests"
