"""Charts drawn on the server as SVG, so a page and its PDF show the same picture.

pygal is used because it is a maintained, pure-Python SVG charting library with no browser
JavaScript to ship (its optional tooltip script is switched off here) and no native dependencies,
unlike matplotlib, which would add a large import and a font cache to every worker. The SVG is
embedded as a ``data:`` image: the strict CSP forbids inline ``<style>``, which pygal's SVG carries,
while an image keeps its own styles; WeasyPrint draws the same ``data:`` URL in PDFs.

Every chart carries its numbers as rows, which templates render as a table for screen readers
(``templates/_macros/charts.html``). Numbers on the picture (printed values, axis labels, the
target) are written as the reader's locale writes them (``lms.indonesian.number``: 92,86 in
Indonesian), like the table beside it. Charts of counts (every value a whole number: people,
completions, attempts) get whole-number axis ticks, never 0-1 in steps of 0.1.

Drawing a chart costs pygal about 8-10 ms, and most charts are drawn again and again from the
same numbers (an employee's JP gauge on every visit to the dashboard, a report nobody changed).
So each drawing function remembers its last ``MEMO_SIZE`` pictures in this process, keyed by
the function, every argument it was given (the data, titles, sizes) and the locale the numbers
are written in: the same data gives the stored SVG, different data a new drawing. Nothing has
to be forgotten when data change, because changed data is a different key; the bound keeps the
memory small (a few MiB). A ``Chart`` handed out is a copy, so a caller may change its rows.
"""

from __future__ import annotations

import base64
import functools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ParamSpec

import pygal
from markupsafe import Markup
from pygal.style import Style

from lms.indonesian import _number_locale, number

# A bar's label longer than this is shortened on a stacked chart (the table beneath has it all).
LABEL_CHARS = 30
PALETTE = ("#1d5fa8", "#d9822b", "#2e8540", "#b8323a", "#6b4fa0", "#5a6b7b")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=PALETTE,
    font_family="DejaVu Sans, Noto Sans, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    tooltip_font_size=12,
)


@dataclass
class Chart:
    """An SVG picture and the same numbers as a table."""

    title: str
    svg: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    def img(self, css_class: str = "chart") -> Markup:
        """An ``<img>`` whose alt text names the chart; the table beside it gives the numbers."""
        return Markup('<img class="{}" src="{}" alt="{}">').format(
            css_class, self.data_uri, self.title
        )


# --- the memo of drawn charts -------------------------------------------------------------------

#: How many drawn charts each worker process keeps (each SVG is some 5-20 KB).
MEMO_SIZE = 256
_memo: OrderedDict[tuple, Chart] = OrderedDict()
_memo_lock = threading.Lock()
_memo_stats = {"hits": 0, "misses": 0}
P = ParamSpec("P")


def _frozen(value: Any) -> Any:
    """A hashable stand-in for an argument: sequences and mappings by their items in order;
    scalars with their type, so that True, 1 and 1.0 (drawn differently) stay apart."""
    if isinstance(value, dict):
        return ("dict", tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | range):
        return ("seq", tuple(_frozen(v) for v in value))
    return (type(value).__name__, value)


def _copy(chart: Chart) -> Chart:
    return Chart(chart.title, chart.svg, list(chart.headers), [list(row) for row in chart.rows])


