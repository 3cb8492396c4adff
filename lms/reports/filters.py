"""Who may see which rows (scope) and what the reader asked for (filters).

Scope is decided once per request from the user's roles and applied inside every report query,
so a filter, a sort, an export or an edited URL can only narrow what the scope already allows:
BKPSDM (and the CLI) see everything, an Admin OPD their department's unit subtree, a supervisor
their direct reports, a partner institution's staff (Mitra) the participants of their
institution's courses only, in the reports that know a course (``Report.partner_scoped``; every
other report finds no row for them). A unit filter outside an Admin OPD's subtree is refused
(403), never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, false, or_, select, true

from lms.courses.models import COMPETENCY_KINDS
from lms.db import INT_MAX, db_int
from lms.extensions import db
from lms.org.models import Unit
from lms.permissions import Role, partner_scope

PAGE_SIZE = 50


class FilterError(ValueError):
    """Bad filter input: the message names the field, in Indonesian."""

    def __init__(self, message: str, field_name: str = "") -> None:
        super().__init__(message)
        self.field = field_name


class OutOfScope(PermissionError):
    """The reader asked for a unit outside what they may see."""


@dataclass(frozen=True)
class Scope:
    """``everything``, or the union of a unit subtree (``path``) and a team (``supervisor_id``)."""

    everything: bool = False
    path: str | None = None
    supervisor_id: int | None = None
    # The reader's own rows (the completion feed acts as its token's owner); reports leave it out.
    employee_id: int | None = None
    # A partner's staff: the rows of the partner's courses (``courses.partner_id``) only.
    partner_id: int | None = None

    @classmethod
    def for_user(cls, user) -> Scope:
        roles = user.roles
        if Role.ADMIN_BKPSDM in roles:
            return cls(everything=True)
        partner = partner_scope(user)
        if partner is not None:
            return cls(partner_id=partner)
        path = None
        if Role.ADMIN_OPD in roles and user.admin_unit is not None:
            path = user.admin_unit.path
        supervisor = user.employee_id if Role.ATASAN in roles else None
        return cls(path=path, supervisor_id=supervisor)

    @classmethod
    def for_owner(cls, user) -> Scope:
        """What an account may read through the API, acting as itself: BKPSDM and the system
        administrator (who runs the integrations) everything, an Admin OPD their department, a
        supervisor their team, and every employee their own rows."""
        roles = user.roles
        if Role.ADMIN_BKPSDM in roles or Role.ADMIN_SISTEM in roles:
            return cls(everything=True)
        # The feed knows no course partner: a partner's staff token reads no one's rows (refused).
        return replace(cls.for_user(user), employee_id=user.employee_id, partner_id=None)

    @property
    def is_empty(self) -> bool:
        return not self.everything and (
            self.path,
            self.supervisor_id,
            self.employee_id,
            self.partner_id,
        ) == (None, None, None, None)

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def allows_unit(self, unit: Unit) -> bool:
        return self.everything or (self.path is not None and unit.path.startswith(self.path))

    def employee_clause(self, employee, unit, extra_unit=None, partner=None) -> ColumnElement[bool]:
        """SQL: the employee (with their current ``unit``) is in scope; ``extra_unit`` (e.g. the
        department at completion time) also grants a row to the department that owned it;
        ``partner`` (the row's ``Course.partner_id``) grants a partner scope the rows of its
        courses, and a report that passes none shows a partner scope nothing."""
        if self.everything:
            return true()
        parts = []
        if self.path is not None:
            parts.append(unit.path.startswith(self.path))
            if extra_unit is not None:
                parts.append(extra_unit.path.startswith(self.path))
        if self.supervisor_id is not None:
            parts.append(employee.supervisor_id == self.supervisor_id)
        if self.employee_id is not None:
            parts.append(employee.id == self.employee_id)
        if self.partner_id is not None and partner is not None:
            parts.append(partner == self.partner_id)
        return or_(*parts) if parts else false()


@dataclass
class Filters:
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    unit_id: int | None = None
    unit_path: str | None = None
    unit_name: str = ""  # for headings (the PDF), set where the unit is looked up
    course: str = ""
    programme: str = ""
    cohort: str = ""
    kind: str = ""
    jabatan: str = ""
    golongan: str = ""
    status: str = ""
    sort: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def query_args(self) -> dict[str, str]:
        """The filters as GET parameters (for links to pages, sorting and exports)."""
        out = {
            "tahun": self.year,
            "dari": self.date_from.isoformat() if self.date_from else None,
            "sampai": self.date_to.isoformat() if self.date_to else None,
            "unit": self.unit_id,
            "pelatihan": self.course,
            "program": self.programme,
            "angkatan": self.cohort,
            "jenis": self.kind,
            "jabatan": self.jabatan,
            "golongan": self.golongan,
            "status": self.status,
            "sort": self.sort,
        }
        return {k: str(v) for k, v in out.items() if v not in (None, "")}

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("errors")
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> Filters:
        values = dict(data)
        for key in ("date_from", "date_to"):
            values[key] = date.fromisoformat(values[key]) if values.get(key) else None
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


def _date(args: Mapping, key: str, label: str, errors: dict) -> date | None:
    raw = (args.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = _("%(f)s harus tanggal dengan format TTTT-BB-HH.", f=label)
        return None


def parse(args: Mapping, scope: Scope, *, default_year: int | None = None) -> Filters:
    """Read GET arguments; invalid values are dropped with a message per field.

    Raises ``OutOfScope`` for a unit the scope does not allow (the view answers 403).
    """
    errors: dict[str, str] = {}
    f = Filters(errors=errors)
    raw_year = (args.get("tahun") or "").strip()
    if raw_year:
        if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
            f.year = int(raw_year)
        else:
            errors["tahun"] = _("Tahun harus angka antara 2000 dan 2100.")
    elif default_year is not None:
        f.year = default_year
    f.date_from = _date(args, "dari", _("Dari tanggal"), errors)
    f.date_to = _date(args, "sampai", _("Sampai tanggal"), errors)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors["sampai"] = _("Sampai tanggal tidak boleh sebelum Dari tanggal.")
        f.date_to = None
    raw_unit = (args.get("unit") or "").strip()
    if raw_unit:
        unit = None
        if raw_unit.isdigit() and int(raw_unit) <= INT_MAX:
            unit = db.session.get(Unit, int(raw_unit))
        else:
            unit = db.session.scalar(select(Unit).where(Unit.code == raw_unit[:40]))
        if unit is None:
            errors["unit"] = _("Unit kerja tidak ditemukan.")
        elif not scope.allows_unit(unit) and (scope.path is not None or not scope.supervisor_id):
            raise OutOfScope(unit.code)
        else:
            # A supervisor's team filtered by a unit: the scope still applies, so this only narrows.
            f.unit_id, f.unit_path, f.unit_name = unit.id, unit.path, unit.name
    f.course = (args.get("pelatihan") or "").strip()[:40]
    f.programme = (args.get("program") or "").strip()[:40]
    f.cohort = (args.get("angkatan") or "").strip()[:40]
    kind = (args.get("jenis") or "").strip()
    if kind and kind not in COMPETENCY_KINDS:
        errors["jenis"] = _("Jenis kompetensi tidak dikenal.")
    else:
        f.kind = kind
    f.jabatan = (args.get("jabatan") or "").strip()[:30]
    f.golongan = (args.get("golongan") or "").strip()[:10]
    f.status = (args.get("status") or "").strip()[:20]
    f.sort = (args.get("sort") or "").strip()[:30]
    try:
        f.page = max(db_int(args.get("page", 1)), 1)
    except (TypeError, ValueError):
        f.page = 1
    return f
