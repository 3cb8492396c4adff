"""Background report exports: start a job, write the file in a task, report progress.

Without a broker the task runs in the app process's background thread after the response
(``background=True``; inline in the tests and CLI), so the page that started it answers at once.
"""

from __future__ import annotations

import os
from datetime import datetime

from celery import shared_task
from flask import current_app
from sqlalchemy import update

from lms.auth.models import User
from lms.db import utcnow
from lms.extensions import db
from lms.reports.definitions import REPORTS
from lms.reports.exports import pdf_bytes, scope_label, write_csv, write_xlsx
from lms.reports.filters import Filters, Scope
from lms.reports.models import EXPORT_TTL, ExportJob
from lms.storage import get_storage
from lms.tasks import after_commit


def start_export(owner_id: int, report_key: str, filters: Filters, fmt: str = "xlsx") -> ExportJob:
    """Create a queued job; the task runs once the request's transaction commits."""
    job = ExportJob(owner_id=owner_id, report=report_key, format=fmt, filters=filters.as_json())
    db.session.add(job)
    db.session.flush()
    after_commit(run_export, job.id, background=True)  # the page answers at once
    return job


def _set_progress(job_id: int, **values: object) -> None:
    """Written on a connection of its own: the export's streaming read stays open meanwhile."""
    with db.engine.begin() as conn:
        conn.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def run(job: ExportJob, now: datetime | None = None) -> None:
    owner = db.session.get(User, job.owner_id)
    report = REPORTS[job.report]
    scope = Scope.for_user(owner)
    f = Filters.from_json(job.filters or {})
    total = report.count(scope, f)
    job_id = job.id
    _set_progress(job_id, status="running", started_at=utcnow(), total_rows=total, progress=1)

    def progress(rows: int) -> None:
        percent = min(99, max(1, rows * 100 // total)) if total else 50
        _set_progress(job_id, progress=percent, rows_written=rows)

    storage = get_storage()
    key = storage.new_key(f"reports/{job.owner_id}", f".{job.format}")
    path = storage.path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    if job.format == "xlsx":
        rows = write_xlsx(report, scope, f, str(part), total=total, progress=progress)
    elif job.format == "pdf":  # a summary: the first PDF_ROWS rows, totals and charts
        part.write_bytes(pdf_bytes(report, scope, f, scope_label=scope_label(scope, owner)))
        rows = total
    else:
        with open(part, "wb") as fh:
            write_csv(report, scope, f, fh)
        rows = total
    os.replace(part, path)
    finished = now or utcnow()
    _set_progress(
        job_id,
        status="done",
        progress=100,
        rows_written=rows,
        file_key=key,
        finished_at=finished,
        expires_at=finished + EXPORT_TTL,
    )


@shared_task(name="reports.export", soft_time_limit=1800, time_limit=2000)
def run_export(job_id: int) -> bool:
    """Build one export; a job done, failed or running elsewhere is left alone.

    With late acknowledgement a worker that died mid-export (its job left "running") has its
    task delivered again: that redelivery (and only it: a second task for a running job is a
    duplicate) builds the file anew under a new key; the dead run's ``.part`` is never recorded.
    """
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return False
    redelivered = bool((run_export.request.delivery_info or {}).get("redelivered"))
    if job.status != "queued" and not (job.status == "running" and redelivered):
        return False
    try:
        run(job)
    except Exception as exc:
        current_app.logger.exception("report export %s failed", job_id)
        db.session.rollback()
        _set_progress(job_id, status="failed", error=str(exc)[:500], finished_at=utcnow())
        return False
    db.session.expire_all()
    return True
