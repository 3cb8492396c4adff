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


def jp_charts(employee_id: int, now: dict[str, Any] | None = None) -> dict[str, Any]:
    """The gauge of this year's JP against the target of the employee's kind (PPPK: their own
    bound), the split by kind, JP per year. ``now``: this year's ``jp_of`` if already read."""
    this = local_today().year
    employee = db.session.get(Employee, employee_id)
    rule = ledger.rule_of(employee.kind if employee else None)
    target = rule.target
    now = now if now is not None else ledger.jp_of(employee_id, this)
    years = list(range(this - ledger.HISTORY_YEARS + 1, this + 1))
    per_year = ledger.jp_by_year(employee_id, years)
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
