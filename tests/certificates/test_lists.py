"""The employee's certificates, downloads and their access rules, the HR register, the cohort ZIP,
revoke and re-issue, and the series settings."""

from __future__ import annotations

import html
import io
import zipfile
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import select

from lms.auth.models import AuditLog, User
from lms.certificates import render
from lms.certificates import services as certificates
from lms.certificates.models import Certificate, CertificateSeries
from lms.completion.models import Completion, OutboxEvent
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import Role
from lms.storage import get_storage
from tests.certificates.access import issue_certificate, make_cohort
from tests.confirming import confirm, consequences
from tests.conftest import csrf_token, login
from tests.factories import make_employee, make_user
from tests.test_query_counts import count_queries

# `target.user`'s employee works at Dinas Pendidikan: a stranger to pegawai's certificates.
STRANGER = "target.user"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def certs(app, world):
    """pegawai: one valid and one revoked certificate; Dewi (Disdik): one valid certificate;
    an Admin OPD of Dinas Pendidikan."""
    with app.app_context():
        from tests.factories import make_course

        pegawai = db.session.get(Employee, world.employees["pegawai"].id)
        dewi = db.session.get(Employee, world.employees["disdik"].id)
        first = make_course("LST-101", title="Pelatihan Pelayanan Publik")
        second = make_course("LST-102", title="Pelatihan Arsip Digital")
        cohort = make_cohort("LST-ANGK-I", "Angkatan Uji Daftar")
        old = issue_certificate(
            pegawai,
            second,
            cohort_id=cohort.id,
            completed_at=datetime.now(UTC) - timedelta(days=40),
        )
        valid = issue_certificate(pegawai, first, cohort_id=cohort.id)
        other = issue_certificate(dewi, first, cohort_id=cohort.id)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        old.status = "revoked"
        old.revoked_at = datetime.now(UTC)
        old.revoked_by_id = hr.id
        old.revoke_reason = "Salah input angkatan"
        make_user(
            "opd.disdik",
            {Role.ADMIN_OPD},
            admin_unit=db.session.get(Unit, world.units["disdik"].id),
        )
        db.session.commit()
        out = SimpleNamespace(
            valid=SimpleNamespace(id=valid.id, number=valid.number, token=valid.token),
            revoked=SimpleNamespace(id=old.id, number=old.number),
            other=SimpleNamespace(id=other.id, number=other.number),
            cohort_id=cohort.id,
            course_id=first.id,
        )
        db.session.remove()
    return out


# --- the employee's own --------------------------------------------------------------------


def test_my_certificates_lists_own_valid_first_with_revoked_marked(client, certs) -> None:
    login(client, "pegawai")
    page = _text(client.get("/sertifikat"))
    assert certs.valid.number in page and certs.revoked.number in page
    assert certs.other.number not in page
    assert page.index(certs.valid.number) < page.index(certs.revoked.number)
    assert 'data-status="revoked"' in page and "Salah input angkatan" in page
    assert f"/sertifikat/{certs.valid.id}/pdf" in page
    assert f"/verify/{certs.valid.token}" in page


def test_dashboard_shows_latest_certificates(client, certs) -> None:
    login(client, "pegawai")
    page = _text(client.get("/dasbor"))
    assert "Sertifikat terbaru" in page
    assert certs.valid.number in page
    assert certs.revoked.number not in page  # only valid ones on the dashboard


def test_owner_downloads_the_pdf(client, certs) -> None:
    login(client, "pegawai")
    response = client.get(f"/sertifikat/{certs.valid.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("bkpsdm", 200),  # manages certificates
        ("opd.dinkes", 200),  # pegawai works in Dinas Kesehatan
        ("atasan", 200),  # pegawai's supervisor
        (STRANGER, 404),  # another employee: learns nothing
        ("opd.disdik", 404),  # an Admin OPD of another department
    ],
)
def test_download_access(client, certs, username: str, status: int) -> None:
    login(client, username)
    assert client.get(f"/sertifikat/{certs.valid.id}/pdf").status_code == status


def test_pegawai_cannot_download_someone_elses(client, certs) -> None:
    login(client, "pegawai")
    assert client.get(f"/sertifikat/{certs.other.id}/pdf").status_code == 404
    assert client.get("/sertifikat/999999/pdf").status_code == 404


# --- the register --------------------------------------------------------------------------


