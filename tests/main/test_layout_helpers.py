"""Layout (issue 15, point 9): the pieces that let wide tables fit a laptop and a phone.

Every table of a page scrolls inside a box a keyboard can reach (never the page), long
identifiers may wrap where people expect, lesson tables get the same box, and a stacked chart's
legend names its parts in full. The browser proof is tests/browser/test_layout_journey.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from lms import charts
from lms.courses.rendering import render_markdown, scrollable_tables
from lms.indonesian import soft_breaks

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Printed documents lay their tables out for paper: no scrolling box there.
PRINTED = {"certificates/pdf.html", "reports/pdf.html", "careers/akpk/pdf.html"}
WRAPPER = re.compile(r'<div class="table-wrap"(?P<attrs>[^<]*?)>\s*$')


def test_a_nip_wraps_between_its_fields_and_a_number_after_its_slashes() -> None:
    assert soft_breaks("199411102017102953") == "19941110<wbr>201710<wbr>2<wbr>953"
    assert soft_breaks("0001/STTP/BKPSDM/2026") == "0001/<wbr>STTP/<wbr>BKPSDM/<wbr>2026"
    assert soft_breaks("<b>/x") == "&lt;b&gt;/<wbr>x"  # escaped, and safe to print
    assert isinstance(soft_breaks("a/b"), Markup)
    assert soft_breaks("19941110") == "19941110"  # not a NIP: unchanged
    assert soft_breaks("a / b") == "a / b"
    assert soft_breaks(None) == ""


def test_lesson_tables_scroll_in_a_named_box_a_keyboard_reaches() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\nteks\n\n| c |\n|---|\n| 3 |\n")
    shown = scrollable_tables(html, 'Tabel "x"')
    assert isinstance(shown, Markup)
    opening = '<div class="table-wrap" tabindex="0" role="region" aria-label="Tabel &#34;x&#34;">'
    assert shown.count(opening + "<table>") == 2
    assert shown.count("</table></div>") == 2
    assert "<p>teks</p>" in shown
    assert scrollable_tables("<p>tanpa tabel</p>", "Tabel") == "<p>tanpa tabel</p>"


def test_a_stacked_chart_names_every_part_in_full_in_its_legend() -> None:
    parts = ["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]
    parts.append("Belum dievaluasi")
    opd = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    chart = charts.stacked_bar_chart("Sebaran", [opd, "Inspektorat"], {p: [1, 0] for p in parts})
    legend = re.findall(r'class="legend [^"]*">.*?<text[^>]*>([^<]*)</text>', chart.svg)
    assert legend == parts  # pygal cut them to "Butuh Perb…" before
    assert ">Inspektorat<" in chart.svg
    assert opd not in chart.svg and "Badan Kepegawaian dan Pengemb…" in chart.svg
    assert chart.rows[0][0] == opd  # the table beneath reads the name in full


def test_every_table_scrolls_in_a_focusable_named_box() -> None:
    """A table wider than its page scrolls inside `.table-wrap`, never the page; the box is
    focusable and named (axe: scrollable-region-focusable), so a keyboard can scroll it."""
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PRINTED:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            line = text.count("\n", 0, match.start()) + 1
            wrapper = WRAPPER.search(text, 0, match.start())
            attrs = wrapper.group("attrs") if wrapper else ""
            named = "aria-label=" in attrs or "aria-labelledby=" in attrs
            if not (wrapper and 'tabindex="0"' in attrs and 'role="region"' in attrs and named):
                missing.append(f"{name}:{line}")
    assert not missing, f"tables outside a focusable, named .table-wrap: {missing}"
