"""Uploads kept for an import's confirmation never outlive it (issue 13.9, second half).

An upload is kept only while it can still be confirmed: it is deleted when the import is
confirmed, when confirming fails, when it is cancelled, when the same session uploads another file
for that import, and, for a file nobody came back for, after a day by the next upload or by
``flask imports sweep``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from lms.imports import sweep_pending
from lms.org import employee_import
from lms.org import services as org_services
from tests.conftest import csrf_token, login
from tests.org.test_import import GOOD, _upload


def _kept(app) -> set[str]:
    folder = Path(app.config["FILES_DIR"]) / "imports"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _key(page) -> str:
    return page.get_data(as_text=True).split('name="key" type="hidden" value="')[1].split('"')[0]


def test_a_second_upload_replaces_the_first_and_cancel_deletes_it(app, client, world) -> None:
    login(client, "bkpsdm")
    before = _kept(app)
    first = _key(_upload(client, "pegawai.csv", GOOD.encode()))
    assert _kept(app) - before == {first.split("/")[1]}
    page = _upload(client, "pegawai.csv", GOOD.encode())
    second = _key(page)
    assert "Batalkan impor" in page.get_data(as_text=True)
    assert _kept(app) - before == {second.split("/")[1]}  # the first one is gone
    token = csrf_token(client, "/organisasi/impor")
    cancelled = client.post(
        "/impor/batal", data={"csrf_token": token, "key": second, "next": "/organisasi/impor"}
    )
    assert cancelled.status_code == 302 and cancelled.headers["Location"] == "/organisasi/impor"
    assert _kept(app) - before == set()
    late = client.post("/organisasi/impor/konfirmasi", data={"csrf_token": token, "key": second})
    assert late.status_code == 302  # "no longer valid", nothing imported


def test_cancel_only_deletes_a_key_this_session_holds(app, client, world) -> None:
    other = app.test_client()
    login(other, "bkpsdm")
    key = _key(_upload(other, "pegawai.csv", GOOD.encode()))
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/impor")
    client.post("/impor/batal", data={"csrf_token": token, "key": key})
    assert key.split("/")[1] in _kept(app)
    client.post("/impor/batal", data={"csrf_token": token, "key": "../secret_key"})
    token = csrf_token(other, "/organisasi/impor")
    other.post("/impor/batal", data={"csrf_token": token, "key": key})
    assert key.split("/")[1] not in _kept(app)


def test_confirmed_and_failed_imports_leave_no_file(app, client, world, monkeypatch) -> None:
    login(client, "bkpsdm")
    before = _kept(app)
    key = _key(_upload(client, "pegawai.csv", GOOD.encode()))

    def refuse(preview):
        raise org_services.OrgError("Rantai atasan membentuk lingkaran.")

    monkeypatch.setattr(employee_import, "apply_import", refuse)
    token = csrf_token(client, "/organisasi/impor")
    failed = client.post("/organisasi/impor/konfirmasi", data={"csrf_token": token, "key": key})
    assert "Rantai atasan" in failed.get_data(as_text=True)
    assert _kept(app) - before == set()
    monkeypatch.undo()
    key = _key(_upload(client, "pegawai.csv", GOOD.encode()))
    done = client.post("/organisasi/impor/konfirmasi", data={"csrf_token": token, "key": key})
    assert done.status_code == 302
    assert _kept(app) - before == set()


def test_stale_uploads_are_swept_by_the_next_upload_and_the_cli(app, client, world) -> None:
    folder = Path(app.config["FILES_DIR"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / ("a" * 32 + ".csv")
    old.write_text("nip\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    fresh = folder / ("b" * 32 + ".csv")
    fresh.write_text("nip\n")
    unrelated = folder / "README"
    unrelated.write_text("x")
    os.utime(unrelated, (two_days_ago, two_days_ago))
    login(client, "bkpsdm")
    _upload(client, "pegawai.csv", GOOD.encode())
    assert not old.exists() and fresh.exists() and unrelated.exists()
    os.utime(fresh, (two_days_ago, two_days_ago))
    result = app.test_cli_runner().invoke(args=["imports", "sweep"])
    assert result.exit_code == 0 and "upload(s) deleted" in result.output
    assert not fresh.exists() and unrelated.exists()
    with app.app_context():
        assert sweep_pending() == 0
    unrelated.unlink()