def test_register_search_and_filters(client, certs) -> None:
    login(client, "bkpsdm")
    page = _text(client.get("/kelola/sertifikat"))
    for number in (certs.valid.number, certs.revoked.number, certs.other.number):
        assert number in page

    def numbers(**query: object) -> set[str]:
        text = _text(client.get("/kelola/sertifikat", query_string=query))
        all_numbers = (certs.valid.number, certs.revoked.number, certs.other.number)
        return {n for n in all_numbers if f">{n}</a>" in text}

    assert numbers(q=certs.other.number) == {certs.other.number}
    assert numbers(q="dewi") == {certs.other.number}
    assert numbers(q="arsip digital") == {certs.revoked.number}
    assert numbers(q="LST-101") == {certs.valid.number, certs.other.number}
    assert numbers(status="revoked") == {certs.revoked.number}
    assert numbers(status="issued") == {certs.valid.number, certs.other.number}
    assert numbers(pelatihan=certs.course_id) == {certs.valid.number, certs.other.number}
    assert numbers(angkatan=certs.cohort_id) == {
        certs.valid.number,
        certs.revoked.number,
        certs.other.number,
    }
    year = datetime.now(UTC).year
    assert len(numbers(tahun=year)) == 3
    assert numbers(tahun=year - 5) == set()


def test_register_search_by_nip(app, client, certs, world) -> None:
    login(client, "bkpsdm")
    page = _text(
        client.get("/kelola/sertifikat", query_string={"q": world.employees["disdik"].nip})
    )
    assert certs.other.number in page and certs.valid.number not in page


def test_admin_opd_sees_only_own_department(client, certs) -> None:
    login(client, "opd.disdik")
    page = _text(client.get("/kelola/sertifikat"))
    assert certs.other.number in page
    assert certs.valid.number not in page and certs.revoked.number not in page
    assert client.get(f"/kelola/sertifikat/{certs.valid.id}").status_code == 404
    assert client.get(f"/kelola/sertifikat/{certs.other.id}").status_code == 200


def test_supervisor_sees_team_certificates(client, certs) -> None:
    login(client, "atasan")
    page = _text(client.get("/kelola/sertifikat"))
    assert certs.valid.number in page and certs.other.number not in page


def test_register_paginates_and_its_query_count_is_flat(app, world, client) -> None:
    from tests.factories import make_course

    def add(n: int, start: int) -> None:
        with app.app_context():
            unit = db.session.get(Unit, world.units["dinkes_seksi"].id)
            course = make_course(f"QC-{start}", title=f"Pelatihan Hitung {start}", lessons=1)
            for i in range(n):
                employee = make_employee(unit, f"Peserta {start + i}")
                issue_certificate(employee, course)
            db.session.commit()
            db.session.remove()

    login(client, "bkpsdm")
    add(3, 0)
    client.get("/kelola/sertifikat")
    with count_queries(app) as few:
        assert client.get("/kelola/sertifikat").status_code == 200
    add(27, 100)
    client.get("/kelola/sertifikat")
    with count_queries(app) as many:
        page = client.get("/kelola/sertifikat")
    assert page.status_code == 200
    assert many["n"] == few["n"]
    text = _text(page)
    assert "30 sertifikat ditemukan." in text
    assert "Halaman 1 dari 2" in text
    second = _text(client.get("/kelola/sertifikat", query_string={"page": 2}))
    assert "Halaman 2 dari 2" in second
    assert second.count('data-status="valid"') == 5


# --- detail, revoke, re-issue --------------------------------------------------------------


def test_detail_shows_fields_and_audit_trail(client, certs) -> None:
    login(client, "bkpsdm")
    page = _text(client.get(f"/kelola/sertifikat/{certs.valid.id}"))
    assert certs.valid.number in page
    assert "Jejak audit" in page
    assert "Cabut kelulusan & sertifikat" in page
    assert "Terbitkan ulang" in page
    assert 'name="revoke-reason"' in page and 'name="reissue-reason"' in page


def test_opd_admin_sees_detail_without_manage_forms(client, certs) -> None:
    login(client, "opd.dinkes")
    page = _text(client.get(f"/kelola/sertifikat/{certs.valid.id}"))
    assert certs.valid.number in page
    assert "revoke-reason" not in page and "reissue-reason" not in page


def test_revoke_needs_a_reason(app, client, certs) -> None:
    login(client, "bkpsdm")
    url = f"/kelola/sertifikat/{certs.valid.id}"
    token = csrf_token(client, url)
    response = client.post(
        f"{url}/cabut", data={"csrf_token": token, "revoke-csrf_token": token, "revoke-reason": " "}
    )
    assert response.status_code == 400
    assert "Alasan pencabutan wajib diisi." in _text(response)
    with app.app_context():
        assert db.session.get(Certificate, certs.valid.id).status == "issued"


