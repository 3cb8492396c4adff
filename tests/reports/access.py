"""Access expectations for reports, exports and background export jobs."""

from __future__ import annotations

from datetime import timedelta

import lms.reports.models  # noqa: F401  (the table exists before create_all)
from lms.db import utcnow
from lms.extensions import db
from lms.reports.models import ExportJob
from lms.storage import get_storage

READERS = {"admin_bkpsdm", "admin_opd", "atasan", "mitra"}  # mitra: its partner's rows only
OWNER = {"admin_bkpsdm"}  # the URL's export job belongs to `bkpsdm`

EXPECTED = {
    ("reports.index", "GET"): READERS,
    ("reports.report", "GET"): READERS,
    ("reports.report_figures", "GET"): READERS,
    ("reports.export", "GET"): READERS,
    ("reports.export_start", "POST"): READERS,
    ("reports.export_job", "GET"): OWNER,
    ("reports.export_status", "GET"): OWNER,
    ("reports.export_download", "GET"): OWNER,
}
# Another reader's export job answers like a missing one.
HIDDEN = {
    ("reports.export_job", "GET"),
    ("reports.export_status", "GET"),
    ("reports.export_download", "GET"),
}


def build_args(world) -> dict:
    storage = get_storage()
    key = storage.new_key("reports/test", ".xlsx")
    storage.save(key, b"PK\x03\x04 not really a workbook")
    job = ExportJob(
        owner_id=world.users["admin_bkpsdm"].id,
        report="completions",
        status="done",
        progress=100,
        file_key=key,
        expires_at=utcnow() + timedelta(hours=24),
    )
    db.session.add(job)
    db.session.flush()
    return {"report_name": "completions", "report_fmt": "csv", "export_id": job.id}
