"""Public verification (UU 27/2022): the QR token opens what a verifier needs and no more; a typed
number opens only the validity unless the holder's NIP or birth date is given too; look-ups by
number and failed proofs are rate-limited (issue 13, point 5)."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date
from types import SimpleNamespace

import pytest

from lms.auth.models import User
from lms.certificates import render, verification
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.completion import services as completion_services
from lms.extensions import db
from lms.org.models import Employee
from lms.org.nip import format_nip
from tests.certificates.access import issue_certificate
from tests.factories import make_course

EXTRA_KEYS = {
    "view",
    "status",
    "revoked_at",
    "revoke_reason",
    "replaced_by",
    "sha256",
    "pdf_url",
    "verify_url",
}
PUBLIC = set(verification.PUBLIC_KEYS)
# Printed on the PDF, never on the public page or API.
PRIVATE = ("birth", "pangkat_golongan", "jabatan", "unit", "signatory_nip")


@pytest.fixture
def cert(app, world):
    """A rendered certificate of `pegawai`, whose records carry an e-mail that must never leak."""
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        employee.email = "siti.aminah@dinkes.example.go.id"
        employee.birth_place = "Lubuklinggau"
        employee.position_name = "Analis Kebijakan Ahli Muda"
        db.session.get(User, world.users["pegawai"].id).email = "akun.siti@example.go.id"
        certificates.default_series().signatory_nip = "197203151998032004"
        course = make_course("VER-101", title="Pelatihan Verifikasi Sertifikat", lessons=2)
        certificate = issue_certificate(employee, course, score=86.5)
        render.ensure_pdf(certificate)
        db.session.commit()
        out = SimpleNamespace(
            id=certificate.id,
            number=certificate.number,
            token=certificate.token,
            fields=dict(certificate.fields),
            sha256=certificate.pdf_sha256,
            nip=employee.nip,
            birth_date=employee.birth_date,
        )
        db.session.remove()
    assert out.birth_date is not None and len(out.nip) == 18
    for key in PRIVATE:
        assert out.fields[key], key  # each private field is really printed, so its absence counts
    return out


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _revoke(app, world, cert, reason: str = "Peserta tidak memenuhi presensi") -> None:
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        completion = db.session.get(Certificate, cert.id).completion
        completion_services.revoke(completion, hr, reason)
        db.session.commit()
        db.session.remove()


def _masked(nip: str) -> str:
    return nip[:4] + "*" * 10 + nip[-4:]


def _assert_verifier_view(page: str, cert) -> None:
    """Name, masked NIP, course, dates, JP, kualifikasi, issuer, status; nothing private."""
    for key in (
        "name",
        "title",
        "start_date",
        "end_date",
        "jp_words",
        "qualification",
        "issuer",
        "number",
    ):
        assert cert.fields[key] in page, key
    assert _masked(cert.nip) in page
    assert cert.nip not in page and format_nip(cert.nip) not in page
    assert cert.nip[:8] not in page  # the birth date inside the NIP
    for key in PRIVATE:
        assert cert.fields[key] not in page, key
    assert format_nip(cert.fields["signatory_nip"]) not in page
    assert "Lubuklinggau" not in page and "Analis Kebijakan" not in page
    assert "Nilai" not in page and cert.fields["score"] not in page
    for subject in cert.fields["subjects"]:
        assert subject["title"] not in page
    assert "siti.aminah@dinkes.example.go.id" not in page
    assert "akun.siti@example.go.id" not in page


def test_mask_nip_keeps_four_digits_each_side() -> None:
    assert verification.mask_nip("199403122019032953") == "1994**********2953"
    assert verification.mask_nip("1994 0312 201903 2 953") == "1994**********2953"
    assert verification.mask_nip("1234") == "****"
    assert verification.mask_nip("") == ""


# --- by QR token: the verifier view ----------------------------------------------------------


def test_token_page_shows_what_a_verifier_needs_and_no_more(client, cert) -> None:
    response = client.get(f"/verify/{cert.token}")
    assert response.status_code == 200
    page = _text(response)
    assert 'data-status="valid"' in page and "BERLAKU" in page
    _assert_verifier_view(page, cert)
    assert cert.sha256 and cert.sha256 in page
    assert "bandingkan sidik jari SHA-256 berkas PDF Anda" in page
    assert f"/verify/{cert.token}/pdf" in page
    # The page's script lives in a static file: nothing inline under the strict CSP.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None


def test_the_pdf_still_prints_every_field_and_matches_the_published_hash(client, cert) -> None:
    response = client.get(f"/verify/{cert.token}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == cert.sha256


def test_json_by_token_is_the_verifier_view(app, client, cert) -> None:
    body = client.get(f"/api/v1/certificates/{cert.token}").get_json()
    assert set(body) == (PUBLIC & set(cert.fields)) | EXTRA_KEYS
    assert body["view"] == "full"
    assert body["nip"] == _masked(cert.nip)
    # organiser/partner are printed (and public) only on a partner's course; this one is not;
    # document/co_organiser only on an STTPP (tests/certificates/test_sttpp.py).
    optional = {"organiser", "partner", "document", "co_organiser"}
    assert not optional & set(cert.fields)
    for key in PUBLIC - {"nip"} - optional:
        assert body[key] == cert.fields[key], key
    base = app.config["BASE_URL"].rstrip("/")
    assert body["status"] == "valid"
    assert body["revoked_at"] is None and body["revoke_reason"] is None
    assert body["replaced_by"] is None
    assert body["sha256"] == cert.sha256
    assert body["verify_url"] == f"{base}/verify/{cert.token}"
    assert body["pdf_url"] == f"{base}/verify/{cert.token}/pdf"
    raw = client.get(f"/api/v1/certificates/{cert.token}").get_data(as_text=True)
    _assert_verifier_view(raw, cert)
    for key in ("id", "employee_id", "completion_id", "email", "token", "birth_date", "score"):
        assert key not in body


# --- by number: validity only, unless the holder's NIP or birth date is given ----------------


def test_a_typed_number_alone_shows_only_the_validity(client, cert) -> None:
    response = client.get(f"/verify/{cert.number}")
    assert response.status_code == 200
    page = _text(response)
    assert 'data-status="valid"' in page and "BERLAKU" in page and cert.number in page
    for key in ("name", "title", "start_date", "jp_words", "issuer"):
        assert cert.fields[key] not in page, key
    assert _masked(cert.nip) not in page and cert.nip not in page
    assert cert.sha256 not in page
    assert cert.token not in page  # the number must not lead to the token (nor to the PDF)
    assert 'name="nip"' in page and 'name="tanggal_lahir"' in page  # the proof form

    body = client.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert body == dict.fromkeys(EXTRA_KEYS) | {
        "view": "validity",
        "number": cert.number,
        "status": "valid",
    }


@pytest.mark.parametrize(
    "proof",
    [
        "nip",
        "nip_spaced",
        "birth_iso",
        "birth_typed",
        "both",
    ],
)
def test_number_with_the_holders_nip_or_birth_date_opens_the_verifier_view(
    client, cert, proof
) -> None:
    query = {
        "nip": {"nip": cert.nip},
        "nip_spaced": {"nip": format_nip(cert.nip)},
        "birth_iso": {"tanggal_lahir": cert.birth_date.isoformat()},
        "birth_typed": {"tanggal_lahir": cert.birth_date.strftime("%d-%m-%Y")},
        "both": {"nip": cert.nip, "tanggal_lahir": cert.birth_date.isoformat()},
    }[proof]
    response = client.get(f"/verify/{cert.number}", query_string=query)
    assert response.status_code == 200
    page = _text(response)
    # The verifier's own query string comes back only in the language switch's return address.
    _assert_verifier_view(re.sub(r'\?[^"]*(nip|tanggal_lahir)=[^"]*"', '"', page), cert)
    assert cert.sha256 in page
    assert cert.token not in page  # still no PDF or QR address without the token

    body = client.get(f"/api/v1/certificates/{cert.number}", query_string=query).get_json()
    assert body["view"] == "full" and body["nip"] == _masked(cert.nip)
    assert body["name"] == cert.fields["name"] and body["sha256"] == cert.sha256
    assert body["pdf_url"] is None and body["verify_url"] is None


def test_a_wrong_nip_or_birth_date_shows_nothing_more(app, client, cert, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "VERIFY_PROOF_RATE_LIMIT", "100 per hour")
    other_nip = cert.nip[:-1] + ("1" if cert.nip[-1] != "1" else "2")
    other_day = date(1980, 1, 1) if cert.birth_date != date(1980, 1, 1) else date(1981, 1, 1)
    for query in (
        {"nip": other_nip},
        {"tanggal_lahir": other_day.isoformat()},
        {"nip": cert.nip, "tanggal_lahir": other_day.isoformat()},  # every part must match
    ):
        response = client.get(f"/verify/{cert.number}", query_string=query)
        assert response.status_code == 403, query
        page = _text(response)
        assert "NIP atau tanggal lahir tidak cocok dengan sertifikat ini." in page
        assert cert.fields["name"] not in page and cert.sha256 not in page
        api = client.get(f"/api/v1/certificates/{cert.number}", query_string=query)
        assert api.status_code == 403
        assert api.get_json()["error"]["code"] == "proof_mismatch"
        assert cert.fields["name"] not in api.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"nip": "12345"}, "NIP harus 18 angka"),
        ({"nip": "19940312201903295x"}, "NIP harus 18 angka"),
        ({"tanggal_lahir": "31-02-1994"}, "Tanggal lahir tidak valid"),
        ({"tanggal_lahir": "kemarin"}, "Tanggal lahir tidak valid"),
        ({"tanggal_lahir": "2999-01-01"}, "Tanggal lahir tidak valid"),
    ],
)
def test_a_malformed_proof_gets_a_clear_message(client, cert, query, message: str) -> None:
    response = client.get(f"/verify/{cert.number}", query_string=query)
    assert response.status_code == 400
    page = _text(response)
    assert message in page and 'aria-invalid="true"' in page
    assert cert.fields["name"] not in page
    api = client.get(f"/api/v1/certificates/{cert.number}", query_string=query)
    assert api.status_code == 400 and message in api.get_json()["error"]["message"]


def test_proofs_are_compared_in_constant_time(client, cert, monkeypatch) -> None:
    calls = []
    real = verification.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(verification.hmac, "compare_digest", spy)
    client.get(f"/verify/{cert.number}", query_string={"nip": cert.nip})
    client.get(
        f"/verify/{cert.number}", query_string={"tanggal_lahir": cert.birth_date.isoformat()}
    )
    assert (cert.nip.encode(), cert.nip.encode()) in calls
    assert any(a == cert.birth_date.isoformat().encode() for a, _ in calls)


def test_the_token_is_random_and_not_derived_from_the_number(app, world, cert) -> None:
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        second = issue_certificate(employee, make_course("VER-102", title="Pelatihan Kedua"))
        db.session.commit()
        tokens = [cert.token, second.token]
    assert all(len(t) >= 22 for t in tokens)  # 128 random bits (secrets.token_urlsafe(16))
    assert tokens[0] != tokens[1]
    assert cert.number.split("/")[0] not in tokens[0]


# --- states ------------------------------------------------------------------------------------


def test_revoked_certificate_shows_as_revoked_and_the_reason_only_to_a_verifier(
    app,
    world,
    client,
    cert,
) -> None:
    _revoke(app, world, cert)
    page = _text(client.get(f"/verify/{cert.number}"))
    assert 'data-status="revoked"' in page and "DICABUT" in page
    assert 'data-status="valid"' not in page
    assert "Peserta tidak memenuhi presensi" not in page  # the number alone: status only
    full = _text(client.get(f"/verify/{cert.token}"))
    assert "DICABUT" in full and "Peserta tidak memenuhi presensi" in full
    body = client.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert body["status"] == "revoked" and body["revoke_reason"] is None
    body = client.get(f"/api/v1/certificates/{cert.token}").get_json()
    assert body["status"] == "revoked"
    assert body["revoke_reason"] == "Peserta tidak memenuhi presensi"
    assert body["revoked_at"] and body["revoked_at"][:4].isdigit()
    # The PDF stays downloadable (by token) as the historical document; the page carries the status.
    assert client.get(f"/verify/{cert.token}/pdf").status_code == 200


def test_replaced_certificate_links_to_the_newer_number(app, world, client, cert) -> None:
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        new = certificates.reissue(db.session.get(Certificate, cert.id), hr, "Koreksi gelar")
        db.session.commit()
        new_number, new_token = new.number, new.token
        db.session.remove()
    assert new_number != cert.number
    page = _text(client.get(f"/verify/{cert.number}"))
    assert 'data-status="replaced"' in page
    assert f'href="/verify/{new_number}"' in page
    assert new_token not in page
    body = client.get(f"/api/v1/certificates/{cert.number}").get_json()
    assert body["status"] == "replaced"
    assert body["replaced_by"] == new_number
    fresh = client.get(f"/api/v1/certificates/{new_number}").get_json()
    assert fresh["status"] == "valid" and fresh["number"] == new_number


def test_unknown_number_gets_a_clear_404_page_and_json(client, world) -> None:
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


def test_search_form_redirects_to_the_certificate(client, cert) -> None:
    page = client.get("/verify")
    assert page.status_code == 200
    assert 'name="nomor"' in page.get_data(as_text=True)
    response = client.get("/verify", query_string={"nomor": f"  {cert.number} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{cert.number}")
    empty = client.get("/verify", query_string={"nomor": "  "})
    assert empty.status_code == 400
    assert "Isi nomor sertifikat" in _text(empty)


# --- rate limits -------------------------------------------------------------------------------


def test_verification_is_rate_limited(app, client, cert, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    assert client.get(f"/verify/{cert.token}").status_code == 200
    assert client.get(f"/api/v1/certificates/{cert.token}").status_code == 200
    assert client.get("/verify/tidak/ada").status_code == 404
    # One bucket for the page, the PDF and the JSON: the fourth request is refused.
    limited = client.get(f"/verify/{cert.token}")
    assert limited.status_code == 429
    assert "Terlalu banyak percobaan" in _text(limited)
    api = client.get(f"/api/v1/certificates/{cert.token}")
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "too_many_requests"


def test_lookups_by_number_are_limited_per_client_but_the_qr_token_is_not(
    app,
    client,
    cert,
    monkeypatch,
) -> None:
    monkeypatch.setitem(app.config, "VERIFY_NUMBER_RATE_LIMIT", "3 per minute")
    assert client.get(f"/verify/{cert.number}").status_code == 200
    assert client.get(f"/api/v1/certificates/{cert.number}").status_code == 200
    assert client.get("/verify/0002/STTP/BKPSDM/2026").status_code == 404  # walking counts too
    assert client.get(f"/verify/{cert.number}").status_code == 429
    assert client.get("/verify/0003/STTP/BKPSDM/2026").status_code == 429
    assert client.get(f"/api/v1/certificates/{cert.number}").status_code == 429
    for _ in range(4):  # the QR token is not a number look-up
        assert client.get(f"/verify/{cert.token}").status_code == 200
    assert client.get(f"/api/v1/certificates/{cert.token}").status_code == 200
    # Another client is counted on its own.
    other = client.get(f"/verify/{cert.number}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_failed_proofs_are_limited_per_number_from_any_client(
    app, client, cert, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "VERIFY_PROOF_RATE_LIMIT", "2 per hour")
    good = {"nip": cert.nip}
    wrong = {"tanggal_lahir": "1970-01-01"}
    assert cert.birth_date != date(1970, 1, 1)
    # Successful proofs do not count.
    for _ in range(3):
        assert client.get(f"/verify/{cert.number}", query_string=good).status_code == 200
    for address in ("10.0.0.1", "10.0.0.2"):
        response = client.get(
            f"/verify/{cert.number}", query_string=wrong, environ_base={"REMOTE_ADDR": address}
        )
        assert response.status_code == 403
    # Two failures from two machines: the number now refuses proofs from anyone, for a while.
    third = client.get(
        f"/api/v1/certificates/{cert.number}",
        query_string=good,
        environ_base={"REMOTE_ADDR": "10.0.0.3"},
    )
    assert third.status_code == 429
    # The validity and the QR token keep working.
    assert client.get(f"/verify/{cert.number}").status_code == 200
    assert client.get(f"/verify/{cert.token}").status_code == 200
