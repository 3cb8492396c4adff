"""Pages that fit (issue 15, points 9 and 10), measured in Chromium as people see them.

On a laptop (1366 px wide) every column of the wide tables is in view: the completions report,
the learning record, the career page and the SKP distribution with its chart legend. On a phone
(390 px) the lesson page, `/verify` and `/karier` do not scroll sideways (a wide table scrolls
inside its own box instead); the lesson outline folds above the lesson, and the last lesson's
"Lanjut ke post-test" box and the previous/next buttons do not overlap. At 375 px the employee's
certificate list stacks into cards (table.table-cards) rather than scrolling in its box.
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.certificates.demo import DEMO_COURSE
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.browser.conftest import sign_in, sign_out

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# What a table's box shows: its scroll and visible widths, and the headers outside the visible box.
TABLE_FIT = """wrap => {
  const box = wrap.getBoundingClientRect();
  const cut = [...wrap.querySelectorAll('th')]
    .filter(th => { const r = th.getBoundingClientRect(); return r.right > box.right + 0.5 || r.left < box.left - 0.5; })
    .map(th => th.textContent.trim());
  return {scroll: wrap.scrollWidth, client: wrap.clientWidth, cut: cut};
}"""


def no_sideways_scroll(page: Page, label: str) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], f"{label} scrolls sideways: {width[0]} px in {width[1]} px"


def every_column_in_view(page: Page, selector: str, label: str) -> None:
    """The table fits its box without scrolling, and no header lies outside the visible box."""
    wrap = page.locator(selector)
    expect(wrap).to_be_visible()
    fit = wrap.evaluate(TABLE_FIT)
    assert fit["scroll"] <= fit["client"], f"{label}: {fit['scroll']} px in {fit['client']} px"
    assert not fit["cut"], f"{label}: columns cut off: {fit['cut']}"


def boxes_apart(page: Page, first: str, second: str) -> None:
    a = page.locator(first).bounding_box()
    b = page.locator(second).bounding_box()
    assert a and b
    apart = (
        a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
        or a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
    )
    assert apart, f"{first} {a} overlaps {second} {b}"


@pytest.mark.browser
def test_wide_tables_show_every_column_at_1366(page, live_server, shot, axe_check) -> None:
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "bkpsdm")
    page.goto(f"{live_server}/laporan/completions")
    rows = page.locator(".report-table tbody tr")
    expect(rows.filter(has_text=DEMO_COURSE).first).to_be_visible()  # at least the demo's
    every_column_in_view(page, "section[aria-labelledby=rincian] .table-wrap", "completions report")
    no_sideways_scroll(page, "completions report")
    axe_check("completions report at 1366")
    shot("layout-01-completions-report-1366")

    page.goto(f"{live_server}/laporan/jp-compliance")
    every_column_in_view(
        page, "section[aria-labelledby=rincian] .table-wrap", "JP compliance report"
    )

    # The SKP distribution: its table, and the chart's legend names every predikat in full
    # (pygal cut them to "Butuh Perb…" in columns too narrow for them).
    page.goto(f"{live_server}/kelola/kinerja")
    wrap = ".table-wrap[aria-label='Sebaran predikat kinerja']"
    every_column_in_view(page, wrap, "SKP distribution")
    no_sideways_scroll(page, "SKP distribution")
    chart = page.locator("figure.chart-figure img.chart")
    svg = base64.b64decode(chart.get_attribute("src").split(",", 1)[1]).decode()
    legend = [t.strip() for t in page.locator(f"{wrap} thead th").all_inner_texts()[2:-1]]
    assert "Belum dievaluasi" in legend and len(legend) == 6, legend
    shown = re.findall(r'class="legend [^"]*">.*?<text[^>]*>([^<]*)</text>', svg)
    assert shown == legend, f"the legend is cut short: {shown}"
    figure, image = page.locator("figure.chart-figure").bounding_box(), chart.bounding_box()
    assert image["x"] + image["width"] <= figure["x"] + figure["width"] + 0.5
    axe_check("SKP distribution at 1366")
    shot("layout-02-skp-distribution-1366")

    sign_out(page)
    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/riwayat")
    every_column_in_view(page, ".table-wrap[aria-label^='Riwayat tahun']", "learning record")
    no_sideways_scroll(page, "learning record")
    axe_check("learning record at 1366")
    shot("layout-03-learning-record-1366")

    page.goto(f"{live_server}/karier")
    every_column_in_view(page, "#riwayat .table-wrap", "career page")
    no_sideways_scroll(page, "career page")


@pytest.mark.browser
def test_lesson_outline_folds_above_the_lesson_on_a_phone(
    page, live_server, shot, axe_check
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(
        page, live_server, "pegawai"
    )  # pegawai has finished the demo course: every lesson opens
    page.goto(f"{live_server}/belajar/{DEMO_COURSE}")
    outline = page.locator("details.outline-list")
    expect(outline).not_to_have_attribute("open", "")
    first_lesson = outline.locator("ol a").first
    expect(first_lesson).to_be_hidden()  # folded: the lesson starts near the top of the screen
    summary = outline.locator("summary").bounding_box()
    lesson = page.locator("article.lesson-body").bounding_box()
    assert summary["y"] + summary["height"] <= lesson["y"]
    assert lesson["y"] < PHONE["height"] / 2, lesson
    no_sideways_scroll(page, "lesson page on a phone")
    axe_check("lesson page on a phone")
    shot("layout-04-lesson-phone")

    outline.locator("summary").click()
    expect(first_lesson).to_be_visible()
    shot("layout-05-lesson-phone-outline-open")
    outline.locator("ol a").last.click()
    expect(page.get_by_text("Pelajaran 4 dari 4")).to_be_visible()
    expect(page.get_by_role("heading", name="Lanjut ke post-test")).to_be_visible()
    boxes_apart(page, "section.lesson-quizzes", "footer.lesson-nav")
    boxes_apart(page, "section.lesson-quizzes", "footer.lesson-nav a[role=button]")
    no_sideways_scroll(page, "last lesson on a phone")
    page.locator("footer.lesson-nav").scroll_into_view_if_needed()
    axe_check("last lesson on a phone")
    shot("layout-06-last-lesson-phone")

    # On a laptop the outline is the open sidebar and the box sits above the buttons there too.
    page.set_viewport_size(LAPTOP)
    expect(outline.locator("summary")).to_be_hidden()
    expect(outline.locator("ol a").first).to_be_visible()
    boxes_apart(page, "section.lesson-quizzes", "footer.lesson-nav")
    boxes_apart(page, "aside.outline", "article.lesson-body")
    no_sideways_scroll(page, "last lesson on a laptop")
    shot("layout-07-last-lesson-1366")


@pytest.mark.browser
def test_verify_and_career_pages_fit_a_phone(page, live_server, live_app, shot, axe_check) -> None:
    with live_app.app_context():  # the demo's certificate, issued before any test ran
        token = db.session.scalar(select(Certificate.token).order_by(Certificate.id).limit(1))
        db.session.remove()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/verify")
    no_sideways_scroll(page, "/verify on a phone")
    page.goto(f"{live_server}/verify/{token}")
    expect(page.locator(".verify-status")).to_be_visible()
    expect(page.locator("#sha256")).to_be_visible()  # the 64-character fingerprint wraps
    no_sideways_scroll(page, "/verify/<token> on a phone")
    axe_check("verification page on a phone")
    shot("layout-08-verify-phone")

    sign_in(page, live_server, "pegawai")
    page.goto(f"{live_server}/karier")
    no_sideways_scroll(page, "/karier on a phone")
    # Its history table is wider than the phone: it scrolls in its own box, which a keyboard
    # reaches (axe: scrollable-region-focusable) and whose first column stays in view.
    wrap = page.locator("#riwayat .table-wrap")
    fit = wrap.evaluate(TABLE_FIT)
    assert fit["scroll"] > fit["client"]
    expect(wrap).to_have_attribute("tabindex", "0")
    first = wrap.locator("tbody tr th").first
    before = first.bounding_box()["x"]
    wrap.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("w => w.scrollLeft > 0", arg=wrap.element_handle(), timeout=5_000)
    assert abs(first.bounding_box()["x"] - before) < 1  # sticky first column
    axe_check("career page on a phone")
    shot("layout-09-career-phone")

    page.goto(f"{live_server}/riwayat")
    no_sideways_scroll(page, "/riwayat on a phone")


NARROW_PHONE = {"width": 375, "height": 800}


def in_view_across(page: Page, selector: str, label: str) -> None:
    """Every element ``selector`` finds lies within the viewport's width: seen without scrolling
    sideways, neither the page nor a table's box."""
    boxes = [
        page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())
    ]
    assert boxes, f"{label}: nothing matches {selector}"
    width = page.viewport_size["width"]
    out = [b for b in boxes if b is None or b["x"] < 0 or b["x"] + b["width"] > width + 0.5]
    assert not out, f"{label}: {selector} outside the {width} px screen: {out}"


