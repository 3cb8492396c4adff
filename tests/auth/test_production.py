"""What ``LMS_ENV=production`` refuses at start, and the cookies it sets."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from lms import create_app
from lms.auth import services as auth
from lms.auth.models import User
from lms.extensions import db
from lms.org.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from tests.conftest import csrf_token, isolated_app
from tests.factories import make_user

SECRET = "k" * 48


def _production(uri: str, tmp_path, **config: object):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "FILES_DIR": str(tmp_path),
            "SECRET_KEY": SECRET,
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_COST": 64,
            "PREFERRED_URL_SCHEME": "https",
            **config,
        },
        env="production",
    )


@pytest.fixture
def fresh_db(databases, tmp_path):
    with isolated_app(databases, tmp_path, f"prod_{uuid.uuid4().hex[:8]}") as app:
        yield app


def test_production_refuses_debug_and_a_short_secret(fresh_db, tmp_path, monkeypatch) -> None:
    uri = fresh_db.config["SQLALCHEMY_DATABASE_URI"]
    _production(uri, tmp_path)  # starts
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        _production(uri, tmp_path)
    monkeypatch.delenv("FLASK_DEBUG")
    with pytest.raises(RuntimeError, match="FLASK_DEBUG"):
        _production(uri, tmp_path, DEBUG=True)
    with pytest.raises(RuntimeError, match="LMS_SECRET_KEY has 16 bytes, at least 32"):
        _production(uri, tmp_path, SECRET_KEY="kunci-rahasia-16")
    with pytest.raises(RuntimeError, match="__Host-session needs"):
        _production(uri, tmp_path, SESSION_COOKIE_DOMAIN="example.go.id")


def test_production_refuses_a_content_origin_on_the_apps_host(fresh_db, tmp_path) -> None:
    """Package scripts run on the content origin: on the app's host they would share its
    cookies and could call its routes as the learner."""
    uri = fresh_db.config["SQLALCHEMY_DATABASE_URI"]
    base = {"BASE_URL": "https://akademi.example.go.id"}
    with pytest.raises(RuntimeError, match="LMS_CONTENT_ORIGIN needs a host name of its own"):
        _production(uri, tmp_path, **base, CONTENT_ORIGIN="https://akademi.example.go.id:8443")
    _production(uri, tmp_path, **base, CONTENT_ORIGIN="https://konten.example.go.id")  # starts


def test_production_refuses_a_content_url_ttl_the_player_cannot_renew_in_time(
    fresh_db, tmp_path
) -> None:
    uri = fresh_db.config["SQLALCHEMY_DATABASE_URI"]
    with pytest.raises(RuntimeError, match="LMS_CONTENT_URL_TTL needs at least 60 seconds"):
        _production(uri, tmp_path, CONTENT_URL_TTL=10)


def test_production_cookies_carry_the_host_prefix(fresh_db, tmp_path) -> None:
    with fresh_db.app_context():
        make_user("pegawai")
        db.session.commit()
    app = _production(fresh_db.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    client = app.test_client()  # https: PREFERRED_URL_SCHEME
    response = client.post(
        "/masuk",
        data={
            "identifier": "pegawai",
            "password": "rahasia123",
            "remember": "y",
            "csrf_token": csrf_token(client, "/masuk"),
        },
        headers={"Referer": "https://localhost/masuk"},  # Flask-WTF's check on https
    )
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-session", "__Host-remember"}
    for header in cookies.values():
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
        assert not any(a.startswith("domain=") for a in attributes)
    assert client.get("/dasbor").status_code == 200  # the browser sends them back
    token = csrf_token(client, "/dasbor")
    out = client.post(
        "/keluar", data={"csrf_token": token}, headers={"Referer": "https://localhost/"}
    )
    assert out.status_code == 302 and client.get("/dasbor").status_code == 302


def test_production_refuses_any_demo_account_with_the_demo_password(fresh_db, tmp_path) -> None:
    """All 207 demo accounts share one hash: the start check costs one argon2 verification
    (accounts marked by the demo loader), not 207; it names the accounts left."""
    with fresh_db.app_context():
        load_demo()
        db.session.commit()
        nip_accounts = db.session.scalars(select(User).where(User.employee_id.is_not(None))).all()
        assert len(nip_accounts) >= 200
    uri = fresh_db.config["SQLALCHEMY_DATABASE_URI"]
    verify = mock.patch.object(PasswordHasher, "verify", autospec=True, wraps=PasswordHasher.verify)
    with verify as calls, pytest.raises(RuntimeError, match="demo account") as refused:
        _production(uri, tmp_path)
    assert calls.call_count == 1
    assert "'admin'" in str(refused.value)

    # The seven demo usernames disabled: the 200 demo NIP accounts still refuse the start.
    names = [name for name, _roles, _display in DEMO_ACCOUNTS]
    with fresh_db.app_context():
        for user in db.session.scalars(select(User).where(User.username.in_(names))):
            user.active = False
        left = db.session.scalars(select(User).where(User.active.is_(True))).all()
        kept = left[0].username
        for user in left[1:]:
            user.active = False
        db.session.commit()
    with pytest.raises(RuntimeError, match=f"1 demo account.*'{kept}'"):
        _production(uri, tmp_path)

    # Its password changed (which clears the mark): production starts, with no argon2 check.
    with fresh_db.app_context(), fresh_db.test_request_context():
        user = db.session.scalar(select(User).where(User.username == kept))
        with pytest.raises(auth.AuthError, match="mudah ditebak"):
            auth.change_password(user, DEMO_PASSWORD, DEMO_PASSWORD)  # not the demo's again
        auth.change_password(user, DEMO_PASSWORD, "sandi-baru-yang-kuat")
        db.session.commit()
        assert user.demo_password is False
    with mock.patch.object(PasswordHasher, "verify", autospec=True) as calls:
        _production(uri, tmp_path)
    assert calls.call_count == 0


def test_a_production_account_is_not_mistaken_for_a_demo_one(fresh_db, tmp_path, app) -> None:
    """An account named like a demo one but with its own password, and real NIP accounts,
    do not stop the start."""
    with fresh_db.app_context():
        make_user("admin")
        make_user("199001012015031001")
        db.session.commit()
    _production(fresh_db.config["SQLALCHEMY_DATABASE_URI"], tmp_path)


def test_migration_marks_accounts_loaded_by_an_earlier_demo(databases, tmp_path) -> None:
    """A database loaded before the mark existed: the accounts sharing the demo loader's one
    hash are marked (argon2 salts every other hash apart); the others are not."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": databases.new(f"mark_{uuid.uuid4().hex[:8]}")},
        env="testing",
    )
    with app.app_context():
        upgrade(revision="0006")
        shared = auth.hash_password(DEMO_PASSWORD)
        own = auth.hash_password("milik-sendiri-123")
        rows = [("admin", shared), ("199001012015031001", shared), ("nyata", own)]
        with db.engine.begin() as conn:
            for name, password_hash in rows:
                conn.execute(
                    text(
                        "INSERT INTO users (username, password_hash, display_name, email, active,"
                        " session_version, must_change_password, created_at, updated_at)"
                        " VALUES (:u, :h, '', '', true, 1, false, :now, :now)"
                    ),
                    {"u": name, "h": password_hash, "now": "2026-01-01 00:00:00"},
                )
        upgrade(revision="0007a")
        marked = dict(db.session.execute(select(User.username, User.demo_password)).all())
        assert marked == {"admin": True, "199001012015031001": True, "nyata": False}
        db.session.remove()
        db.engine.dispose()
