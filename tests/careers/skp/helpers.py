"""Builders for the SKP, import and career tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from lms.auth.models import User
from lms.careers import skp_services as skp
from lms.careers.skp_models import SkpPeriod
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