def _form_token(client, url: str, prefix: str) -> str:
    import re

    page = client.get(url).get_data(as_text=True)
    match = re.search(rf'name="{prefix}-csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def test_revoke_revokes_completion_certificate_and_writes_event(app, client, certs) -> None:
    login(client, "bkpsdm")
    url = f"/kelola/sertifikat/{certs.valid.id}"
    token = _form_token(client, url, "revoke")
    asked = client.post(
        f"{url}/cabut", data={"revoke-csrf_token": token, "revoke-reason": "Data kehadiran palsu"}
    )
    # One click asks first, saying what will happen, and changes nothing yet.
    said = " ".join(consequences(_text(asked)))
    assert "JP-nya tidak lagi dihitung" in said and "halaman verifikasi publik" in said
    assert "Data kehadiran palsu" in _text(asked)
    with app.app_context():
        assert db.session.get(Certificate, certs.valid.id).status == "issued"
    response = confirm(client, asked)  # the reason and the prefixed CSRF token travel along
    assert response.status_code == 302
    with app.app_context():
        certificate = db.session.get(Certificate, certs.valid.id)
        assert certificate.status == "revoked"
        assert certificate.revoke_reason == "Data kehadiran palsu"
        completion = db.session.get(Completion, certificate.completion_id)
        assert completion.status == "revoked"
        events = db.session.scalars(
            select(OutboxEvent.type).where(OutboxEvent.completion_id == completion.id)
        ).all()
        assert "completion.revoked" in events
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.object_type == "Certificate"))
    page = _text(client.get(url))
    assert 'data-status="revoked"' in page
    assert "Data kehadiran palsu" in page
    assert "revoke-reason" not in page  # nothing left to revoke
    verify = _text(client.get(f"/verify/{certs.valid.number}"))
    assert 'data-status="revoked"' in verify


