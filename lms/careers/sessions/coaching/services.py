"""Coaching plans: a supervisor answers a low SKP predikat with planned coaching and follows it.

A supervisor may open one for a direct report whose latest SKP evaluation has a low predikat
(Butuh Perbaikan or lower: ``lms.careers.skp.services.LOW_PREDIKATS``) and who has no plan open:
goals, the form (coaching, mentoring, on-the-job learning: the forms whose rule needs a coach),
the coach, the number of sessions planned and a review date. Sessions are logged against it
(``LearningSession.plan_id``); its progress is the confirmed sessions against the planned number
(``progress``, pure). The supervisor and the coach add follow-up notes; the supervisor closes
it with an outcome. Services flush, never commit; opening and closing are audited and the
employee is told.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.sessions.models import CoachingNote, CoachingPlan, LearningSession
from lms.careers.sessions.rules import FormRule, rule_for, rules
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.careers.skp.services import LOW_PREDIKATS
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.models import Employee
from lms.permissions import Capability, can, unit_in_scope

TEXT_MAX = 5000
SESSIONS_MAX = 52
REVIEW_MAX_DAYS = 366


@dataclass
class PlanInput:
    form_code: int | None
    goals: str
    sessions_planned: int | None
    starts_on: date | None
    review_on: date | None
    coach_user_id: int | None = None
    coach_name: str = ""


@dataclass(frozen=True)
class Progress:
    planned: int
    confirmed: int
    waiting: int
    returned: int
    minutes: int
    jp: Decimal

    @property
    def percent(self) -> int:
        """Confirmed sessions against the plan, 0-100 (more sessions than planned is 100)."""
        if self.planned <= 0:
            return 0
        return min(100, round(self.confirmed * 100 / self.planned))


def plan_forms() -> dict[int, FormRule]:
    """The forms a coaching plan may use: those whose rule needs a coach or mentor."""
    return {code: rule for code, rule in rules().items() if rule.needs_coach}


# --- pure ----------------------------------------------------------------------------------------


def progress(planned: int, sessions: Iterable[LearningSession]) -> Progress:
    """Pure: a plan's progress from its sessions (withdrawn ones do not count)."""
    confirmed = waiting = returned = minutes = 0
    jp = Decimal(0)
    for s in sessions:
        if s.status == "confirmed":
            confirmed += 1
            minutes += s.minutes
            jp += s.recognised_jp or 0
        elif s.status == "submitted":
            waiting += 1
        elif s.status == "returned":
            returned += 1
    return Progress(planned, confirmed, waiting, returned, minutes, jp)


def validate_plan(data: PlanInput, allowed_forms: set[int], today: date) -> dict[str, str]:
    """Pure: every problem with a plan's fields, by field."""
    errors: dict[str, str] = {}
    if data.form_code not in allowed_forms:
        errors["form_code"] = _("Pilih bentuk pendampingan.")
    goals = (data.goals or "").strip()
    if not goals:
        errors["goals"] = _("Tuliskan tujuan pendampingan.")
    elif len(goals) > TEXT_MAX:
        errors["goals"] = _("Tujuan paling banyak %(n)s karakter.", n=TEXT_MAX)
    if data.sessions_planned is None:
        errors["sessions_planned"] = _("Jumlah sesi yang direncanakan wajib diisi.")
    elif not 1 <= data.sessions_planned <= SESSIONS_MAX:
        errors["sessions_planned"] = _("Jumlah sesi antara 1 dan %(n)s.", n=SESSIONS_MAX)
    if data.starts_on is None:
        errors["starts_on"] = _("Tanggal mulai wajib diisi.")
    elif data.starts_on < today - timedelta(days=31):
        errors["starts_on"] = _("Tanggal mulai paling lama sebulan yang lalu.")
    if data.review_on is None:
        errors["review_on"] = _("Tanggal tinjauan wajib diisi.")
    elif data.starts_on is not None and data.review_on < data.starts_on:
        errors["review_on"] = _("Tanggal tinjauan tidak boleh sebelum tanggal mulai.")
    elif data.starts_on is not None and data.review_on > data.starts_on + timedelta(
        days=REVIEW_MAX_DAYS
    ):
        errors["review_on"] = _("Tanggal tinjauan paling lambat setahun setelah mulai.")
    if data.coach_user_id is None and not (data.coach_name or "").strip():
        errors["coach_user_id"] = _("Pilih coach/mentor atau tuliskan namanya.")
    elif len(data.coach_name or "") > 200:
        errors["coach_name"] = _("Nama pendamping paling banyak 200 karakter.")
    return errors


# --- reads ---------------------------------------------------------------------------------------


def latest_evaluation(employee_id: int) -> SkpEvaluation | None:
    """The employee's most recent SKP evaluation (the one a coaching plan answers)."""
    return db.session.scalar(
        select(SkpEvaluation)
        .join(SkpPeriod, SkpEvaluation.period_id == SkpPeriod.id)
        .where(SkpPeriod.employee_id == employee_id)
        .order_by(SkpPeriod.year.desc(), SkpEvaluation.submitted_at.desc(), SkpEvaluation.id.desc())
        .limit(1)
    )


