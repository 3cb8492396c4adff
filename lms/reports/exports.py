"""Report files: streamed CSV, XLSX (XlsxWriter, constant memory) and a PDF summary (WeasyPrint).

The web, the background job and the CLI all call these writers with the same scoped query.

Formula injection: a spreadsheet treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula. In CSV such *strings* get a leading apostrophe; numbers stay
numbers (a negative number is data, not a formula). In XLSX every string is written with
``write_string`` (never a formula) and a dangerous one also gets Excel's quote-prefix format, so
editing the cell later keeps it text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from flask import current_app, render_template

from lms.reports.filters import Filters, Scope
from lms.reports.queries import Report

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_BATCH = 1000
PDF_ROWS = 100
STATIC_DIR = (Path(__file__).resolve().parents[1] / "static").resolve()


def neutralise(value: object) -> object:
    """A string that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def _csv_value(value: object) -> object:
    kind = value.__class__  # exact-type checks first: this runs for every cell of a big export
    if kind is str:
        return "'" + value if value.startswith(DANGEROUS) else value
    if value is None:
        return ""
    if kind is Decimal:
        return format(value, "f")
    if kind is date:
        return value.isoformat()
    if isinstance(value, date):  # a datetime
        return value.isoformat()[:10]
    return neutralise(value)


def csv_chunks(report: Report, scope: Scope, f: Filters) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks: BOM and headers first (a quick first byte), then batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in report.headers()])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(report.iter_rows(scope, f), start=1):
        writer.writerow([_csv_value(v) for v in row])
        if n % CSV_BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(report: Report, scope: Scope, f: Filters, out: BinaryIO) -> None:
    for chunk in csv_chunks(report, scope, f):
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
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "in_memory": False,
            "tmpdir": current_app.config.get("REPORTS_TMPDIR") or None,
        },
    )
    bold = workbook.add_format({"bold": True})
    quoted = workbook.add_format({"quote_prefix": True})
    day = workbook.add_format({"num_format": "dd-mm-yyyy"})
    sheet = workbook.add_worksheet(str(report.title)[:31])
    columns = report.columns()
    for c, header in enumerate(report.headers()):
        sheet.write_string(0, c, header, bold)
        sheet.set_column(c, c, 14 if columns[c].kind != "text" else 24)
    sheet.freeze_panes(1, 0)
    r = 0
    for r, row in enumerate(report.iter_rows(scope, f, limit=limit), start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                if value.startswith(DANGEROUS):
                    sheet.write_string(r, c, value, quoted)
                else:
                    sheet.write_string(r, c, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(r, c, float(value))
            elif isinstance(value, datetime | date):
                moment = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
                sheet.write_datetime(r, c, moment.replace(tzinfo=None), day)
            else:
                sheet.write_string(r, c, str(value))
        if progress is not None and r % every == 0:
            progress(r)
    workbook.close()
    return r


def xlsx_bytes(report: Report, scope: Scope, f: Filters) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(report, scope, f, buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def url_fetcher():  # noqa: ANN201
    """Only ``data:`` URLs and files inside ``lms/static``: the certificate renderer's fetcher."""
    from lms.certificates.render import StaticOnlyFetcher

    return StaticOnlyFetcher(STATIC_DIR)


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
        limit=PDF_ROWS,
        generated=datetime.now(),
    )


def pdf_bytes(report: Report, scope: Scope, f: Filters, *, scope_label: str = "") -> bytes:
    from weasyprint import HTML

    html = pdf_html(report, scope, f, scope_label=scope_label)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=url_fetcher())
    return document.write_pdf()
