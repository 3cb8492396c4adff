"""Read side of the organisation: scoped employee search and the dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Select, bindparam, false, func, select
from sqlalchemy.orm import aliased, joinedload

from lms.auth.models import User
from lms.dashboard import period
from lms.extensions import WatchedGeneration, cache, db, kept
from lms.indonesian import local_time, zone_abbreviation
from lms.org import admin_figures
from lms.org.models import Employee, Golongan, Instansi, Unit, display_name
from lms.org.nip import format_nip
from lms.permissions import Role

PAGE_SIZE = 25


def scoped_employees(user: User) -> Select:
    """Employees the user may see as an administrator; enforced in SQL, not in the template."""
    return in_unit_scope(select(Employee).join(Employee.unit), user)


def scoped_units(user: User) -> Select:
    return in_unit_scope(select(Unit).order_by(Unit.path), user)


def in_unit_scope(stmt: Select, user: User) -> Select:
    """``stmt`` (which reads ``units``) limited to the units ``unit_scope`` gives the user."""
    under = unit_scope(user)
    return stmt.where(false()) if under is None else _under(stmt, under)


def _under(stmt: Select, under: str) -> Select:
    """``stmt`` limited to the subtree at the path ``under`` ("": every unit)."""
    return stmt.where(Unit.path.startswith(under)) if under else stmt


class UnitChoice(NamedTuple):
    """A unit in a list of choices: its id, code and name indented by its depth in the tree."""

    id: int
    code: str
    label: str


#: Starts anew after any write of a unit: the kept unit choices (:func:`unit_options`) follow.
UNITS = WatchedGeneration("org:units", (Unit,))


def unit_scope(user: User) -> str | None:
    """The path of the subtree whose units the user may choose ("" for every unit, None for
    none): what ``scoped_units`` selects."""
    roles = user.roles
    if Role.ADMIN_BKPSDM in roles or Role.ADMIN_SISTEM in roles:
        return ""
    if Role.ADMIN_OPD in roles and user.admin_unit is not None:
        return user.admin_unit.path
    return None


def _units_under(under: str) -> Select:
    return _under(select(Unit.id, Unit.code, Unit.name, Unit.path).order_by(Unit.path), under)


def unit_choices(user: User) -> list[UnitChoice]:
    """The units the user may choose from, in tree order, as columns with their labels."""
    under = unit_scope(user)
    return [] if under is None else _choices_under(under)


def _choices_under(under: str) -> list[UnitChoice]:
    return [
        UnitChoice(uid, code, f"{'— ' * Unit.depth_of(path)}{name}")
        for uid, code, name, path in db.session.execute(_units_under(under))
    ]


def unit_options(under: str | None, selected: int | None) -> Markup:
    """The ``<option>`` elements of the units under the path ``under`` ("" every unit, None
    none), ``selected`` marked: kept in the app cache under the units' generation (any write of
    a unit starts a new one), so a filter of a province's hundreds of units is neither read nor
    escaped on every search or report page."""
    if under is None:
        return Markup("")

    def build() -> str:
        # One string, not an entry per unit: read from the cache on every page, a province's
        # hundreds of units would otherwise be as many objects to unpickle and join.
        option = Markup('<option value="{}">{}</option>')
        return str(Markup("").join(option.format(u.id, u.label) for u in _choices_under(under)))

    options = kept(f"org:unit-options:{UNITS.token()}:{under}", build)
    if selected is not None:
        mark = f'<option value="{int(selected)}">'
        options = options.replace(mark, f'<option selected value="{int(selected)}">', 1)
    return Markup(options)  # noqa: S704 - built above from escaped labels


def team_of(employee: Employee, limit: int | None = None) -> list[Employee]:
    stmt = (
        select(Employee)
        .options(joinedload(Employee.golongan), joinedload(Employee.unit))
        .where(Employee.supervisor_id == employee.id, Employee.is_active.is_(True))
        .order_by(Employee.full_name, Employee.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def team_size(employee: Employee) -> int:
    return (
        db.session.scalar(
            select(func.count(Employee.id)).where(
                Employee.supervisor_id == employee.id, Employee.is_active.is_(True)
            )
        )
        or 0
    )


def unit_employee_counts(unit_ids: list[int]) -> dict[int, int]:
    if not unit_ids:
        return {}
    return dict(
        db.session.execute(
            select(Employee.unit_id, func.count())
            .where(Employee.unit_id.in_(unit_ids))
            .group_by(Employee.unit_id)
        ).all()
    )


class _Grade(NamedTuple):
    code: str
    kind: str
    pangkat: str

    label = property(Golongan.label.fget)  # the model's own wording


class _Named(NamedTuple):
    name: str


class _Person(NamedTuple):
    front_title: str | None
    full_name: str
    back_title: str | None

    @property
    def display_name(self) -> str:
        return display_name(self.front_title, self.full_name, self.back_title)


class Profile(NamedTuple):
    """The dashboard's profile card: the columns it shows, shaped as the template reads an
    ``Employee`` (``golongan.label``, ``unit.name``, ``supervisor.display_name``)."""

    nip: str
    position_name: str | None
    golongan: _Grade | None
    unit: _Named
    supervisor: _Person | None

    @property
    def nip_display(self) -> str:

        return format_nip(self.nip)


@lru_cache(maxsize=1)
def _profile_stmt() -> Select:
    boss = aliased(Employee)
    return (
        select(
            Employee.nip,
            Employee.position_name,
            Golongan.code,
            Golongan.kind,
            Golongan.pangkat,
            Unit.name,
            boss.front_title,
            boss.full_name,
            boss.back_title,
        )
        .join(Unit, Unit.id == Employee.unit_id)
        .outerjoin(Golongan, Golongan.code == Employee.golongan_code)
        .outerjoin(boss, boss.id == Employee.supervisor_id)
        .where(Employee.id == bindparam("employee_id"))
    )


def profile(employee_id: int) -> Profile | None:
    """One query of the columns the profile card shows (statement built once)."""
    row = db.session.execute(_profile_stmt(), {"employee_id": employee_id}).first()
    if row is None:
        return None
    nip, position, g_code, g_kind, g_pangkat, unit, front, full, back = row
    return Profile(
        nip,
        position,
        _Grade(g_code, g_kind, g_pangkat) if g_code is not None else None,
        _Named(unit),
        _Person(front, full, back) if full is not None else None,
    )


#: Starts anew after any committed write of an employee, a unit or a golongan: the kept
#: profiles and team rosters of the dashboard (:func:`people_cards`, :func:`team_roster`).
PEOPLE = WatchedGeneration("org:people", (Employee, Unit, Golongan))
TEAM_CARD_SIZE = 8


def people_cards_seconds() -> int:
    """How long a profile or a team roster is kept at most (a bound on a write that went around
    the ORM): ``DASHBOARD_PEOPLE_SECONDS``, default 300; 0 in tests (stable query counts; the
    cache's own tests switch it on) and to keep nothing."""
    return int(current_app.config["DASHBOARD_PEOPLE_SECONDS"])


def _person(employee_id: int, profile_too: bool, team: bool) -> tuple[Profile | None, tuple | None]:
    """The employee's profile and, for a supervisor, their roster's columns: one entry per
    employee in the app cache under the people's generation (one read per visit, one entry
    per person in a process's bounded cache). The token is read before the rows: a write
    committed in between leaves at worst the new rows under the old token, never old rows
    under the new one. Nothing kept (``people_cards_seconds`` 0): only what is asked for."""
    seconds = people_cards_seconds()
    if not seconds:
        return (
            profile(employee_id) if profile_too else None,
            _roster(employee_id) if team else None,
        )
    key = f"org:person:{PEOPLE.token()}:{employee_id}"
    found = cache.get(key)
    if found is not None and (found[1] is not None or not team):
        return found
    kept = (
        found[0] if found is not None else profile(employee_id),
        _roster(employee_id) if team else None,
    )
    cache.set(key, kept, timeout=seconds)
    return kept


class Report(NamedTuple):
    """A supervisor's active direct report as the dashboard's cards read them."""

    id: int
    display_name: str
    position_name: str | None
    kind: str


@dataclass(frozen=True)
class Roster:
    """A supervisor's active direct reports in name order, kept as four columns (ids, names
    with titles, positions, kinds): a kept entry is unpickled on every read, and 249 plain
    strings and numbers in lists load five times faster than 249 tuples of a class."""

    ids: list[int]
    names: list[str]
    positions: list[str | None]
    kinds: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def head(self, n: int) -> list[Report]:
        """The first ``n`` reports by name."""
        return [
            Report(*row)
            for row in zip(self.ids[:n], self.names, self.positions, self.kinds, strict=False)
        ]


def _roster(employee_id: int) -> tuple[list, list, list, list]:
    rows = db.session.execute(
        select(
            Employee.id,
            Employee.front_title,
            Employee.full_name,
            Employee.back_title,
            Employee.position_name,
            Employee.kind,
        )
        .where(Employee.supervisor_id == employee_id, Employee.is_active.is_(True))
        .order_by(Employee.full_name, Employee.id)
    ).all()
    return (
        [row[0] for row in rows],
        [display_name(front, full, back) for _i, front, full, back, _p, _k in rows],
        [row[4] for row in rows],
        [row[5] for row in rows],
    )


def team_roster(employee_id: int) -> Roster:
    """The employee's active direct reports by name (the columns the dashboard's team cards
    show), kept per supervisor under the people's generation: the team card here and the
    team's JP card (careers) read the 249 reports of a city supervisor from one kept list
    instead of from the employees table on every visit."""
    return Roster(*_person(employee_id, False, True)[1])  # type: ignore[misc]


def dashboard_context(user: User) -> dict[str, Any]:
    """Figures for each role the user holds; later features add their own sections."""
    roles = user.roles
    supervisor = Role.ATASAN in roles
    employee, roster = (
        _person(user.employee_id, True, supervisor)
        if user.employee_id is not None
        else (None, None)
    )
    ctx: dict[str, Any] = {"roles": roles, "employee": employee}
    if supervisor and employee is not None:
        reports = Roster(*roster)  # type: ignore[misc]
        ctx["team"], ctx["team_total"] = reports.head(TEAM_CARD_SIZE), len(reports)
    if Role.ADMIN_BKPSDM in roles or Role.ADMIN_SISTEM in roles:
        ctx["org_stats"] = _org_stats()
    if Role.ADMIN_OPD in roles and user.admin_unit_id is not None:
        name, ctx["opd_employees"] = admin_figures.opd_figures(user)
        ctx["opd_unit"] = _Named(name)
    if Role.ADMIN_SISTEM in roles:
        ctx["admin_stats"] = admin_figures.admin_stats()
    return ctx


def region_of(instansi_name: str) -> str:
    """The region an instansi governs: "Pemerintah Kota Palembang" → "Kota Palembang"."""
    name = (instansi_name or "").strip()
    return name.removeprefix("Pemerintah ").strip()


def agency_organiser() -> str:
    """Who runs the instansi's own training, as certificates print it: "BKPSDM Kota Palembang"."""
    instansi = db.session.scalar(select(Instansi).order_by(Instansi.id))
    return f"BKPSDM {region_of(instansi.name)}".strip() if instansi else "BKPSDM"


def city_figures_seconds() -> int:
    """How long the city-wide figures of the BKPSDM dashboard are kept (the same for every
    BKPSDM account, and each reads every employee): ``DASHBOARD_CITY_SECONDS``, default 60, 0
    in tests and to keep nothing."""
    return int(current_app.config.get("DASHBOARD_CITY_SECONDS", 0 if current_app.testing else 60))


def team_figures_seconds() -> int:
    """The window a supervisor's team figures are kept for on the dashboard (their progress and
    JP, which the whole city writes all day): ``DASHBOARD_TEAM_SECONDS``, default 60; 0 in tests
    and to read them on each visit."""
    return int(current_app.config.get("DASHBOARD_TEAM_SECONDS", 0))


def team_figures_window() -> int | None:
    """The token of the current window of the team figures (``lms.dashboard.period``), None when
    they are read on each visit (nothing to keep them under)."""
    seconds = team_figures_seconds()
    return period(seconds) if seconds else None


def team_figures_as_of() -> str | None:
    """When the current window of the team figures began, as the BKPSDM overview says it:
    "Angka per pukul 10:05 WIB" (kept figures were taken in it, at most the window's length
    after it: with 60 seconds, within that minute); None when they are read on each visit."""
    seconds = team_figures_seconds()
    if not seconds:
        return None
    began = datetime.fromtimestamp(period(seconds) * seconds, UTC)
    return _(
        "Angka per pukul %(time)s %(zone)s",
        time=local_time(began).strftime("%H:%M"),
        zone=zone_abbreviation(began),
    )


def _org_stats() -> dict[str, int]:
    """The organisation's size in one statement: employees, OPDs, units, employees without a
    supervisor (27 ms at 150,000 employees), kept in the app cache for
    ``city_figures_seconds``."""

    def count() -> dict[str, int]:
        row = db.session.execute(
            select(
                select(func.count(Employee.id)).scalar_subquery(),
                select(func.count(Unit.id)).where(Unit.parent_id.is_(None)).scalar_subquery(),
                select(func.count(Unit.id)).scalar_subquery(),
                select(func.count(Employee.id))
                .where(Employee.supervisor_id.is_(None))
                .scalar_subquery(),
            )
        ).one()
        names = ("employees", "opd", "units", "no_supervisor")
        return dict(zip(names, (n or 0 for n in row), strict=True))

    return dict(kept("org:stats", count, city_figures_seconds()))
