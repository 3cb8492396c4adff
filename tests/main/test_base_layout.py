"""What every page's frame costs less now and still does (issue 19): base.html's fixed words kept per
language, one CSRF token per page, template globals without a per-template copy, the locale chosen
without reading Accept first, security headers in one pass, NUL refused in any header."""

from __future__ import annotations

import re

from lms import _select_locale
from tests.conftest import csrf_token, login

WORDS_ID = ("Langsung ke isi", "Navigasi utama", "Keluar", "Verifikasi sertifikat", "Bahasa")
WORDS_EN = (
    "Skip to content",
    "Main navigation",
    "Sign out",
    "Certificate verification",
    "Language",
)


def _switch(client, lang: str) -> None:
    token = csrf_token(client, "/dasbor")
    response = client.post("/bahasa", data={"lang": lang, "next": "/dasbor", "csrf_token": token})
    assert response.status_code == 302


def test_fixed_words_follow_the_language_both_ways(client, world) -> None:
    login(client, "pegawai")
    page = client.get("/dasbor").get_data(as_text=True)
    assert all(word in page for word in WORDS_ID)
    assert '<html lang="id"' in page
    _switch(client, "en")
    page = client.get("/dasbor").get_data(as_text=True)
    assert all(word in page for word in WORDS_EN), page[-1500:]
    assert '<html lang="en"' in page and "Keluar" not in page
    _switch(client, "id")  # the English words kept above are not served to Indonesian pages
    page = client.get("/dasbor").get_data(as_text=True)
    assert all(word in page for word in WORDS_ID) and "Sign out" not in page


def test_one_csrf_token_serves_both_forms_of_the_frame(client, world) -> None:
    login(client, "pegawai")
    page = client.get("/dasbor").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', page)
    assert len(tokens) == 2 and tokens[0] == tokens[1]  # logout and the language switch
    assert client.post("/keluar", data={"csrf_token": tokens[0]}).status_code == 302
    assert client.get("/dasbor").status_code == 302  # signed out: back to the login page


def test_the_kept_frame_carries_each_readers_own_token_and_menu(app, world) -> None:
    """The frame is kept per set of roles (lms.main.menu.page_frame): two learners share it, yet
    each page carries that session's own CSRF token, and a supervisor gets the team's links."""
    pages, tokens = {}, {}
    for name in ("pegawai", "target.user", "atasan"):
        client = app.test_client()
        login(client, name)
        pages[name] = client.get("/pelatihan").get_data(as_text=True)
        tokens[name] = set(re.findall(r'name="csrf_token" value="([^"]+)"', pages[name]))
        assert len(tokens[name]) == 1 and "frame:" not in pages[name]
        assert client.post("/keluar", data={"csrf_token": tokens[name].pop()}).status_code == 302
    assert "JP tim saya" in pages["atasan"]
    assert "JP tim saya" not in pages["pegawai"] and "JP tim saya" not in pages["target.user"]


def test_templates_read_the_environment_globals_and_see_later_ones(app) -> None:
    template = app.jinja_env.get_template("base.html")
    assert template.globals is app.jinja_env.globals
    app.jinja_env.globals["lms_test_late"] = "ada"
    try:
        with app.test_request_context("/"):
            assert app.jinja_env.from_string("{{ lms_test_late }}").render() == "ada"
            assert app.jinja_env.get_template("_base_text.html").globals["lms_test_late"] == "ada"
    finally:
        del app.jinja_env.globals["lms_test_late"]
    own = app.jinja_env.from_string("{{ x }}", globals={"x": 1})  # own globals: kept apart
    assert own.render() == "1" and "x" not in app.jinja_env.globals


def test_locale_is_indonesian_unless_chosen_or_an_english_json_caller(app) -> None:
    cases = [
        ({}, "id"),
        ({"Accept-Language": "en-US,en;q=0.9"}, "id"),  # a page: Indonesian until switched
        ({"Accept-Language": "en-US,en;q=0.9", "Accept": "application/json"}, "en"),
        ({"Accept-Language": "id-ID,id;q=0.9,en;q=0.8", "Accept": "application/json"}, "id"),
        ({"Accept-Language": "*", "Accept": "application/json"}, "id"),
        ({"Accept-Language": "*, id;q=0", "Accept": "application/json"}, "en"),
        ({"Accept-Language": "fr", "Accept": "application/json"}, "id"),
        ({"Accept-Language": "EN"}, "id"),
    ]
    for headers, expected in cases:
        with app.test_request_context("/dasbor", headers=headers):
            assert _select_locale() == expected, headers
    with app.test_request_context("/api/v1/me", headers={"Accept-Language": "EN"}):
        assert _select_locale() == "en"


def test_security_headers_on_pages_downloads_and_https(app, client) -> None:
    page = client.get("/masuk")
    for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert len(page.headers.getlist(name)) == 1, name
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in page.headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        secure = client.get("/masuk", base_url="https://localhost")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert static.headers["X-Content-Type-Options"] == "nosniff"


def test_nul_in_any_header_is_refused_and_named(client) -> None:
    response = client.get("/masuk", headers={"X-Tambahan": "a\x00b"})
    assert response.status_code == 400
    assert "X-Tambahan" in response.get_data(as_text=True)
    assert client.get("/masuk", headers={"X-Tambahan": "ab"}).status_code == 200
