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

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, Subquery, func, select

from lms import charts
from lms.extensions import db
from lms.indonesian import local_date, local_zone
from lms.reports.filters import PAGE_SIZE, Filters, Scope


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
    # Readable by a partner's staff: the query passes ``Course.partner_id`` to the scope.
    partner_scoped: bool = False

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


def converter(col: Column):
    """A per-column function from a database value to a cell value, built once per export (the
    translations and the time zone are looked up here, not for each of a million rows)."""
    if col.labels is not None:
        labels = {code: str(label) for code, label in col.labels.items()}
        return lambda v: None if v is None else labels.get(v, v)
    if col.kind == "date":
        zone = local_zone()

        def to_date(v):
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
        plan = [(keys.index(c.key), converter(c)) for c in columns]
        result = db.session.execute(stmt.execution_options(yield_per=2000))
        for row in result:
            yield [row[i] if convert is None else convert(row[i]) for i, convert in plan]

    def lean(self, scope: Scope, f: Filters) -> Subquery:
        """The filtered rows without display-only columns, as a subquery for counts and totals."""
        return self.select(scope, f, lean=True).subquery()

    def count(self, scope: Scope, f: Filters) -> int:
        return db.session.scalar(select(func.count()).select_from(self.lean(scope, f))) or 0


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


PERIOD = ("tahun", "dari", "sampai")
PEOPLE = ("unit", "jabatan", "golongan")