@pytest.mark.browser
def test_certificate_list_reads_on_a_375_px_phone(page, live_server, shot, axe_check) -> None:
    """The employee's certificate list (issue 20) on the narrowest common phone: each certificate
    is a card (table.table-cards) whose number, date, JP, status and PDF link are all on screen,
    where its six columns used to scroll inside their box with only the training's name and half
    the number in view. The page itself does not scroll sideways, nor do the dashboard and the
    JP pages the employee sees (their wide tables scroll in their own box, as above)."""
    page.set_viewport_size(NARROW_PHONE)
    sign_in(page, live_server, "pegawai")
    no_sideways_scroll(page, "dashboard at 375")

    page.goto(f"{live_server}/sertifikat")
    card = page.locator(".table-wrap table.table-cards tbody tr").first
    expect(card).to_be_visible()
    no_sideways_scroll(page, "certificate list at 375")
    fit = page.locator(".table-wrap:has(table.table-cards)").evaluate(TABLE_FIT)
    assert fit["scroll"] <= fit["client"], f"the list scrolls in its box: {fit}"
    for cell in ("td", "td .chip", "td a"):
        in_view_across(page, f"table.table-cards tbody tr {cell}", "certificate list at 375")
    expect(card.locator("td[data-label]").first).to_be_visible()
    labels = card.locator("td[data-label]").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels == ['"Nomor"', '"Tanggal terbit"', '"JP"', '"Status"', '"Unduh"'], labels
    expect(card.get_by_role("link", name=re.compile("Unduh PDF sertifikat"))).to_be_in_viewport()
    axe_check("certificate list at 375")
    shot("layout-10-certificates-375")

    page.set_viewport_size(LAPTOP)  # a table again where there is room
    every_column_in_view(page, ".table-wrap:has(table.table-cards)", "certificate list at 1366")
    expect(page.locator("table.table-cards thead")).to_be_visible()
    shot("layout-11-certificates-1366")

    page.set_viewport_size(NARROW_PHONE)
    for path in ("/karier", "/riwayat"):
        page.goto(f"{live_server}{path}")
        no_sideways_scroll(page, f"{path} at 375")
