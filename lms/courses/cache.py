"""The shared parts of learner pages, kept in the app cache (``lms.extensions.cache``).

What is kept is the same for every learner: the catalogue's listing for one filter, the
category list, a published course's head (plain values), a version's outline, the course page
and the lesson player's list of lessons rendered in one language (with marks where each
reader's own parts go: lms.courses.fragments), a lesson's body. Of one person only their
enrolments and the lessons they finished are kept, under their own generation (:data:`MINE`,
started anew by any write of one of their enrolments or lessons done: an enrolment, progress,
the last lesson seen), so a learner paging through the catalogue or the lessons of a course is
not asked for them again; seats left (and the course page's done lessons) are read live.

Every key carries the catalogue's *generation* (``lms.extensions.generation``). Any ORM write to
a course, its trainers, a version, a module, a lesson or a category (publish, archive, edit, a
renamed category), or to a model a feature above courses registers with :func:`watch` (quizzes,
module packages: what the course page lists of them is kept too), from any feature, starts a new
generation once its transaction commits, so every page built afterwards, in any process, misses
the old entries, which then expire. With Redis the generation is a token in Redis; with the
in-process cache it is a file in the instance folder that every process on the machine reads
with one ``os.stat`` per kept part, so another worker's next page already shows the edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import url_for
from flask.globals import _cv_app
from flask_babel import get_locale

from lms.courses.models import Category, Course, CourseTrainer, CourseVersion, Lesson, Module
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import PersonalGeneration, WatchedGeneration, kept

GENERATION_KEY = "courses:generation"
#: A course's trainers too: the kept head of a course names them (the forum link of its page).
_CATALOGUE = WatchedGeneration(
    GENERATION_KEY, (Course, CourseTrainer, CourseVersion, Module, Lesson, Category)
)

#: A learner's enrolments and the lessons they finished: a generation for each employee
#: (lms.extensions.PersonalGeneration); a lesson done is its enrolment's employee's.
MINE = PersonalGeneration(
    "courses:mine",
    (Enrolment,),
    person="employee_id",
    via={LessonProgress: ("enrolment_id", Enrolment)},
)

T = TypeVar("T")


def generation() -> str:
    """The catalogue's current token."""
    return _CATALOGUE.token()


def bump() -> None:
    """A new generation, for every process."""
    _CATALOGUE.bump()


def watch(*models: type) -> None:
    """Also start a new generation after a commit that wrote one of ``models``: a feature above
    courses whose rows a cached entry lists (a course's quizzes, its module packages) registers
    them here, so courses never imports it."""
    _CATALOGUE.watch(*models)


def cached(name: str, parts: tuple, build: Callable[[], T]) -> T:
    """``build()`` once per (name, parts, generation, language, mount point): entries hold
    rendered text and links, so the language and where the app is mounted are in the key."""
    return kept(f"courses:{name}:{generation()}:{_place()}:{parts!r}", build)


def _place() -> str:
    """``language:mount point`` of the request, worked out once a request (a page reads several
    kept parts) and kept in ``g`` with the locale it was worked out for: a ``force_locale``
    block (another language inside the request) gets its own."""
    context = _cv_app.get(None)
    kept = context.g.__dict__ if context is not None else {}
    # The locale Flask-Babel keeps in ``g`` once selected; get_locale() selects it otherwise.
    locale = getattr(kept.get("_flask_babel"), "babel_locale", None) or get_locale()
    place = kept.get("_courses_place")
    if place is None or place[0] is not locale:
        place = (locale, f"{locale or 'id'}:{url_for('courses.catalogue')}")
        if context is not None:
            context.g._courses_place = place
    return place[1]
