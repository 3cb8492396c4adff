"""One query builder per report: rows, totals and charts, always inside the reader's scope.

A SQL report builds one ``Select`` whose labelled columns are the report's columns (plus hidden
ones it needs for totals); totals, counts and charts are aggregates over that same statement as a
subquery, so the page, its totals and every export agree by construction and the scope cannot be
skipped. Sorting goes through a per-report whitelist of column keys. Rows are streamed
(``yield_per``) for exports, so a million-row CSV needs no more memory than a page.

Reports whose rows are aggregates over JSON (evaluations) or over several independent counts
(trainers) build their rows in Python from a few grouped queries; they are small by nature (one
row per course or trainer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select,
    Subquery,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from lms import charts
from lms.careers.ledger.queries import jp_totals, target
from lms.certificates.models import Certificate
from lms.completion.models import Completion
from lms.courses.models import Course, CourseTrainer, CourseVersion
from lms.enrolments.models import Cohort, CohortMember, Enrolment, Programme
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.services import MIN_RESPONSES
from lms.extensions import db
from lms.indonesian import MONTHS_SHORT, local_date, local_today, local_zone
from lms.org.models import Employee, JabatanType, Unit
from lms.quizzes.models import Quiz, QuizAttempt
from lms.reports.filters import PAGE_SIZE, Filters, Scope

KIND_LABELS = {
    "teknis": _l("Teknis"),
    "manajerial": _l("Manajerial"),
    "sosial_kultural": _l("Sosial kultural"),
}
ENROLMENT_STATUS = {
    "nominated": _l("Diusulkan"),
    "waitlisted": _l("Daftar tunggu"),
    "active": _l("Aktif"),
    "completed": _l("Selesai"),
    "withdrawn": _l("Mengundurkan diri"),
    "rejected": _l("Ditolak"),
}
COMPLETION_STATUS = {"valid": _l("Sah"), "revoked": _l("Dicabut")}
CERTIFICATE_STATUS = {"issued": _l("Terbit"), "revoked": _l("Dicabut"), "replaced": _l("Diganti")}
JP_STATUS = {"memenuhi": _l("Memenuhi"), "belum": _l("Belum memenuhi")}
COHORT_RESULT = {"lulus": _l("Lulus"), "tidak_lulus": _l("Tidak lulus"), "proses": _l("Proses")}
QUIZ_KINDS = {
    "pre_test": _l("Pre-test"),
    "post_test": _l("Post-test"),
    "practice": _l("Latihan"),
    "exam": _l("Ujian"),
}
SCORE_BINS = [(lo, lo + 10) for lo in range(0, 100, 10)]


@dataclass
class Column:
    key: str
    header: object  # a lazy string
    kind: str = "text"  # text | int | number | date
    labels: dict | None = None  # code → label (statuses)
    sortable: bool = True


@dataclass
class Page:
    rows: list[list]
    total: int
    page: int
    totals: list[tuple[str, object]]
    charts: list[charts.Chart]
    summary: tuple[list[str], list[list]] | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


@dataclass
class Report:
    key: str
    title: object
    description: object
    filters: tuple[str, ...]
    statuses: dict = field(default_factory=dict)
    default_sort: str = ""
    default_status: str = ""
    cli: bool = False

    # --- to be provided ----------------------------------------------------------------------
    def columns(self) -> list[Column]:
        raise NotImplementedError

    def iter_rows(
        self, scope: Scope, f: Filters, limit: int | None = None, offset: int = 0
    ) -> Iterator[list]:
        raise NotImplementedError

    def count(self, scope: Scope, f: Filters) -> int:
        raise NotImplementedError

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        return []

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        return []

    def summary(self, scope: Scope, f: Filters) -> tuple[list[str], list[list]] | None:
        return None

    # --- shared ------------------------------------------------------------------------------
    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns()]

    def sort_keys(self) -> set[str]:
        return {c.key for c in self.columns() if c.sortable}

    def page(self, scope: Scope, f: Filters) -> Page:
        rows = list(self.iter_rows(scope, f, limit=PAGE_SIZE, offset=(f.page - 1) * PAGE_SIZE))
        return Page(
            rows,
            self.count(scope, f),
            f.page,
            self.totals(scope, f),
            self.charts(scope, f),
            self.summary(scope, f),
        )


def _local_month(moment):  # noqa: ANN001, ANN202
    """``YYYY-MM`` of a stored UTC moment in the agency's zone, computed in SQL: a completion at
    23:01 UTC on 30 November counts in December (06:01 WIB on 1 December)."""
    zone = local_zone()
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no zones: shift by the zone's offset now (Indonesia keeps no summer time).
        offset = int(datetime.now(UTC).astimezone(zone).utcoffset().total_seconds())
        return func.strftime("%Y-%m", moment, f"{offset:+d} seconds")
    return func.to_char(func.timezone(zone.key, moment), "YYYY-MM")


def _converter(col: Column):  # noqa: ANN202
    """A per-column function from a database value to a cell value, built once per export (the
    translations and the time zone are looked up here, not for each of a million rows)."""
    if col.labels is not None:
        labels = {code: str(label) for code, label in col.labels.items()}
        return lambda v: None if v is None else labels.get(v, v)
    if col.kind == "date":
        zone = local_zone()

        def to_date(v):  # noqa: ANN001, ANN202
            if v is None or isinstance(v, date):
                return local_date(v, zone)
            return date.fromisoformat(str(v)[:10])  # a date computed in SQL on SQLite

        return to_date
    if col.kind == "int":
        return lambda v: None if v is None else int(v)
    if col.kind == "number":
        cent = Decimal("0.01")
        return lambda v: (
            None if v is None else (v if isinstance(v, Decimal) else Decimal(str(v))).quantize(cent)
        )
    return None


# --- filter helpers -------------------------------------------------------------------------


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _period(stmt: Select, f: Filters, moment, year_col=None) -> Select:  # noqa: ANN001
    if f.year is not None:
        if year_col is not None:
            stmt = stmt.where(year_col == f.year)
        else:
            stmt = stmt.where(
                moment >= _start(date(f.year, 1, 1)), moment < _start(date(f.year + 1, 1, 1))
            )
    if f.date_from is not None:
        stmt = stmt.where(moment >= _start(f.date_from))
    if f.date_to is not None:
        stmt = stmt.where(moment < _start(f.date_to + timedelta(days=1)))
    return stmt


def _people(stmt: Select, f: Filters, employee, unit, extra_unit=None) -> Select:  # noqa: ANN001
    if f.unit_path:
        clause = unit.path.startswith(f.unit_path)
        if extra_unit is not None:
            clause = or_(clause, extra_unit.path.startswith(f.unit_path))
        stmt = stmt.where(clause)
    if f.jabatan:
        stmt = stmt.where(employee.jabatan_type_code == f.jabatan)
    if f.golongan:
        stmt = stmt.where(employee.golongan_code == f.golongan)
    return stmt


def _score_bins(col) -> object:  # noqa: ANN001
    """The 0–10, 10–20, … bin index of a score (100 falls in the last bin), portable SQL."""
    whens = [(col < hi, i) for i, (_lo, hi) in enumerate(SCORE_BINS[:-1])]
    return case(*whens, else_=len(SCORE_BINS) - 1)


def _histogram(title: str, sub, col_name: str) -> charts.Chart:  # noqa: ANN001
    col = sub.c[col_name]
    bin_ = _score_bins(col).label("bin")
    counts = dict(
        db.session.execute(
            select(bin_, func.count()).select_from(sub).where(col.is_not(None)).group_by(bin_)
        ).all()
    )
    labels = [f"{lo}–{hi}" for lo, hi in SCORE_BINS]
    values = [int(counts.get(i, 0)) for i in range(len(SCORE_BINS))]
    return charts.bar_chart(
        title, labels, values, value_header=_("Jumlah"), label_header=_("Rentang nilai"), height=300
    )


def _mean(value) -> object:  # noqa: ANN001
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _count_if(col, value: str) -> object:  # noqa: ANN001
    """How many rows have ``col == value`` (0, not NULL, when none)."""
    return func.coalesce(func.sum(case((col == value, 1), else_=0)), 0)


def _rows_people_mean(sub: Subquery, col_name: str) -> tuple[int, int, object]:
    """Rows, distinct employees and the mean of one column (two decimals) of a subquery."""
    n, people, mean = db.session.execute(
        select(
            func.count(), func.count(distinct(sub.c.employee_id)), func.avg(sub.c[col_name])
        ).select_from(sub)
    ).one()
    return n, people, _mean(mean)


def _status_counts(sub: Subquery) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(sub.c.status, func.count()).select_from(sub).group_by(sub.c.status)
        ).all()
    )


def _person_columns(*, unit: bool = True, opd: bool = False) -> list[Column]:
    """NIP, name, and the work unit and/or perangkat daerah: the first columns of a person row."""
    return [
        Column("nip", _l("NIP")),
        Column("nama", _l("Nama")),
        *([Column("unit", _l("Unit kerja"))] if unit else []),
        *([Column("opd", _l("Perangkat daerah"))] if opd else []),
    ]


# --- SQL reports ----------------------------------------------------------------------------


class SqlReport(Report):
    """A report whose rows are one SELECT with labelled columns."""

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        raise NotImplementedError

    def tiebreak(self) -> str:
        return "id"

    def ordered(self, scope: Scope, f: Filters) -> Select:
        stmt = self.select(scope, f)
        cols = stmt.selected_columns
        sort = f.sort or self.default_sort
        desc = sort.startswith("-")
        key = sort.lstrip("-")
        order = []
        if key in self.sort_keys():
            order.append(cols[key].desc() if desc else cols[key].asc())
        order.append(cols[self.tiebreak()].desc() if desc else cols[self.tiebreak()].asc())
        return stmt.order_by(*order)

    def iter_rows(
        self, scope: Scope, f: Filters, limit: int | None = None, offset: int = 0
    ) -> Iterator[list]:
        stmt = self.ordered(scope, f)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        columns = self.columns()
        keys = list(stmt.selected_columns.keys())
        plan = [(keys.index(c.key), _converter(c)) for c in columns]
        result = db.session.execute(stmt.execution_options(yield_per=2000))
        for row in result:
            yield [row[i] if convert is None else convert(row[i]) for i, convert in plan]

    def lean(self, scope: Scope, f: Filters) -> Subquery:
        """The filtered rows without display-only columns, as a subquery for counts and totals."""
        return self.select(scope, f, lean=True).subquery()

    def count(self, scope: Scope, f: Filters) -> int:
        return db.session.scalar(select(func.count()).select_from(self.lean(scope, f))) or 0


class CompletionsReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            *_person_columns(opd=True),
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("jp", _l("JP"), "number"),
            Column("nilai", _l("Nilai"), "number"),
            Column("tanggal", _l("Tanggal selesai"), "date"),
            Column("sertifikat", _l("Nomor sertifikat")),
            Column("status", _l("Status"), labels=COMPLETION_STATUS),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        cur = aliased(Unit)
        opd = aliased(Unit)
        ident = Completion.identity
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
                Completion.jp.label("jp"),
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
            .where(scope.employee_clause(Employee, cur, opd))
        )
        status = f.status if f.status in COMPLETION_STATUS else self.default_status
        stmt = stmt.where(Completion.status == status)
        stmt = _period(stmt, f, Completion.completed_at, Completion.year)
        stmt = _people(stmt, f, Employee, cur, opd)
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
            (_("Jumlah JP"), _mean(jp)),
            (_("Rata-rata nilai"), _mean(score)),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sub = self.lean(scope, f)
        month = _local_month(sub.c.tanggal).label("month")
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


class EnrolmentsReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            *_person_columns(),
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("status", _l("Status"), labels=ENROLMENT_STATUS),
            Column("progres", _l("Progres (%)"), "int"),
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
            .where(scope.employee_clause(Employee, cur))
        )
        if f.status in ENROLMENT_STATUS:
            stmt = stmt.where(Enrolment.status == f.status)
        stmt = _period(stmt, f, Enrolment.requested_at)
        stmt = _people(stmt, f, Employee, cur)
        if f.course:
            stmt = stmt.where(Course.code == f.course)
        if f.kind:
            stmt = stmt.where(CourseVersion.competency_kind == f.kind)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        n, people, progress = _rows_people_mean(self.lean(scope, f), "progres")
        return [
            (_("Pendaftaran"), n),
            (_("Pegawai"), people),
            (_("Rata-rata progres (%)"), progress),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        counts = _status_counts(self.lean(scope, f))
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


class JpComplianceReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            *_person_columns(opd=True),
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
        goal = target()
        totals = jp_totals(year)
        cur = aliased(Unit)
        opd = aliased(Unit)
        jp = func.coalesce(totals.c.jp_total, 0)
        stmt = (
            select(
                Employee.nip.label("nip"),
                Employee.full_name.label("nama"),
                cur.name.label("unit"),
                opd.name.label("opd"),
                Employee.golongan_code.label("golongan"),
                JabatanType.name.label("jabatan"),
                jp.label("jp"),
                func.coalesce(totals.c.jp_teknis, 0).label("jp_teknis"),
                func.coalesce(totals.c.jp_manajerial, 0).label("jp_manajerial"),
                func.coalesce(totals.c.jp_sosial_kultural, 0).label("jp_sosial"),
                literal(goal).label("target"),
                case((jp >= goal, "memenuhi"), else_="belum").label("status"),
                Employee.id.label("id"),
                opd.id.label("opd_id"),
            )
            .join(cur, cur.id == Employee.unit_id)
            .join(opd, and_(opd.parent_id.is_(None), cur.path.startswith(opd.path)))
            .outerjoin(JabatanType, JabatanType.code == Employee.jabatan_type_code)
            .outerjoin(totals, totals.c.employee_id == Employee.id)
            .where(Employee.is_active.is_(True), scope.employee_clause(Employee, cur))
        )
        stmt = _people(stmt, f, Employee, cur)
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
                _count_if(sub.c.status, "memenuhi"),
                func.coalesce(func.sum(sub.c.jp), 0),
            ).select_from(sub)
        ).one()
        share = _mean(Decimal(ok) * 100 / n) if n else Decimal("0.00")
        return [
            (_("Pegawai"), n),
            (_("Memenuhi target"), ok),
            (_("Belum memenuhi"), n - ok),
            (_("Persentase memenuhi (%)"), share),
            (_("Jumlah JP"), _mean(jp)),
        ]

    def per_opd(self, scope: Scope, f: Filters) -> list[tuple]:
        sub = self.lean(scope, f)
        return db.session.execute(
            select(
                sub.c.opd,
                func.count(),
                _count_if(sub.c.status, "memenuhi"),
                func.avg(sub.c.jp),
            )
            .select_from(sub)
            .group_by(sub.c.opd_id, sub.c.opd)
            .order_by(sub.c.opd)
        ).all()

    def summary(self, scope: Scope, f: Filters) -> tuple[list[str], list[list]]:
        headers = [
            _("Perangkat daerah"),
            _("Pegawai"),
            _("Memenuhi"),
            _("Belum memenuhi"),
            _("Persentase memenuhi (%)"),
            _("Rata-rata JP"),
        ]
        rows = [
            [name, n, ok, n - ok, _mean(Decimal(ok) * 100 / n) if n else None, _mean(avg)]
            for name, n, ok, avg in self.per_opd(scope, f)
        ]
        return headers, rows

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        rows = self.per_opd(scope, f)
        if not rows:
            return []
        goal = target()
        return [
            charts.bar_chart(
                _("Rata-rata JP per perangkat daerah"),
                [name for name, *_rest in rows],
                [float(_mean(avg) or 0) for *_rest, avg in rows],
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


class CohortReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            Column("angkatan", _l("Angkatan")),
            Column("program", _l("Program")),
            *_person_columns(),
            Column("nilai", _l("Nilai"), "number"),
            Column("hasil", _l("Hasil"), labels=COHORT_RESULT),
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
            (done.id.is_not(None), "lulus"),
            (CohortMember.status.in_(("withdrawn", "rejected")), "tidak_lulus"),
            (Cohort.ends_on < local_today(), "tidak_lulus"),
            else_="proses",
        )
        stmt = (
            select(
                Cohort.name.label("angkatan"),
                Programme.title.label("program"),
                Employee.nip.label("nip"),
                Employee.full_name.label("nama"),
                cur.name.label("unit"),
                done.score.label("nilai"),
                result.label("hasil"),
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
        stmt = _people(stmt, f, Employee, cur)
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
                _count_if(sub.c.hasil, "lulus"),
                _count_if(sub.c.hasil, "tidak_lulus"),
                func.avg(sub.c.nilai),
            ).select_from(sub)
        ).one()
        return [
            (_("Peserta"), n),
            (_("Lulus"), passed),
            (_("Tidak lulus"), failed),
            (_("Rata-rata nilai"), _mean(score)),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        return [_histogram(_("Sebaran nilai peserta"), self.lean(scope, f), "nilai")]


class QuizReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            Column("kode", _l("Kode pelatihan")),
            Column("kuis", _l("Kuis")),
            Column("jenis", _l("Jenis"), labels=QUIZ_KINDS),
            Column("peserta", _l("Peserta"), "int"),
            Column("percobaan", _l("Percobaan"), "int"),
            Column("rata", _l("Rata-rata nilai"), "number"),
            Column("tertinggi", _l("Nilai tertinggi"), "number"),
            Column("terendah", _l("Nilai terendah"), "number"),
            Column("lulus", _l("Peserta lulus"), "int"),
        ]

    def _attempts(self, scope: Scope, f: Filters) -> Select:
        cur = aliased(Unit)
        stmt = (
            select(
                QuizAttempt.id.label("attempt_id"),
                QuizAttempt.quiz_id.label("quiz_id"),
                QuizAttempt.employee_id.label("employee_id"),
                QuizAttempt.score.label("score"),
                case((QuizAttempt.score >= Quiz.pass_mark, QuizAttempt.employee_id)).label(
                    "passer"
                ),
            )
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .join(Course, Course.id == Quiz.course_id)
            .join(Employee, Employee.id == QuizAttempt.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .where(QuizAttempt.status == "graded", scope.employee_clause(Employee, cur))
        )
        stmt = _period(stmt, f, QuizAttempt.submitted_at)
        stmt = _people(stmt, f, Employee, cur)
        if f.course:
            stmt = stmt.where(Course.code == f.course)
        return stmt

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        att = self._attempts(scope, f).subquery()
        stmt = (
            select(
                Course.code.label("kode"),
                Quiz.title.label("kuis"),
                Quiz.kind.label("jenis"),
                func.count(distinct(att.c.employee_id)).label("peserta"),
                func.count(att.c.attempt_id).label("percobaan"),
                func.avg(att.c.score).label("rata"),
                func.max(att.c.score).label("tertinggi"),
                func.min(att.c.score).label("terendah"),
                func.count(distinct(att.c.passer)).label("lulus"),
                Quiz.id.label("id"),
            )
            .select_from(att)
            .join(Quiz, Quiz.id == att.c.quiz_id)
            .join(Course, Course.id == Quiz.course_id)
            .group_by(Quiz.id, Course.code, Quiz.title, Quiz.kind)
        )
        if f.status in QUIZ_KINDS:
            stmt = stmt.where(Quiz.kind == f.status)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        n, people, score = _rows_people_mean(self._kind_attempts(scope, f), "score")
        return [
            (_("Percobaan"), n),
            (_("Peserta"), people),
            (_("Rata-rata nilai"), score),
        ]

    def _kind_attempts(self, scope: Scope, f: Filters) -> Subquery:
        """The graded attempts in scope, of the chosen quiz kind (the status filter) if any."""
        att = self._attempts(scope, f)
        if f.status in QUIZ_KINDS:
            att = att.where(Quiz.kind == f.status)
        return att.subquery()

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sub = self._kind_attempts(scope, f)
        return [_histogram(_("Sebaran nilai percobaan kuis"), sub, "score")]


class CertificatesReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            Column("nomor", _l("Nomor sertifikat")),
            Column("terbit", _l("Tanggal terbit"), "date"),
            *_person_columns(unit=False, opd=True),
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
        stmt = _period(stmt, f, Certificate.issued_at, Certificate.year)
        stmt = _people(stmt, f, Employee, cur, opd)
        if f.course:
            stmt = stmt.where(Completion.code == f.course)
        if f.kind:
            stmt = stmt.where(Completion.competency_kind == f.kind)
        return stmt

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        counts = _status_counts(self.lean(scope, f))
        return [(_("Sertifikat"), sum(counts.values()))] + [
            (str(label), counts.get(code, 0)) for code, label in CERTIFICATE_STATUS.items()
        ]


# --- Python-assembled reports ---------------------------------------------------------------


class ListReport(Report):
    """Rows assembled in Python (one per course or trainer: small by nature)."""

    def build(self, scope: Scope, f: Filters) -> list[list]:
        raise NotImplementedError

    def _sorted(self, scope: Scope, f: Filters) -> list[list]:
        rows = self.build(scope, f)
        sort = f.sort or self.default_sort
        key = sort.lstrip("-")
        keys = [c.key for c in self.columns()]
        if key in self.sort_keys():
            i = keys.index(key)
            present = [r for r in rows if r[i] is not None]
            missing = [r for r in rows if r[i] is None]
            present.sort(key=lambda r: r[i], reverse=sort.startswith("-"))
            rows = present + missing
        return rows

    def iter_rows(
        self, scope: Scope, f: Filters, limit: int | None = None, offset: int = 0
    ) -> Iterator[list]:
        rows = self._sorted(scope, f)
        end = None if limit is None else offset + limit
        yield from rows[offset:end]

    def count(self, scope: Scope, f: Filters) -> int:
        return len(self.build(scope, f))


def _evaluations(scope: Scope, f: Filters, course_ids: list[int] | None = None) -> Select:
    cur = aliased(Unit)
    stmt = (
        select(CourseEvaluation.course_id, CourseEvaluation.ratings)
        .join(Employee, Employee.id == CourseEvaluation.employee_id)
        .join(cur, cur.id == Employee.unit_id)
        .where(scope.employee_clause(Employee, cur))
    )
    stmt = _period(stmt, f, CourseEvaluation.submitted_at)
    stmt = _people(stmt, f, Employee, cur)
    if course_ids is not None:
        stmt = stmt.where(CourseEvaluation.course_id.in_(course_ids))
    return stmt


def _per_course(
    scope: Scope,
    f: Filters,
    model: type,
    course_ids: list[int],
    condition,  # noqa: ANN001
    moment,  # noqa: ANN001
    year_col=None,  # noqa: ANN001
) -> dict[int, int]:
    """Rows of ``model`` (enrolments, completions) per course, for learners in scope and filters."""
    cur = aliased(Unit)
    stmt = (
        select(model.course_id, func.count(model.id))
        .join(Employee, Employee.id == model.employee_id)
        .join(cur, cur.id == Employee.unit_id)
        .where(
            model.course_id.in_(course_ids),
            condition,
            scope.employee_clause(Employee, cur),
        )
    )
    stmt = _people(_period(stmt, f, moment, year_col), f, Employee, cur)
    return dict(db.session.execute(stmt.group_by(model.course_id)).all())


def _section_map() -> tuple[list[tuple[str, str]], dict[str, str]]:
    try:
        from lms.evaluations.questions import SECTION_OF, SECTIONS
    except ImportError:  # the questionnaire module is optional: overall mean only
        return [], {}
    return [(s.key, str(s.title)) for s in SECTIONS], dict(SECTION_OF)


def _too_few(responses: dict[int, int]) -> set[int]:
    """Courses with fewer responses (in the reader's scope and filters) than the evaluation
    page needs before it shows figures: their ratings stay out of every mean, total and chart of
    a report, for every reader, because report files travel (downloads, scheduled e-mails) where
    one respondent's answers would be read off a "mean" of one or two."""
    return {course_id for course_id, n in responses.items() if n < MIN_RESPONSES}


def _valid_ratings(ratings: dict | None) -> list[tuple[str, int]]:
    out = []
    for key, value in (ratings or {}).items():
        if isinstance(value, int | float) and 1 <= value <= 5:
            out.append((key, value))
    return out


class EvaluationsReport(ListReport):
    def columns(self) -> list[Column]:
        sections, _map = _section_map()
        return [
            Column("kode", _l("Kode pelatihan")),
            Column("judul", _l("Judul pelatihan")),
            Column("responden", _l("Responden"), "int"),
            *[Column(f"s_{key}", title, "number") for key, title in sections],
            Column("rata", _l("Rata-rata keseluruhan"), "number"),
        ]

    def _aggregate(self, scope: Scope, f: Filters) -> tuple[dict, dict]:
        sections, section_of = _section_map()
        per_course: dict[int, dict] = defaultdict(lambda: defaultdict(list))
        responses: dict[int, int] = defaultdict(int)
        stmt = _evaluations(scope, f)
        if f.course:
            stmt = stmt.join(Course, Course.id == CourseEvaluation.course_id).where(
                Course.code == f.course
            )
        for course_id, ratings in db.session.execute(stmt.execution_options(yield_per=2000)):
            responses[course_id] += 1
            for key, value in _valid_ratings(ratings):
                per_course[course_id][section_of.get(key, "_other")].append(value)
                per_course[course_id]["_all"].append(value)
        for course_id in _too_few(responses):
            per_course.pop(course_id, None)
        return per_course, responses

    def build(self, scope: Scope, f: Filters) -> list[list]:
        sections, _map = _section_map()
        per_course, responses = self._aggregate(scope, f)
        if not responses:
            return []
        info = {
            cid: (code, title)
            for cid, code, title in db.session.execute(
                select(Course.id, Course.code, CourseVersion.title)
                .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
                .where(Course.id.in_(list(responses)))
            )
        }

        def mean(values: list) -> Decimal | None:
            return _mean(sum(values) / len(values)) if values else None

        rows = []
        for cid, n in responses.items():
            code, title = info.get(cid, ("", ""))
            values = per_course[cid]
            rows.append(
                [
                    code,
                    title,
                    n,
                    *[mean(values.get(key, [])) for key, _t in sections],
                    mean(values.get("_all", [])),
                ]
            )
        rows.sort(key=lambda r: r[0])
        return rows

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        per_course, responses = self._aggregate(scope, f)
        everything = [v for values in per_course.values() for v in values.get("_all", [])]
        return [
            (_("Pelatihan"), len(responses)),
            (_("Responden"), sum(responses.values())),
            (
                _("Rata-rata keseluruhan"),
                _mean(sum(everything) / len(everything)) if everything else None,
            ),
        ]

    def charts(self, scope: Scope, f: Filters) -> list[charts.Chart]:
        sections, _map = _section_map()
        per_course, responses = self._aggregate(scope, f)
        if not responses:
            return []
        pooled: dict[str, list] = defaultdict(list)
        for values in per_course.values():
            for key, items in values.items():
                pooled[key].extend(items)
        labels = [title for _k, title in sections] or [_("Keseluruhan")]
        keys = [key for key, _t in sections] or ["_all"]
        means = [round(sum(pooled[k]) / len(pooled[k]), 2) if pooled.get(k) else None for k in keys]
        return [
            charts.bar_chart(
                _("Rata-rata evaluasi per bagian (skala 1–5)"),
                labels,
                means,
                value_header=_("Rata-rata"),
                label_header=_("Bagian"),
                max_value=5,
            )
        ]


class TrainersReport(ListReport):
    def columns(self) -> list[Column]:
        return [
            Column("nama", _l("Pengajar")),
            Column("pelatihan", _l("Pelatihan diampu"), "int"),
            Column("peserta", _l("Peserta"), "int"),
            Column("selesai", _l("Penyelesaian"), "int"),
            Column("evaluasi", _l("Rata-rata evaluasi"), "number"),
        ]

    def build(self, scope: Scope, f: Filters) -> list[list]:
        from lms.auth.models import User

        trainers = db.session.execute(
            select(CourseTrainer.user_id, CourseTrainer.course_id)
            .join(Course, Course.id == CourseTrainer.course_id)
            .where(Course.code == f.course if f.course else true())
        ).all()
        if not trainers:
            return []
        courses_of: dict[int, set[int]] = defaultdict(set)
        for user_id, course_id in trainers:
            courses_of[user_id].add(course_id)
        all_courses = sorted({c for cs in courses_of.values() for c in cs})

        enrolled = _per_course(
            scope,
            f,
            Enrolment,
            all_courses,
            Enrolment.status.in_(("active", "completed")),
            Enrolment.requested_at,
        )
        completed = _per_course(
            scope,
            f,
            Completion,
            all_courses,
            Completion.status == "valid",
            Completion.completed_at,
            Completion.year,
        )

        ratings: dict[int, list] = defaultdict(list)
        responses: dict[int, int] = defaultdict(int)
        for course_id, rated in db.session.execute(_evaluations(scope, f, all_courses)):
            responses[course_id] += 1
            ratings[course_id].extend(v for _k, v in _valid_ratings(rated))
        for course_id in _too_few(responses):
            ratings.pop(course_id, None)

        names = dict(
            db.session.execute(
                select(User.id, func.coalesce(Employee.full_name, User.display_name, User.username))
                .outerjoin(Employee, Employee.id == User.employee_id)
                .where(User.id.in_(list(courses_of)))
            ).all()
        )
        rows = []
        for user_id, course_ids in courses_of.items():
            values = [v for c in course_ids for v in ratings.get(c, [])]
            rows.append(
                [
                    names.get(user_id) or str(user_id),
                    len(course_ids),
                    sum(int(enrolled.get(c, 0)) for c in course_ids),
                    sum(int(completed.get(c, 0)) for c in course_ids),
                    _mean(sum(values) / len(values)) if values else None,
                ]
            )
        rows.sort(key=lambda r: r[0])
        return rows

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        rows = self.build(scope, f)
        return [
            (_("Pengajar"), len(rows)),
            (_("Peserta"), sum(r[2] for r in rows)),
            (_("Penyelesaian"), sum(r[3] for r in rows)),
        ]


PERIOD = ("tahun", "dari", "sampai")
PEOPLE = ("unit", "jabatan", "golongan")

REPORTS: dict[str, Report] = {
    r.key: r
    for r in (
        CompletionsReport(
            "completions",
            _l("Penyelesaian pelatihan"),
            _l("Siapa menyelesaikan pelatihan apa, dengan JP, nilai dan nomor sertifikat."),
            (*PERIOD, *PEOPLE, "pelatihan", "program", "jenis", "status"),
            statuses=COMPLETION_STATUS,
            default_sort="-tanggal",
            default_status="valid",
            cli=True,
        ),
        EnrolmentsReport(
            "enrolments",
            _l("Pendaftaran dan progres"),
            _l("Pendaftaran pelatihan beserta status dan progres belajar."),
            (*PERIOD, *PEOPLE, "pelatihan", "jenis", "status"),
            statuses=ENROLMENT_STATUS,
            default_sort="-daftar",
        ),
        JpComplianceReport(
            "jp-compliance",
            _l("Kepatuhan JP"),
            _l("Setiap pegawai aktif dengan JP tahun ini terhadap target, dan ringkasan per OPD."),
            ("tahun", *PEOPLE, "status"),
            statuses=JP_STATUS,
            default_sort="nama",
            cli=True,
        ),
        CohortReport(
            "cohort",
            _l("Hasil angkatan"),
            _l("Peserta angkatan, nilai, kelulusan dan nomor sertifikat."),
            (*PERIOD, *PEOPLE, "program", "angkatan", "status"),
            statuses=COHORT_RESULT,
            default_sort="angkatan",
            cli=True,
        ),
        QuizReport(
            "quiz",
            _l("Hasil kuis"),
            _l("Percobaan, nilai dan kelulusan per kuis."),
            (*PERIOD, *PEOPLE, "pelatihan", "status"),
            statuses=QUIZ_KINDS,
            default_sort="kode",
        ),
        EvaluationsReport(
            "evaluations",
            _l("Evaluasi penyelenggaraan"),
            _l(
                "Ringkasan evaluasi peserta per pelatihan (skala 1–5). Rata-rata pelatihan "
                "dengan kurang dari %(n)s responden tidak ditampilkan agar jawaban tetap anonim.",
                n=MIN_RESPONSES,
            ),
            (*PERIOD, *PEOPLE, "pelatihan"),
            default_sort="kode",
        ),
        CertificatesReport(
            "certificates",
            _l("Register sertifikat"),
            _l("Semua sertifikat yang terbit, dicabut atau diganti."),
            (*PERIOD, *PEOPLE, "pelatihan", "jenis", "status"),
            statuses=CERTIFICATE_STATUS,
            default_sort="-terbit",
            cli=True,
        ),
        TrainersReport(
            "trainers",
            _l("Aktivitas pengajar"),
            _l("Pelatihan yang diampu, peserta, penyelesaian dan rata-rata evaluasi."),
            (*PERIOD, *PEOPLE, "pelatihan"),
            default_sort="nama",
        ),
    )
}


def default_year(report: Report) -> int | None:
    """JP compliance always concerns one year (this one unless asked)."""
    return local_today().year if report.key == "jp-compliance" else None
