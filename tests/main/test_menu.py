"""The header menu is rendered once per (roles, language) and reused: each account still sees
its own links, in its own language."""

from __future__ import annotations

from tests.conftest import csrf_token, login


def _menu(client) -> str:
    page = client.get("/dasbor").get_data(as_text=True)
    return page[page.index('<ul class="menu-list">') : page.index("</details>")]


def test_menu_follows_roles_and_language(app, world) -> None:
    employee, admin, supervisor = app.test_client(), app.test_client(), app.test_client()
    login(employee, "pegawai")
    login(admin, "admin")
    login(supervisor, "atasan")

    mine = _menu(employee)
    assert "Sertifikat saya" in mine and "JP tim saya" not in mine and ">Akun<" not in mine
    assert "JP tim saya" in _menu(supervisor)  # Atasan, derived from having staff
    assert ">Akun<" in _menu(admin) and "Sertifikat saya" not in _menu(admin)
    # The kept copy is the same as the first rendering (the logout form after it carries a
    # freshly signed CSRF token, so it is left out of the comparison).
    links = mine[: mine.index('action="/keluar"')]
    assert _menu(employee).startswith(links)

    employee.post(
        "/bahasa",
        data={"lang": "en", "next": "/dasbor", "csrf_token": csrf_token(employee, "/dasbor")},
    )
    english = _menu(employee)
    assert "My certificates" in english and "Sertifikat saya" not in english
    assert "Sertifikat saya" in _menu(supervisor)  # another account keeps Indonesian
    # The logout form (with the session's own CSRF token) is rendered per request, after the
    # kept links.
    for client in (employee, admin):
        assert 'action="/keluar"' in _menu(client) and 'name="csrf_token"' in _menu(client)
