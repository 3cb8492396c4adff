"""The employee list's search: by a part of the name or the start of an NIP, within the units
the user may see, a page of the columns the list shows (issue 19: flat from 15,000 to 150,000
employees, ``tests/test_explain.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, false, func, select, union_all
from sqlalchemy.orm import contains_eager

from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Employee, Unit, display_name
from lms.org.nip import format_nip
from lms.org.queries import PAGE_SIZE, unit_scope


class EmployeeRow(NamedTuple):
    """An employee as the list shows them: the columns of one row, read without the model."""

    id: int
    display_name: str
    nip_display: str
    golongan_code: str | None
    position_name: str
    is_active: bool
    unit_name: str


@dataclass(frozen=True)
class EmployeePage:
    """One page of the employee list. ``total`` is counted only for the plain list (a count
    over a name search would read every employee on every request); a search says whether
    there is a next page (``more``) by reading one row past the page, and knows its total only
    on its last page (None before it)."""

    rows: list[EmployeeRow]
    total: int | None
    more: bool


class _Search(NamedTuple):
    """The shape of a search of the employee list (which conditions its statement has) and the
    values bound to them: statements of one shape are built once (``_page_statements``)."""

    shape: tuple[str, str, bool]  # (scope: none/all/under, text: ""/name/nip/nip_from, by unit)
    params: dict[str, Any]


def nip_prefix_range(digits: str) -> tuple[str, str | None]:
    """The NIPs that start with ``digits`` as a range ``[from, to)`` on the unique index (LIKE
    cannot use it in SQLite): from the digits up to the next number of the same length (None:
    nothing above, for nines only)."""
    head = digits.rstrip("9")
    return digits, (head[:-1] + str(int(head[-1]) + 1) if head else None)


def _search(user: User, q: str, unit_id: int | None) -> _Search:
    """The units ``unit_scope`` gives the user; a NIP (digits) by its prefix
    (``nip_prefix_range``), any other text by a part of the name; ``unit_id`` by that unit's
    subtree."""
    under = unit_scope(user)
    params: dict[str, Any] = {}
    scope = "none" if under is None else "under" if under else "all"
    if under:
        params["under"] = under
    digits = "".join(q.split())
    text = ""
    if digits.isdigit():
        params["nip_from"], upper = nip_prefix_range(digits[:18])
        text = "nip" if upper else "nip_from"
        if upper:
            params["nip_to"] = upper
    elif q:
        text = "name"
        params["name"] = f"%{q.lower()}%"
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is not None:
        params["unit_path"] = unit.path
    return _Search((scope, text, unit is not None), params)


def _narrowed(stmt: Select, shape: tuple[str, str, bool]) -> Select:
    """``stmt`` (employees joined to their unit) with the conditions of ``shape``, as bound
    parameters named as ``_search`` names them."""
    scope, text, by_unit = shape
    if scope == "none":
        stmt = stmt.where(false())
    elif scope == "under":
        stmt = stmt.where(Unit.path.startswith(bindparam("under")))
    if text in ("nip", "nip_from"):
        stmt = stmt.where(Employee.nip >= bindparam("nip_from"))
    if text == "nip":
        stmt = stmt.where(Employee.nip < bindparam("nip_to"))
    elif text == "name":
        stmt = stmt.where(func.lower(Employee.full_name).like(bindparam("name")))
    if by_unit:
        stmt = stmt.where(Unit.path.startswith(bindparam("unit_path")))
    return stmt


#: A search by name reads at most this many employees of its scope in name order first: a common
#: part of a name fills its page from the first few of them (the name index, however many
#: employees there are). One that does not is answered by its matches, sorted: found by the
#: trigram index on PostgreSQL (``ix_employees_full_name_trgm``), however far along the names
#: they lie ("uji 9": 11,111 of 150,000 employees, all near the end of the names: 93 ms walking
#: the names, 21 ms from its matches).
NAME_WALK = 500


@lru_cache(maxsize=32)
def _page_statements(shape: tuple[str, str, bool]) -> tuple[Select, Select]:
    """The list's count and its page of rows (the columns shown, ``:limit`` and ``:offset``),
    built once per shape: building and caching the key of the statement cost more than
    running it on a search that finds its page early."""
    rows = select(
        Employee.id,
        Employee.front_title,
        Employee.full_name,
        Employee.back_title,
        Employee.nip,
        Employee.golongan_code,
        Employee.position_name,
        Employee.is_active,
        Unit.name,
    ).join_from(Employee, Unit, Employee.unit_id == Unit.id)
    stmt = _narrowed(rows, shape)
    count = stmt.with_only_columns(func.count(Employee.id))
    if shape[1] != "name":
        return count, _paged(stmt, Employee.full_name, Employee.id)
    return count, _by_name(rows, shape)


def _by_name(rows: Select, shape: tuple[str, str, bool]) -> Select:
    """The page of a search by name, in one statement: the page among the first ``:walk``
    names of the scope when it is full there (``NAME_WALK``), else the page of all the matches,
    found first and sorted; either by ids and names only (ix_employees_full_name_id holds
    both), the page's rows read last. Either gives the same rows.

    The CTEs are written inside the page's subquery, so the statement starts with SELECT: a
    request whose statements all start so ends with COMMIT on PostgreSQL and keeps them
    prepared (``lms.db.keep_prepared_statements``); one starting with WITH ended with ROLLBACK,
    and every search was planned afresh (0.5-2 ms of PostgreSQL's time on each)."""
    scope, _text, by_unit = shape
    walked = _named(shape, "").order_by(Employee.full_name, Employee.id)
    walked = walked.limit(bindparam("walk")).subquery("walked")
    near = select(walked).where(func.lower(walked.c.full_name).like(bindparam("name")))
    near = _paged(near, walked.c.full_name, walked.c.id).cte("near")
    matches = _named(shape, "name").cte("matches").prefix_with("MATERIALIZED", dialect="postgresql")
    far = _paged(select(matches), matches.c.full_name, matches.c.id).subquery("far")
    full = select(func.count()).select_from(near).scalar_subquery() >= bindparam("limit")
    page = union_all(select(near.c.id).where(full), select(far.c.id).where(~full))
    page = page.add_cte(near, matches, nest_here=True).subquery("page")
    return rows.join(page, page.c.id == Employee.id).order_by(Employee.full_name, Employee.id)


def _named(shape: tuple[str, str, bool], text: str) -> Select:
    """The ids and names of the employees of ``shape`` with its text condition ``text``."""
    scope, _text, by_unit = shape
    stmt = select(Employee.id, Employee.full_name)
    if scope == "under" or by_unit:
        stmt = stmt.join(Unit, Employee.unit_id == Unit.id)
    return _narrowed(stmt, (scope, text, by_unit))


def _paged(stmt: Select, name: Any, eid: Any) -> Select:
    return stmt.order_by(name, eid).limit(bindparam("limit")).offset(bindparam("offset"))


def find_employees(
    user: User, q: str = "", unit_id: int | None = None, page: int = 1
) -> EmployeePage:
    """The employees the user may see, by name or NIP (``_search``). The rows are the columns
    the list shows as tuples, read on the session's connection (no entities, no ORM result
    processing: those cost more than the query on a page of 25)."""
    q = q.strip()
    search = _search(user, q, unit_id)
    count_stmt, page_stmt = _page_statements(search.shape)
    conn = db.session.connection()
    total = None
    if not q:
        total = conn.execute(count_stmt, search.params).scalar() or 0
    offset = (max(page, 1) - 1) * PAGE_SIZE
    params = {**search.params, "limit": PAGE_SIZE + 1, "offset": offset, "walk": NAME_WALK}
    found = conn.execute(page_stmt, params).all()
    more = len(found) > PAGE_SIZE
    if total is None and not more and (found or page <= 1):  # the last page: the count is known
        total = offset + len(found)
    rows = [
        EmployeeRow(
            eid, display_name(front, name, back), format_nip(nip), gol, position, active, unit
        )
        for eid, front, name, back, nip, gol, position, active, unit in found[:PAGE_SIZE]
    ]
    return EmployeePage(rows, total, more)


def search_employees(
    user: User, q: str = "", unit_id: int | None = None, page: int = 1
) -> tuple[list[Employee], int]:
    """``find_employees``'s page as entities (a cohort's page checks each one's eligibility)
    and its count (for a search: the rows on the page)."""
    q = q.strip()
    search = _search(user, q, unit_id)
    stmt = _narrowed(select(Employee).join(Employee.unit), search.shape)
    rows = list(
        db.session.scalars(
            stmt.options(contains_eager(Employee.unit))
            .order_by(Employee.full_name, Employee.id)
            .limit(PAGE_SIZE)
            .offset((max(page, 1) - 1) * PAGE_SIZE),
            search.params,
        )
    )
    if q:
        return rows, len(rows)
    count = stmt.with_only_columns(func.count(Employee.id))
    return rows, db.session.scalar(count, search.params) or 0
