"""Learning record rules: outside learning and its verification.

Services flush, never commit. A refusal raises ``RecordInvalid`` (field → message) or
``CareerError`` (one message); the caller shows it and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.records import evidence as evidence_files
from lms.careers.records.consumer import DIKLAT_CODES
from lms.careers.records.models import LearningRecord
from lms.courses.models import COMPETENCY_KIND_LABELS, COMPETENCY_KINDS
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.models import Employee, JenisDiklat
from lms.permissions import Capability, can, unit_in_scope

JP_MAX = Decimal(2000)

RECORD_STATUS_LABELS = {
    "pending": _l("Menunggu verifikasi"),
    "verified": _l("Terverifikasi"),
    "rejected": _l("Ditolak"),
    "removed": _l("Dibatalkan"),
}
KIND_LABELS = COMPETENCY_KIND_LABELS


# --- outside learning ---------------------------------------------------------------------------


@dataclass
class OutsideInput:
    jenis_diklat_code: int | None
    name: str
    organiser: str
    starts_on: date | None
    ends_on: date | None
    jp: Decimal | None
    competency_kind: str
    certificate_number: str = ""


def validate_outside(data: OutsideInput, known_codes: set[int], today: date) -> dict[str, str]:
    """Pure: every problem with an outside record, by field (empty when acceptable)."""
    errors: dict[str, str] = {}
    if data.jenis_diklat_code not in known_codes:
        errors["jenis_diklat_code"] = _("Pilih jenis diklat.")
    if not (data.name or "").strip():
        errors["name"] = _("Nama kegiatan wajib diisi.")
    elif len(data.name) > 300:
        errors["name"] = _("Nama kegiatan paling banyak 300 karakter.")
    if not (data.organiser or "").strip():
        errors["organiser"] = _("Penyelenggara wajib diisi.")
    elif len(data.organiser) > 300:
        errors["organiser"] = _("Penyelenggara paling banyak 300 karakter.")
    if data.starts_on is None:
        errors["starts_on"] = _("Tanggal mulai wajib diisi.")
    if data.ends_on is None:
        errors["ends_on"] = _("Tanggal selesai wajib diisi.")
    elif data.starts_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = _("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    elif data.ends_on > today:
        errors["ends_on"] = _("Tanggal selesai tidak boleh di masa depan.")
    if data.jp is None:
        errors["jp"] = _("JP wajib diisi.")
    elif not data.jp.is_finite():
        errors["jp"] = _("JP harus berupa angka.")
    elif data.jp <= 0:
        errors["jp"] = _("JP harus lebih dari 0.")
    elif data.jp > JP_MAX:
        errors["jp"] = _("JP paling banyak %(n)s.", n=JP_MAX)
    elif data.jp != data.jp.quantize(Decimal("0.01")):
        errors["jp"] = _("JP paling banyak dua angka di belakang koma.")
    if data.competency_kind not in COMPETENCY_KINDS:
        errors["competency_kind"] = _("Pilih jenis kompetensi.")
    if len(data.certificate_number or "") > 100:
        errors["certificate_number"] = _("Nomor sertifikat paling banyak 100 karakter.")
    return errors


def jenis_diklat_choices() -> list[JenisDiklat]:
    return list(db.session.scalars(select(JenisDiklat).order_by(JenisDiklat.code)))


def known_codes() -> set[int]:
    return set(db.session.scalars(select(JenisDiklat.code)))


def save_outside(
    employee: Employee,
    data: OutsideInput,
    evidence: evidence_files.Evidence | None,
    record: LearningRecord | None = None,
) -> LearningRecord:
    """Add (``record`` None) or change a pending outside record; evidence required when adding."""
    if record is not None and not editable(record):
        raise CareerError(_("Catatan ini sudah diperiksa dan tidak dapat diubah lagi."))
    errors = validate_outside(data, known_codes(), local_today())
    if record is None and evidence is None:
        errors["evidence"] = _("Unggah berkas bukti (PDF, PNG, atau JPEG).")
    if errors:
        raise RecordInvalid(errors)
    assert data.starts_on and data.ends_on and data.jp is not None
    if record is None:
        record = LearningRecord(employee_id=employee.id, source="outside", status="pending")
        db.session.add(record)
    record.jenis_diklat_code = data.jenis_diklat_code
    record.siasn_type = "diklat" if data.jenis_diklat_code in DIKLAT_CODES else "kursus"
    record.name = data.name.strip()
    record.organiser = data.organiser.strip()
    record.starts_on = data.starts_on
    record.ends_on = data.ends_on
    record.year = data.ends_on.year
    record.jp = data.jp
    record.competency_kind = data.competency_kind
    record.certificate_number = (data.certificate_number or "").strip()
    if evidence is not None:
        record.evidence_key = evidence_files.store(evidence)
        record.evidence_name = evidence.filename
    db.session.flush()
    return record


def jenis_diklat_of(record: LearningRecord) -> JenisDiklat | None:
    if record.jenis_diklat_code is None:
        return None
    return db.session.get(JenisDiklat, record.jenis_diklat_code)


def can_see_record(user: User, record: LearningRecord) -> bool:
    """The owner, their direct supervisor, and reviewers whose scope holds the employee."""
    me = user.employee_id
    if me is not None and (record.employee_id == me or record.employee.supervisor_id == me):
        return True
    return can(user, Capability.VERIFY_RECORDS) and unit_in_scope(user, record.employee.unit)


def editable(record: LearningRecord) -> bool:
    return record.source == "outside" and record.status == "pending"


def withdraw(record: LearningRecord) -> None:
    if not editable(record):
        raise CareerError(_("Catatan ini sudah diperiksa dan tidak dapat ditarik lagi."))
    record.status = "removed"
    record.review_reason = _("Ditarik oleh pegawai.")
    db.session.flush()


def review(record: LearningRecord, by: User, approve: bool, reason: str = "") -> None:
    """Verify or reject a pending outside record (reason required to reject); audited."""
    if not editable(record):
        raise CareerError(_("Catatan ini tidak sedang menunggu verifikasi."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise RecordInvalid({"reason": _("Tuliskan alasan penolakan.")})
    before = {"status": record.status, "jp": str(record.jp), "year": record.year}
    record.status = "verified" if approve else "rejected"
    record.reviewed_by_id = by.id
    record.reviewed_at = utcnow()
    record.review_reason = reason
    after = {"status": record.status, "jp": str(record.jp), "year": record.year, "reason": reason}
    audit(
        by,
        "update",
        record,
        f"{'Verifikasi' if approve else 'Tolak'}: {record.name} ({record.jp:g} JP)"[:300],
        before,
        after,
    )
    message = (
        N_(
            "Catatan %(n)s diverifikasi; %(jp)s JP masuk perhitungan.",
            n=record.name,
            jp=f"{record.jp:g}",
        )
        if approve
        else N_("Catatan %(n)s ditolak: %(r)s", n=record.name, r=reason)
    )
    notify_employee(record.employee_id, message, "careers.records")
    db.session.flush()
