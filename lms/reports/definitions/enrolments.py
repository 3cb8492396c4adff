"""Enrolments and progress."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.courses.models import Course, CourseVersion
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    filter_people,
    filter_period,
    people_joins,
    person_columns,
    quantized,
)
from lms.reports.filters import Filters, Scope

ENROLMENT_STATUS = {
    "nominated": _l("Diusulkan"),
    "waitlisted": _l("Daftar tunggu"),
    "active": _l("Aktif"),
    "completed": _l("Selesai"),
    "withdrawn": _l("Mengundurkan diri"),
    "rejected": _l("Ditolak"),
}


class EnrolmentsReport(SqlReport):
    keyed_pages = True

    def columns(self) -> list[Column]:
        return [
            *person_columns(),
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("status", _l("Status"), labels=ENROLMENT_STATUS),
            Column("progres", _l("Kemajuan (%)"), "int"),
            Column("daftar", _l("Tanggal daftar"), "date"),
            Column("selesai", _l("Tanggal selesai"), "date"),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        cur = aliased(Unit)
        display = [
            Employee.nip.label("nip"),
            Employee.full_name.label("nama"),
            cur.name.label("unit"),
            Course.code.label("kode"),
            CourseVersion.title.label("judul"),
        ]
        stmt = select(
            *([] if lean else display),
            Enrolment.status.label("status"),
            Enrolment.progress.label("progres"),
            Enrolment.requested_at.label("daftar"),
            Enrolment.completed_at.label("selesai"),
            Enrolment.id.label("id"),
            Enrolment.employee_id.label("employee_id"),
        )
        # Every enrolment has an employee (with a unit) and a course (foreign keys, NOT NULL):
        # the lean statement (totals, a page's ids) joins them only when something filters.
        people = not lean or people_joins(scope, f)
        if people:
            stmt = stmt.join(Employee, Employee.id == Enrolment.employee_id).join(
                cur, cur.id == Employee.unit_id
            )
        if not lean or scope.partner_id is not None or f.course or f.kind:
            stmt = stmt.join(Course, Course.id == Enrolment.course_id)
        if not lean or f.kind:
            stmt = stmt.outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
        if people:
            stmt = stmt.where(scope.employee_clause(Employee, cur, partner=Course.partner_id))
        elif scope.partner_id is not None:
            stmt = stmt.where(Course.partner_id == scope.partner_id)
        if f.status in ENROLMENT_STATUS:
            stmt = stmt.where(Enrolment.status == f.status)
        stmt = filter_period(stmt, f, Enrolment.requested_at)
        if people:
            stmt = filter_people(stmt, f, Employee, cur)
        if f.course:
            stmt = stmt.where(Course.code == f.course)
        if f.kind:
            stmt = stmt.where(CourseVersion.competency_kind == f.kind)
        return stmt

    def stamp(self) -> tuple:
        """The newest enrolment and the latest change of one (indexes)."""
        return tuple(
            db.session.execute(
                select(
                    select(func.max(Enrolment.id)).scalar_subquery(),
                    select(func.max(Enrolment.updated_at)).scalar_subquery(),
                )
            ).one()
        )

    def _by_status(self, scope: Scope, f: Filters) -> dict:
        """Per status: enrolments, the sum and number of progress values (one pass)."""
        sub = self.lean(scope, f)
        rows = db.session.execute(
            select(sub.c.status, func.count(), func.sum(sub.c.progres), func.count(sub.c.progres))
            .select_from(sub)
            .group_by(sub.c.status)
        ).all()
        return {status: (n, total, counted) for status, n, total, counted in rows}

    def _people(self, scope: Scope, f: Filters) -> int:
        sub = self.lean(scope, f)
        return db.session.scalar(select(func.count(distinct(sub.c.employee_id)))) or 0

    def overview(self, scope: Scope, f: Filters) -> tuple[list, int, list[charts.Chart]]:
        """Totals, count and the status chart from one grouped pass, plus distinct people."""
        counts = self._by_status(scope, f)
        n = sum(v[0] for v in counts.values())
        counted = sum(v[2] for v in counts.values())
        progress = sum(v[1] or 0 for v in counts.values())
        totals = [
            (_("Pendaftaran"), n),
            (_("Pegawai"), self._people(scope, f)),
            (_("Rata-rata kemajuan (%)"), quantized(progress / counted) if counted else None),
        ]
        return totals, n, self._chart({code: v[0] for code, v in counts.items()})

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        return self.overview(scope, f)[0]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        return self._chart({code: v[0] for code, v in self._by_status(scope, f).items()})

    def _chart(self, counts: dict) -> list[charts.Chart]:
        if not counts:
            return []
        labels = [str(label) for code, label in ENROLMENT_STATUS.items() if code in counts]
        values = [counts[code] for code in ENROLMENT_STATUS if code in counts]
        return [
            charts.bar_chart(
                _("Pendaftaran per status"),
                labels,
                values,
                value_header=_("Jumlah"),
                label_header=_("Status"),
            )
        ]


REPORT = EnrolmentsReport(
    "enrolments",
    _l("Pendaftaran dan kemajuan"),
    _l("Pendaftaran pelatihan beserta status dan kemajuan belajar."),
    (*PERIOD, *PEOPLE, "pelatihan", "jenis", "status"),
    statuses=ENROLMENT_STATUS,
    default_sort="-daftar",
    partner_scoped=True,
    deferred_overview=True,
)
