"""The learning record's outbox consumer: completions appear, revocations remove them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.careers.records.models import LearningRecord
from lms.completion.consumers import consumer
from lms.completion.models import Completion, OutboxEvent
from lms.extensions import db
from lms.indonesian import local_date

# SIASN: leadership programmes are "riwayat diklat", everything else "riwayat kursus".
DIKLAT_CODES = frozenset({1})


@consumer("learning_record")
def handle(event: OutboxEvent) -> None:
    completion = db.session.get(Completion, event.completion_id)
    record = db.session.scalar(
        select(LearningRecord).where(LearningRecord.completion_id == event.completion_id)
    )
    if event.type == "completion.revoked":
        if record is not None:
            record.status = "removed"
            record.review_reason = completion.revoke_reason or "revoked"
        return
    if record is not None:
        return
    payload = event.payload or {}
    completed = local_date(completion.completed_at)
    programme = completion.programme_id is not None
    db.session.add(
        LearningRecord(
            employee_id=completion.employee_id,
            source="completion",
            status="verified",
            completion_id=completion.id,
            event_id=event.event_id,
            jenis_diklat_code=completion.jenis_diklat_code,
            competency_kind=completion.competency_kind,
            siasn_type="diklat"
            if programme or completion.jenis_diklat_code in DIKLAT_CODES
            else "kursus",
            name=completion.title,
            organiser=completion.organiser or (completion.identity or {}).get("instansi", ""),
            starts_on=completion.started_on or completed,
            ends_on=max(completed, completion.started_on or date.min),
            year=completion.year,
            jp=Decimal(completion.jp),
            certificate_number=payload.get("certificate_number") or "",
        )
    )
    db.session.flush()
