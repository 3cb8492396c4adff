"""The BKPSDM dashboard section: headline figures with trends and completions per month.

BKPSDM sees the whole city; an Admin OPD the same section for their department. Figures:

- share of active employees at or above the JP target this year (the careers ledger's
  ``jp_totals``), against the share on the same date last year (records ended by that date);
- valid completions this month (local time) so far, against last month up to the same day;
- cohorts running today (``starts_on`` ≤ today ≤ ``ends_on``), against the same date last month;
- certificates issued this year that are still valid, against last year up to the same date;
- completions per month over the last twelve months, as a line chart with its table.

Each figure is one aggregate query (conditional sums over windows), so the section costs a fixed
few queries whatever the amount of data. The JP share and the months of the chart read the
summary tables (``careers.summary``: the ledger per employee and year, with the day the target
was reached; completions per OPD and day), kept current in the transactions that change their
sources; for every OPD only the two partial days (today, and the same day last month up to this
time) read the completions, a department's figures read them over the windows. Month and year boundaries are local midnight
(``BABEL_DEFAULT_TIMEZONE``) converted to UTC, so they work the same on SQLite and PostgreSQL.

The whole city's figures are the same for every BKPSDM account: they are counted, and rendered
in each language, once per ``DASHBOARD_CITY_SECONDS`` per process (``city_counts``,
``city_part``), and then say as of when; a department's are counted as often (``reports.kept``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from flask import render_template
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Select, and_, bindparam, case, exists, func, select
from sqlalchemy.orm import aliased

from lms import charts
from lms.careers.ledger.queries import jp_totals, target
from lms.careers.records.models import LearningRecord
from lms.careers.summary.queries import city_counts_statement, reached_by, year_totals
from lms.certificates.models import Certificate
from lms.completion.models import Completion
from lms.dashboard import section
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.extensions import db
from lms.indonesian import MONTHS_SHORT, local_today, local_zone, zone_abbreviation
from lms.org.models import Employee, Unit
from lms.org.queries import city_figures_seconds
from lms.permissions import Capability, Role, can
from lms.reports.filters import Scope
from lms.reports.kept import Store, counted_at, department_counts, kept_for
from lms.reports.trends import (
    Figure,
    Trend,
    _num,
    _share,
    same_moment,
    shift_months,
    utc_start,
)

MEMBER_STATES = ("active", "completed")  # a cohort runs "for" a department with such members
CHART_MONTHS = 12


# --- queries (one each) --------------------------------------------------------------------------


def jp_totals_until(year: int, until: date):
    """The ledger's ``jp_totals(year)`` restricted to records that ended by ``until``: the
    ledger as it stood on that date (for a trend against the same date last year)."""
    return jp_totals(year).element.where(LearningRecord.ends_on <= until).subquery("jp_before")


def jp_share(scope: Scope, today: date) -> tuple[int, int, int]:
    """(active employees in scope, at target this year, at target on this date last year), from
    the employee-year summary (``jp_share_from_ledger`` is the same from the source rows)."""
    goal = target()
    now_t = year_totals(today.year, "jp_now")
    before_t = year_totals(today.year - 1, "jp_before")
    before = (
        func.count()  # a target of 0 is reached by everyone, with or without records
        if goal <= 0
        else func.coalesce(
            func.sum(case((reached_by(before_t, shift_months(today, -12)), 1), else_=0)), 0
        )
    )
    return _share_counts(scope, now_t, before_t, before)


def jp_share_from_ledger(scope: Scope, today: date) -> tuple[int, int, int]:
    """``jp_share`` summed from the learning records (the ledger's ``jp_totals``)."""
    goal = target()
    now_t = jp_totals(today.year).element.subquery("jp_now")
    before_t = jp_totals_until(today.year - 1, shift_months(today, -12))
    before = func.coalesce(
        func.sum(case((func.coalesce(before_t.c.jp_total, 0) >= goal, 1), else_=0)), 0
    )
    return _share_counts(scope, now_t, before_t, before)


def _share_counts(scope: Scope, now_t, before_t, before) -> tuple[int, int, int]:
    goal = target()
    unit = aliased(Unit)
    n, ok, ok_before = db.session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((func.coalesce(now_t.c.jp_total, 0) >= goal, 1), else_=0)), 0
            ),
            before,
        )
        .select_from(Employee)
        .join(unit, unit.id == Employee.unit_id)
        .outerjoin(now_t, now_t.c.employee_id == Employee.id)
        .outerjoin(before_t, before_t.c.employee_id == Employee.id)
        .where(Employee.is_active.is_(True), scope.employee_clause(Employee, unit))
    ).one()
    return int(n), int(ok), int(ok_before)


