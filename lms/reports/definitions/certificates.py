"""The certificate register: issued, revoked and replaced certificates."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from lms.certificates.models import CERTIFICATE_STATE_LABELS, Certificate
from lms.completion.models import Completion
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    filter_people,
    filter_period,
    person_columns,
    status_counts,
)
from lms.reports.filters import Filters, Scope

CERTIFICATE_STATUS = CERTIFICATE_STATE_LABELS


class CertificatesReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            Column("nomor", _l("Nomor sertifikat")),
            Column("terbit", _l("Tanggal terbit"), "date"),
            *person_columns(unit=False, opd=True),
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("jp", _l("JP"), "number"),
            Column("status", _l("Status"), labels=CERTIFICATE_STATUS),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        cur = aliased(Unit)
        opd = aliased(Unit)
        ident = Completion.identity
        stmt = (
            select(
                Certificate.number.label("nomor"),
                Certificate.issued_at.label("terbit"),
                ident["nip"].as_string().label("nip"),
                ident["name"].as_string().label("nama"),
                ident["opd"].as_string().label("opd"),
                Completion.code.label("kode"),
                Completion.title.label("judul"),
                Completion.jp.label("jp"),
                Certificate.status.label("status"),
                Certificate.id.label("id"),
            )
            .join(Completion, Completion.id == Certificate.completion_id)
            .join(Employee, Employee.id == Certificate.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .outerjoin(opd, opd.id == Completion.unit_id)
            .where(scope.employee_clause(Employee, cur, opd))
        )
        if f.status in CERTIFICATE_STATUS:
            stmt = stmt.where(Certificate.status == f.status)
        stmt = filter_period(stmt, f, Certificate.issued_at, Certificate.year)
        stmt = filter_people(stmt, f, Employee, cur, opd)
        if f.course:
            stmt = stmt.where(Completion.code == f.course)
        if f.kind:
            stmt = stmt.where(Completion.competency_kind == f.kind)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        counts = status_counts(self.lean(scope, f))
        return [(_("Sertifikat"), sum(counts.values()))] + [
            (str(label), counts.get(code, 0)) for code, label in CERTIFICATE_STATUS.items()
        ]


REPORT = CertificatesReport(
    "certificates",
    _l("Register sertifikat"),
    _l("Semua sertifikat yang terbit, dicabut atau diganti."),
    (*PERIOD, *PEOPLE, "pelatihan", "jenis", "status"),
    statuses=CERTIFICATE_STATUS,
    default_sort="-terbit",
    cli=True,
)
