"""Read side of the learning record: the employee's records and HR's verification queue.

Each list is a fixed number of queries whatever the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, false, func, select
from sqlalchemy.orm import contains_eager

from lms.auth.models import User
from lms.careers.records.models import LearningRecord
from lms.careers.scope import PAGE_SIZE, scoped
from lms.certificates.models import Certificate
from lms.completion.counting import Participation, counted_jp, programmes_of
from lms.completion.models import Completion
from lms.extensions import db
from lms.org.models import Employee, JenisDiklat, Unit

# --- the employee's record ----------------------------------------------------------------------


@dataclass
class RecordRow:
    record: LearningRecord
    jenis_diklat: str
    certificate_id: int | None
    #: The programme (cohort place) a course completion is part of: it adds 0 JP (counted once).
    part_of: Participation | None = None

    @property
    def counted_jp(self) -> Decimal:
        return counted_jp(self.record.jp, self.part_of)


def records_of(employee_id: int) -> list[RecordRow]:
    """The employee's records, newest first, with the form's name, the certificate and the
    programme a course completion is part of (three queries: the records, then the employee's
    cohort places and their programmes' courses for the JP-once rule)."""
    rows = db.session.execute(
        select(LearningRecord, JenisDiklat.name, Certificate.id, Completion)
        .outerjoin(JenisDiklat, JenisDiklat.code == LearningRecord.jenis_diklat_code)
        .outerjoin(Completion, Completion.id == LearningRecord.completion_id)
        .outerjoin(
            Certificate,
            and_(
                Certificate.completion_id == LearningRecord.completion_id,
                Certificate.status == "issued",
            ),
        )
        .where(LearningRecord.employee_id == employee_id)
        .order_by(LearningRecord.year.desc(), LearningRecord.ends_on.desc(), LearningRecord.id)
    ).all()
    parts = programmes_of(c for *_r, c in rows if c is not None)
    return [
        RecordRow(record, name or "", cert_id, parts.get(record.completion_id))
        for record, name, cert_id, _c in rows
    ]


# --- verification queue -------------------------------------------------------------------------


def verification_queue(
    user: User,
    status: str = "pending",
    unit_id: int | None = None,
    year: int | None = None,
    page: int = 1,
) -> tuple[list[LearningRecord], int]:
    """Outside records in the reviewer's scope (enforced here, in SQL)."""
    stmt = scoped(
        select(LearningRecord)
        .join(Employee, Employee.id == LearningRecord.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(LearningRecord.source == "outside"),
        user,
    )
    if status:
        stmt = stmt.where(LearningRecord.status == status)
    if year:
        stmt = stmt.where(LearningRecord.year == year)
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        stmt = stmt.where(Unit.path.startswith(unit.path)) if unit else stmt.where(false())
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(contains_eager(LearningRecord.employee).contains_eager(Employee.unit))
        .order_by(LearningRecord.created_at, LearningRecord.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total
