"""Rendered HTML kept for every learner, with marks where each learner's own bits go.

A template shared by all learners writes ``<!--mark:NAME-->`` where a page puts something of the
person reading it (a done chip, the enrolment box). :func:`split` turns the rendered text into
``(text, name, text, ..., text)``, which is what the cache keeps (lms.courses.cache); on each
request :func:`fill` puts in the values the page has for some marks and keeps the others as
slots its own template fills, so no row is rendered again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

_MARK = re.compile(r"<!--mark:([a-z0-9_.]+)-->")

Parts = tuple[str, ...]


def split(html: str) -> Parts:
    """``html`` split at its marks: texts at even places, mark names at odd ones."""
    return tuple(_MARK.split(html))


def fill(parts: Parts, values: Mapping[str, str], keep: Collection[str] = ()) -> list[str]:
    """``parts`` with each mark replaced by its value in ``values`` (safe HTML; nothing for a
    mark without one), except the marks named in ``keep``: those stay as slots between the
    texts (texts at even places, slot names at odd ones), in order."""
    out: list[str] = []
    text: list[str] = []
    for i, part in enumerate(parts):
        if not i % 2:
            text.append(part)
        elif part in keep:
            out.append("".join(text))
            out.append(part)
            text = []
        else:
            text.append(values.get(part, ""))
    out.append("".join(text))
    return out
