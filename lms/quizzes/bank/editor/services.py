"""Changing single bank questions: create, edit (versioned), duplicate, move, delete.

The versioning rule, as Moodle's: a question version that an attempt has shown (an answer row
points at it, or an attempt in progress holds it in its question order) never changes again,
because that attempt grades, regrades and reviews against it. Editing such a question adds
version n + 1 to the same :class:`~lms.quizzes.models.QuestionEntry`, marks the old row
``superseded`` and points every quiz that listed the old row at the new one, so new attempts
get the new text while old ones keep theirs. A version no attempt has seen is edited in place.

Deleting follows the same idea: a question a quiz still lists is refused (the trainer takes it
out of the quiz first); one that attempts used is hidden from the bank and the draws but kept for
those attempts; an unused one is deleted with its entry. Services flush and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course
from lms.errors import DomainError
from lms.extensions import db
from lms.quizzes.bank.formats import Question as FormatQuestion
from lms.quizzes.bank.services import from_format
from lms.quizzes.models import (
    NAME_MAX,
    AttemptAnswer,
    Question,
    QuestionCategory,
    QuestionEntry,
    Quiz,
    QuizAttempt,
)

#: Columns a duplicate copies from its original (everything a learner sees or is graded on).
_CONTENT = (
    "type",
    "name",
    "text",
    "text_format",
    "text_html",
    "general_feedback",
    "data",
    "category_id",
)


class BankError(DomainError):
    """A refused change to the bank, with a message for the trainer."""


@dataclass
class Usage:
    """Where a bank question is used: quizzes that list it, attempts that showed it."""

    quizzes: list[str] = field(default_factory=list)
    attempts: int = 0


# --- reading -------------------------------------------------------------------------------------


def _in_progress_ids(course_id: int) -> list[tuple[int, list]]:
    """(attempt id, question order) of the course's attempts still in progress: their questions
    count as shown even before any answer is saved."""
    rows = db.session.execute(
        select(QuizAttempt.id, QuizAttempt.question_order)
        .join(Quiz, QuizAttempt.quiz_id == Quiz.id)
        .where(Quiz.course_id == course_id, QuizAttempt.status == "in_progress")
    )
    return [(attempt_id, order or []) for attempt_id, order in rows]


def version_in_use(question: Question) -> bool:
    """Has any attempt shown this version (so that it must stay as it is)?"""
    answered = db.session.scalar(select(exists().where(AttemptAnswer.question_id == question.id)))
    if answered:
        return True
    return any(
        question.id in {int(i) for i in order} for _a, order in _in_progress_ids(question.course_id)
    )


def usage(course_id: int) -> dict[int, Usage]:
    """Per entry id of the course: the quizzes that list it and how many attempts showed it."""
    entry_of = dict(
        db.session.execute(
            select(Question.id, Question.entry_id).where(Question.course_id == course_id)
        ).all()
    )
    out: dict[int, Usage] = defaultdict(Usage)
    quizzes = db.session.scalars(
        select(Quiz).where(Quiz.course_id == course_id).order_by(Quiz.id)
    ).all()
    for quiz in quizzes:
        for qid in (quiz.questions or {}).get("ids", []):
            entry = entry_of.get(int(qid))
            if entry is not None and quiz.title not in out[entry].quizzes:
                out[entry].quizzes.append(quiz.title)
    seen: dict[int, set[int]] = defaultdict(set)
    answered = db.session.execute(
        select(Question.entry_id, AttemptAnswer.attempt_id)
        .join(Question, AttemptAnswer.question_id == Question.id)
        .where(Question.course_id == course_id)
        .distinct()
    )
    for entry, attempt_id in answered:
        seen[entry].add(attempt_id)
    for attempt_id, order in _in_progress_ids(course_id):
        for qid in order:
            entry = entry_of.get(int(qid))
            if entry is not None:
                seen[entry].add(attempt_id)
    for entry, attempts in seen.items():
        out[entry].attempts = len(attempts)
    return dict(out)


def versions_of(question: Question) -> list[Question]:
    """Every version of the question's entry, newest first."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.entry_id == question.entry_id)
            .order_by(Question.version.desc())
        )
    )


def latest_of(question: Question) -> Question:
    """The entry's latest version (the question itself when it is the latest)."""
    if question.status != "superseded":
        return question
    return db.session.scalars(
        select(Question).where(
            Question.entry_id == question.entry_id, Question.status != "superseded"
        )
    ).one()


def categories_of(course: Course) -> list[QuestionCategory]:
    return list(
        db.session.scalars(
            select(QuestionCategory)
            .where(QuestionCategory.course_id == course.id)
            .order_by(QuestionCategory.name)
        )
    )


def category_named(course: Course, name: str) -> QuestionCategory:
    """The course's bank category of that name, created on first use."""
    name = name.strip()[:NAME_MAX]
    category = db.session.scalar(
        select(QuestionCategory).where(
            QuestionCategory.course_id == course.id, QuestionCategory.name == name
        )
    )
    if category is None:
        category = QuestionCategory(course_id=course.id, name=name)
        db.session.add(category)
        db.session.flush()
    return category


