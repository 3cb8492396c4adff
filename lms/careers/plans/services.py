"""Development plan rules: needs, activities, submission and the supervisor's decision.

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
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.plans.models import (
    ACTIVITY_KINDS,
    NEED_REASONS,
    DevelopmentPlan,
    PlanActivity,
    PlanNeed,
)
from lms.careers.records.services import JP_MAX, known_codes
from lms.completion.models import Completion
from lms.courses.models import COMPETENCY_KINDS, Course
from lms.db import utcnow
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.models import Employee

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
    if data.jenis_diklat_code is not None and data.jenis_diklat_code not in known_codes():
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


def submit_plan(plan: DevelopmentPlan) -> None:
    _editable_or_refuse(plan)
    if not plan.activities:
        raise CareerError(_("Tambahkan paling sedikit satu kegiatan sebelum mengajukan rencana."))
    supervisor_id = plan.employee.supervisor_id
    if supervisor_id is None:
        raise CareerError(_("Anda belum memiliki atasan langsung; hubungi admin kepegawaian."))
    plan.status = "submitted"
    plan.submitted_at = utcnow()
    notify_employee(
        supervisor_id,
        N_(
            "%(n)s mengajukan rencana pengembangan kompetensi %(y)s.",
            n=plan.employee.display_name,
            y=plan.year,
        ),
        "careers.team_plan",
        dev_plan_id=plan.id,
    )
    db.session.flush()


def is_direct_supervisor(user: User, plan: DevelopmentPlan) -> bool:
    return user.employee_id is not None and plan.employee.supervisor_id == user.employee_id


def decide_plan(plan: DevelopmentPlan, by: User, agree: bool, comment: str = "") -> None:
    """The direct supervisor agrees the plan or returns it with comments (required)."""

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
    message = (
        N_("Atasan menyetujui rencana pengembangan kompetensi %(y)s Anda.", y=plan.year)
        if agree
        else N_("Rencana pengembangan kompetensi %(y)s dikembalikan: %(c)s", y=plan.year, c=comment)
    )
    notify_employee(plan.employee_id, message, "careers.plan")
    db.session.flush()
