"""Catalogue courses that match a competency need (for plans and for SKP results)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

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


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(w) >= 3} - _STOPWORDS


@dataclass
class Suggestion:
    course_id: int
    code: str
    title: str
    jp: Decimal
    competency_kind: str
    score: int
    matched: list[str] = field(default_factory=list)


def suggest_courses(text: str, kind: str | None = None, limit: int = 5) -> list[Suggestion]:
    """Published catalogue courses matching a competency: tag words count 3, title words 2,
    the same competency kind 1. Needs at least one word in common (or, with no text, the kind)."""
    words = _words(text)
    if not words and not kind:
        return []
    rows = db.session.execute(
        select(
            Course.id,
            Course.code,
            CourseVersion.title,
            CourseVersion.jp,
            CourseVersion.competency_kind,
            CourseVersion.tags,
        )
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
    ).all()
    out = []
    for row in rows:
        tag_words = set().union(*(_words(t) for t in (row.tags or []) if isinstance(t, str)))
        title_words = _words(row.title)
        hit_tags = words & tag_words
        hit_title = (words & title_words) - hit_tags
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
                sorted(hit_tags | hit_title),
            )
        )
    out.sort(key=lambda s: (-s.score, s.title, s.course_id))
    return out[:limit]
