"""Report files: streamed CSV, XLSX (XlsxWriter, constant memory) and a PDF summary (WeasyPrint).

The web, the background job and the CLI all call these writers with the same scoped query.

Formula injection and the cell writing are handled by ``lms.spreadsheets`` (shared with the SIASN
export): dangerous strings get a leading apostrophe in CSV and are written as quote-prefixed text
in XLSX; numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import render_template
from flask_babel import gettext as _

from lms import spreadsheets
from lms.indonesian import local_zone
from lms.reports.definitions.base import Report
from lms.reports.filters import Filters, Scope
from lms.spreadsheets import neutralise as neutralise  # re-exported: the module's public API

PDF_ROWS = 100
STATIC_DIR = (Path(__file__).resolve().parents[1] / "static").resolve()


def csv_chunks(
    report: Report,
    scope: Scope,
    f: Filters,
    dialect: spreadsheets.CsvDialect = spreadsheets.CSV_STANDARD,
) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks: BOM and headers first (a quick first byte), then batches;
    ``dialect`` is the standard (``,``, 92.86) or Indonesian Excel's (``;``, 92,86)."""
    yield from spreadsheets.csv_chunks(
        report.headers(), report.iter_rows(scope, f), dialect=dialect
    )


def write_csv(
    report: Report,
    scope: Scope,
    f: Filters,
    out: BinaryIO,
    dialect: spreadsheets.CsvDialect = spreadsheets.CSV_STANDARD,
) -> None:
    for chunk in csv_chunks(report, scope, f, dialect):
        out.write(chunk)


def write_xlsx(
    report: Report,
    scope: Scope,
    f: Filters,
    out: str | Path | BinaryIO,
    *,
    total: int | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 5000,
    limit: int | None = None,
) -> int:
    """Write the report as XLSX in constant memory; returns the number of data rows."""
    workbook = spreadsheets.workbook(out)
    widths = [14 if column.kind != "text" else 24 for column in report.columns()]
    sheet = spreadsheets.SafeSheet(workbook, str(report.title)[:31], report.headers(), widths)
    r = 0
    for r, row in enumerate(report.iter_rows(scope, f, limit=limit), start=1):
        sheet.write_row(r, row)
        if progress is not None and r % every == 0:
            progress(r)
    workbook.close()
    return r


def xlsx_bytes(report: Report, scope: Scope, f: Filters) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(report, scope, f, buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def url_fetcher():
    """Only ``data:`` URLs and files inside ``lms/static``: the certificate renderer's fetcher."""
    from lms.certificates.render import StaticOnlyFetcher  # lazy: WeasyPrint, ~1.4 s and 25 MiB

    return StaticOnlyFetcher(STATIC_DIR)


def scope_label(scope: Scope, user) -> str:
    """Whose data the report covers, printed on the PDF (the page and the background job)."""
    if scope.everything:
        return _("Semua perangkat daerah")
    parts = []
    if scope.path is not None and user.admin_unit is not None:
        parts.append(user.admin_unit.name)
    if scope.supervisor_id is not None:
        parts.append(_("bawahan langsung"))
    if scope.partner_id is not None and user.partner is not None:
        parts.append(_("Pelatihan %(p)s", p=user.partner.name))
    return ", ".join(parts)


def pdf_html(report: Report, scope: Scope, f: Filters, *, scope_label: str = "") -> str:
    rows = list(report.iter_rows(scope, f, limit=PDF_ROWS))
    return render_template(
        "reports/pdf.html",
        report=report,
        headers=report.headers(),
        columns=report.columns(),
        rows=rows,
        total=report.count(scope, f),
        totals=report.totals(scope, f),
        charts=report.charts(scope, f),
        summary=report.summary(scope, f),
        filters=f,
        scope_label=scope_label,
        unit_name=f.unit_name,
        limit=PDF_ROWS,
        generated=datetime.now(UTC).astimezone(local_zone()),
    )


def pdf_bytes(report: Report, scope: Scope, f: Filters, *, scope_label: str = "") -> bytes:
    from weasyprint import HTML

    html = pdf_html(report, scope, f, scope_label=scope_label)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=url_fetcher())
    return document.write_pdf()
