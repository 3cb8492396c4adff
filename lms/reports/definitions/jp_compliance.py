"""JP compliance: every active employee's JP this year against the target, per OPD.

The JP come from the employee-year summary (``careers.summary``), which holds the JP ledger's
figures (``jp_totals``) kept current in the transactions that change them: one row per employee
instead of a sum over every learning record and the JP-once rule on each page, total and
chart (tests/reports/test_jp_summary.py checks the two give the same report)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, and_, case, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.careers.ledger.queries import target, target_expr
from lms.careers.summary.queries import year_totals
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, JabatanType, Unit
from lms.reports.definitions.base import PEOPLE, Column, Page, SqlReport
from lms.reports.definitions.helpers import count_if, filter_people, person_columns, quantized
from lms.reports.filters import PAGE_SIZE, Filters, Scope

JP_STATUS = {"memenuhi": _l("Memenuhi"), "belum": _l("Belum memenuhi")}


def _unit_opd() -> Subquery:
    """Each unit with its OPD (the top-level unit above it): the prefix match runs once per
    unit (dozens) instead of once per employee and OPD; DISTINCT keeps it a table of its own
    that the employees join by unit id."""
    unit = aliased(Unit)
    opd = aliased(Unit)
    return (
        select(unit.id.label("unit_id"), opd.id.label("opd_id"), opd.name.label("opd_name"))
        .join(opd, and_(opd.parent_id.is_(None), unit.path.startswith(opd.path)))
        .distinct()
        .subquery("unit_opd")
    )


class JpComplianceReport(SqlReport):
    #: Where the JP per employee come from: the summary; ``ledger.queries.jp_totals`` gives the
    #: same columns from the source rows (the test compares the two).
    ledger = staticmethod(year_totals)

    def columns(self) -> list[Column]:
        return [
            *person_columns(opd=True),
            Column("golongan", _l("Golongan")),
            Column("jabatan", _l("Jenis jabatan")),
            Column("jp", _l("JP tahun ini"), "number"),
            Column("jp_teknis", _l("JP teknis"), "number"),
            Column("jp_manajerial", _l("JP manajerial"), "number"),
            Column("jp_sosial", _l("JP sosial kultural"), "number"),
            Column("target", _l("Target JP"), "int", sortable=False),
            Column("status", _l("Status"), labels=JP_STATUS),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        year = f.year or local_today().year
        goal = target_expr(Employee.kind)  # each employee by their kind's rule (PPPK: 24 JP)
        totals = self.ledger(year)
        cur = aliased(Unit)
        opd = _unit_opd()
        jp = func.coalesce(totals.c.jp_total, 0)
        stmt = (
            select(
                Employee.nip.label("nip"),
                Employee.full_name.label("nama"),
                cur.name.label("unit"),
                opd.c.opd_name.label("opd"),
                Employee.golongan_code.label("golongan"),
                JabatanType.name.label("jabatan"),
                jp.label("jp"),
                func.coalesce(totals.c.jp_teknis, 0).label("jp_teknis"),
                func.coalesce(totals.c.jp_manajerial, 0).label("jp_manajerial"),
                func.coalesce(totals.c.jp_sosial_kultural, 0).label("jp_sosial"),
                goal.label("target"),
                case((jp >= goal, "memenuhi"), else_="belum").label("status"),
                Employee.id.label("id"),
                opd.c.opd_id.label("opd_id"),
            )
            .join(cur, cur.id == Employee.unit_id)
            .join(opd, opd.c.unit_id == cur.id)
            .outerjoin(JabatanType, JabatanType.code == Employee.jabatan_type_code)
            .outerjoin(totals, totals.c.employee_id == Employee.id)
            .where(Employee.is_active.is_(True), scope.employee_clause(Employee, cur))
        )
        stmt = filter_people(stmt, f, Employee, cur)
        if f.status == "memenuhi":
            stmt = stmt.where(jp >= goal)
        elif f.status == "belum":
            stmt = stmt.where(jp < goal)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        sub = self.lean(scope, f)
        n, ok, jp = db.session.execute(
            select(
                func.count(),
                count_if(sub.c.status, "memenuhi"),
                func.coalesce(func.sum(sub.c.jp), 0),
            ).select_from(sub)
        ).one()
        share = quantized(Decimal(ok) * 100 / n) if n else Decimal("0.00")
        return [
            (_("Pegawai"), n),
            (_("Memenuhi target"), ok),
            (_("Belum memenuhi"), n - ok),
            (_("Persentase memenuhi (%)"), share),
            (_("Jumlah JP"), quantized(jp)),
        ]

    def per_opd(self, scope: Scope, f: Filters) -> list[tuple]:
        sub = self.lean(scope, f)
        return db.session.execute(
            select(
                sub.c.opd,
                func.count(),
                count_if(sub.c.status, "memenuhi"),
                func.avg(sub.c.jp),
            )
            .select_from(sub)
            .group_by(sub.c.opd_id, sub.c.opd)
            .order_by(sub.c.opd)
        ).all()

    def page(self, scope: Scope, f: Filters) -> Page:
        """As ``SqlReport.page``, with the per-OPD rows read once for the table and both charts
        and the count taken from the totals (the same count over the same rows)."""
        rows = list(self.iter_rows(scope, f, limit=PAGE_SIZE, offset=(f.page - 1) * PAGE_SIZE))
        totals = self.totals(scope, f)
        per_opd = self.per_opd(scope, f)
        return Page(
            rows,
            int(totals[0][1]),
            f.page,
            totals,
            self._charts(per_opd),
            self._summary(per_opd),
        )

    def summary(self, scope: Scope, f: Filters) -> tuple[list[str], list[list]]:
        return self._summary(self.per_opd(scope, f))

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        return self._charts(self.per_opd(scope, f))

    def _summary(self, per_opd: list[tuple]) -> tuple[list[str], list[list]]:
        headers = [
            _("Perangkat daerah"),
            _("Pegawai"),
            _("Memenuhi"),
            _("Belum memenuhi"),
            _("Persentase memenuhi (%)"),
            _("Rata-rata JP"),
        ]
        rows = [
            [name, n, ok, n - ok, quantized(Decimal(ok) * 100 / n) if n else None, quantized(avg)]
            for name, n, ok, avg in per_opd
        ]
        return headers, rows

    def _charts(self, rows: list[tuple]) -> list[charts.Chart]:
        if not rows:
            return []
        goal = target()
        return [
            charts.bar_chart(
                _("Rata-rata JP per perangkat daerah"),
                [name for name, *_rest in rows],
                [float(quantized(avg) or 0) for *_rest, avg in rows],
                value_header=_("Rata-rata JP"),
                label_header=_("Perangkat daerah"),
                horizontal=True,
                target=goal,
            ),
            charts.bar_chart(
                _("Persentase pegawai memenuhi %(t)s JP", t=goal),
                [name for name, *_rest in rows],
                [round(ok * 100 / n, 1) if n else 0 for _name, n, ok, _avg in rows],
                value_header=_("Persentase memenuhi (%)"),
                label_header=_("Perangkat daerah"),
                horizontal=True,
                max_value=100,
            ),
        ]


REPORT = JpComplianceReport(
    "jp-compliance",
    _l("Kepatuhan JP"),
    _l("Setiap pegawai aktif dengan JP tahun ini terhadap target, dan ringkasan per OPD."),
    ("tahun", *PEOPLE, "status"),
    statuses=JP_STATUS,
    default_sort="nama",
    cli=True,
)