def test_reissue_gives_a_new_number_and_marks_the_old_replaced(app, client, certs) -> None:
    login(client, "bkpsdm")
    url = f"/kelola/sertifikat/{certs.valid.id}"
    empty = client.post(
        f"{url}/terbitkan-ulang",
        data={"reissue-csrf_token": _form_token(client, url, "reissue"), "reissue-reason": ""},
    )
    assert empty.status_code == 400
    assert "Alasan penerbitan ulang wajib diisi." in _text(empty)
    response = client.post(
        f"{url}/terbitkan-ulang",
        data={
            "reissue-csrf_token": _form_token(client, url, "reissue"),
            "reissue-reason": "Koreksi nama",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        old = db.session.get(Certificate, certs.valid.id)
        assert old.status == "replaced"
        new = old.replaced_by
        assert new is not None and new.status == "issued" and new.number != old.number
        new_id, new_number = new.id, new.number
    assert response.headers["Location"].endswith(f"/kelola/sertifikat/{new_id}")
    page = _text(client.get(url))
    assert new_number in page and 'data-status="replaced"' in page


# --- cohort ZIP ----------------------------------------------------------------------------


def _zip_names(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    return {name: archive.read(name) for name in archive.namelist()}


def test_cohort_zip_streams_the_valid_certificates(app, client, certs, world) -> None:
    login(client, "bkpsdm")
    response = client.get(f"/kelola/sertifikat/angkatan/{certs.cohort_id}.zip")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/zip"
    files = _zip_names(response)
    expected = {
        f"{world.employees['pegawai'].nip}_{certs.valid.number.replace('/', '-')}.pdf",
        f"{world.employees['disdik'].nip}_{certs.other.number.replace('/', '-')}.pdf",
    }
    assert set(files) == expected  # the revoked one is left out
    for data in files.values():
        assert data.startswith(b"%PDF")
    with app.app_context():  # served from storage afterwards, with its recorded hash
        stored = db.session.get(Certificate, certs.valid.id)
        assert stored.pdf_key and get_storage().exists(stored.pdf_key)


def test_cohort_zip_is_scoped_for_admin_opd(client, certs, world) -> None:
    login(client, "opd.disdik")
    files = _zip_names(client.get(f"/kelola/sertifikat/angkatan/{certs.cohort_id}.zip"))
    assert list(files) == [
        f"{world.employees['disdik'].nip}_{certs.other.number.replace('/', '-')}.pdf"
    ]
    assert client.get("/kelola/sertifikat/angkatan/999999.zip").status_code == 404


def test_zip_writer_keeps_memory_flat(app, certs, monkeypatch) -> None:
    """Each PDF is yielded as soon as it is written: no chunk holds more than one PDF."""
    from lms.certificates import downloads

    size = 200_000
    monkeypatch.setattr(render, "ensure_pdf", lambda c: b"%PDF-" + b"x" * size)
    with app.test_request_context():
        ids = [certs.valid.id, certs.other.id, certs.revoked.id]
        chunks = list(downloads.zip_stream(ids))
    assert len(chunks) == 4
    assert all(len(chunk) < size + 1000 for chunk in chunks)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert len(archive.namelist()) == 3


# --- series settings -----------------------------------------------------------------------


def _png(size: tuple[int, int] = (60, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def _series_data(client, **changes: object) -> dict:
    data = {
        "csrf_token": csrf_token(client, "/kelola/sertifikat/seri"),
        "name": "Surat Tanda Tamat Pelatihan",
        "number_format": "{seq:05d}/{prefix}/BPSDM/{year}",
        "prefix": "DIKLAT",
        "issuer_name": "Badan Kepegawaian dan Pengembangan SDM Kota Palembang",
        "issuer_parent": "Pemerintah Kota Palembang",
        "place_of_issue": "Palembang",
        "signatory_position": "Kepala BKPSDM",
        "signatory_name": "Drs. H. Ahmad Fauzi, M.Si.",
        "signatory_nip": "19700101 199503 1 001",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"number_format": "{prefix}/{year}"}, "Format nomor harus memuat {seq}"),
        ({"number_format": "{seq:04d}/{kota}/{year}"}, "bukan: kota"),
        ({"number_format": "{seq:04q}/{year}"}, "Format nomor tidak dapat dipakai"),
        ({"number_format": "{seq}?/{year}"}, "hanya boleh memuat huruf A-Z a-z"),
        ({"number_format": "{seq} {year}"}, "tanpa spasi"),
        ({"number_format": "{seq:099999999d}/{year}"}, "Lebar isian pada format nomor"),
        ({"number_format": "{seq}/{prefix:>99999999}"}, "Lebar isian pada format nomor"),
        ({"number_format": "{seq:.99999999f}"}, "Lebar isian pada format nomor"),
        ({"number_format": "{seq:{year}}"}, "Lebar isian pada format nomor"),
        ({"prefix": "STTP BARU"}, "Prefiks hanya boleh memuat"),
        ({"prefix": "<b>X</b>"}, "Prefiks hanya boleh memuat"),
        ({"signatory_nip": "1234"}, "NIP"),
        ({"signature": (io.BytesIO(b"GIF89a" + b"0" * 50), "ttd.png")}, "harus berupa gambar PNG"),
        (
            {"logo": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024)), "logo.png")},
            "paling besar 1 MB",
        ),
        ({"logo": (io.BytesIO(b"\x89PNG\r\n\x1a\nrusak"), "logo.png")}, "rusak"),
    ],
)
def test_series_settings_refuse_bad_input(app, client, world, changes, message) -> None:
    login(client, "bkpsdm")
    response = client.post(
        "/kelola/sertifikat/seri",
        data=_series_data(client, **changes),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in _text(response)


def test_a_huge_width_is_refused_before_anything_is_built(app) -> None:
    """{seq:099999999d} used to be formatted (100 MB) before its length was judged."""
    import tracemalloc

    from lms.certificates.forms import check_number_format

    with app.test_request_context():
        tracemalloc.start()
        try:
            problem = check_number_format("{seq:099999999d}/{prefix}/{year}", "STTP")
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert problem and "Lebar isian" in problem
    assert peak < 1024 * 1024


def test_a_stored_format_no_longer_accepted_still_numbers_safely(app, world) -> None:
    """A series saved before the checks (or edited in the database) cannot make issuing build a
    huge string: the plain fallback format numbers the certificate."""
    with app.app_context():
        series = certificates.default_series()
        series.number_format = "{seq:099999999d}/{prefix}/{year}"
        number = certificates.format_number(series, 7, 2026)
        db.session.rollback()
    assert number == "0007/STTP/2026"


def test_series_settings_save_and_apply_to_the_next_certificate(app, client, world) -> None:
    login(client, "bkpsdm")
    assert client.get("/kelola/sertifikat/seri").status_code == 200
    response = client.post(
        "/kelola/sertifikat/seri",
        data=_series_data(
            client,
            signature=(io.BytesIO(_png()), "ttd.png"),
            logo=(io.BytesIO(_png((80, 80))), "logo.png"),
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, _text(response)[-800:]
    with app.app_context():
        series = certificates.default_series()
        assert series.prefix == "DIKLAT"
        assert series.signatory_nip == "197001011995031001"
        assert series.signature_key and get_storage().read(series.signature_key) == _png()
        assert series.logo_key and get_storage().exists(series.logo_key)
        assert db.session.scalar(
            select(AuditLog).where(AuditLog.object_type == "CertificateSeries")
        )
        assert db.session.scalar(select(db.func.count()).select_from(CertificateSeries)) == 1
        from tests.factories import make_course

        course = make_course("SERI-1", title="Pelatihan Seri Baru", lessons=1)
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        certificate = issue_certificate(employee, course)
        year = certificate.year
        assert certificate.number == f"00001/DIKLAT/BPSDM/{year}"
        assert certificate.fields["signatory_name"] == "Drs. H. Ahmad Fauzi, M.Si."
        db.session.rollback()