def low_evaluation(employee_id: int) -> SkpEvaluation | None:
    evaluation = latest_evaluation(employee_id)
    return evaluation if evaluation is not None and evaluation.predikat in LOW_PREDIKATS else None


def leads(user: User, plan: CoachingPlan) -> bool:
    """The employee's direct supervisor now, or the supervisor who opened the plan."""
    me = user.employee_id
    return me is not None and me in (plan.employee.supervisor_id, plan.supervisor_id)


def can_note(user: User, plan: CoachingPlan) -> bool:
    return leads(user, plan) or (plan.coach_user_id is not None and plan.coach_user_id == user.id)


def can_see_plan(user: User, plan: CoachingPlan) -> bool:
    if user.employee_id is not None and user.employee_id == plan.employee_id:
        return True
    if can_note(user, plan):
        return True
    return can(user, Capability.VERIFY_RECORDS) and unit_in_scope(user, plan.employee.unit)


# --- writes --------------------------------------------------------------------------------------


def open_plan(
    employee: Employee, by: User, data: PlanInput, allowed_coaches: set[int]
) -> CoachingPlan:
    """Open a coaching plan for a direct report after a low predikat."""
    if by.employee_id is None or employee.supervisor_id != by.employee_id:
        raise CareerError(_("Rencana pendampingan hanya dibuka oleh atasan langsung."))
    evaluation = low_evaluation(employee.id)
    if evaluation is None:
        raise CareerError(
            _(
                "Rencana pendampingan dibuka setelah predikat SKP Butuh Perbaikan atau lebih "
                "rendah; evaluasi terakhir %(n)s tidak demikian.",
                n=employee.display_name,
            )
        )
    errors = validate_plan(data, set(plan_forms()), local_today())
    if data.coach_user_id is not None and data.coach_user_id not in allowed_coaches:
        errors["coach_user_id"] = _("Pilih coach/mentor dari daftar.")
    if errors:
        raise RecordInvalid(errors)
    assert data.form_code is not None and data.starts_on and data.review_on
    plan = CoachingPlan(
        employee_id=employee.id,
        supervisor_id=by.employee_id,
        opened_by_id=by.id,
        evaluation_id=evaluation.id,
        predikat=evaluation.predikat,
        evaluation_label=evaluation.label,
        form_code=data.form_code,
        coach_user_id=data.coach_user_id,
        coach_name=(data.coach_name or "").strip(),
        goals=data.goals.strip(),
        sessions_planned=data.sessions_planned,
        starts_on=data.starts_on,
        review_on=data.review_on,
    )
    try:
        with db.session.begin_nested():  # two supervisors' tabs at once: one open plan
            db.session.add(plan)
    except IntegrityError as exc:
        raise CareerError(
            _("%(n)s sudah memiliki rencana pendampingan yang berjalan.", n=employee.display_name)
        ) from exc
    rule = rule_for(plan.form_code)
    audit(
        by,
        "create",
        plan,
        f"Rencana pendampingan {employee.display_name} ({evaluation.label})"[:300],
        None,
        {"form": plan.form_code, "sessions": plan.sessions_planned, "predikat": plan.predikat},
    )
    notify_employee(
        employee.id,
        N_(
            "Atasan Anda membuka rencana pendampingan (%(form)s, %(n)s sesi).",
            form=rule.name if rule else "",
            n=plan.sessions_planned,
        ),
        "careers.coaching_plan",
        coaching_plan_id=plan.id,
    )
    return plan


def add_note(plan: CoachingPlan, by: User, note: str) -> CoachingNote:
    if plan.status != "open":
        raise CareerError(_("Rencana pendampingan ini sudah ditutup."))
    note = (note or "").strip()
    if not note:
        raise RecordInvalid({"note": _("Tuliskan catatan tindak lanjut.")})
    if len(note) > TEXT_MAX:
        raise RecordInvalid({"note": _("Catatan paling banyak %(n)s karakter.", n=TEXT_MAX)})
    row = CoachingNote(plan=plan, author_id=by.id, note=note)
    db.session.add(row)
    db.session.flush()
    return row


def close_plan(plan: CoachingPlan, by: User, outcome: str) -> None:
    if plan.status != "open":
        raise CareerError(_("Rencana pendampingan ini sudah ditutup."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise RecordInvalid({"outcome": _("Tuliskan hasil pendampingan sebelum menutup.")})
    if len(outcome) > TEXT_MAX:
        raise RecordInvalid({"outcome": _("Hasil paling banyak %(n)s karakter.", n=TEXT_MAX)})
    plan.status = "closed"
    plan.outcome = outcome
    plan.closed_at = utcnow()
    audit(
        by, "update", plan, "Tutup rencana pendampingan", {"status": "open"}, {"status": "closed"}
    )
    notify_employee(
        plan.employee_id,
        N_("Rencana pendampingan Anda ditutup: %(o)s", o=outcome[:200]),
        "careers.coaching_plan",
        coaching_plan_id=plan.id,
    )
    db.session.flush()
