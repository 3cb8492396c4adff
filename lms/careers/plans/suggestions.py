"""Catalogue courses that match a competency need (for plans, SKP results and the dashboard).

Words are compared by their Indonesian stem (PySastrawi, the maintained port of the Sastrawi
stemmer, Nazief-Adriani with its dictionary), so "pelayanan" meets "layanan" and "melayani",
"kepemimpinan" meets "pemimpin": a hand-written suffix list would miss the confixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from sqlalchemy import select

from lms.courses.models import Course, CourseVersion
from lms.extensions import db

_STOPWORDS = frozenset(
    [
        "dan",
        "yang",
        "untuk",
        "dengan",
        "dalam",
        "pada",
        "dari",
        "atau",
        "ke",
        "di",
        "the",
        "and",
        "of",
        "for",
        "in",
        "kemampuan",
        "kompetensi",
    ]
)


@cache
def _stemmer():  # loads the dictionary once per process (about 50 ms)
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The Indonesian stem of one lower-case word (English and codes come back unchanged)."""
    return _stemmer().stem(word) or word


def _words(text: str) -> dict[str, str]:
    """The meaningful words of ``text`` by their stem: ``{stem: the word as written}``."""
    raw = {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(w) >= 3}
    out: dict[str, str] = {}
    for word in sorted(raw - _STOPWORDS):
        root = stem(word)
        if root not in _STOPWORDS and len(root) >= 3:
            out.setdefault(root, word)
    return out


def stems(text: str) -> frozenset[str]:
    """The stems of the meaningful words of ``text`` (the needs analysis compares competencies
    and learning records by them, as the suggestions do)."""
    return frozenset(_words(text))


@dataclass
class Suggestion:
    course_id: int
    code: str
    title: str
    jp: Decimal
    competency_kind: str
    score: int
    matched: list[str] = field(default_factory=list)


def catalogue(*criteria: Any) -> list:
    """The published, not archived catalogue courses (meeting ``criteria`` on ``Course``) with
    what ``suggest_courses`` compares (one query; a caller matching several needs reads it once
    and passes it on)."""
    return db.session.execute(
        select(
            Course.id,
            Course.code,
            CourseVersion.title,
            CourseVersion.jp,
            CourseVersion.competency_kind,
            CourseVersion.tags,
        )
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False), *criteria)
    ).all()


def suggest_courses(
    text: str, kind: str | None = None, limit: int = 5, rows: list | None = None
) -> list[Suggestion]:
    """Published catalogue courses matching a competency: tag words count 3, title words 2,
    the same competency kind 1. Needs at least one word in common (or, with no text, the kind).
    ``rows``: the ``catalogue()`` already read (else it is read here)."""
    words = _words(text)
    if not words and not kind:
        return []
    if rows is None:
        rows = catalogue()
    out = []
    for row in rows:
        tag_words: dict[str, str] = {}
        for tag in row.tags or []:
            if isinstance(tag, str):
                tag_words.update(_words(tag))
        title_words = _words(row.title)
        hit_tags = words.keys() & tag_words.keys()
        hit_title = (words.keys() & title_words.keys()) - hit_tags
        score = 3 * len(hit_tags) + 2 * len(hit_title)
        if score == 0 and words:
            continue
        if kind and row.competency_kind == kind:
            score += 1
        if score == 0:
            continue
        out.append(
            Suggestion(
                row.id,
                row.code,
                row.title,
                row.jp,
                row.competency_kind,
                score,
                sorted({tag_words[w] for w in hit_tags} | {title_words[w] for w in hit_title}),
            )
        )
    out.sort(key=lambda s: (-s.score, s.title, s.course_id))
    return out[:limit]
