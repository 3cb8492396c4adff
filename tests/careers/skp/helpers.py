"""Builders for the SKP, import and career tests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from lms.auth.models import User
from lms.careers.skp import evaluations, schedule
from lms.careers.skp import services as skp
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.completion import services as completion
from lms.completion.models import Completion
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.org.services import opd_of

YEAR = local_today().year


def csrf_of(page: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def agreed_period(employee_id: int, supervisor_user_id: int, year: int = YEAR) -> SkpPeriod:
    """An SKP with two planned work results, submitted and agreed by the supervisor."""
    employee = db.session.get(Employee, employee_id)
    supervisor = db.session.get(User, supervisor_user_id)
    period = skp.ensure_period(employee, year)
    skp.add_target(
        period,
        skp.TargetInput(
            "Tersusunnya laporan pelayanan kesehatan",
            "Laporan tepat waktu",
            "12 laporan",
            Decimal(12),
        ),
    )
    skp.add_target(
        period, skp.TargetInput("Terlaksananya analisis data kepegawaian", "Analisis", "4 dokumen")
    )
    skp.submit_period(period)
    skp.decide_period(period, supervisor, True)
    return period


def make_completion(
    employee_id: int,
    *,
    when: datetime,
    course_id: int | None = None,
    programme_id: int | None = None,
    code: str = "TES-101",
    title: str = "Pelatihan Uji",
    jp: int = 4,
) -> Completion:
    employee = db.session.get(Employee, employee_id)
    row = Completion(
        employee_id=employee_id,
        course_id=course_id,
        programme_id=programme_id,
        source="programme" if programme_id else "online",
        completed_at=when,
        year=when.year,
        jp=Decimal(jp),
        competency_kind="teknis",
        code=code,
        title=title,
        identity=completion.snapshot_identity(employee),
        unit_id=opd_of(employee.unit).id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def at(month: int, day: int = 10, year: int = YEAR) -> datetime:
    return datetime(year, month, day, 3, 0, tzinfo=UTC)


def after_year(year: int = YEAR) -> date:
    """A day when every period of ``year`` has ended (the annual evaluation may be given)."""
    return date(year + 1, 1, 5)


def evaluate_year(
    period: SkpPeriod, supervisor: User, hasil: str, perilaku: str, **kw: object
) -> SkpEvaluation:
    """The year's periodic evaluations (those still missing, 'sesuai') and then the annual one,
    given after the year ended as PermenPANRB 6/2022 requires."""
    today = after_year(period.year)
    for slot in schedule.missing_periodic(period):
        evaluations.evaluate(
            period,
            supervisor,
            evaluations.EvaluationInput("periodic", slot.sequence, "sesuai", "sesuai"),
            today=today,
        )
    return evaluations.evaluate(
        period,
        supervisor,
        evaluations.EvaluationInput("annual", None, hasil, perilaku, **kw),
        today=today,
    )
