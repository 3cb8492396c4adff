"""The header menu, rendered once per set of roles and language and then reused.

The menu asks about thirty capability questions and translates as many labels; on hot pages (a quiz
attempt, a lesson) that was a third of the page's rendering. Its links depend only on the account's
roles, the language and the mount point, so the rendered HTML is kept per that key (a handful of
entries: there are few distinct role sets) in each worker process.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.permissions import capabilities_of

_CACHE: dict[tuple, Markup] = {}
_MAX_ENTRIES = 512

#: The links every page's header and footer carry (base.html), by name.
PAGE_LINKS = {
    "pico_css": ("static", {"filename": "vendor/pico/pico.min.css"}),
    "app_css": ("static", {"filename": "css/app.css"}),
    "logo": ("static", {"filename": "img/logo.svg"}),
    "home": ("main.index", {}),
    "notifications": ("notifications.index", {}),
    "logout": ("auth.logout", {}),
    "verify": ("certificates.verify_search", {}),
    "set_language": ("main.set_language", {}),
}
_LINKS: dict[str, dict[str, str]] = {}


def menu_items() -> Markup:
    """The ``<li>`` links of the menu for the signed-in account."""
    roles = current_user.roles
    key = (roles, str(get_locale() or "id"), request.script_root)
    html = _CACHE.get(key)
    if html is None:
        rendered = render_template("_menu.html", caps=capabilities_of(roles), roles=roles)
        html = Markup(rendered)  # noqa: S704 - our own template, autoescaped when rendered
        if len(_CACHE) < _MAX_ENTRIES:
            _CACHE[key] = html
    return html


def page_links() -> dict[str, str]:
    """base.html's fixed links, built once per mount point (eight ``url_for`` calls were a
    tenth of a bare page's rendering)."""
    root = request.script_root
    links = _LINKS.get(root)
    if links is None:
        links = {
            name: url_for(endpoint, **values) for name, (endpoint, values) in PAGE_LINKS.items()
        }
        if len(_LINKS) < _MAX_ENTRIES:
            _LINKS[root] = links
    return links


class Frame(NamedTuple):
    """base.html's frame in four parts: up to the title, from it to the content, from there to
    the language switch's return path, and the rest."""

    head: Markup
    header: Markup
    footer: Markup
    end: Markup


_MARKS = {
    "title": Markup("<!--frame:title-->"),
    "main": Markup("<!--frame:main-->"),
    "next": Markup("<!--frame:next-->"),
    "csrf": Markup("<!--frame:csrf-->"),
}
_FRAMES: dict[tuple, tuple[str, ...]] = {}


def page_frame(unread: int) -> Frame:
    """The frame of the page (templates/_frame.html) for this reader: its roles (the menu), the
    unread count of the bell, the language and the mount point decide it, so it is rendered
    once per such key and kept in the process; only the CSRF token is put in per request. Two
    hundred microseconds of Jinja on every page become a dictionary look-up."""
    roles = current_user.roles if current_user.is_authenticated else None
    key = (roles, unread, str(get_locale() or "id"), request.script_root)
    parts = _FRAMES.get(key)
    if parts is None:
        html = render_template("_frame.html", marks=_MARKS, unread=unread)
        head, rest = html.split(_MARKS["title"])
        header, rest = rest.split(_MARKS["main"])
        footer, end = rest.split(_MARKS["next"])
        parts = (head, header, footer, end)
        if len(_FRAMES) >= _MAX_ENTRIES:
            _FRAMES.clear()
        _FRAMES[key] = parts
    token = str(escape(generate_csrf()))
    mark = _MARKS["csrf"]
    return Frame(*(Markup(part.replace(mark, token)) for part in parts))  # noqa: S704 - ours
