"""JP ledger screens: the employee's JP charts, the supervisor's team table, HR's JP per OPD,
the dashboard sections, and the template helpers every careers page uses for JP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, g, render_template
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp, scope
from lms.careers.ledger import queries as ledger
from lms.careers.ledger.charts import cards_html, jp_charts
from lms.careers.plans import queries as plan_queries
from lms.careers.plans import services as plans
from lms.careers.records import services as records
from lms.careers.view_helpers import (
    current_employee,
    hr_or_403,
    page_arg,
    page_count,
    year_arg_to_next,
    years_to_next,
)
from lms.dashboard import LEARNING, card, section
from lms.extensions import db
from lms.indonesian import local_today, number
from lms.org import queries as org_queries
from lms.org.models import Unit
from lms.permissions import Capability, Role, can, refuse, require

C = Capability


LABELS = {
    "record": records.RECORD_STATUS_LABELS,
    "kind": records.KIND_LABELS,
    "plan": plans.PLAN_STATUS_LABELS,
    "reason": plans.REASON_LABELS,
    "activity": plans.ACTIVITY_LABELS,
}


def _jp_rules_note() -> str:
    """One line naming each kind's own target, for tables that mix PNS and PPPK."""
    pns, pppk = ledger.rule_of("pns"), ledger.rule_of("pppk")
    if pns.target == pppk.target:
        return ""
    return _(
        "Target per jenis pegawai: PNS/CPNS %(a)s JP, PPPK %(b)s JP (%(basis)s).",
        a=pns.target,
        b=pppk.target,
        basis=pppk.basis,
    )


@bp.app_template_global("jp_rules_note")
def _jp_rules_note_global() -> str:
    return _jp_rules_note()


@bp.app_template_global("ledger_labels")
def _ledger_labels() -> dict[str, dict]:
    """Labels of record states, competency kinds, plan states (also used by dashboard sections)."""
    return LABELS


@bp.app_template_filter("jp_fmt")
def _jp(value: Decimal | float | int | None) -> str:
    """JP as people write it in the reader's language: 20, 2,5 (Indonesian), 2.5 (English)."""
    return number(value if value is not None else 0)


# --- JP tables ----------------------------------------------------------------------------------


@bp.route("/tim/jp")
@require(C.VIEW_TEAM)
def team_jp():
    me = current_employee()
    year = year_arg_to_next()
    return render_template(
        "careers/ledger/team_jp.html",
        rows=ledger.team_jp(me.id, year),
        year=year,
        years=years_to_next(),
        target=ledger.target(),
    )


@bp.route("/kelola/jp")
@require(C.VIEW_REPORTS)
def hr_jp():
    hr_or_403()
    year = year_arg_to_next()
    rows = ledger.opd_jp_table(current_user, year)
    return render_template(
        "careers/ledger/hr_jp.html",
        rows=rows,
        year=year,
        years=years_to_next(),
        target=ledger.target(),
    )


@bp.route("/kelola/jp/<int:unit_id>")
@require(C.VIEW_REPORTS)
def hr_jp_opd(unit_id: int):
    hr_or_403()
    opd = db.session.get(Unit, unit_id)
    if opd is None or opd.parent_id is not None:
        abort(404)
    if not scope.opd_in_scope(current_user, opd):
        refuse(opd)
    year = year_arg_to_next()
    page = page_arg()
    rows, total = ledger.opd_under_target(current_user, opd, year, page)
    return render_template(
        "careers/ledger/hr_jp_opd.html",
        opd=opd,
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, scope.PAGE_SIZE),
        year=year,
        years=years_to_next(),
        target=ledger.target(),
    )


# --- dashboard sections -------------------------------------------------------------------------


def _jp_history(employee_id: int) -> dict[int, dict[str, Any]]:
    """The signed-in employee's JP of the history years (this year last), read once per
    request in one query: the learner section's card, the JP section's figures and its charts
    show the same numbers."""
    memo = g.setdefault("ledger_jp_history", {})
    if employee_id not in memo:
        memo[employee_id] = ledger.jp_years(employee_id, ledger.history_years(local_today().year))
    return memo[employee_id]


def _jp_this_year(employee_id: int) -> dict[str, Any]:
    return _jp_history(employee_id)[local_today().year]


def _jp_tokens(user: Any) -> tuple | None:
    """What the JP card and section show one learner: their JP's state and their target."""
    if user.employee_id is None:
        return None
    return (ledger.JP.token(user.employee_id), user.employee.kind if user.employee else None)


@card(10, "learner", keep=_jp_tokens)
def _learner_jp_card(user: Any) -> tuple[str, dict[str, Any]] | None:
    """The learner section's first card (learning owns the section): JP this year against the
    target of the employee's kind (PPPK: their own), from the one JP ledger."""
    if user.employee_id is None:
        return None
    return "careers/ledger/_card_jp_year.html", {
        "jp": _jp_this_year(user.employee_id)["total"],
        "target": ledger.target(user.employee.kind if user.employee else None),
    }


@section(30, part=LEARNING, wide=True, keep=_jp_tokens)
def _learner_jp_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if user.employee_id is None or not can(user, C.LEARN):
        return None
    figures = jp_charts(user.employee_id, history=_jp_history(user.employee_id))
    return "careers/ledger/_dash_jp.html", {**figures, "cards": cards_html(figures)}


def _supervisor_jp_tokens(user: Any) -> tuple | None:
    """The team's JP of the year is written by every completion of its members (the summary):
    kept for the current window of the team figures; the plans waiting for the supervisor
    (``PLANS``: one submitted, their own decision) and the team with its names and kinds
    (``PEOPLE``) anew at once."""
    if Role.ATASAN not in user.roles or user.employee_id is None:
        return None
    window = org_queries.team_figures_window()
    if window is None:
        return None
    return (window, plan_queries.PLANS.token(), org_queries.PEOPLE.token())


@section(16, keep=_supervisor_jp_tokens)
def _supervisor_jp_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if Role.ATASAN not in user.roles or user.employee_id is None:
        return None
    year = local_today().year
    team = ledger.team_jp_summary(user.employee_id, year, limit=5)
    return "careers/ledger/_dash_team_jp.html", {
        "rows": team.rows,
        "total": team.total,
        "under": team.under,
        "year": year,
        "target": ledger.target(),
        "rules": _jp_rules_note(),
        "plans": plan_queries.plans_waiting(user.employee_id, limit=5),
        "as_of": org_queries.team_figures_as_of(),
    }
