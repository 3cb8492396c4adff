"""Completions: who completed which course, with JP, score and certificate number.

JP counted once (``lms.completion.counting``): a course completed as part of a programme's
cohort is listed, with the programme it belongs to, but its JP column is 0 and it adds nothing
to the total: its programme's completion carries the programme's own JP."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, distinct, func, null, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.certificates.models import Certificate
from lms.completion.counting import absorbed_programmes
from lms.completion.models import COMPLETION_STATE_LABELS, Completion, OutboxEvent
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import MONTHS_SHORT
from lms.org.models import Employee, Unit
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, SqlReport
from lms.reports.definitions.helpers import (
    filter_people,
    filter_period,
    local_month,
    people_joins,
    person_columns,
    quantized,
)
from lms.reports.filters import Filters, Scope

COMPLETION_STATUS = COMPLETION_STATE_LABELS


class CompletionsReport(SqlReport):
    keyed_pages = True

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
        return self._select(scope, f, lean=lean)

    def page_keys(self, scope: Scope, f: Filters, limit: int, offset: int) -> Select:
        # Sorted by anything but JP or the programme: no programme join (it would be computed
        # for every completion before the first row); by the date: an index walk.
        sort = (f.sort or self.default_sort).lstrip("-")
        lean = sort in ("tanggal", "nilai", "status", "jp")
        stmt = self._select(scope, f, lean=lean, part=sort in ("jp", "bagian"))
        order = self._order(stmt, f)
        return stmt.with_only_columns(Completion.id).order_by(*order).limit(limit).offset(offset)

    def page_rows(self, scope: Scope, f: Filters, ids: list) -> Select:
        # The ids passed the scope and the filters already (see SqlReport.page_rows).
        return self._select(scope, f, ids=ids, filtered=False).where(Completion.id.in_(ids))

    def _select(
        self,
        scope: Scope,
        f: Filters,
        lean: bool = False,
        part: bool = True,
        ids: list | None = None,
        filtered: bool = True,
    ) -> Select:
        """``part``: with the programme a completion is part of (JP 0); ``ids``: that programme
        looked up for these completions only (a page), not for every completion; not
        ``filtered``: no scope and no filter (for the rows of ids that passed them)."""
        cur = aliased(Unit)
        opd = aliased(Unit)
        ident = Completion.identity
        part_of = absorbed_programmes()  # JP counted once: 0 for a course inside a programme
        if ids is not None:
            part_of = select(part_of).where(part_of.c.completion_id.in_(ids)).subquery()
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
        jp = case((part_of.c.completion_id.is_(None), Completion.jp), else_=0) if part else None
        bagian = part_of.c.programme_title if part else null()
        stmt = select(
            *([] if lean else display),
            (Completion.jp if jp is None else jp).label("jp"),
            *([] if lean else [bagian.label("bagian")]),
            Completion.score.label("nilai"),
            Completion.completed_at.label("tanggal"),
            *([] if lean else [number.label("sertifikat")]),
            Completion.status.label("status"),
            Completion.id.label("id"),
            Completion.employee_id.label("employee_id"),
        )
        if not filtered:
            return stmt.outerjoin(part_of, part_of.c.completion_id == Completion.id)
        # Every completion has an employee with a unit (foreign keys, NOT NULL) and shows the
        # identity copied at completion: the joins only filter, so they are left out when
        # nothing filters on them and the database reads completions alone.
        joins = people_joins(scope, f)
        if joins:
            stmt = stmt.join(Employee, Employee.id == Completion.employee_id).join(
                cur, cur.id == Employee.unit_id
            )
            stmt = stmt.outerjoin(opd, opd.id == Completion.unit_id)
        if scope.partner_id is not None:
            stmt = stmt.outerjoin(Course, Course.id == Completion.course_id)
        if part:
            stmt = stmt.outerjoin(part_of, part_of.c.completion_id == Completion.id)
        if joins:
            stmt = stmt.where(scope.employee_clause(Employee, cur, opd, partner=Course.partner_id))
        elif scope.partner_id is not None:
            stmt = stmt.where(Course.partner_id == scope.partner_id)
        status = f.status if f.status in COMPLETION_STATUS else self.default_status
        stmt = stmt.where(Completion.status == status)
        stmt = filter_period(stmt, f, Completion.completed_at, Completion.year)
        if joins:
            stmt = filter_people(stmt, f, Employee, cur, opd)
        if f.course:
            stmt = stmt.where(Completion.code == f.course, Completion.course_id.is_not(None))
        if f.programme:
            stmt = stmt.where(Completion.code == f.programme, Completion.programme_id.is_not(None))
        if f.kind:
            stmt = stmt.where(Completion.competency_kind == f.kind)
        return stmt

    def stamp(self) -> tuple:
        """The newest completion and the newest outbox event (every completion created or
        revoked writes one): two primary-key lookups."""
        return tuple(
            db.session.execute(
                select(
                    select(func.max(Completion.id)).scalar_subquery(),
                    select(func.max(OutboxEvent.seq)).scalar_subquery(),
                )
            ).one()
        )

    def _by_month(self, scope: Scope, f: Filters) -> list:
        """Per local month: completions, JP, the sum and number of scores (one pass)."""
        sub = self.lean(scope, f)
        month = local_month(sub.c.tanggal).label("month")
        return db.session.execute(
            select(
                month,
                func.count(),
                func.coalesce(func.sum(sub.c.jp), 0),
                func.sum(sub.c.nilai),
                func.count(sub.c.nilai),
            )
            .select_from(sub)
            .group_by(month)
            .order_by(month)
        ).all()

    def _people(self, scope: Scope, f: Filters) -> int:
        sub = self.lean(scope, f)
        return db.session.scalar(select(func.count(distinct(sub.c.employee_id)))) or 0

    def _figures(self, months: list, people: int) -> tuple[list, int, list[charts.Chart]]:
        n = sum(row[1] for row in months)
        jp = sum((Decimal(str(row[2])) for row in months), Decimal(0))
        scored = sum(row[4] for row in months)
        score_sum = sum((Decimal(str(row[3])) for row in months if row[3] is not None), Decimal(0))
        totals = [
            (_("Penyelesaian"), n),
            (_("Pegawai"), people),
            (_("Jumlah JP"), quantized(jp)),
            (_("Rata-rata nilai"), quantized(score_sum / scored) if scored else None),
        ]
        return totals, n, self._chart(months)

    def _chart(self, months: list) -> list[charts.Chart]:
        if not months:
            return []
        labels = [f"{MONTHS_SHORT[int(row[0][5:7]) - 1]} {row[0][:4]}" for row in months]
        return [
            charts.line_chart(
                _("Penyelesaian per bulan"),
                labels,
                {_("Penyelesaian"): [int(row[1]) for row in months]},
                label_header=_("Bulan"),
            )
        ]

    def overview(self, scope: Scope, f: Filters) -> tuple[list, int, list[charts.Chart]]:
        """Totals, count and the monthly chart from one grouped pass, plus distinct people."""
        return self._figures(self._by_month(scope, f), self._people(scope, f))

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        return self.overview(scope, f)[0]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        return self._chart(self._by_month(scope, f))


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
    deferred_overview=True,
)