def memoised(draw: Callable[P, Chart]) -> Callable[P, Chart]:
    """Remember what ``draw`` returned for the same arguments in the same locale (bounded, least
    recently used dropped first)."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        try:
            key = (draw.__name__, _number_locale(), _frozen(args), _frozen(kwargs))
            hash(key)
        except TypeError:  # an argument that cannot be a key: draw it, remember nothing
            return draw(*args, **kwargs)
        with _memo_lock:
            found = _memo.get(key)
            if found is not None:
                _memo.move_to_end(key)
                _memo_stats["hits"] += 1
                return _copy(found)
            _memo_stats["misses"] += 1
        chart = draw(*args, **kwargs)
        with _memo_lock:
            _memo[key] = _copy(chart)
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
        return chart

    return wrapper


def memo_info() -> dict[str, int]:
    """Hits, misses and the number of charts kept (for tests and benchmarks)."""
    with _memo_lock:
        return {**_memo_stats, "size": len(_memo)}


def memo_clear() -> None:
    with _memo_lock:
        _memo.clear()
        _memo_stats.update(hits=0, misses=0)


def _config(chart: pygal.Graph, title: str, height: int) -> None:
    chart.config.js = []  # no script: the CSP forbids it and PDFs cannot run it
    chart.config.disable_xml_declaration = True
    chart.config.title = title
    chart.config.height = height
    chart.config.width = 800
    chart.config.show_legend = False
    chart.config.print_values = True
    chart.config.style = STYLE
    chart.config.value_formatter = number


def _is_whole(value: object) -> bool:
    if value is None:
        return True  # a gap in a series
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return math.isfinite(value) and value >= 0 and value == int(value)


def is_count(values: Iterable[object]) -> bool:
    """Whether every value is a whole number, not negative (``None`` gaps allowed): the chart
    counts things."""
    return all(_is_whole(v) for v in values)


def _nice_steps() -> Iterator[int]:
    base = 1
    while True:
        yield from (base, 2 * base, 5 * base)
        base *= 10


def whole_ticks(top: float, most: int = 10) -> list[int]:
    """Axis ticks 0..n in whole steps of 1, 2, 5, 10, 20, 50, ... covering ``top``, at most
    ``most`` steps; an empty chart still has the ticks 0 and 1."""
    top = max(math.ceil(top or 0), 1)
    step = next(s for s in _nice_steps() if math.ceil(top / s) <= most)
    return list(range(0, step * math.ceil(top / step) + 1, step))


def _whole_axis(chart: pygal.Graph, top: float) -> None:
    ticks = whole_ticks(top)
    chart.config.y_labels = ticks
    chart.range = (0, ticks[-1])


_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)


def _render(chart: pygal.Graph) -> str:
    # pygal writes its configuration into a <script> even without tooltips: drop it.
    return _SCRIPT.sub("", chart.render(is_unicode=True))


@memoised
def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | int | None],
    *,
    value_header: str = "",
    label_header: str = "",
    horizontal: bool = False,
    max_value: float | None = None,
    target: float | None = None,
    height: int = 360,
    width: int = 800,
    whole: bool | None = None,
) -> Chart:
    """One series of bars (``width`` smaller for a chart in a half-width card); a ``target`` is
    named in the title and kept inside the axis range. ``whole`` (by default: when every value
    is a whole number) gives the value axis whole-number ticks."""
    chart = pygal.HorizontalBar() if horizontal else pygal.Bar()
    shown_title = title if target is None else f"{title} (target {number(target)})"
    _config(chart, shown_title, height if not horizontal else max(height, 40 + 28 * len(labels)))
    chart.config.width = width
    chart.x_labels = [str(label) for label in labels]
    chart.x_label_rotation = 0 if horizontal or len(labels) <= 8 else 30
    chart.config.truncate_label = 30
    top = max([v for v in values if v is not None] + [max_value or 0, target or 0])
    if is_count(values) if whole is None else whole:
        _whole_axis(chart, top)
    elif max_value is not None or target is not None:
        chart.range = (0, top or 1)
    chart.add(value_header or title, [v if v is not None else None for v in values])
    rows = [[label, value] for label, value in zip(labels, values, strict=True)]
    return Chart(title, _render(chart), [label_header, value_header or title], rows)


@memoised
def line_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | int | None]],
    *,
    label_header: str = "",
    height: int = 320,
    whole: bool | None = None,
) -> Chart:
    """Several series over the same labels (for example months); counts get whole-number ticks."""
    chart = pygal.Line()
    _config(chart, title, height)
    chart.config.show_legend = len(series) > 1
    chart.config.print_values = len(labels) <= 12
    chart.x_labels = [str(label) for label in labels]
    every = [v for values in series.values() for v in values]
    if is_count(every) if whole is None else whole:
        _whole_axis(chart, max([v for v in every if v is not None] + [0]))
    for name, values in series.items():
        chart.add(name, list(values))
    rows = [[label, *[values[i] for values in series.values()]] for i, label in enumerate(labels)]
    return Chart(title, _render(chart), [label_header, *series.keys()], rows)


@memoised
def stacked_bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | int]],
    *,
    label_header: str = "",
    horizontal: bool = True,
    height: int = 360,
    whole: bool | None = None,
) -> Chart:
    """Parts of a whole per label (for example ratings per question); counts get whole-number
    ticks up to the largest total."""
    chart = pygal.HorizontalStackedBar() if horizontal else pygal.StackedBar()
    _config(chart, title, height if not horizontal else max(height, 60 + 30 * len(labels)))
    chart.config.show_legend = True
    chart.config.legend_at_bottom = True
    # The legend sits under the plot, in columns that share the plot's width: a long bar label
    # (an OPD's name) is shortened, so the plot and its legend keep room to name every part in
    # full (pygal cut them to "Butuh Perb…" before), in three columns or two for long names.
    longest = max((len(name) for name in series), default=0)
    chart.config.legend_at_bottom_columns = max(1, min(len(series), 3 if longest <= 18 else 2))
    chart.config.print_zeroes = False  # an empty part has no bar to label
    chart.x_labels = [_shorten(str(label), LABEL_CHARS) for label in labels]
    if is_count(v for values in series.values() for v in values) if whole is None else whole:
        totals = [sum(values[i] or 0 for values in series.values()) for i in range(len(labels))]
        _whole_axis(chart, max(totals + [0]))
    for name, values in series.items():
        chart.add(name, list(values))
    rows = [[label, *[values[i] for values in series.values()]] for i, label in enumerate(labels)]
    return Chart(title, _render(chart), [label_header, *series.keys()], rows)


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@memoised
def gauge(title: str, value: float, target: float, *, unit: str = "") -> Chart:
    """Progress towards a target (for example JP this year against 20)."""
    chart = pygal.SolidGauge(inner_radius=0.70, half_pie=True)
    _config(chart, title, 260)
    chart.config.width = 420
    top = max(target, value) or 1  # a target of 0 (LMS_JP_TARGET=0) and nothing done yet
    chart.value_formatter = lambda x: f"{number(x)} {unit}".strip()
    chart.config.print_values = False  # the sum in the middle shows it once
    chart.add("", [{"value": value, "max_value": top}])
    return Chart(title, _render(chart), ["", unit], [[title, value], ["Target", target]])


def histogram(
    title: str,
    values: Sequence[float],
    *,
    bins: Sequence[tuple[float, float]] | None = None,
    count_header: str = "",
    range_header: str = "",
) -> Chart:
    """Counts of values (0–100 scores by default) per bin, drawn as bars."""
    bins = bins or [(lo, lo + 10) for lo in range(0, 100, 10)]
    counts = [0] * len(bins)
    for value in values:
        for i, (lo, hi) in enumerate(bins):
            last = i == len(bins) - 1
            if lo <= value < hi or (last and value == hi):
                counts[i] += 1
                break
    labels = [f"{number(lo)}–{number(hi)}" for lo, hi in bins]
    return bar_chart(
        title, labels, counts, value_header=count_header, label_header=range_header, height=300
    )
