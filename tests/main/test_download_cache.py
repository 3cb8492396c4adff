"""Downloads with personal data are never cached (issue 13, point 9, first half): every
``Content-Disposition: attachment`` response, and the certificate PDF shown inline, carries
``Cache-Control: no-store`` from one place (lms/security.py)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Response

from lms.extensions import db
from lms.org.models import Employee
from tests.certificates.access import issue_certificate, make_cohort
from tests.conftest import login
from tests.factories import make_course


def test_the_hook_makes_every_attachment_no_store_and_leaves_inline_files_alone(app) -> None:
    with app.test_request_context("/"):
        download = Response(b"a;b\n", mimetype="text/csv")
        download.headers["Content-Disposition"] = 'attachment; filename="x.csv"'
        download.headers["Cache-Control"] = "private, max-age=300"
        download.headers["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        out = app.process_response(download)
        assert out.headers["Cache-Control"] == "no-store"
        assert "Expires" not in out.headers
        image = Response(b"\x89PNG", mimetype="image/png")
        image.headers["Content-Disposition"] = 'inline; filename="logo.png"'
        image.headers["Cache-Control"] = "private, max-age=300"
        assert app.process_response(image).headers["Cache-Control"] == "private, max-age=300"


@pytest.fixture
def certificate(app, world):
    with app.app_context():
        pegawai = db.session.get(Employee, world.employees["pegawai"].id)
        cohort = make_cohort("CACHE-ANGK-I", "Angkatan Uji Cache")
        cert = issue_certificate(pegawai, make_course("CACHE-101"), cohort_id=cohort.id)
        db.session.commit()
        out = (cert.id, cert.token, cohort.id)
        db.session.remove()
    return out


def _no_store(response) -> None:
    assert response.status_code == 200, response.status_code
    assert response.headers.get("Cache-Control") == "no-store", (
        response.headers.get("Content-Disposition"),
        response.headers.get("Cache-Control"),
    )


def test_reports_siasn_and_certificates_downloads_send_no_store(
    app, client, world, certificate
) -> None:
    cert_id, token, cohort_id = certificate
    login(client, "bkpsdm")
    year = date.today().year
    for path in (
        "/laporan/completions.csv",
        "/laporan/completions.xlsx",
        "/laporan/completions.pdf",
        f"/kelola/siasn/ekspor.csv?tahun={year}",
        f"/kelola/siasn/ekspor.xlsx?tahun={year}",
        f"/kelola/sertifikat/angkatan/{cohort_id}.zip",
    ):
        response = client.get(path)
        _no_store(response)
        response.close()
    _no_store(client.get(f"/verify/{token}/pdf"))  # inline, still personal data
    own = app.test_client()
    login(own, "pegawai")
    _no_store(own.get(f"/sertifikat/{cert_id}/pdf"))