# --- changing ------------------------------------------------------------------------------------


def _require_ready(question: Question) -> None:
    if question.status != "ready":
        raise BankError(
            _(
                "Soal ini sudah diganti versi yang lebih baru atau sudah dihapus; buka versi terbaru."
            )
        )


def _set_category(question: Question, category: QuestionCategory | None) -> None:
    """A question's category is its entry's: every version moves with it."""
    for version in versions_of(question):
        version.category = category


def create_question(
    course: Course, draft: FormatQuestion, category: QuestionCategory | None, user_id: int | None
) -> Question:
    question = Question(
        course_id=course.id, category=category, created_by_id=user_id, **from_format(draft)
    )
    db.session.add(question)
    db.session.flush()
    return question


def update_question(
    question: Question,
    draft: FormatQuestion,
    category: QuestionCategory | None,
    user_id: int | None,
) -> Question:
    """Save an edit; returns the version that is now current (a new row when attempts used the
    old one, see the module docstring)."""
    _require_ready(question)
    if draft.type != question.type:
        raise BankError(_("Jenis soal tidak dapat diubah; buat soal baru dengan jenis lain."))
    values = from_format(draft)
    if not version_in_use(question):
        for key, value in values.items():
            setattr(question, key, value)
        _set_category(question, category)
        db.session.flush()
        return question
    new = Question(
        course_id=question.course_id,
        entry_id=question.entry_id,
        version=question.version + 1,
        created_by_id=user_id,
        **values,
    )
    try:
        with db.session.begin_nested():
            question.status = "superseded"
            db.session.flush()  # before the new row: one latest version per entry (unique index)
            db.session.add(new)
    except IntegrityError:
        # Someone else saved version n + 1 first (their transaction committed meanwhile).
        raise BankError(
            _("Soal ini baru saja diubah orang lain. Buka versi terbarunya, lalu ubah lagi.")
        ) from None
    _set_category(new, category)
    _repoint_quizzes(question.course_id, question.id, new.id)
    db.session.flush()
    return new


def _repoint_quizzes(course_id: int, old_id: int, new_id: int) -> None:
    """Quizzes that listed the old version list the new one (new attempts get it)."""
    for quiz in db.session.scalars(select(Quiz).where(Quiz.course_id == course_id)):
        spec = dict(quiz.questions or {})
        ids = [int(i) for i in spec.get("ids", [])]
        if old_id in ids:
            spec["ids"] = [new_id if i == old_id else i for i in ids]
            quiz.questions = spec  # a new dict: the JSON column sees the change


def duplicate_question(question: Question, user_id: int | None) -> Question:
    """A new question (entry of its own, version 1) with the same content, named as a copy."""
    _require_ready(question)
    values = {key: getattr(question, key) for key in _CONTENT}
    suffix = _(" (salinan)")
    values["name"] = question.name[: NAME_MAX - len(suffix)] + suffix
    values["data"] = dict(question.data or {})
    copy = Question(course_id=question.course_id, created_by_id=user_id, **values)
    db.session.add(copy)
    db.session.flush()
    return copy


def move_questions(questions: list[Question], category: QuestionCategory | None) -> int:
    """Put each question (every version of it) into ``category``; returns how many moved."""
    moved = 0
    for question in questions:
        _require_ready(question)
        if question.category_id != (category.id if category else None):
            moved += 1
        _set_category(question, category)
    db.session.flush()
    return moved


@dataclass
class DeleteOutcome:
    """What deleting a question would do: refuse (quizzes list it), hide, or delete."""

    action: str
    usage: Usage


def deletion(question: Question) -> DeleteOutcome:
    """What :func:`delete_question` will do, for the confirmation page to say beforehand."""
    used = usage(question.course_id).get(question.entry_id, Usage())
    if used.quizzes:
        return DeleteOutcome("refuse", used)
    return DeleteOutcome("hide" if used.attempts else "delete", used)


def delete_question(question: Question) -> DeleteOutcome:
    """Delete or hide the question (see the module docstring); refused while a quiz lists it."""
    _require_ready(question)
    outcome = deletion(question)
    if outcome.action == "refuse":
        raise BankError(
            _(
                "Soal ini masih dipakai di kuis: %(quizzes)s. Keluarkan dulu dari kuis tersebut "
                "di pengaturan kuis, lalu hapus lagi.",
                quizzes=", ".join(outcome.usage.quizzes),
            )
        )
    if outcome.action == "hide":
        question.status = "hidden"
    else:
        entry = db.session.get(QuestionEntry, question.entry_id)
        for version in versions_of(question):
            db.session.delete(version)
        db.session.flush()
        db.session.delete(entry)
    db.session.flush()
    return outcome
