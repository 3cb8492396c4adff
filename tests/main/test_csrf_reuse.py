"""A CSRF token signed for a session is used again for CSRF_TOKEN_REUSE_SECONDS (lms.security):
pages of the same session within that time carry the same token, which still validates; another
session, or a later page, gets its own."""

from __future__ import annotations

import re

from itsdangerous import URLSafeTimedSerializer

from lms import security
from tests.conftest import login


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', page))


def test_pages_of_one_session_reuse_a_fresh_token_and_it_still_works(app, client, world) -> None:
    login(client, "pegawai")
    first = _tokens(client.get("/dasbor").text)
    second = _tokens(client.get("/pelatihan").text)
    assert len(first) == 1 and first == second  # the menu's form and the language switch too
    response = client.post("/bahasa", data={"lang": "en", "next": "/", "csrf_token": first.pop()})
    assert response.status_code == 302
    assert "My courses" in client.get("/dasbor").text or 'lang="en"' in client.get("/dasbor").text


def test_another_session_gets_a_token_of_its_own(app, client, world) -> None:
    other = app.test_client()
    login(client, "pegawai")
    login(other, "atasan")
    mine, theirs = _tokens(client.get("/dasbor").text), _tokens(other.get("/dasbor").text)
    assert mine and theirs and mine.isdisjoint(theirs)
    # a token of one session is refused in the other
    response = other.post("/keluar", data={"csrf_token": mine.pop()})
    assert response.status_code == 400
    assert other.get("/dasbor").status_code == 200  # still signed in


def test_a_token_is_signed_once_within_the_window_and_again_after(
    app, client, world, monkeypatch
) -> None:
    """Counted where Flask-WTF signs (templates and forms both ask it): the dashboard builds
    forms of its own before its template asks for the token."""
    signed: list[str] = []
    real = URLSafeTimedSerializer.dumps

    def counting(self, obj, salt=None):
        token = real(self, obj, salt)
        if self.salt == b"wtf-csrf-token":
            signed.append(token)
        return token

    monkeypatch.setattr(URLSafeTimedSerializer, "dumps", counting)
    login(client, "pegawai")
    client.get("/dasbor")
    before = len(signed)
    client.get("/dasbor")
    client.get("/pelatihan")
    assert len(signed) == before  # reused
    monkeypatch.setattr(security, "CSRF_TOKEN_REUSE_SECONDS", 0)
    token = _tokens(client.get("/dasbor").text).pop()
    assert len(signed) == before + 1 and token == signed[-1]
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
