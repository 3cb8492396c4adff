"""An expired accreditation stops new package uploads from the partner (approved modules keep
running); BKPSDM's list shows each accreditation's state with its date; "today" is Jakarta's."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import format_date
from sqlalchemy import func, select

from lms import indonesian
from lms.auth.models import PartnerInstitution
from lms.extensions import db
from lms.indonesian import local_today
from lms.packages.models import PackageVersion
from tests.conftest import csrf_token, login
from tests.packages import zips
from tests.packages.test_lifecycle import _approve, _commit, _enrol, _upload, _version_id

EXPIRED_MESSAGE = (
    "Akreditasi BPSDMD Provinsi Sumatera Selatan berakhir pada {d}, sehingga paket modul baru "
    "tidak dapat diunggah. Modul yang sudah disetujui tetap berjalan."
)


@pytest.fixture
def files_dir(app, tmp_path):
    before = app.config["FILES_DIR"]
    app.config["FILES_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["FILES_DIR"] = before


def _expire(app, on: date) -> None:
    with app.app_context():
        partner = db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
        )
        partner.accreditation_expires_on = on
        db.session.commit()


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(PackageVersion.id)))


class _Clock(datetime):
    moment = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 WIB on 1 January 2027

    @classmethod
    def now(cls, tz=None):
        return cls.moment.astimezone(tz) if tz else cls.moment.replace(tzinfo=None)


def test_an_expired_accreditation_refuses_uploads_and_keeps_nothing(app, client, world, files_dir):
    login(client, "mitra")
    token = csrf_token(client, "/paket/unggah")  # the form, while the accreditation holds
    _expire(app, date(2026, 1, 31))
    page = client.get("/paket/unggah")
    assert page.status_code == 403
    assert EXPIRED_MESSAGE.format(d="31 Januari 2026") in page.text
    assert 'id="package-upload"' not in page.text  # no form to fill in for nothing
    refused = client.post(
        "/paket/unggah",
        data={"csrf_token": token, "code": "", "file": (io.BytesIO(zips.scorm()), "m.zip")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert EXPIRED_MESSAGE.format(d="31 Januari 2026") in refused.text
    assert _versions(app) == 0
    assert list(files_dir.rglob("*")) == []
    # The partner's other pages still open; the profile page says why too.
    assert client.get("/paket").status_code == 200
    assert 'data-accreditation="expired"' in client.get("/lembaga-saya").text


def test_the_last_valid_day_still_uploads(app, client, world, files_dir):
    _expire(app, local_today())
    login(client, "mitra")
    assert client.get("/paket/unggah").status_code == 200
    _version_id(_upload(client))
    assert _versions(app) == 1


def test_approved_modules_keep_running_after_expiry(app, client, world, files_dir):
    login(client, "mitra")
    version_id = _version_id(_upload(client))
    reviewer = app.test_client()
    login(reviewer, "bkpsdm")
    _approve(reviewer, version_id)
    _expire(app, local_today() - timedelta(days=1))
    learner = app.test_client()
    login(learner, "pegawai")
    _enrol(learner)
    assert _commit(learner, version_id, "incomplete") == version_id  # played and saved
    assert client.get(f"/paket/versi/{version_id}").status_code == 200  # the partner follows it
    assert client.get("/paket/unggah").status_code == 403  # but a new version waits


def test_the_date_that_counts_is_jakartas(app, client, world, files_dir, monkeypatch):
    """At 01:30 WIB on 1 January 2027 (still 31 December in UTC) an accreditation valid through
    31 December 2026 has expired."""
    _expire(app, date(2026, 12, 31))
    login(client, "mitra")
    monkeypatch.setattr(indonesian, "datetime", _Clock)
    monkeypatch.setattr(_Clock, "moment", datetime(2026, 12, 31, 16, 59, tzinfo=UTC))  # 23:59 WIB
    assert client.get("/paket/unggah").status_code == 200
    monkeypatch.setattr(_Clock, "moment", datetime(2026, 12, 31, 18, 30, tzinfo=UTC))
    assert client.get("/paket/unggah").status_code == 403


def test_bkpsdm_list_shows_each_accreditations_state_and_date(app, client, world):
    today = local_today()
    with app.app_context():
        for code, name, expires in (
            ("BERLAKU", "Lembaga Berlaku", today + timedelta(days=61)),
            ("SEGERA", "Lembaga Segera", today + timedelta(days=60)),
            ("LEWAT", "Lembaga Lewat", today - timedelta(days=1)),
        ):
            db.session.add(
                PartnerInstitution(
                    code=code, name=name, kind="universitas", accreditation_expires_on=expires
                )
            )
        db.session.commit()
    login(client, "bkpsdm")
    page = client.get("/kelola/lembaga-mitra").text
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r"<tr>\s*<td><a [^>]*>([^<]+)</a>.*?</tr>", page, re.S)
    }
    expected = {
        "Lembaga Berlaku": ("accreditation-valid", "berlaku", today + timedelta(days=61)),
        "Lembaga Segera": ("accreditation-ending", "segera berakhir", today + timedelta(days=60)),
        "Lembaga Lewat": ("accreditation-expired", "kedaluwarsa", today - timedelta(days=1)),
    }
    with app.test_request_context():
        for name, (key, label, expires) in expected.items():
            row = rows[name]
            assert f'data-accreditation="{key}"' in row, name
            assert f'data-status="{key}">{label}<' in row, name
            assert f"s.d. {format_date(expires)}" in row, name
    # No expiry recorded: no state, a dash.
    assert 'data-accreditation=""' in rows["BPSDMD Provinsi Sumatera Selatan"]


def test_the_command_line_import_is_refused_too(app, world, files_dir, tmp_path) -> None:
    """``flask packages import`` goes through the same rule as the upload page (it lives in
    ``import_package``): refused with the reason, nothing stored."""
    package = tmp_path / "m.zip"
    package.write_bytes(zips.scorm())
    _expire(app, date(2026, 1, 31))
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["packages", "import", str(package), "--partner", "BPSDMD", "--json"]
    )
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["imported"] is False
    assert body["errors"][0]["message"].startswith(EXPIRED_MESSAGE.format(d="31 Januari 2026"))
    assert _versions(app) == 0
    assert [p for p in files_dir.rglob("*") if p != package] == []
