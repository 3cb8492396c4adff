"""Completions: who completed which course, with JP, score and certificate number.

JP counted once (``lms.completion.counting``): a course completed as part of a programme's
cohort is listed, with the programme it belongs to, but its JP column is 0 and it adds nothing
to the total: its programme's completion carries the programme's own JP."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.certificates.models import Certificate
from lms.completion.counting import absorbed_programmes
from lms.completion.models import COMPLETION_STATE_LABELS, Completion
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import MONTHS_SHORT
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    filter_people,
    filter_period,
    local_month,
    person_columns,
    quantized,
)
from lms.reports.filters import Filters, Scope

COMPLETION_STATUS = COMPLETION_STATE_LABELS


class CompletionsReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            *person_columns(opd=True),
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("jp", _l("JP"), "number"),
            Column("bagian", _l("Bagian dari program"), sortable=False),
            Column("nilai", _l("Nilai"), "number"),
            Column("tanggal", _l("Tanggal selesai"), "date"),
            Column("sertifikat", _l("Nomor sertifikat")),
            Column("status", _l("Status"), labels=COMPLETION_STATUS),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        cur = aliased(Unit)
        opd = aliased(Unit)
        ident = Completion.identity
        part_of = absorbed_programmes()  # JP counted once: 0 for a course inside a programme
        number = (
            select(Certificate.number)
            .where(Certificate.completion_id == Completion.id, Certificate.status != "replaced")
            .order_by(Certificate.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        display = [
            ident["nip"].as_string().label("nip"),
            ident["name"].as_string().label("nama"),
            ident["unit"].as_string().label("unit"),
            ident["opd"].as_string().label("opd"),
            Completion.code.label("kode"),
            Completion.title.label("judul"),
        ]
        stmt = (
            select(
                *([] if lean else display),
                case((part_of.c.completion_id.is_(None), Completion.jp), else_=0).label("jp"),
                *([] if lean else [part_of.c.programme_title.label("bagian")]),
                Completion.score.label("nilai"),
                Completion.completed_at.label("tanggal"),
                *([] if lean else [number.label("sertifikat")]),
                Completion.status.label("status"),
                Completion.id.label("id"),
                Completion.employee_id.label("employee_id"),
            )
            .join(Employee, Employee.id == Completion.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .outerjoin(opd, opd.id == Completion.unit_id)
            .outerjoin(Course, Course.id == Completion.course_id)
            .outerjoin(part_of, part_of.c.completion_id == Completion.id)
            .where(scope.employee_clause(Employee, cur, opd, partner=Course.partner_id))
        )
        status = f.status if f.status in COMPLETION_STATUS else self.default_status
        stmt = stmt.where(Completion.status == status)
        stmt = filter_period(stmt, f, Completion.completed_at, Completion.year)
        stmt = filter_people(stmt, f, Employee, cur, opd)
        if f.course:
            stmt = stmt.where(Completion.code == f.course, Completion.course_id.is_not(None))
        if f.programme:
            stmt = stmt.where(Completion.code == f.programme, Completion.programme_id.is_not(None))
        if f.kind:
            stmt = stmt.where(Completion.competency_kind == f.kind)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        sub = self.lean(scope, f)
        n, people, jp, score = db.session.execute(
            select(
                func.count(),
                func.count(distinct(sub.c.employee_id)),
                func.coalesce(func.sum(sub.c.jp), 0),
                func.avg(sub.c.nilai),
            ).select_from(sub)
        ).one()
        return [
            (_("Penyelesaian"), n),
            (_("Pegawai"), people),
            (_("Jumlah JP"), quantized(jp)),
            (_("Rata-rata nilai"), quantized(score)),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sub = self.lean(scope, f)
        month = local_month(sub.c.tanggal).label("month")
        rows = db.session.execute(
            select(month, func.count()).select_from(sub).group_by(month).order_by(month)
        ).all()
        if not rows:
            return []
        labels = [f"{MONTHS_SHORT[int(key[5:7]) - 1]} {key[:4]}" for key, _n in rows]
        return [
            charts.line_chart(
                _("Penyelesaian per bulan"),
                labels,
                {_("Penyelesaian"): [int(n) for _key, n in rows]},
                label_header=_("Bulan"),
            )
        ]


REPORT = CompletionsReport(
    "completions",
    _l("Penyelesaian pelatihan"),
    _l("Siapa menyelesaikan pelatihan apa, dengan JP, nilai dan nomor sertifikat."),
    (*PERIOD, *PEOPLE, "pelatihan", "program", "jenis", "status"),
    statuses=COMPLETION_STATUS,
    default_sort="-tanggal",
    default_status="valid",
    cli=True,
    partner_scoped=True,
)
