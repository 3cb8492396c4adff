"""The learning record's outbox consumer: completions appear, revocations remove them.

Every completion becomes one record, courses inside a programme too: they stay visible in the
learning record, and the JP-once rule (``lms.completion.counting``) keeps them out of the ledger
and the SIASN export when their programme counts. Which SIASN history a record goes to is the
same module's ``siasn_history``: riwayat diklat only for a structural programme (PKP, PKA, PKN).
A programme's record carries its cohort's dates and its organiser as the STTPP prints it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.careers.records.models import LearningRecord
from lms.certificates.sttpp import organisers
from lms.completion.consumers import consumer
from lms.completion.counting import siasn_history
from lms.completion.models import Completion, OutboxEvent
from lms.extensions import db
from lms.indonesian import local_date

# Outside learning (recorded by the employee) of these jenis diklat codes is "riwayat diklat":
# leadership training done elsewhere (1, Diklat Struktural); everything else "riwayat kursus".
DIKLAT_CODES = frozenset({1})


def _dates(completion: Completion) -> tuple[date, date]:
    """(start, end) of the learning: a programme's cohort dates, else the course's own."""
    completed = local_date(completion.completed_at)
    cohort = completion.cohort
    if completion.programme_id is not None and cohort is not None:
        return cohort.starts_on, max(cohort.ends_on, cohort.starts_on)
    starts = completion.started_on or completed
    return starts, max(completed, starts)


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
    history = siasn_history(completion)
    if completion.programme_id is not None:
        organiser = organisers(completion).organiser
    else:
        organiser = completion.organiser or (completion.identity or {}).get("instansi", "")
    starts_on, ends_on = _dates(completion)
    db.session.add(
        LearningRecord(
            employee_id=completion.employee_id,
            source="completion",
            status="verified",
            completion_id=completion.id,
            event_id=event.event_id,
            jenis_diklat_code=history.jenis_diklat_code,
            competency_kind=completion.competency_kind,
            siasn_type=history.kind,
            name=completion.title,
            organiser=organiser,
            starts_on=starts_on,
            ends_on=ends_on,
            year=completion.year,
            jp=Decimal(completion.jp),
            certificate_number=payload.get("certificate_number") or "",
        )
    )
    db.session.flush()
