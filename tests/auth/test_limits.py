"""Per-account limits that hold across worker processes, with and without Redis."""

from __future__ import annotations

import multiprocessing
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from lms import create_app
from lms.auth.models import AttemptCounter
from lms.db import utcnow
from lms.extensions import db
from tests.conftest import csrf_token, isolated_app, login
from tests.factories import make_user

WRONG = {"identifier": "pegawai", "password": "salah-sekali"}


def _worker(uri: str, files: str, settings: dict, barrier, queue, n: int) -> None:
    """One gunicorn-like worker process: its own app (and Flask-Limiter memory), same database."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "FILES_DIR": files, "WTF_CSRF_ENABLED": False, **settings},
        env="testing",
    )
    client = app.test_client()
    barrier.wait(timeout=60)
    queue.put([client.post("/masuk", data=WRONG).status_code for _ in range(n)])


def _run_workers(app, tmp_path: Path, settings: dict, workers: int = 2, n: int = 8) -> list[int]:
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(workers), ctx.Queue()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    procs = [
        ctx.Process(target=_worker, args=(uri, str(tmp_path), settings, barrier, queue, n))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    statuses = [status for _ in procs for status in queue.get(timeout=120)]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return statuses


@pytest.fixture
def shared_db(databases, tmp_path):
    """A database with the account `pegawai`, for apps in other processes to share."""
    with isolated_app(databases, tmp_path, f"workers_{uuid.uuid4().hex[:8]}") as app:
        with app.app_context():
            make_user("pegawai")
            db.session.commit()
        yield app


def test_login_limit_per_account_holds_across_worker_processes(shared_db, tmp_path) -> None:
    """Two workers without Redis, 8 wrong passwords each: exactly 10 reach the password check
    (Flask-Limiter's memory storage let each worker count its own 10)."""
    settings = {"LOGIN_RATE_LIMIT": "10 per minute"}
    statuses = _run_workers(shared_db, tmp_path, settings)
    assert sorted(statuses) == [200] * 10 + [429] * 6
    # The right password is refused too while the account is held back...
    client = shared_db.test_client()
    shared_db.config.update(WTF_CSRF_ENABLED=False, **settings)
    right = {"identifier": "pegawai", "password": "rahasia123"}
    assert client.post("/masuk", data=right).status_code == 429
    # ...and accepted once the window has passed.
    with shared_db.app_context():
        db.session.execute(update(AttemptCounter).values(expires_at=utcnow()))
        db.session.commit()
    assert client.post("/masuk", data=right).status_code == 302


def test_a_right_password_does_not_use_up_the_limit(app, world, no_csrf) -> None:
    client = app.test_client()  # the testing limit: 5 per minute
    for _ in range(4):
        assert client.post("/masuk", data=WRONG).status_code == 200
    right = client.post("/masuk", data={"identifier": "pegawai", "password": "rahasia123"})
    assert right.status_code == 302
    other = app.test_client()
    assert other.post("/masuk", data=WRONG).status_code == 200  # the fifth failure
    assert other.post("/masuk", data=WRONG).status_code == 429
    # Username and NIP name one account: one count.
    nip = {"identifier": world.employees["pegawai"].nip_display, "password": "salah"}
    assert other.post("/masuk", data=nip).status_code == 429


def _check_current(client, current: str) -> int:
    return client.post(
        "/akun/kata-sandi",
        data={
            "current": current,
            "new": "sandibaru456",
            "confirm": "sandibaru456",
            "csrf_token": csrf_token(client, "/akun/kata-sandi"),
        },
    ).status_code


def test_current_password_check_is_limited_per_account(app, databases, tmp_path, world) -> None:
    """Someone at an unlocked screen cannot guess the password to change it (limit 3 in tests),
    and a second app on the same database (another worker) counts with the first."""
    client = app.test_client()
    login(client, "pegawai")
    assert [_check_current(client, f"tebakan{i}") for i in range(3)] == [200] * 3
    refused = client.post(
        "/akun/kata-sandi",
        data={
            "current": "rahasia123",
            "new": "sandibaru456",
            "confirm": "sandibaru456",
            "csrf_token": csrf_token(client, "/akun/kata-sandi"),
        },
    )
    assert refused.status_code == 429  # even the right one, until the window passes
    assert "Terlalu banyak percobaan" in refused.get_data(as_text=True)
    other_worker = create_app(dict(app.config), env="testing")
    assert other_worker is not app
    elsewhere = other_worker.test_client()
    login(elsewhere, "pegawai")
    assert _check_current(elsewhere, "rahasia123") == 429
    login(app.test_client(), "pegawai")  # the password was not changed


# --- with Redis ------------------------------------------------------------------------------


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A throwaway redis-server for this test only (skipped where none is installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_with_redis_the_address_limit_is_shared_too(shared_db, tmp_path, redis_url) -> None:
    """With LMS_REDIS_URL the per-address limit (Flask-Limiter) is shared by the workers as
    well; the per-account limit stays in the database and stays exact."""
    address_only = {
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "6 per minute",
    }
    statuses = _run_workers(shared_db, tmp_path, {"REDIS_URL": redis_url, **address_only})
    assert sorted(statuses) == [200] * 6 + [429] * 10
    with shared_db.app_context():
        db.session.execute(delete(AttemptCounter))  # a fresh minute for the account
        db.session.commit()
    account_only = {
        "LOGIN_RATE_LIMIT": "5 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute",
    }
    statuses = _run_workers(shared_db, tmp_path, {"REDIS_URL": redis_url, **account_only})
    assert sorted(statuses) == [200] * 5 + [429] * 11


def test_without_redis_the_address_limit_is_per_worker(shared_db, tmp_path) -> None:
    """What README says: without Redis each worker counts addresses in its own memory."""
    address_only = {
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "6 per minute",
    }
    statuses = _run_workers(shared_db, tmp_path, address_only)
    assert sorted(statuses) == [200] * 12 + [429] * 4
