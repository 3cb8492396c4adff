"""Completion as it happens: judged on the event (a lesson done, an attempt graded, an evaluation
sent), never by a nightly job.

``evaluate`` is idempotent and race-safe: the enrolment row is locked, and the partial unique index
on valid completions lets exactly one of two concurrent transactions write the record; the loser
returns the winner's. The certificate is issued (by certificates, on ``completion_recorded``) and
the outbox event written in that same transaction, so a completion never exists without its event.
The features below announce the events (``lms.completion.subscriptions``); none imports completion.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.completion.consumers import dispatch_outbox
from lms.completion.models import Completion, OutboxEvent
from lms.completion.rules import Progress, QuizResult, Rules, Verdict, judge, learner_state
from lms.completion.signals import completion_recorded, completion_revoked, issued_number
from lms.courses.models import Course, CourseVersion, Lesson
from lms.db import iso_utc, utcnow
from lms.enrolments.cohorts.models import CohortMember
from lms.enrolments.models import Enrolment, LessonProgress
from lms.errors import DomainError
from lms.evaluations.models import CourseEvaluation
from lms.extensions import db
from lms.indonesian import local_date, local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.identity import snapshot_identity
from lms.org.models import Employee
from lms.org.services import opd_of
from lms.packages.runtime import queries as package_runtime
from lms.quizzes.attempts.services import final_grade
from lms.quizzes.models import POSTTEST_KINDS, Quiz
from lms.tasks import after_commit

# Any constant works: it only has to be the same for every writer of outbox events.
_OUTBOX_LOCK = 7270001


class CompletionError(DomainError):
    """A refused completion action; the message is for the user."""


def local_year(moment: datetime) -> int:
    return local_date(moment).year


# --- judging -------------------------------------------------------------------------------------


def rules_of(course: Course) -> Rules:
    return Rules(course.require_lessons, course.require_posttest, course.require_evaluation)


def progress_of(
    enrolment: Enrolment,
    version: CourseVersion,
    *,
    done: set[str] | None = None,
    evaluated: bool | None = None,
) -> Progress:
    """Where the enrolment stands; ``done`` and ``evaluated`` may be passed when already known."""
    keys = set(db.session.scalars(select(Lesson.key).where(Lesson.version_id == version.id)))
    if done is None:
        done = set(
            db.session.scalars(
                select(LessonProgress.lesson_key).where(LessonProgress.enrolment_id == enrolment.id)
            )
        )
    quizzes = db.session.scalars(
        select(Quiz)
        .where(Quiz.course_id == enrolment.course_id, Quiz.kind.in_(POSTTEST_KINDS))
        .order_by(Quiz.id)
    ).all()
    results = []
    for quiz in quizzes:
        grade = final_grade(quiz, enrolment.employee_id)
        results.append(QuizResult(quiz.title, grade.passed, grade.score))
    if evaluated is None:
        evaluated = has_evaluated(enrolment)
    # The SCOs of the packages this course became (or holds as modules) count as its lessons,
    # and their scores are the course's score when it has no post-test score (issue 16).
    packages = package_runtime.course_standing(enrolment.course_id, enrolment.employee_id)
    return Progress(
        len(keys) + packages.total,
        len(keys & done) + packages.done,
        tuple(results),
        evaluated,
        packages.scores,
    )


def has_evaluated(enrolment: Enrolment) -> bool:
    found = db.session.scalar(
        select(CourseEvaluation.id).where(CourseEvaluation.enrolment_id == enrolment.id)
    )
    return found is not None


def explain(
    enrolment: Enrolment, *, done: set[str] | None = None, evaluated: bool | None = None
) -> Verdict | None:
    """What is still missing for this enrolment (None when the course has no published version)."""
    course = enrolment.course
    if course.published_version is None:
        return None
    progress = progress_of(enrolment, course.published_version, done=done, evaluated=evaluated)
    return judge(rules_of(course), progress)


def missing_labels(verdict: Verdict) -> list[str]:
    labels = {
        "lessons": lambda d: _("Selesaikan semua materi (%(d)s selesai).", d=d),
        "posttest": lambda d: _("Lulus %(d)s.", d=d),
        "evaluation": lambda d: _("Isi evaluasi penyelenggaraan."),
    }
    return [labels[rule](detail) for rule, detail in verdict.missing]


def evaluate(enrolment: Enrolment, now: datetime | None = None) -> Completion | None:
    """Complete the enrolment if every rule holds now; returns the (new or existing) completion."""
    db.session.flush()  # a refresh drops unflushed changes to the enrolment: write them first
    db.session.refresh(enrolment, with_for_update=True)  # locked and current in one query
    if enrolment.status == "completed":
        return current_completion(enrolment.employee_id, course_id=enrolment.course_id)
    if enrolment.status != "active":
        return None
    verdict = explain(enrolment)
    if verdict is None or not verdict.complete:
        return None
    course = enrolment.course
    started = enrolment.activated_at or enrolment.requested_at
    return complete_course(
        enrolment.employee,
        course,
        completed_at=now or utcnow(),
        score=verdict.score,
        source="online",
        enrolment=enrolment,
        started_on=local_date(started) if started else None,
    )


# --- writing -------------------------------------------------------------------------------------


def current_completion(
    employee_id: int, *, course_id: int | None = None, programme_id: int | None = None
) -> Completion | None:
    query = select(Completion).where(
        Completion.employee_id == employee_id, Completion.status == "valid"
    )
    if course_id is not None:
        query = query.where(Completion.course_id == course_id)
    else:
        query = query.where(Completion.programme_id == programme_id)
    return db.session.scalar(query)


def _insert(completion: Completion) -> Completion | None:
    """Insert unless a valid one exists already (unique index); None means someone else won."""
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        return None
    return completion


def complete_course(
    employee: Employee,
    course: Course,
    *,
    completed_at: datetime,
    score: float | Decimal | None,
    source: str,
    enrolment: Enrolment | None = None,
    started_on: date | None = None,
    recorded_by: User | None = None,
    cohort_id: int | None = None,
) -> Completion:
    """Write the completion, its certificate and its event; idempotent per employee and course."""
    existing = current_completion(employee.id, course_id=course.id)
    if existing is not None:
        return existing
    version = course.published_version
    if version is None:
        raise CompletionError(_("Pelatihan ini belum terbit."))
    completion = Completion(
        employee_id=employee.id,
        course_id=course.id,
        version_id=version.id,
        cohort_id=cohort_id
        if cohort_id is not None
        else (enrolment.cohort_id if enrolment else None),
        enrolment_id=enrolment.id if enrolment else None,
        source=source,
        started_on=started_on,
        completed_at=completed_at,
        year=local_year(completed_at),
        score=Decimal(str(score)) if score is not None else None,
        jp=version.jp,
        competency_kind=version.competency_kind,
        jenis_diklat_code=version.jenis_diklat_code,
        code=course.code,
        title=version.title,
        organiser=version.organiser,
        identity=snapshot_identity(employee),
        unit_id=opd_of(employee.unit).id,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    if _insert(completion) is None:
        return current_completion(employee.id, course_id=course.id)
    if enrolment is not None:
        enrolment.status = "completed"
        enrolment.completed_at = completed_at
        enrolment.progress = max(enrolment.progress, 100 if course.require_lessons else 0)
    _after_completion(completion, recorded_by)
    return completion


def _after_completion(completion: Completion, actor: User | None) -> None:
    """Announce the completion (certificates issue theirs), then write its outbox event."""
    db.session.flush()
    replies = completion_recorded.send(completion, actor=actor)
    emit("completion.created", completion, issued_number(replies))
    notify_employee(
        completion.employee_id,
        N_("Selamat! Anda menyelesaikan %(t)s. Sertifikat sudah terbit.", t=completion.title),
        "certificates.my_certificates",
    )


def complete_programme(
    member: CohortMember,
    *,
    completed_at: datetime,
    score: Decimal | None,
    jp: Decimal,
    organiser: str,
    actor: User | None = None,
) -> Completion:
    """Write a participant's programme completion, its certificate and its event.

    Only the organiser's closing of the cohort calls this (``programmes.closing``): a programme
    never completes because its courses did. Its JP are the programme's own, counted once; the
    courses inside keep their own completions. Idempotent per employee and programme.
    """
    cohort = member.cohort
    programme = cohort.programme
    employee = member.employee
    existing = current_completion(employee.id, programme_id=programme.id)
    if existing is not None:
        return existing
    completion = Completion(
        employee_id=employee.id,
        programme_id=programme.id,
        cohort_id=cohort.id,
        source="programme",
        started_on=cohort.starts_on,
        completed_at=completed_at,
        year=local_year(completed_at),
        score=score,
        jp=jp,
        competency_kind="manajerial",
        jenis_diklat_code=programme.jenis_diklat_code,
        code=programme.code,
        title=programme.title,
        organiser=organiser,
        identity=snapshot_identity(employee),
        unit_id=opd_of(employee.unit).id,
        recorded_by_id=actor.id if actor else None,
    )
    if _insert(completion) is None:
        return current_completion(employee.id, programme_id=programme.id)
    _after_completion(completion, actor)
    return completion


def record_classroom(
    employee: Employee,
    course: Course,
    *,
    completed_on: date,
    score: float | None,
    by: User,
    cohort_id: int | None = None,
) -> Completion:
    """HR records a classroom completion: the same record, event and certificate as online."""
    if current_completion(employee.id, course_id=course.id) is not None:
        raise CompletionError(
            _("%(n)s sudah tercatat menyelesaikan pelatihan ini.", n=employee.display_name)
        )
    if score is not None and not 0 <= score <= 100:
        raise CompletionError(_("Nilai harus antara 0 dan 100."))
    if completed_on > local_today():
        raise CompletionError(_("Tanggal selesai tidak boleh di masa depan."))
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course.id, Enrolment.employee_id == employee.id
        )
    )
    if enrolment is None:
        enrolment = Enrolment(
            course_id=course.id,
            employee_id=employee.id,
            status="active",
            source="bulk",
            nominated_by_id=by.id,
            activated_at=utcnow(),
        )
        db.session.add(enrolment)
        db.session.flush()
    completed_at = datetime.combine(completed_on, time(12, 0), tzinfo=UTC)
    completion = complete_course(
        employee,
        course,
        completed_at=completed_at,
        score=score,
        source="classroom",
        enrolment=enrolment,
        started_on=course.starts_on or completed_on,
        recorded_by=by,
        cohort_id=cohort_id,
    )
    audit(by, "create", completion, f"{employee.nip} {course.code}")
    return completion


def revoke(completion: Completion, by: User, reason: str) -> None:
    """Revoke with a reason: the certificate is revoked too and a revocation event is written."""
    reason = (reason or "").strip()
    if not reason:
        raise CompletionError(_("Alasan pencabutan wajib diisi."))
    if completion.status != "valid":
        raise CompletionError(_("Kelulusan ini sudah dicabut."))
    by_id = by.id  # read before changing anything: loading it may autoflush
    completion.revoke_reason = reason
    completion.revoked_by_id = by_id
    completion.revoked_at = utcnow()
    completion.status = "revoked"
    if completion.enrolment_id is not None:
        enrolment = db.session.get(Enrolment, completion.enrolment_id)
        if enrolment is not None and enrolment.status == "completed":
            enrolment.status = "active"
            enrolment.completed_at = None
    completion_revoked.send(completion, by=by, reason=reason)  # certificates revoke theirs
    emit("completion.revoked", completion, None)
    audit(
        by, "update", completion, f"dicabut: {reason}", {"status": "valid"}, {"status": "revoked"}
    )
    db.session.flush()


# --- outbox --------------------------------------------------------------------------------------


def event_payload(completion: Completion, certificate_number: str | None) -> dict:
    """The feed item (CONTRACT.md) without its event id."""
    identity = completion.identity or {}
    return {
        "nip": identity.get("nip"),
        "name": identity.get("name"),
        "unit": identity.get("unit"),
        "opd": identity.get("opd"),
        "course_code": completion.code,
        "course_title": completion.title,
        "kind": "programme" if completion.programme_id else "course",
        "jp": float(completion.jp),
        "competency_kind": completion.competency_kind,
        "jenis_diklat_code": completion.jenis_diklat_code,
        "completed_at": iso_utc(completion.completed_at),
        "year": completion.year,
        "score": float(completion.score) if completion.score is not None else None,
        "certificate_number": certificate_number,
        "completion_id": completion.id,
        "revoked_at": iso_utc(completion.revoked_at),
        "revoke_reason": completion.revoke_reason or None,
    }


def emit(kind: str, completion: Completion, certificate_number: str | None) -> OutboxEvent:
    """Write an outbox event in the current transaction.

    On PostgreSQL, writers take a transaction-scoped advisory lock first, so events commit in
    ``seq`` order and a feed reader paging by ``seq`` can never skip one that commits late.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _OUTBOX_LOCK})
    db.session.flush()
    event = OutboxEvent(
        type=kind,
        completion_id=completion.id,
        payload=event_payload(completion, certificate_number),
    )
    db.session.add(event)
    db.session.flush()
    after_commit(dispatch_outbox)
    return event


