"""A confirmed question-bank import runs as a task, not in the request (issue 19 point 4).

Storing a file's questions costs a few milliseconds each (its text rendered and sanitised, its row
written): 200 questions took a second, 3,000 about 24 s. So the confirm button only records a
``QuestionImportJob`` and answers with a progress page; the task (``quizzes.import_bank``) runs
after the commit: in a Celery worker with a broker, else in the app process's background thread
(``TASKS_IN_THREAD``), inline in the tests and CLI. The kept upload must then be on storage that
worker can read (``LMS_FILES_DIR``, as for every file).

All or nothing: the questions and the job's ``done`` are committed together in one transaction;
a failure rolls them all back and records ``failed`` with the reason. Progress (reading and
converting, the bulk of the work) is written on a connection of its own before anything is
written in the task's own transaction, so it never holds a write lock SQLite would wait on.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.courses.models import Course
from lms.db import in_values, utcnow
from lms.extensions import db
from lms.imports import discard_pending
from lms.storage import get_storage
from lms.tasks import after_commit

JOB_STATES = ("queued", "running", "done", "failed")
JOB_FORMATS = ("gift", "aiken")
PROGRESS_EVERY = 100  # questions between two progress writes


class QuestionImportJob(db.Model):
    """One confirmed upload being stored in a course's bank; only its owner sees it."""

    __tablename__ = "question_import_jobs"
    __table_args__ = (
        CheckConstraint(in_values("status", JOB_STATES), name="status"),
        CheckConstraint(in_values("format", JOB_FORMATS), name="format"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(255), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    file_key: Mapped[str | None] = mapped_column(String(200))  # the kept upload, until done
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


def start(course: Course, owner_id: int, pending: dict) -> QuestionImportJob:
    """Record the confirmed import (its kept upload in ``pending``); the task runs after commit."""
    job = QuestionImportJob(
        course_id=course.id,
        owner_id=owner_id,
        format=pending["format"],
        category=(pending.get("category") or "")[:255],
        filename=(pending.get("filename") or "")[:200],
        file_key=pending["key"],
    )
    db.session.add(job)
    db.session.flush()
    after_commit(import_bank, job.id, background=True)
    return job


def _set_progress(job_id: int, **values: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            update(QuestionImportJob).where(QuestionImportJob.id == job_id).values(**values)
        )


def run(job: QuestionImportJob) -> None:
    """Parse the kept file and store its questions; flushes, the task commits."""
    from lms.quizzes.bank import services

    job_id = job.id
    _set_progress(job_id, status="running", progress=1)
    result = services.parse_upload(get_storage().read(job.file_key), job.format)
    total = len(result.questions)
    _set_progress(job_id, total=total, progress=5)

    def progress(done: int) -> None:
        _set_progress(job_id, progress=5 + 85 * done // max(total, 1))

    course = db.session.get(Course, job.course_id)
    counts = services.import_questions(
        course, result, job.category or None, progress=progress, every=PROGRESS_EVERY
    )
    job.status = "done"
    job.progress = 100
    job.total = total
    job.imported = sum(counts.values())
    job.skipped = len(result.errors)
    job.finished_at = utcnow()
    db.session.flush()


@shared_task(name="quizzes.import_bank", soft_time_limit=1800, time_limit=2000)
def import_bank(job_id: int) -> bool:
    job = db.session.get(QuestionImportJob, job_id)
    if job is None or job.status != "queued":
        return False
    key = job.file_key
    try:
        run(job)
        job.file_key = None
        db.session.commit()
    except Exception as exc:
        current_app.logger.exception("question import %s failed", job_id)
        db.session.rollback()  # all or nothing: no question of the file stays
        job = db.session.get(QuestionImportJob, job_id)
        job.status = "failed"
        job.error = f"{type(exc).__name__}: {exc}"[:500]
        job.file_key = None
        job.finished_at = utcnow()
        db.session.commit()
        return False
    finally:
        discard_pending(key)
    return True
