"""The lesson player: outline, previous/next, done on reaching the end or by a button, resume."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms.courses import cache as course_cache
from lms.courses import fragments
from lms.courses import page as course_page
from lms.courses import queries as course_queries
from lms.courses.models import Lesson
from lms.courses.rendering import scrollable_tables
from lms.dashboard import LEARNING, card_tokens, cards_for, section
from lms.enrolments import services as enrolments
from lms.extensions import db
from lms.learning import bp, services
from lms.permissions import Capability, refuse, require

OPEN_STATES = ("active", "nominated", "waitlisted")
LISTED_STATES = (*OPEN_STATES, "completed")


def _head(code: str):
    """The published course as plain values, from the cache (404 without one)."""
    code = code.upper()
    course = course_cache.cached(
        "course-head", (code,), lambda: course_queries.course_head_values(code)
    )
    if course is None:
        abort(404)
    return course


def _context(code: str):
    """The published course (plain values from the cache) and the learner's own enrolment,
    read live: only an active or completed enrolment opens the player."""
    course = _head(code)
    employee = current_user.employee
    enrolment = enrolments.find(course, employee) if employee is not None else None
    _check_open(course, enrolment)
    return course, enrolment


def _check_open(course, enrolment) -> None:
    if enrolment is None or enrolment.status not in ("active", "completed"):
        refuse(course, 403)  # a published course: no secret


def _outline(course) -> tuple[course_queries.OutlineModule, ...]:
    """The published version's modules and lessons (plain values, from the cache)."""
    version_id = course.published_version_id
    return course_cache.cached("outline", (version_id,), lambda: course_queries.outline(version_id))


@bp.route("/belajar/<code>")
@require(Capability.LEARN)
def resume(code: str):
    """Continue where I left off: the last lesson seen, else the first not done."""
    course, enrolment = _context(code)
    lessons = [lesson for module in _outline(course) for lesson in module.lessons]
    if not lessons:
        abort(404)
    keys = {lesson.key for lesson in lessons}
    key = enrolment.last_lesson_key if enrolment.last_lesson_key in keys else None
    if key is None:
        done = services.done_keys(enrolment)
        key = next((lesson.key for lesson in lessons if lesson.key not in done), lessons[0].key)
    return redirect(url_for("learning.lesson", code=course.code, key=key))


class Player(NamedTuple):
    """What the lesson player shows the same way to every learner of a course (kept by
    lms.courses.cache): the course's head, its lessons in order, the list of lessons split at
    its marks (templates/learning/_outline.html), how many modules it has, and the done chip in
    the language."""

    head: course_queries.CourseHead
    lessons: tuple[course_queries.OutlineLesson, ...]
    index: dict[str, int]
    outline: fragments.Parts
    modules: int
    chip: str


_CURRENT = ' class="current"'
_ARIA_CURRENT = ' aria-current="page"'


def _player(code: str) -> Player | None:
    head = course_queries.course_head_values(code)
    if head is None:
        return None
    outline = _outline(head)
    lessons = tuple(lesson for module in outline for lesson in module.lessons)
    html = render_template("learning/_outline.html", course=head, outline=outline)
    chip = Markup('<span class="chip ok" aria-label="{}">✓</span>').format(_("selesai"))
    index = {lesson.key: i for i, lesson in enumerate(lessons)}
    return Player(head, lessons, index, fragments.split(html), len(outline), str(chip))


def _body(version_id: int, key: str) -> Markup:
    """A lesson's sanitised HTML with its tables in boxes that scroll (kept per language)."""

    def build() -> str:
        html = course_queries.lesson_body(version_id, key) or ""
        return str(scrollable_tables(html, _("Tabel dalam pelajaran")))

    return Markup(course_cache.cached("lesson-body", (version_id, key), build))  # noqa: S704 - sanitised on write


@bp.route("/belajar/<code>/<key>")
@require(Capability.LEARN)
def lesson(code: str, key: str):
    player = course_cache.cached("player", (code.upper(),), lambda: _player(code))
    if player is None:
        abort(404)
    course, enrolment, done = player.head, None, set()
    if current_user.employee_id is not None:  # the enrolment and its done keys: one query
        enrolment, done = services.enrolment_and_done(course.id, current_user.employee_id)
    _check_open(course, enrolment)
    index = player.index.get(key)
    if index is None:
        abort(404)
    lessons, current = player.lessons, player.lessons[index]
    changed = services.record_visit(enrolment, current.key)
    marks = {f"done.{player.index[k]}": player.chip for k in done if k in player.index}
    marks |= {f"current.{index}": _CURRENT, f"aria.{index}": _ARIA_CURRENT}
    page = render_template(
        "learning/lesson.html",
        course=course,
        outline=fragments.fill(player.outline, marks, keep=("packages",)),
        modules=player.modules,
        lesson=current,
        body=_body(course.published_version_id, key),
        enrolment=enrolment,
        prev=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        done=done,
        position=index + 1,
        total=len(lessons),
    )
    if changed:
        db.session.commit()  # the last lesson seen (after rendering: the page is built already)
    return page


@bp.route("/belajar/<code>/<key>/selesai", methods=["POST"])
@require(Capability.LEARN)
def mark_done(code: str, key: str):
    course, enrolment = _context(
        code
    )  # CSRF: checked for every POST by CSRFProtect (form or header)
    current = db.session.scalar(
        select(Lesson).where(Lesson.version_id == course.published_version_id, Lesson.key == key)
    )
    if current is None:
        abort(404)
    services.mark_done(enrolment, current)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(progress=enrolment.progress, done=True)
    nxt = request.form.get("next_key")
    if nxt:
        return redirect(url_for("learning.lesson", code=course.code, key=nxt))
    return redirect(url_for("learning.lesson", code=course.code, key=key))


@course_page.learner_part
def course_page_progress(enrolment) -> dict:
    """The course page's syllabus ticks the lessons done."""
    return {"done": services.done_keys(enrolment)}


#: The learner section's own area of the dashboard registry: cards other features add to it.
LEARNER_AREA = "learner"
#: Where careers puts suggestions that follow the person; with none, the newest courses show.
SUGGESTIONS_AREA = "learner_suggestions"


def _learner_tokens(user) -> tuple | None:
    """What the learner section shows: their enrolments, the catalogue (titles, the newest
    courses), and the cards other features put into it."""
    if user.employee_id is None:
        return None
    cards = card_tokens(user, LEARNER_AREA)
    suggestions = card_tokens(user, SUGGESTIONS_AREA)
    if cards is None or suggestions is None:
        return None
    mine = course_cache.MINE.token(user.employee_id)
    return (mine, course_cache.generation(), *cards, *suggestions)


@section(10, part=LEARNING, wide=True, keep=_learner_tokens)
def learner_section(user):
    """My courses (open ones first, finished ones after them) with their true state, JP this year
    against the target, suggestions (careers' personal ones, else the newest courses)."""
    if user.employee_id is None:
        return None
    enrolled = course_queries.enrolled_courses(user.employee_id)
    counts = Counter(status for _course, status in enrolled)
    personal = cards_for(user, SUGGESTIONS_AREA)
    return "learning/_dash_learner.html", {
        "courses": course_queries.my_enrolments(user.employee_id, LISTED_STATES, limit=8),
        "open_total": sum(counts[s] for s in OPEN_STATES),
        "done_total": counts["completed"],
        "cards": cards_for(user, LEARNER_AREA),  # careers: JP this year
        "suggestion_cards": personal,
        "suggestions": []
        if personal
        else course_queries.suggestions(
            user.employee_id, enrolled={course for course, _status in enrolled}
        ),
    }
