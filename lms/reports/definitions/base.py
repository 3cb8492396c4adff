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
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, Subquery, func, select

from lms import charts
from lms.extensions import db
from lms.indonesian import local_date, local_time, local_zone
from lms.reports.definitions import kept
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
    total: int | None  # None (with ``totals``): the figures are not computed yet (``pending``)
    page: int
    totals: list[tuple[str, object]] | None
    charts: list[charts.Chart]
    summary: tuple[list[str], list[list]] | None = None
    # Figures computed before the latest data (kept ones, served while computed again): when.
    as_of: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.totals is None

    @property
    def as_of_local(self) -> datetime | None:
        return None if self.as_of is None else local_time(self.as_of)

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total or 0) // PAGE_SIZE))


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
    # The page may answer with its rows before its figures (``page(defer=True)``): they
    # aggregate every row in scope (seconds at a million rows), the rows come from an index.
    deferred_overview: bool = False

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

    def overview(self, scope: Scope, f: Filters) -> tuple[list, int, list[charts.Chart]]:
        """Totals, row count and charts of a page. A large report computes them together, in
        fewer passes over its rows than ``totals``, ``count`` and ``charts`` one by one."""
        return self.totals(scope, f), self.count(scope, f), self.charts(scope, f)

    def stamp(self) -> tuple | None:
        """A cheap fingerprint of the report's rows (e.g. the highest id and the latest change,
        read from indexes); ``None``: the overview is computed for every page."""
        return None

    def page(self, scope: Scope, f: Filters, defer: bool = False) -> Page:
        """One page of rows with its exact figures; ``defer`` (a report with
        ``deferred_overview``): the figures only when kept (stale ones too, ``Page.as_of``),
        else a ``pending`` page (the browser asks for them separately, ``figures``)."""
        rows = list(self.iter_rows(scope, f, limit=PAGE_SIZE, offset=(f.page - 1) * PAGE_SIZE))
        defer = defer and self.deferred_overview
        found = kept.kept_overview(self, scope, f, compute_missing=not defer, exact=not defer)
        totals, total, charts_ = found[0] if found is not None else (None, None, [])
        as_of = found[1] if found is not None else None
        return Page(rows, total, f.page, totals, charts_, self.summary(scope, f), as_of)

    def figures(self, scope: Scope, f: Filters, exact: bool = False) -> Page:
        """The figures of a page without its rows: kept ones, possibly stale (``Page.as_of``)
        while they are computed again, unless ``exact``; else computed now (``kept``)."""
        (totals, total, charts_), as_of = kept.kept_overview(self, scope, f, exact=exact)
        return Page([], total, f.page, totals, charts_, as_of=as_of)


def cached_overview(report: Report, scope: Scope, f: Filters, compute: bool = True) -> tuple | None:
    """A page's totals, count and charts, exact: from the cache while the report's ``stamp``
    is unchanged, else computed now (``kept``); not ``compute``: ``None`` unless kept."""
    found = kept.kept_overview(report, scope, f, compute_missing=compute, exact=True)
    return None if found is None else found[0]


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

    # Pages fetched in two steps (``page_keys``): for a report whose ``tiebreak`` column is
    # unique per row and whose lean statement has the columns it is mostly sorted by.
    keyed_pages = False

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        raise NotImplementedError

    def tiebreak(self) -> str:
        return "id"

    def ordered(self, scope: Scope, f: Filters) -> Select:
        stmt = self.select(scope, f)
        return stmt.order_by(*self._order(stmt, f))

    def _order(self, stmt: Select, f: Filters) -> list:
        cols = stmt.selected_columns
        sort = f.sort or self.default_sort
        desc = sort.startswith("-")
        key = sort.lstrip("-")
        order = []
        if key in self.sort_keys():
            order.append(cols[key].desc() if desc else cols[key].asc())
        order.append(cols[self.tiebreak()].desc() if desc else cols[self.tiebreak()].asc())
        return order

    def page_keys(self, scope: Scope, f: Filters, limit: int, offset: int) -> Select:
        """The ids of one page, in order: sorted and cut on the lean statement (no display
        columns, no joins only they need) when it has the sort column, so the database walks an
        index and stops after the page instead of building every row to sort them."""
        sort = (f.sort or self.default_sort).lstrip("-")
        stmt = self.select(scope, f, lean=True)
        if sort in self.sort_keys() and sort not in stmt.selected_columns:
            stmt = self.select(scope, f)
        order = self._order(stmt, f)
        tiebreak = stmt.selected_columns[self.tiebreak()]
        return stmt.with_only_columns(tiebreak).order_by(*order).limit(limit).offset(offset)

    def page_rows(self, scope: Scope, f: Filters, ids: list) -> Select:
        """The display rows of a page's ids, unordered: ``iter_rows`` puts them in the ids'
        order (an ORDER BY here tempts SQLite to walk the sort index past every row in scope
        instead of fetching 50 rows by primary key). The ids were chosen inside the scope and
        the filters: repeating them here only gives a planner without statistics a reason to
        prefer an index on a filtered column to the 50 primary keys."""
        stmt = self.select(Scope.all(), Filters())
        return stmt.where(stmt.selected_columns[self.tiebreak()].in_(ids))

    def iter_rows(
        self, scope: Scope, f: Filters, limit: int | None = None, offset: int = 0
    ) -> Iterator[list]:
        stmt = self.ordered(scope, f)
        ids = None
        if limit is not None and not self.keyed_pages:
            stmt = stmt.limit(limit).offset(offset)
        elif limit is not None:
            # A page: its ids first (an index walk), then their display columns (50 rows).
            ids = list(db.session.scalars(self.page_keys(scope, f, limit, offset)))
            if not ids:
                return
            stmt = self.page_rows(scope, f, ids)
        columns = self.columns()
        keys = list(stmt.selected_columns.keys())
        plan = [(keys.index(c.key), converter(c)) for c in columns]
        result = db.session.execute(stmt.execution_options(yield_per=2000))
        if ids is not None:
            tiebreak = keys.index(self.tiebreak())
            by_id = {row[tiebreak]: row for row in result}
            result = [by_id[i] for i in ids if i in by_id]
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
