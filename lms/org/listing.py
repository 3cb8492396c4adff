"""The employee list's rows as HTML, built in Python: one format of a row's escaped values per
employee, where the template's loop evaluated about twenty expressions a row (a Jinja loop
over 25 rows cost more than the search that found them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.org.search import EmployeeRow

_SHOWN = 5  # escaped values a row: name, NIP, golongan, position, unit
_APART = "\x1f"  # the control character the values of a page are escaped joined by


def employee_rows(rows: Sequence[EmployeeRow], href: str) -> Markup:
    """The table rows of ``rows``: each name links to ``href`` + its id, an inactive employee is
    marked (the label translated once a page); every value escaped."""
    marks = ("", "")  # after the name of an active employee, of an inactive one
    if not all(row.is_active for row in rows):
        marks = ("", str(Markup(' <span class="chip muted">{}</span>').format(_("nonaktif"))))
    shown = _escaped(
        [
            value
            for row in rows
            for value in (
                row.display_name,
                row.nip_display,
                row.golongan_code or "—",
                row.position_name,
                row.unit_name,
            )
        ]
    )
    href = str(escape(href))
    # The rows exactly as templates/org/employees.html wrote them, whitespace too (an f-string:
    # a third of what str.format costs).
    return Markup(  # noqa: S704 - built of escaped values and the escaped label
        "".join(
            f'\n    <tr>\n      <td><a href="{href}{row.id}">{name}</a>{marks[not row.is_active]}'
            f'</td>\n      <td class="nowrap">{nip}</td>\n      <td>{gol}</td>\n'
            f"      <td>{position}</td>\n      <td>{unit}</td>\n    </tr>\n  "
            for row, (name, nip, gol, position, unit) in zip(
                rows, zip(*[iter(shown)] * _SHOWN, strict=True), strict=True
            )
        )
    )


def _escaped(values: list[str]) -> list[str]:
    """``values`` escaped for HTML by one call of markupsafe's ``escape`` (a call a value cost
    more than the rest of a row): joined by a control character and split after; when a value
    holds that character itself, each is escaped on its own."""
    parts = str(escape(_APART.join(values))).split(_APART)
    if len(parts) != len(values):
        return [str(escape(value)) for value in values]
    return parts


def page_text() -> Any:
    """The list's fixed words in the request's language (templates/org/_employees_text.html),
    made into a module once per language and app and kept: fourteen translations less on
    every page."""
    texts = current_app.extensions.setdefault("org.employee_texts", {})
    locale = str(get_locale() or "id")
    found = texts.get(locale)
    if found is None:
        template = current_app.jinja_env.get_template("org/_employees_text.html")
        found = texts[locale] = template.make_module()
    return found
