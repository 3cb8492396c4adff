"""Helpers for the confirmation of destructive actions (``lms.forms.ask``)."""

from __future__ import annotations

import html
import re


def confirmation_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and the fields of the confirmation page's form, as a browser would send them."""
    form = re.search(
        r'<article class="confirm-box".*?<form method="post" action="([^"]+)"[^>]*>(.*?)</form>',
        page,
        re.S,
    )
    assert form, "no confirmation page"
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)
        )
    }
    return html.unescape(form.group(1)), fields


def consequences(page: str) -> list[str]:
    """The sentences under "Yang akan terjadi"."""
    block = re.search(r'<ul aria-labelledby="confirm-what"[^>]*>(.*?)</ul>', page, re.S)
    assert block, "no consequences on the page"
    return [html.unescape(s) for s in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def confirm(client, response, **overrides: str):
    """Press the button of the confirmation page that ``response`` shows."""
    assert response.status_code == 200, response.status_code
    action, fields = confirmation_form(response.get_data(as_text=True))
    assert fields.get("confirm") == "1"
    return client.post(action, data={**fields, **overrides})
