"""Learning record (outside learning, verification) and development plan rules.

Services flush, never commit. A refusal raises ``RecordInvalid`` (field → message) or
``CareerError`` (one message); the caller shows it and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.careers.plans.models import (  # noqa: F401  (imported so create_all sees the tables)
    ACTIVITY_KINDS,
    NEED_REASONS,
    DevelopmentPlan,
    PlanActivity,
    PlanNeed,
)
from lms.careers.records import evidence as evidence_files
from lms.careers.records.consumer import DIKLAT_CODES
from lms.careers.records.models import LearningRecord
from lms.completion.models import Completion
from lms.courses.models import COMPETENCY_KINDS, Course, CourseVersion
from lms.db import utcnow
from lms.enrolments.models import Cohort
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, JenisDiklat

JP_MAX = Decimal(2000)

RECORD_STATUS_LABELS = {
    "pending": _l("Menunggu verifikasi"),
    "verified": _l("Terverifikasi"),
    "rejected": _l("Ditolak"),
    "removed": _l("Dibatalkan"),
}
KIND_LABELS = {
    "teknis": _l("Teknis"),
    "manajerial": _l("Manajerial"),
    "sosial_kultural": _l("Sosial kultural"),
}
PLAN_STATUS_LABELS = {
    "draft": _l("Draf"),
    "submitted": _l("Diajukan ke atasan"),
    "agreed": _l("Disetujui"),
    "returned": _l("Dikembalikan untuk diperbaiki"),
}
REASON_LABELS = {
    "skp_result": _l("Hasil evaluasi SKP"),
    "new_position": _l("Jabatan baru"),
    "career": _l("Pengembangan karier"),
    "other": _l("Lainnya"),
}
ACTIVITY_LABELS = {
    "course": _l("Pelatihan di katalog"),
    "cohort": _l("Angkatan program"),
    "other": _l("Bentuk lain"),
}


class CareerError(Exception):
    """A refused action; the message is for the user."""


class RecordInvalid(Exception):  # noqa: N818  (a refusal carrying per-field messages)
    """Bad input, per field: ``errors`` maps a form field name to an Indonesian message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


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


def _known_codes() -> set[int]:
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
    errors = validate_outside(data, _known_codes(), local_today())
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
    from lms.auth.services import audit
    from lms.enrolments.services import notify

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
    user_id = db.session.scalar(select(User.id).where(User.employee_id == record.employee_id))
    if user_id is not None:
        message = (
            _(
                "Catatan %(n)s diverifikasi; %(jp)s JP masuk perhitungan.",
                n=record.name,
                jp=f"{record.jp:g}",
            )
            if approve
            else _("Catatan %(n)s ditolak: %(r)s", n=record.name, r=reason)
        )
        notify(user_id, message, "/riwayat")
    db.session.flush()


# --- course suggestions -------------------------------------------------------------------------

_STOPWORDS = frozenset(
    [
        "dan",
        "yang",
        "untuk",
        "dengan",
        "dalam",
        "pada",
        "dari",
        "atau",
        "ke",
        "di",
        "the",
        "and",
        "of",
        "for",
        "in",
        "kemampuan",
        "kompetensi",
    ]
)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if len(w) >= 3} - _STOPWORDS


@dataclass
class Suggestion:
    course_id: int
    code: str
    title: str
    jp: Decimal
    competency_kind: str
    score: int
    matched: list[str] = field(default_factory=list)


def suggest_courses(text: str, kind: str | None = None, limit: int = 5) -> list[Suggestion]:
    """Published catalogue courses matching a competency: tag words count 3, title words 2,
    the same competency kind 1. Needs at least one word in common (or, with no text, the kind)."""
    words = _words(text)
    if not words and not kind:
        return []
    rows = db.session.execute(
        select(
            Course.id,
            Course.code,
            CourseVersion.title,
            CourseVersion.jp,
            CourseVersion.competency_kind,
            CourseVersion.tags,
        )
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
    ).all()
    out = []
    for row in rows:
        tag_words = set().union(*(_words(t) for t in (row.tags or []) if isinstance(t, str)))
        title_words = _words(row.title)
        hit_tags = words & tag_words
        hit_title = (words & title_words) - hit_tags
        score = 3 * len(hit_tags) + 2 * len(hit_title)
        if score == 0 and words:
            continue
        if kind and row.competency_kind == kind:
            score += 1
        if score == 0:
            continue
        out.append(
            Suggestion(
                row.id,
                row.code,
                row.title,
                row.jp,
                row.competency_kind,
                score,
                sorted(hit_tags | hit_title),
            )
        )
    out.sort(key=lambda s: (-s.score, s.title, s.course_id))
    return out[:limit]


