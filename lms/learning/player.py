"""The lesson player's page, built from parts kept for every learner (lms.courses.cache) with
the reader's own bits put in at their marks (lms.courses.fragments): the course's list of
lessons (templates/learning/_outline.html) and each lesson's page around it
(templates/learning/_lesson.html), each rendered once per language."""

from __future__ import annotations

from typing import NamedTuple

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from lms.courses import cache as course_cache
from lms.courses import fragments
from lms.courses import queries as course_queries
from lms.courses.rendering import scrollable_tables


class Player(NamedTuple):
    """What the lesson player shows the same way to every learner of a course: the course's
    head, where each lesson is in the course (by key), the list of lessons split at its marks
    (current.N, aria.N, done.N, packages), how many modules it has, and the done chip in the
    language. Read from the cache on every page, so nothing more (each lesson's page parts are
    kept apart)."""

    head: course_queries.CourseHead
    index: dict[str, int]
    outline: fragments.Parts
    modules: int
    chip: str


class LessonPage(NamedTuple):
    """One lesson's page for every learner: its title, the page split at the reader's marks
    (progress, outline, done, button, csrf; the lesson's body already in), and the done
    button's words when the reader has done the lesson and when not."""

    title: str
    parts: fragments.Parts
    button_done: str
    button_todo: str


_CURRENT = ' class="current"'
_ARIA_CURRENT = ' aria-current="page"'
_READER_MARKS = ("progress", "outline", "done", "button", "csrf")
_MARK = {name: Markup(f"<!--mark:{name}-->") for name in (*_READER_MARKS, "body")}  # noqa: S704 - fixed text


def player(code: str) -> Player | None:
    """The course's player parts, kept (None: no such published course)."""
    return course_cache.cached("player", (code.upper(),), lambda: _player(code))


def page(player: Player, key: str, progress: int, done: frozenset[str]) -> dict:
    """learning/lesson.html's variables: the lesson ``key`` of the course (its parts kept) for
    a reader at ``progress`` percent who has done the lessons ``done``."""
    index = player.index[key]
    version_id = player.head.published_version_id
    kept = course_cache.cached(
        "player-lesson", (version_id, index), lambda: _lesson_page(player.head, index)
    )
    is_done = key in done
    head, _outline, tail = fragments.fill(
        kept.parts,
        {
            "progress": str(int(progress)),
            "done": "yes" if is_done else "no",
            "button": kept.button_done if is_done else kept.button_todo,
            "csrf": str(escape(generate_csrf())),
        },
        keep=("outline",),
    )
    marks = {f"done.{player.index[k]}": player.chip for k in done if k in player.index}
    marks |= {f"current.{index}": _CURRENT, f"aria.{index}": _ARIA_CURRENT}
    return {
        "course": player.head,
        "modules": player.modules,
        "title": Markup(kept.title),  # noqa: S704 - escaped when built
        "head": Markup(head),  # noqa: S704 - rendered (escaped) when built
        "tail": Markup(tail),  # noqa: S704 - rendered (escaped) when built
        "outline": fragments.fill(player.outline, marks, keep=("packages",)),
    }


def _player(code: str) -> Player | None:
    head = course_queries.course_head_values(code)
    if head is None:
        return None
    outline = _outline(head.published_version_id)
    html = render_template("learning/_outline.html", course=head, outline=outline)
    chip = Markup('<span class="chip ok" aria-label="{}">✓</span>').format(_("selesai"))
    index = {lesson.key: i for i, lesson in enumerate(_lessons(outline))}
    return Player(head, index, fragments.split(html), len(outline), str(chip))


def _outline(version_id: int) -> tuple[course_queries.OutlineModule, ...]:
    """The published version's modules and lessons (plain values, kept)."""
    return course_cache.cached("outline", (version_id,), lambda: course_queries.outline(version_id))


def lessons(version_id: int) -> tuple[course_queries.OutlineLesson, ...]:
    """The version's lessons in order (from its kept outline)."""
    return _lessons(_outline(version_id))


def _lessons(outline) -> tuple[course_queries.OutlineLesson, ...]:
    return tuple(lesson for module in outline for lesson in module.lessons)


def _lesson_page(course: course_queries.CourseHead, index: int) -> LessonPage:
    every = lessons(course.published_version_id)
    current = every[index]
    nxt = every[index + 1] if index + 1 < len(every) else None
    html = render_template(
        "learning/_lesson.html",
        course=course,
        lesson=current,
        prev=every[index - 1] if index > 0 else None,
        next=nxt,
        position=index + 1,
        total=len(every),
        mark=_MARK,
    )
    # The body goes in after the split: nothing in it is ever taken for a mark.
    body = course_queries.lesson_body(course.published_version_id, current.key) or ""
    body = str(scrollable_tables(body, _("Tabel dalam pelajaran")))
    parts = fragments.fill(fragments.split(html), {"body": body}, keep=_READER_MARKS)
    todo = _("Tandai selesai") + (" " + _("dan lanjut") if nxt else "")
    return LessonPage(
        str(escape(current.title) + Markup(" · ") + escape(course.title)),
        tuple(parts),
        str(escape(_("Berikutnya") if nxt else _("Sudah selesai"))),
        str(escape(todo)),
    )
