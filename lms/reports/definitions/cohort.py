"""Cohort results: members, scores, pass/fail with what was missing, and certificate numbers.

The result is the one the organiser's closing wrote (``CohortMember.result``, its score,
qualification and note); a programme completion from before closing existed counts as passed,
and a withdrawn or rejected participant as not passed. Until the cohort is closed the rest are in
progress."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.certificates.models import Certificate
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    count_if,
    filter_people,
    person_columns,
    quantized,
    score_histogram,
)
from lms.reports.filters import Filters, Scope

COHORT_RESULT = {"lulus": _l("Lulus"), "tidak_lulus": _l("Tidak lulus"), "proses": _l("Proses")}


class CohortReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            Column("angkatan", _l("Angkatan")),
            Column("program", _l("Program")),
            *person_columns(),
            Column("nilai", _l("Nilai"), "number"),
            Column("hasil", _l("Hasil"), labels=COHORT_RESULT),
            Column("kualifikasi", _l("Kualifikasi")),
            Column("keterangan", _l("Keterangan"), sortable=False),
            Column("sertifikat", _l("Nomor sertifikat")),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        cur = aliased(Unit)
        done = aliased(Completion)
        number = (
            select(Certificate.number)
            .where(Certificate.completion_id == done.id, Certificate.status == "issued")
            .order_by(Certificate.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        result = case(
            (CohortMember.result == "passed", "lulus"),
            (CohortMember.result == "failed", "tidak_lulus"),
            (done.id.is_not(None), "lulus"),
            (CohortMember.status.in_(("withdrawn", "rejected")), "tidak_lulus"),
            else_="proses",
        )
        stmt = (
            select(
                Cohort.name.label("angkatan"),
                Programme.title.label("program"),
                Employee.nip.label("nip"),
                Employee.full_name.label("nama"),
                cur.name.label("unit"),
                func.coalesce(CohortMember.final_score, done.score).label("nilai"),
                result.label("hasil"),
                CohortMember.qualification.label("kualifikasi"),
                func.replace(CohortMember.result_note, "\n", "; ").label("keterangan"),
                number.label("sertifikat"),
                CohortMember.id.label("id"),
                Cohort.starts_on.label("mulai"),
            )
            .join(Cohort, Cohort.id == CohortMember.cohort_id)
            .join(Programme, Programme.id == Cohort.programme_id)
            .join(Employee, Employee.id == CohortMember.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .outerjoin(
                done,
                and_(
                    done.employee_id == CohortMember.employee_id,
                    done.programme_id == Cohort.programme_id,
                    done.status == "valid",
                ),
            )
            .where(
                CohortMember.status.not_in(("nominated", "waitlisted")),
                scope.employee_clause(Employee, cur),
            )
        )
        if f.status in COHORT_RESULT:
            stmt = stmt.where(result == f.status)
        if f.year is not None:
            stmt = stmt.where(
                Cohort.starts_on >= date(f.year, 1, 1), Cohort.starts_on < date(f.year + 1, 1, 1)
            )
        if f.date_from is not None:
            stmt = stmt.where(Cohort.starts_on >= f.date_from)
        if f.date_to is not None:
            stmt = stmt.where(Cohort.starts_on <= f.date_to)
        stmt = filter_people(stmt, f, Employee, cur)
        if f.programme:
            stmt = stmt.where(Programme.code == f.programme)
        if f.cohort:
            stmt = stmt.where(Cohort.code == f.cohort)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        sub = self.lean(scope, f)
        n, passed, failed, score = db.session.execute(
            select(
                func.count(),
                count_if(sub.c.hasil, "lulus"),
                count_if(sub.c.hasil, "tidak_lulus"),
                func.avg(sub.c.nilai),
            ).select_from(sub)
        ).one()
        return [
            (_("Peserta"), n),
            (_("Lulus"), passed),
            (_("Tidak lulus"), failed),
            (_("Rata-rata nilai"), quantized(score)),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        return [score_histogram(_("Sebaran nilai peserta"), self.lean(scope, f), "nilai")]


REPORT = CohortReport(
    "cohort",
    _l("Hasil angkatan"),
    _l("Peserta angkatan, nilai, kelulusan dan nomor sertifikat."),
    (*PERIOD, *PEOPLE, "program", "angkatan", "status"),
    statuses=COHORT_RESULT,
    default_sort="angkatan",
    cli=True,
)