def _scoped_completions(stmt, scope: Scope):
    """Valid completions the scope may see: the employee's current unit or the department that
    owned the completion (the reports' rule)."""
    if scope.everything:
        return stmt
    cur = aliased(Unit)
    opd = aliased(Unit)
    return (
        stmt.join(Employee, Employee.id == Completion.employee_id)
        .join(cur, cur.id == Employee.unit_id)
        .outerjoin(opd, opd.id == Completion.unit_id)
        .where(scope.employee_clause(Employee, cur, opd))
    )


def completion_counts(scope: Scope, windows: list[tuple[datetime, datetime]]) -> list[int]:
    """Valid completions in each ``[start, end)`` UTC window, in one query."""
    moment = Completion.completed_at
    sums = [
        func.coalesce(func.sum(case((and_(moment >= a, moment < b), 1), else_=0)), 0)
        for a, b in windows
    ]
    where = and_(moment >= min(a for a, _b in windows), moment < max(b for _a, b in windows))
    stmt = select(*sums).select_from(Completion).where(Completion.status == "valid", where)
    return [int(v) for v in db.session.execute(_scoped_completions(stmt, scope)).one()]


def _count_between(model, moment, status: str, name: str):
    """SQL (scalar): rows of ``model`` in ``status`` whose ``moment`` is in ``[name_a, name_b)``
    (a range on the moment's index)."""
    return (
        select(func.count())
        .select_from(model)
        .where(
            model.status == status,
            moment >= bindparam(f"{name}_a"),
            moment < bindparam(f"{name}_b"),
        )
        .scalar_subquery()
        .label(name)
    )


def _running(name: str):
    day = bindparam(name, type_=Cohort.starts_on.type)
    return (
        select(func.count())
        .select_from(Cohort)
        .where(Cohort.starts_on <= day, Cohort.ends_on >= day)
        .scalar_subquery()
        .label(f"cohorts_{name[-1]}")
    )


@cache
def _city_statement() -> Select:
    """Every OPD's figures in one statement, built once per process: the summaries' columns,
    today's and the same day last month's completions so far, running cohorts, certificates."""
    return city_counts_statement(CHART_MONTHS).add_columns(
        _count_between(Completion, Completion.completed_at, "valid", "today_part"),
        _count_between(Completion, Completion.completed_at, "valid", "day_part"),
        _running("day_0"),
        _running("day_1"),
        _count_between(Certificate, Certificate.issued_at, "issued", "certificates_0"),
        _count_between(Certificate, Certificate.issued_at, "issued", "certificates_1"),
    )


# (database, JP target, local day) → (expires at, counted at, counts): see ``city_counts``.
_CITY: Store = {}
CITY_MOST = 9  # other days and databases: emptied past 8


def _city_key(today: date) -> tuple:
    return (str(db.engine.url), target(), today)


def _city_counted_at(today: date) -> datetime | None:
    """When ``today``'s kept city figures were counted, while they are valid (None: count again)."""
    return counted_at(_CITY, _city_key(today), city_figures_seconds())


def city_counts(
    today: date, now: datetime, starts: list[date], cert_windows: list[tuple[datetime, datetime]]
) -> tuple[datetime | None, dict[str, int]]:
    """Every OPD's raw figures at local ``now`` (one row of plain columns) and the moment they
    were counted (None: now, nothing kept), kept per process for ``DASHBOARD_CITY_SECONDS``
    (default 60; 0 in tests and to switch it off): the count of active employees reads all of
    them (an index), the same for every BKPSDM account on every visit, and figures of a month
    and a year may be a minute late; the section says as of when."""
    as_of, raw = kept_for(
        _CITY,
        _city_key(today),
        city_figures_seconds(),
        lambda: _city_counts(today, now, starts, cert_windows),
        CITY_MOST,
    )
    return as_of, dict(raw)


def _city_counts(
    today: date, now: datetime, starts: list[date], cert_windows: list[tuple[datetime, datetime]]
) -> dict[str, int]:
    tz = now.tzinfo
    last_month = shift_months(today, -1)
    goal = target()
    params: dict[str, Any] = {
        "goal": goal,
        "year": today.year,
        "prev_year": today.year - 1,
        "until": shift_months(today, -12),
        "today_y": today.year,
        "today_m": today.month,
        "today_d": today.day,
        "day_y": last_month.year,
        "day_m": last_month.month,
        "day_d": last_month.day,
        "first_year": starts[0].year,
        "today_part_a": utc_start(today, tz),
        "today_part_b": now.astimezone(UTC),
        "day_part_a": utc_start(last_month, tz),
        "day_part_b": same_moment(now, last_month),
        "day_0": today,
        "day_1": last_month,
    }
    for k, start in enumerate(starts):
        params[f"y_{k}"], params[f"m_{k}"] = start.year, start.month
    for k, (a, b) in enumerate(cert_windows):
        params[f"certificates_{k}_a"], params[f"certificates_{k}_b"] = a, b
    row = db.session.execute(_city_statement(), params).one()._asdict()
    out = {key: int(value) for key, value in row.items()}
    if goal <= 0:  # a target of 0 is reached by everyone, with or without records
        out["at_target"] = out["reached_before"] = out["active"]
    return out


