"""The signed-in account kept per process (lms.auth.account_cache): no account query on a
request whose account is kept, and every change that matters shows on the very next request,
in this worker and in another one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select, update

from lms.auth import account_cache
from lms.auth.models import User, UserRole
from lms.db import utcnow
from lms.extensions import db
from lms.org.models import Employee
from lms.permissions import Role
from tests.conftest import login
from tests.test_query_counts import count_queries


@pytest.fixture(autouse=True)
def _kept_accounts(app, monkeypatch) -> None:
    """On, as everywhere but in the tests (TestingConfig turns it off for stable counts)."""
    monkeypatch.setitem(app.config, "ACCOUNT_CACHE_SECONDS", 300)


HR_PAGE = "/organisasi/pegawai"
APPROVALS = "/pendaftaran/persetujuan"


@contextmanager
def statements(app) -> Iterator[list[str]]:
    with count_queries(app) as counter:
        yield counter["sql"]


def _account_queries(seen: list[str]) -> int:
    return sum("has_reports" in s for s in seen)


def _commit(app, change) -> None:
    with app.app_context():
        change()
        db.session.commit()
        db.session.remove()


def test_a_kept_account_costs_no_query(app, client, world) -> None:
    login(client, "pegawai")
    client.get("/dasbor")
    with statements(app) as seen:
        assert client.get("/dasbor").status_code == 200
    assert _account_queries(seen) == 0
    # the kept copy is the account: its name and employee are on the page
    assert "Siti Aminah" in client.get("/dasbor").text


def test_the_cache_off_queries_every_time(app, client, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ACCOUNT_CACHE_SECONDS", 0)
    login(client, "pegawai")
    with statements(app) as seen:
        client.get("/dasbor")
        client.get("/dasbor")
    assert _account_queries(seen) == 2


def test_a_new_role_shows_on_the_next_request(app, client, world) -> None:
    login(client, "pegawai")
    assert client.get(HR_PAGE).status_code == 403
    uid = world.users["pegawai"].id
    _commit(app, lambda: db.session.add(UserRole(user_id=uid, role=Role.ADMIN_BKPSDM.value)))
    assert client.get(HR_PAGE).status_code == 200


def test_a_new_report_makes_a_supervisor_at_once(app, client, world) -> None:
    login(client, "pegawai")
    assert client.get(APPROVALS).status_code == 403  # not a supervisor (yet), and kept so
    pegawai, other = world.employees["pegawai"].id, world.employees["disdik"].id
    _commit(app, lambda: setattr(db.session.get(Employee, other), "supervisor_id", pegawai))
    assert client.get(APPROVALS).status_code == 200  # the derived Atasan role


def test_a_deactivated_employee_is_signed_out_at_once(app, client, world) -> None:
    login(client, "pegawai")
    assert client.get("/dasbor").status_code == 200
    eid = world.employees["pegawai"].id
    _commit(app, lambda: setattr(db.session.get(Employee, eid), "is_active", False))
    response = client.get("/dasbor")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_a_bulk_update_through_the_session_counts(app, client, world) -> None:
    login(client, "pegawai")
    client.get("/dasbor")
    uid = world.users["pegawai"].id
    _commit(
        app, lambda: db.session.execute(update(User).where(User.id == uid).values(active=False))
    )
    response = client.get("/dasbor")
    assert response.status_code == 302


def test_another_worker_sees_a_change_made_here(app, client, world, worker_app) -> None:
    other = worker_app(ACCOUNT_CACHE_SECONDS=300)
    browser = other.test_client()
    login(browser, "pegawai")
    assert browser.get(HR_PAGE).status_code == 403  # kept by the other worker now
    uid = world.users["pegawai"].id
    _commit(app, lambda: db.session.add(UserRole(user_id=uid, role=Role.ADMIN_BKPSDM.value)))
    assert browser.get(HR_PAGE).status_code == 200


def test_a_login_stamp_alone_starts_no_new_generation(app, world) -> None:
    uid = world.users["pegawai"].id
    with app.app_context():
        before = account_cache.ACCOUNTS.token()
        db.session.get(User, uid).last_login_at = utcnow()
        db.session.commit()
        assert account_cache.ACCOUNTS.token() == before
        db.session.get(User, uid).display_name = "Siti A."
        db.session.commit()
        assert account_cache.ACCOUNTS.token() != before
        db.session.remove()


def test_a_deleted_account_starts_a_new_generation(app, world) -> None:
    """A row deleted through the ORM counts whatever ``counts`` says of its attributes: in the
    flush it is still persistent and unchanged, so a deleted account stayed kept up to 300 s."""
    with app.app_context():
        gone = User(username="akan.dihapus", password_hash="x")
        db.session.add(gone)
        db.session.commit()
        before = account_cache.ACCOUNTS.token()
        db.session.delete(gone)
        db.session.commit()
        assert account_cache.ACCOUNTS.token() != before
        db.session.remove()


def test_a_rolled_back_change_starts_no_new_generation(app, world) -> None:
    uid = world.users["pegawai"].id
    with app.app_context():
        before = account_cache.ACCOUNTS.token()
        db.session.get(User, uid).display_name = "Siti A."
        db.session.flush()
        db.session.rollback()
        db.session.execute(select(User.id)).all()
        db.session.commit()
        assert account_cache.ACCOUNTS.token() == before
        db.session.remove()


def test_an_old_entry_is_read_again(app, client, world, monkeypatch) -> None:
    login(client, "pegawai")
    client.get("/dasbor")
    monkeypatch.setitem(app.config, "ACCOUNT_CACHE_SECONDS", 1e-9)
    with statements(app) as seen:
        client.get("/dasbor")
    assert _account_queries(seen) == 1


def test_at_most_the_configured_number_of_accounts_are_kept(app, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "ACCOUNT_CACHE_SIZE", 2)
    account_cache.clear(app)
    for name in ("pegawai", "atasan", "pengajar"):
        browser = app.test_client()
        login(browser, name)
        browser.get("/dasbor")
    kept = app.extensions[account_cache._EXTENSION]
    assert list(kept.entries) == [world.users["atasan"].id, world.users["pengajar"].id]


def test_a_kept_account_is_a_full_member_of_the_request_session(app, world) -> None:
    """The copy handed out is attached with its employee and roles (lms.auth.account_cache
    ._attach): it lazy-loads what was not kept, and a change to it is written."""
    from lms.auth.services import _query_account

    uid = world.users["admin_bkpsdm"].id
    with app.test_request_context():
        account_cache.load(uid, lambda: _query_account(uid))  # read and kept
        db.session.remove()
        user, _reports = account_cache.load(uid, lambda: pytest.fail("read again"))
        session = db.session
        assert user in session and all(row in session for row in user.role_rows)
        assert Role.ADMIN_BKPSDM in user.roles
        assert user.employee in session
        assert user.employee.unit is not None  # not kept: loaded now
        user.display_name = "Nama Baru"
        session.commit()
        session.remove()
        assert db.session.get(User, uid).display_name == "Nama Baru"