# --- development plan ---------------------------------------------------------------------------


def plan_of(employee_id: int, year: int) -> DevelopmentPlan | None:
    return db.session.scalar(
        select(DevelopmentPlan).where(
            DevelopmentPlan.employee_id == employee_id, DevelopmentPlan.year == year
        )
    )


def ensure_plan(employee: Employee, year: int) -> DevelopmentPlan:
    plan = plan_of(employee.id, year)
    if plan is None:
        try:
            with db.session.begin_nested():  # a parallel first save may win (unique per year)
                plan = DevelopmentPlan(employee_id=employee.id, year=year, status="draft")
                db.session.add(plan)
        except IntegrityError:
            plan = plan_of(employee.id, year)
    return plan


def _editable_or_refuse(plan: DevelopmentPlan) -> None:
    if not plan.editable:
        raise CareerError(_("Rencana ini sudah diajukan atau disetujui dan tidak dapat diubah."))


@dataclass
class NeedInput:
    competency: str
    kind: str
    current_level: int | None
    target_level: int | None
    reason: str
    note: str = ""


def validate_need(data: NeedInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (data.competency or "").strip():
        errors["competency"] = _("Kompetensi yang dikembangkan wajib diisi.")
    elif len(data.competency) > 300:
        errors["competency"] = _("Kompetensi paling banyak 300 karakter.")
    if data.kind not in COMPETENCY_KINDS:
        errors["kind"] = _("Pilih jenis kompetensi.")
    for name, value in (("current_level", data.current_level), ("target_level", data.target_level)):
        if value is None or not 1 <= value <= 5:
            errors[name] = _("Level harus antara 1 dan 5.")
    if (
        "current_level" not in errors
        and "target_level" not in errors
        and data.target_level < data.current_level  # type: ignore[operator]
    ):
        errors["target_level"] = _("Level target tidak boleh di bawah level saat ini.")
    if data.reason not in NEED_REASONS:
        errors["reason"] = _("Pilih alasan kebutuhan.")
    if len(data.note or "") > 2000:
        errors["note"] = _("Catatan paling banyak 2000 karakter.")
    return errors


def add_need(plan: DevelopmentPlan, data: NeedInput) -> PlanNeed:
    _editable_or_refuse(plan)
    errors = validate_need(data)
    if errors:
        raise RecordInvalid(errors)
    need = PlanNeed(
        plan=plan,
        competency=data.competency.strip(),
        kind=data.kind,
        current_level=data.current_level,
        target_level=data.target_level,
        reason=data.reason,
        note=(data.note or "").strip(),
    )
    db.session.add(need)
    db.session.flush()
    return need


def remove_need(need: PlanNeed) -> None:
    _editable_or_refuse(need.plan)
    for activity in need.plan.activities:
        if activity.need_id == need.id:
            activity.need_id = None
    db.session.delete(need)
    db.session.flush()


@dataclass
class ActivityInput:
    kind: str
    need_id: int | None = None
    course_id: int | None = None
    cohort_id: int | None = None
    other_text: str = ""
    jenis_diklat_code: int | None = None
    target_jp: Decimal | None = None
    deadline: date | None = None


def add_activity(plan: DevelopmentPlan, data: ActivityInput) -> PlanActivity:
    """Plan an activity; one linked to a course already completed this year ticks at once."""
    _editable_or_refuse(plan)
    errors: dict[str, str] = {}
    course = cohort = None
    if data.kind not in ACTIVITY_KINDS:
        errors["kind"] = _("Pilih bentuk kegiatan.")
    elif data.kind == "course":
        course = db.session.get(Course, data.course_id) if data.course_id else None
        if course is None or course.published_version is None or course.archived:
            errors["course_id"] = _("Pilih pelatihan dari katalog.")
    elif data.kind == "cohort":
        cohort = db.session.get(Cohort, data.cohort_id) if data.cohort_id else None
        if cohort is None:
            errors["cohort_id"] = _("Pilih angkatan program.")
    elif not (data.other_text or "").strip():
        errors["other_text"] = _("Jelaskan bentuk kegiatan lainnya.")
    elif len(data.other_text) > 300:
        errors["other_text"] = _("Uraian kegiatan paling banyak 300 karakter.")
    if data.jenis_diklat_code is not None and data.jenis_diklat_code not in _known_codes():
        errors["jenis_diklat_code"] = _("Pilih jenis diklat.")
    if data.kind == "other" and data.jenis_diklat_code is None and "kind" not in errors:
        errors["jenis_diklat_code"] = _("Pilih jenis diklat untuk kegiatan lainnya.")
    target_jp = data.target_jp
    if target_jp is None and course is not None:
        target_jp = course.published_version.jp
    if target_jp is None:
        errors["target_jp"] = _("Target JP wajib diisi.")
    elif not Decimal(target_jp).is_finite():
        errors["target_jp"] = _("Target JP harus berupa angka.")
    elif target_jp <= 0:
        errors["target_jp"] = _("Target JP harus lebih dari 0.")
    elif target_jp > JP_MAX:
        errors["target_jp"] = _("Target JP paling banyak %(n)s.", n=JP_MAX)
    if data.deadline is not None and data.deadline.year != plan.year:
        errors["deadline"] = _("Tenggat harus di dalam tahun %(y)s.", y=plan.year)
    need_id = data.need_id or None
    if need_id is not None and all(n.id != need_id for n in plan.needs):
        errors["need_id"] = _("Kebutuhan tidak ditemukan pada rencana ini.")
    if errors:
        raise RecordInvalid(errors)
    activity = PlanActivity(
        plan=plan,
        need_id=need_id,
        kind=data.kind,
        course_id=course.id if course else None,
        cohort_id=cohort.id if cohort else None,
        other_text=(data.other_text or "").strip() if data.kind == "other" else "",
        jenis_diklat_code=data.jenis_diklat_code
        if data.jenis_diklat_code is not None
        else (course.published_version.jenis_diklat_code if course else None),
        target_jp=target_jp,
        deadline=data.deadline,
    )
    db.session.add(activity)
    if course is not None:
        done = db.session.scalar(
            select(Completion).where(
                Completion.employee_id == plan.employee_id,
                Completion.course_id == course.id,
                Completion.status == "valid",
                Completion.year >= plan.year,
            )
        )
        if done is not None:
            activity.done_at = done.completed_at
            activity.completion_id = done.id
    db.session.flush()
    return activity


def remove_activity(activity: PlanActivity) -> None:
    _editable_or_refuse(activity.plan)
    db.session.delete(activity)
    db.session.flush()


def _user_of(employee_id: int | None) -> int | None:
    if employee_id is None:
        return None
    return db.session.scalar(select(User.id).where(User.employee_id == employee_id))


def submit_plan(plan: DevelopmentPlan) -> None:
    from lms.enrolments.services import notify

    _editable_or_refuse(plan)
    if not plan.activities:
        raise CareerError(_("Tambahkan paling sedikit satu kegiatan sebelum mengajukan rencana."))
    supervisor_id = plan.employee.supervisor_id
    if supervisor_id is None:
        raise CareerError(_("Anda belum memiliki atasan langsung; hubungi admin kepegawaian."))
    plan.status = "submitted"
    plan.submitted_at = utcnow()
    user_id = _user_of(supervisor_id)
    if user_id is not None:
        notify(
            user_id,
            _(
                "%(n)s mengajukan rencana pengembangan kompetensi %(y)s.",
                n=plan.employee.display_name,
                y=plan.year,
            ),
            f"/tim/rencana/{plan.id}",
        )
    db.session.flush()


def is_direct_supervisor(user: User, plan: DevelopmentPlan) -> bool:
    return user.employee_id is not None and plan.employee.supervisor_id == user.employee_id


def decide_plan(plan: DevelopmentPlan, by: User, agree: bool, comment: str = "") -> None:
    """The direct supervisor agrees the plan or returns it with comments (required)."""
    from lms.auth.services import audit
    from lms.enrolments.services import notify

    if not is_direct_supervisor(by, plan):
        raise CareerError(_("Hanya atasan langsung yang dapat memutuskan rencana ini."))
    if plan.status != "submitted":
        raise CareerError(_("Rencana ini tidak sedang menunggu persetujuan."))
    comment = (comment or "").strip()
    if not agree and not comment:
        raise RecordInvalid({"comment": _("Tuliskan catatan perbaikan untuk pegawai.")})
    before = {"status": plan.status}
    plan.supervisor_comment = comment
    if agree:
        plan.status = "agreed"
        plan.agreed_at = utcnow()
        plan.agreed_by_id = by.id
    else:
        plan.status = "returned"
    audit(
        by,
        "update",
        plan,
        f"Rencana {plan.year} {plan.employee.nip}: {'disetujui' if agree else 'dikembalikan'}",
        before,
        {"status": plan.status, "comment": comment},
    )
    user_id = _user_of(plan.employee_id)
    if user_id is not None:
        message = (
            _("Atasan menyetujui rencana pengembangan kompetensi %(y)s Anda.", y=plan.year)
            if agree
            else _(
                "Rencana pengembangan kompetensi %(y)s dikembalikan: %(c)s", y=plan.year, c=comment
            )
        )
        notify(user_id, message, "/rencana")
    db.session.flush()