def active_cohorts(scope: Scope, days: list[date]) -> list[int]:
    """Cohorts running on each day; for a department, those with its members."""
    sums = [
        func.coalesce(
            func.sum(case((and_(Cohort.starts_on <= d, Cohort.ends_on >= d), 1), else_=0)), 0
        )
        for d in days
    ]
    stmt = select(*sums).select_from(Cohort)
    if not scope.everything:
        unit = aliased(Unit)
        member = (
            select(CohortMember.id)
            .join(Employee, Employee.id == CohortMember.employee_id)
            .join(unit, unit.id == Employee.unit_id)
            .where(
                CohortMember.cohort_id == Cohort.id,
                CohortMember.status.in_(MEMBER_STATES),
                scope.employee_clause(Employee, unit),
            )
        )
        stmt = stmt.where(exists(member))
    return [int(v) for v in db.session.execute(stmt).one()]


def certificate_counts(scope: Scope, windows: list[tuple[datetime, datetime]]) -> list[int]:
    """Certificates issued in each window that are still valid (not revoked or replaced)."""
    moment = Certificate.issued_at
    sums = [
        func.coalesce(func.sum(case((and_(moment >= a, moment < b), 1), else_=0)), 0)
        for a, b in windows
    ]
    stmt = select(*sums).select_from(Certificate).where(Certificate.status == "issued")
    if not scope.everything:
        cur = aliased(Unit)
        opd = aliased(Unit)
        stmt = (
            stmt.join(Completion, Completion.id == Certificate.completion_id)
            .join(Employee, Employee.id == Certificate.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .outerjoin(opd, opd.id == Completion.unit_id)
            .where(scope.employee_clause(Employee, cur, opd))
        )
    return [int(v) for v in db.session.execute(stmt).one()]


# --- the section ---------------------------------------------------------------------------------


def figures(scope: Scope, now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the section for ``scope`` at ``now`` (default: this moment)."""
    tz = local_zone()
    now = (now or datetime.now(UTC)).astimezone(tz)
    today = now.date()
    last_year = shift_months(today, -12)
    last_month = shift_months(today, -1)
    now_utc = now.astimezone(UTC)

    month_start = today.replace(day=1)
    starts = [shift_months(month_start, -k) for k in range(CHART_MONTHS - 1, -1, -1)]
    bounds = [*starts, shift_months(month_start, 1)]
    windows = [
        (utc_start(a, tz), utc_start(b, tz)) for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    this_month = (utc_start(month_start, tz), now_utc)
    prev_month = (utc_start(shift_months(month_start, -1), tz), same_moment(now, last_month))
    year_start = utc_start(date(today.year, 1, 1), tz)
    prev_year_start = utc_start(date(today.year - 1, 1, 1), tz)
    cert_windows = [(year_start, now_utc), (prev_year_start, same_moment(now, last_year))]
    as_of = None
    if scope.everything:  # every OPD: one statement, the summaries and two partial days
        as_of, raw = city_counts(today, now, starts, cert_windows)
        n, ok, ok_before = raw["active"], raw["at_target"], raw["reached_before"]
        done_now = raw["before_today"] + raw["today_part"]
        done_before = raw["before_day"] + raw["day_part"]
        per_month = [raw[f"month_{k}"] for k in range(CHART_MONTHS)]
        cohorts_now, cohorts_before = raw["cohorts_0"], raw["cohorts_1"]
        certs_now, certs_before = raw["certificates_0"], raw["certificates_1"]
    else:  # a department: four statements, kept as the city's are (reports.kept)
        as_of, ((n, ok, ok_before), counts, cohorts, certs) = department_counts(
            (*_city_key(today), scope),
            lambda: (
                jp_share(scope, today),
                completion_counts(scope, [*windows, this_month, prev_month]),
                active_cohorts(scope, [today, last_month]),
                certificate_counts(scope, cert_windows),
            ),
        )
        *per_month, done_now, done_before = counts
        (cohorts_now, cohorts_before), (certs_now, certs_before) = cohorts, certs
    share = Trend(_share(ok, n), _share(ok_before, n), points=True)

    goal = target()
    on_last_year = format_date(last_year, "d MMM yyyy")
    on_last_month = format_date(last_month, "d MMM yyyy")
    items = [
        Figure(
            "jp",
            _("Pegawai mencapai %(t)s JP tahun %(y)s", t=goal, y=today.year),
            f"{_num(share.current)}%",
            _("%(ok)s dari %(n)s pegawai aktif", ok=_num(ok), n=_num(n)),
            share,
            on_last_year,
        ),
        Figure(
            "completions",
            _("Penyelesaian bulan ini"),
            _num(done_now),
            _("sejak %(d)s", d=format_date(month_start, "d MMM yyyy")),
            Trend(Decimal(done_now), Decimal(done_before)),
            _("1–%(d)s", d=on_last_month),
        ),
        Figure(
            "cohorts",
            _("Angkatan berjalan"),
            _num(cohorts_now),
            _("hari ini"),
            Trend(Decimal(cohorts_now), Decimal(cohorts_before)),
            on_last_month,
        ),
        Figure(
            "certificates",
            _("Sertifikat terbit tahun %(y)s", y=today.year),
            _num(certs_now),
            _("masih berlaku"),
            Trend(Decimal(certs_now), Decimal(certs_before)),
            _("1 Jan–%(d)s", d=on_last_year),
        ),
    ]
    labels = [f"{MONTHS_SHORT[d.month - 1]} {d.year % 100:02d}" for d in starts]  # no cut-off
    chart = charts.line_chart(
        _("Penyelesaian per bulan, 12 bulan terakhir"),
        labels,
        {_("Penyelesaian"): per_month},
        label_header=_("Bulan"),
    )
    return {
        "figures": items,
        "by_key": {f.key: f for f in items},
        "per_month": list(zip(starts, per_month, strict=True)),
        "chart": chart,
        "today": today,
        "as_of": as_of,
        "as_of_text": None
        if as_of is None
        else _(
            "Angka per pukul %(time)s %(zone)s",
            time=as_of.astimezone(tz).strftime("%H:%M"),
            zone=zone_abbreviation(as_of),
        ),
        "raw": {
            "employees": n,
            "at_target": ok,
            "at_target_last_year": ok_before,
            "completions_month": done_now,
            "completions_last_month": done_before,
            "cohorts": cohorts_now,
            "cohorts_last_month": cohorts_before,
            "certificates": certs_now,
            "certificates_last_year": certs_before,
        },
    }


def dashboard_scope(user: Any) -> tuple[Scope, str] | None:
    """BKPSDM: everything; an Admin OPD: their department (not their team); others: none."""
    roles = user.roles
    if Role.ADMIN_BKPSDM in roles:
        return Scope.all(), _("Semua perangkat daerah")
    if Role.ADMIN_OPD in roles and user.admin_unit is not None:
        return Scope(path=user.admin_unit.path), user.admin_unit.name
    return None


# (database, JP target, local day, counted at, locale) → the city's figures and chart rendered.
_CITY_PARTS: dict[tuple, Markup] = {}


def city_part() -> Markup:
    """Every OPD's figures and chart as the section shows them, rendered once per kept count
    (``city_counts``) and language: the same for every BKPSDM account, so a visit within
    ``DASHBOARD_CITY_SECONDS`` neither formats nor renders them again (some 0.5 ms)."""
    today = local_today()
    locale = str(get_locale() or "id")
    as_of = _city_counted_at(today)
    if as_of is not None:
        found = _CITY_PARTS.get((*_city_key(today), as_of, locale))
        if found is not None:
            return found
    context = figures(Scope.all())
    html = render_template("reports/_dashboard_figures.html", section=context)
    part = Markup(html)  # noqa: S704 - our own template, autoescaped when rendered
    if context["as_of"] is not None:
        if len(_CITY_PARTS) > 16:  # counts of earlier minutes, days, databases
            _CITY_PARTS.clear()
        _CITY_PARTS[(*_city_key(today), context["as_of"], locale)] = part
    return part


def _overview_tokens(user: Any) -> tuple | None:
    """The whole city's section is kept as long as its counts are (``city_counts``: the moment
    they were counted names them, and the section says it); a department's is built each visit
    (from its kept counts)."""
    if Role.ADMIN_BKPSDM not in user.roles:
        return None
    as_of = _city_counted_at(local_today())
    return None if as_of is None else (as_of.isoformat(),)


@section(30, wide=True, keep=_overview_tokens)
def _hr_overview_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    found = dashboard_scope(user)
    if found is None:
        return None
    scope, label = found
    part = city_part() if scope.everything else None
    context = {"part": part} if part is not None else figures(scope)
    context.update(
        scope_label=label,
        everything=scope.everything,
        can_schedule=can(user, Capability.SCHEDULE_REPORTS),
    )
    return "reports/dashboard_overview.html", context
