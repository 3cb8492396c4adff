"""The employee's JP charts: this year's JP against their own target, and JP per year."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import get_template_attribute
from flask_babel import gettext as _
from markupsafe import Markup

from lms import charts
from lms.careers.ledger import queries as ledger
from lms.extensions import db
from lms.indonesian import _number_locale, local_today
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


# --- the rendered JP cards ----------------------------------------------------------------------

#: How many rendered card pairs each worker process keeps (each some 30 KB: the SVG pictures).
CARDS_MEMO_SIZE = 256
_cards_memo: OrderedDict[tuple, Markup] = OrderedDict()
_cards_lock = threading.Lock()


def _chart_key(chart: charts.Chart) -> tuple:
    # The SVG string is shared with the chart memo's copy, so its hash is computed once.
    return (chart.title, chart.svg, tuple(chart.headers), tuple(map(tuple, chart.rows)))


def cards_html(l: dict[str, Any]) -> Markup:  # noqa: E741 - the macro's own name for it
    """``ledger_cards(l)`` of ``careers/_ledger_macros.html``, rendered once per locale and
    figures: the dashboard shows the same cards on every visit, and the charts' data tables
    were most of the JP section's rendering. Everything the macro shows is in the key."""
    now = l["now"]
    key = (
        _number_locale(),
        l["year"],
        l["target"],
        l["rule"],
        tuple(sorted(now.items())),
        l["shortfall"],
        l["above_cap"],
        _chart_key(l["gauge"]),
        _chart_key(l["bars"]),
    )
    with _cards_lock:
        found = _cards_memo.get(key)
        if found is not None:
            _cards_memo.move_to_end(key)
            return found
    macro = get_template_attribute("careers/_ledger_macros.html", "ledger_cards")
    html = Markup(macro(l))  # noqa: S704 - our own macro, autoescaped when rendered
    with _cards_lock:
        _cards_memo[key] = html
        while len(_cards_memo) > CARDS_MEMO_SIZE:
            _cards_memo.popitem(last=False)
    return html
