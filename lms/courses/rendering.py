"""Lesson Markdown → safe HTML: markdown-it-py with raw HTML off, then nh3 as a second wall.

Raw HTML in the source is escaped (shown as text), links may only be http(s), mailto or
relative, and nh3 strips anything that still is not on its allow-list (script, iframe, on*
attributes, javascript: URLs).
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}


def render_markdown(source: str) -> str:
    html = _md.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


def scrollable_tables(html: str, label: str) -> Markup:
    """Sanitised lesson HTML with each table in a box of its own that scrolls sideways on a
    phone, which a keyboard can reach and scroll (``tabindex``, a named region): the page itself
    never scrolls sideways. Done when showing, so lessons stored before it get the box too, and
    the region's name is in the reader's language. ``html`` must be the sanitised copy: nh3
    leaves ``<table>`` without attributes, which is what is matched."""
    opening = Markup(
        '<div class="table-wrap" tabindex="0" role="region" aria-label="{}"><table>'
    ).format(escape(label))
    safe = Markup(html)  # noqa: S704 - the sanitised copy render_markdown stored
    return safe.replace(Markup("<table>"), opening).replace(
        Markup("</table>"), Markup("</table></div>")
    )
