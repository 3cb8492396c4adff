"""Enrolments and progress."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.courses.models import Course, CourseVersion
from lms.enrolments.models import Enrolment
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    filter_people,
    filter_period,
    person_columns,
    rows_people_mean,
    status_counts,
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
        stmt = (
            select(
                Employee.nip.label("nip"),
                Employee.full_name.label("nama"),
                cur.name.label("unit"),
                Course.code.label("kode"),
                CourseVersion.title.label("judul"),
                Enrolment.status.label("status"),
                Enrolment.progress.label("progres"),
                Enrolment.requested_at.label("daftar"),
                Enrolment.completed_at.label("selesai"),
                Enrolment.id.label("id"),
                Enrolment.employee_id.label("employee_id"),
            )
            .join(Employee, Employee.id == Enrolment.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .join(Course, Course.id == Enrolment.course_id)
            .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
            .where(scope.employee_clause(Employee, cur, partner=Course.partner_id))
        )
        if f.status in ENROLMENT_STATUS:
            stmt = stmt.where(Enrolment.status == f.status)
        stmt = filter_period(stmt, f, Enrolment.requested_at)
        stmt = filter_people(stmt, f, Employee, cur)
        if f.course:
            stmt = stmt.where(Course.code == f.course)
        if f.kind:
            stmt = stmt.where(CourseVersion.competency_kind == f.kind)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        n, people, progress = rows_people_mean(self.lean(scope, f), "progres")
        return [
            (_("Pendaftaran"), n),
            (_("Pegawai"), people),
            (_("Rata-rata kemajuan (%)"), progress),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        counts = status_counts(self.lean(scope, f))
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
)
