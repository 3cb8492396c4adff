"""The session cookie verified once per process (lms.security.KeptCookieSessions): a kept
cookie still expires, still belongs to the key that signed it, and a changed one is checked
in full."""

from __future__ import annotations

import time

from lms.security import KeptCookieSessions
from tests.conftest import login

COOKIE = "akademi_session"


def _signed_in(client) -> str:
    login(client, "pegawai")
    assert client.get("/dasbor").status_code == 200  # the cookie is verified and kept now
    return client.get_cookie(COOKIE).value


def test_the_app_keeps_verified_cookies(app) -> None:
    assert isinstance(app.session_interface, KeptCookieSessions)


def test_a_kept_cookie_still_expires(app, client, world, monkeypatch) -> None:
    _signed_in(client)
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/dasbor").status_code == 302  # to the login page


def test_a_kept_cookie_is_not_trusted_after_the_key_changes(app, client, world) -> None:
    _signed_in(client)
    app.secret_key = "a-new-key-after-a-leak-" + "x" * 40
    assert client.get("/dasbor").status_code == 302


def test_a_kept_cookie_under_a_fallback_key_still_opens(app, client, world) -> None:
    """Rotating with the old key among the fallbacks keeps people signed in (Flask's rule)."""
    _signed_in(client)
    old = app.secret_key
    app.secret_key = "the-next-key-" + "y" * 40
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert client.get("/dasbor").status_code == 200


def test_a_changed_cookie_is_checked_in_full(client, world) -> None:
    cookie = _signed_in(client)
    payload, stamp, mac = cookie.rsplit(".", 2)
    client.set_cookie(COOKIE, f"{payload}.{stamp}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}")
    assert client.get("/dasbor").status_code == 302
    client.set_cookie(COOKIE, cookie)
    assert client.get("/dasbor").status_code == 200
