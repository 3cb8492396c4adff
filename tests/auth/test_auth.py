"""Login, logout, passwords, sessions, CSRF, rate limit and security headers."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from flask import request

from lms import create_app
from lms.auth.models import AuditLog, User
from lms.extensions import db
from tests.conftest import csrf_token, login


def test_login_with_username_and_with_nip(client, world) -> None:
    login(client, "pegawai")
    page = client.get("/dasbor")
    assert page.status_code == 200
    assert "Siti Aminah" in page.get_data(as_text=True)
    assert '<html lang="id"' in page.get_data(as_text=True)

    other = client.application.test_client()
    login(other, world.employees["atasan"].nip_display)  # NIP with spaces works too
    assert "Rahmat Hidayat" in other.get("/dasbor").get_data(as_text=True)


def test_wrong_password_gives_indonesian_message_and_no_session(client, world) -> None:
    token = csrf_token(client, "/masuk")
    response = client.post(
        "/masuk", data={"identifier": "pegawai", "password": "salah-sekali", "csrf_token": token}
    )
    assert response.status_code == 200
    assert "kata sandi salah" in response.get_data(as_text=True)
    assert client.get("/dasbor").status_code == 302


def test_login_rate_limit_gives_429_page(client, world) -> None:
    token = csrf_token(client, "/masuk")
    statuses = [
        client.post(
            "/masuk", data={"identifier": "pegawai", "password": "x" * 9, "csrf_token": token}
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[-1] == 429
    page = client.post(
        "/masuk", data={"identifier": "pegawai", "password": "rahasia123", "csrf_token": token}
    )
    assert page.status_code == 429
    assert "Terlalu banyak percobaan" in page.get_data(as_text=True)
    assert page.headers["X-RateLimit-Limit"]  # the route's own check still sets its headers


def test_the_limiter_does_not_hook_every_request_when_only_routes_are_limited(app) -> None:
    """The limits are on routes, which check themselves (the test above): no application or
    default limit, so Flask-Limiter's every-request hook is left out (lms.extensions)."""
    from lms.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]


def test_logout_requires_post(client, world) -> None:
    login(client, "pegawai")
    assert client.get("/keluar").status_code == 405
    token = csrf_token(client, "/dasbor")
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert client.get("/dasbor").status_code == 302


