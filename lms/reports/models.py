"""Background exports: a large XLSX or a PDF summary is written by a task, not inside the web request."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import as_utc, in_values, utcnow
from lms.extensions import db

EXPORT_STATES = ("queued", "running", "done", "failed")
EXPORT_FORMATS = ("xlsx", "csv", "pdf")
EXPORT_TTL = timedelta(hours=24)


def _expiry() -> datetime:
    return utcnow() + EXPORT_TTL


class ExportJob(db.Model):
    __tablename__ = "report_exports"
    __table_args__ = (
        CheckConstraint(in_values("status", EXPORT_STATES), name="status"),
        CheckConstraint(in_values("format", EXPORT_FORMATS), name="format"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    report: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10), default="xlsx")
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    total_rows: Mapped[int] = mapped_column(default=0)
    rows_written: Mapped[int] = mapped_column(default=0)
    file_key: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(default=_expiry)

    def is_expired(self, now: datetime | None = None) -> bool:
        return as_utc(self.expires_at) <= as_utc(now or utcnow())