def events_after(seq: int, limit: int) -> list[OutboxEvent]:
    return list(
        db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.seq > seq).order_by(OutboxEvent.seq).limit(limit)
        )
    )


def certificate_number(completion: Completion) -> str | None:
    """The certificate number announced with the completion (its ``completion.created`` event)."""
    payload = db.session.scalar(
        select(OutboxEvent.payload).where(
            OutboxEvent.completion_id == completion.id, OutboxEvent.type == "completion.created"
        )
    )
    return (payload or {}).get("certificate_number")


def completions_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Completion)) or 0


def learner_status(enrolment: Enrolment, done: set[str] | None = None) -> dict:
    """What the course page tells a learner: done or what is missing, and the ``state`` in words
    (``rules.learner_state``: the same words as the dashboard and the catalogue).

    The course page shows it through the ``learner_status`` template global (courses sit below
    completion and do not import it); the certificate comes from certificates' ``certificate_of``.
    """
    course = enrolment.course
    evaluated = has_evaluated(enrolment)
    status = {
        "completion": None,
        "missing": [],
        "evaluation_open": enrolment.status in ("active", "completed") and not evaluated,
        "evaluation_required": course.require_evaluation,
    }
    missing: tuple[str, ...] = ()
    if enrolment.status == "completed":
        record = current_completion(enrolment.employee_id, course_id=course.id)
        status["completion"] = record
    elif enrolment.status == "active":
        verdict = explain(enrolment, done=done, evaluated=evaluated)
        status["missing"] = missing_labels(verdict) if verdict else []
        missing = tuple(dict.fromkeys(rule for rule, _detail in verdict.missing)) if verdict else ()
    status["state"] = learner_state(enrolment.status, enrolment.progress, missing)
    return status