def test_csrf_missing_is_rejected(client, world) -> None:
    response = client.post("/masuk", data={"identifier": "pegawai", "password": "rahasia123"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/dasbor").status_code == 302


def test_expired_csrf_token_is_rejected(client, world) -> None:
    with mock.patch("itsdangerous.timed.time.time", return_value=1_000_000_000):
        token = csrf_token(client, "/masuk")  # signed in 2001: long expired
    response = client.post(
        "/masuk", data={"identifier": "pegawai", "password": "rahasia123", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "kedaluwarsa" in response.get_data(as_text=True)


def test_tampered_session_cookie_is_anonymous_not_500(client, world) -> None:
    login(client, "pegawai")
    cookie = client.get_cookie("akademi_session")
    client.set_cookie("akademi_session", cookie.value[:-3] + "abc")
    response = client.get("/dasbor")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_change_password_ends_other_sessions(client, world) -> None:
    other = client.application.test_client()
    login(client, "pegawai")
    login(other, "pegawai")
    token = csrf_token(client, "/akun/kata-sandi")
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current": "rahasia123",
            "new": "sandibaru456",
            "confirm": "sandibaru456",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get("/dasbor").status_code == 200  # this session continues
    assert other.get("/dasbor").status_code == 302  # the other one ended
    fresh = client.application.test_client()
    login(fresh, "pegawai", "sandibaru456")


def test_change_password_wrong_current(client, world) -> None:
    login(client, "pegawai")
    token = csrf_token(client, "/akun/kata-sandi")
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current": "bukan",
            "new": "sandibaru456",
            "confirm": "sandibaru456",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    assert "Kata sandi saat ini salah." in response.get_data(as_text=True)


def test_disabling_account_ends_its_sessions(client, world) -> None:
    victim = client.application.test_client()
    login(victim, "pegawai")
    login(client, "admin")
    token = csrf_token(client, "/admin/pengguna")
    uid = world.users["pegawai"].id
    assert (
        client.post(
            f"/admin/pengguna/{uid}/status", data={"csrf_token": token, "confirm": "1"}
        ).status_code
        == 302
    )
    assert victim.get("/dasbor").status_code == 302
    again = client.application.test_client()
    page = again.get("/masuk")
    tok = (
        re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    )
    response = again.post(
        "/masuk", data={"identifier": "pegawai", "password": "rahasia123", "csrf_token": tok}
    )
    assert response.status_code == 200  # refused
    with client.application.app_context():
        assert db.session.scalar(db.select(AuditLog).where(AuditLog.summary == "account disabled"))


def test_admin_reset_password(client, world) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, "/admin/pengguna")
    uid = world.users["pegawai"].id
    page = client.post(
        f"/admin/pengguna/{uid}/reset-sandi", data={"csrf_token": token, "confirm": "1"}
    )
    assert page.status_code == 200
    temporary = re.search(
        r'class="secret"><code>([^<]+)</code>', page.get_data(as_text=True)
    ).group(1)
    user_client = client.application.test_client()
    login(user_client, "pegawai", temporary)
    page = user_client.get("/dasbor")  # the temporary password must be changed first
    assert page.status_code == 302 and page.headers["Location"].endswith("/akun/kata-sandi")
    with client.application.app_context():
        assert db.session.get(User, uid).must_change_password


def test_passwords_are_hashed_with_argon2(world, app) -> None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "pegawai"))
        assert user.password_hash.startswith("$argon2id$")


def test_security_headers_and_cookie_flags(client, world) -> None:
    response = client.get("/masuk")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    login(client, "pegawai")
    cookie = client.get_cookie("akademi_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert "<script" not in client.get("/dasbor").get_data(as_text=True)


def test_open_redirect_is_refused(client, world) -> None:
    token = csrf_token(client, "/masuk")
    response = client.post(
        "/masuk?next=https://evil.example/",
        data={"identifier": "pegawai", "password": "rahasia123", "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/dasbor")


def _login_statuses(app, attempts: list[tuple[str, str]]) -> list[int]:
    """POST /masuk once per (account name, X-Forwarded-For) with a wrong password."""
    client = app.test_client()
    return [
        client.post(
            "/masuk",
            data={"identifier": name, "password": "salah-sekali"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for name, address in attempts
    ]


@pytest.fixture
def limited_app(databases, tmp_path):
    def make(**config: object):
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": databases.new("limits"),
                "FILES_DIR": str(tmp_path),
                "WTF_CSRF_ENABLED": False,
                **config,
            },
            env="testing",
        )
        with app.app_context():
            db.create_all()
        return app

    return make


def test_login_limit_counts_an_account_across_addresses(limited_app) -> None:
    app = limited_app(LOGIN_RATE_LIMIT="3 per minute", TRUSTED_PROXIES=1)
    tries = [("pegawai", f"10.0.0.{i}") for i in range(4)]
    assert _login_statuses(app, tries) == [200, 200, 200, 429]
    # Another account is not held back, and a NIP typed with spaces is the same account name.
    assert _login_statuses(app, [("atasan", "10.0.0.9")]) == [200]
    nip = [("19941110 201710 2 953", "10.0.1.1"), ("199411102017102953", "10.0.1.2")]
    assert _login_statuses(app, nip * 2) == [200, 200, 200, 429]


def test_login_limit_per_address_and_forwarded_addresses_only_behind_a_proxy(
    limited_app,
) -> None:
    # No proxy configured: X-Forwarded-For is the client's own claim and is ignored, so four
    # accounts tried from one machine are counted against that machine.
    direct = limited_app(LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    spoofed = [(f"akun{i}", f"10.0.0.{i}") for i in range(4)]
    assert _login_statuses(direct, spoofed) == [200, 200, 200, 429]
    # Behind one trusted proxy: people at different addresses are counted apart...
    proxied = limited_app(LOGIN_ADDRESS_RATE_LIMIT="3 per minute", TRUSTED_PROXIES=1)
    assert _login_statuses(proxied, spoofed) == [200, 200, 200, 200]
    # ...and one address trying many accounts is still stopped.
    sprayed = [(f"akun{i}", "10.9.9.9") for i in range(4)]
    assert _login_statuses(proxied, sprayed) == [200, 200, 200, 429]


def test_forwarded_headers_are_believed_only_from_a_trusted_proxy(limited_app) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    seen = {}
    for proxies in (0, 1):
        app = limited_app(TRUSTED_PROXIES=proxies)
        app.add_url_rule("/_seen", "seen", lambda: f"{request.scheme} {request.remote_addr}")
        seen[proxies] = app.test_client().get("/_seen", headers=headers).get_data(as_text=True)
    assert seen == {0: "http 127.0.0.1", 1: "https 10.1.2.3"}
