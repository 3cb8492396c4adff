"""The lesson player: outline, previous/next, done on reaching the end or by a button, resume."""

from __future__ import annotations

from collections import Counter

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.courses import cache as course_cache
from lms.courses import page as course_page
from lms.courses import queries as course_queries
from lms.courses.models import Lesson
from lms.dashboard import LEARNING, card_tokens, cards_for, section
from lms.enrolments import services as enrolments
from lms.extensions import db
from lms.learning import bp, player, services
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


@bp.route("/belajar/<code>")
@require(Capability.LEARN)
def resume(code: str):
    """Continue where I left off: the last lesson seen, else the first not done."""
    course, enrolment = _context(code)
    lessons = player.lessons(course.published_version_id)
    if not lessons:
        abort(404)
    keys = {lesson.key for lesson in lessons}
    key = enrolment.last_lesson_key if enrolment.last_lesson_key in keys else None
    if key is None:
        done = services.done_keys(enrolment)
        key = next((lesson.key for lesson in lessons if lesson.key not in done), lessons[0].key)
    return redirect(url_for("learning.lesson", code=course.code, key=key))


@bp.route("/belajar/<code>/<key>")
@require(Capability.LEARN)
def lesson(code: str, key: str):
    shared = player.player(code)
    if shared is None:
        abort(404)
    enrolment, done = None, frozenset()
    if current_user.employee_id is not None:  # kept per learner (courses.cache.MINE)
        enrolment, done = services.enrolment_and_done(shared.head.id, current_user.employee_id)
    _check_open(shared.head, enrolment)
    if key not in shared.index:
        abort(404)
    changed = services.record_visit(enrolment, key)
    page = render_template(
        "learning/lesson.html", **player.page(shared, key, enrolment.progress, done)
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
