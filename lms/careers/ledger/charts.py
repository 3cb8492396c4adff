"""The employee's JP charts: this year's JP against their own target, and JP per year."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms import charts
from lms.careers.ledger import queries as ledger
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee

# --- JP charts ----------------------------------------------------------------------------------


def jp_charts(employee_id: int, history: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The gauge of this year's JP against the target of the employee's kind (PPPK: their own
    bound), the split by kind, JP per year. ``history``: ``ledger.jp_years`` of the history
    years if already read (the dashboard reads it once for its card and this section). The
    pictures come from the chart memo (``lms.charts``) while the numbers stay the same."""
    this = local_today().year
    employee = db.session.get(Employee, employee_id)
    rule = ledger.rule_of(employee.kind if employee else None)
    target = rule.target
    years = ledger.history_years(this)
    if history is None:
        history = ledger.jp_years(employee_id, years)
    now = history[this]
    per_year = {year: history[year]["total"] for year in years}
    gauge = charts.gauge(
        _("JP %(y)s terhadap target %(t)s JP", y=this, t=target),
        float(now["total"]),
        float(target),
        unit="JP",
    )
    bars = charts.bar_chart(
        _("JP terverifikasi per tahun"),
        [str(y) for y in years],
        [float(per_year[y]) for y in years],
        value_header=_("JP"),
        label_header=_("Tahun"),
        height=260,
        width=440,  # shown in a half-width card beside the gauge
    )
    return {
        "year": this,
        "target": target,
        "rule": rule,
        "now": now,
        "shortfall": rule.shortfall(now["total"]),
        "above_cap": rule.above_cap(now["total"]),
        "gauge": gauge,
        "bars": bars,
    }
