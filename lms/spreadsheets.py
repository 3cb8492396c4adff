"""Spreadsheet-safe CSV and XLSX writing, shared by the HR reports and the SIASN export.

Formula injection: a spreadsheet treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula. In CSV such *strings* get a leading apostrophe; numbers stay
numbers (a negative number is data, not a formula). In XLSX every string is written with
``write_string`` (never a formula) and a dangerous one also gets Excel's quote-prefix format, so
editing the cell later keeps it text. CSV is UTF-8 with a BOM so Excel reads names correctly.

CSV dialects: Excel opens a CSV with the list separator and decimal mark of the computer's
regional settings. With Indonesian settings that is ``;`` and a decimal comma, so a comma-separated
file lands in one column and 92.86 is not a number. ``CSV_INDONESIAN`` writes what that Excel
expects (``;``, 92,86, no thousands separator); ``CSV_STANDARD`` is RFC 4180 (``,``, 92.86) for
scripts and other spreadsheets. Dates stay ISO (2026-12-06), which both read as dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_BATCH = 1000


def neutralise(value: object) -> object:
    """A string that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def csv_value(value: object) -> object:
    """One cell for ``csv.writer``: inert strings, plain decimals, ISO dates, "" for None."""
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


def csv_value_decimal_comma(value: object) -> object:
    """``csv_value`` with a decimal comma for numbers (the Indonesian dialect)."""
    kind = value.__class__
    if kind is Decimal:
        return format(value, "f").replace(".", ",")
    if kind is float:
        return repr(value).replace(".", ",")
    return csv_value(value)


@dataclass(frozen=True)
class CsvDialect:
    key: str  # the ``dialek`` query value and the CLI's --dialect
    delimiter: str
    cell: Callable[[object], object]
    suffix: str  # added to the file name so the file says which it is


CSV_STANDARD = CsvDialect("standar", ",", csv_value, "")
CSV_INDONESIAN = CsvDialect("excel-id", ";", csv_value_decimal_comma, "-excel-id")
CSV_DIALECTS = {d.key: d for d in (CSV_STANDARD, CSV_INDONESIAN)}


def csv_dialect_for(locale: object) -> CsvDialect:
    """The default for a reader: Indonesian UI, Indonesian Excel; otherwise the standard."""
    return CSV_INDONESIAN if str(locale or "").split("_")[0] == "id" else CSV_STANDARD


def csv_chunks(
    headers: Iterable[object],
    rows: Iterable[Sequence[object]],
    *,
    batch: int = CSV_BATCH,
    dialect: CsvDialect = CSV_STANDARD,
) -> Iterator[bytes]:
    """The CSV as UTF-8 byte chunks: BOM and headers first (a quick first byte), then batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    cell = dialect.cell
    writer.writerow([neutralise(h) for h in headers])
    yield (BOM + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(v) for v in row])
        if n % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(
    headers: Iterable[object],
    rows: Iterable[Sequence[object]],
    out: BinaryIO,
    dialect: CsvDialect = CSV_STANDARD,
) -> None:
    for chunk in csv_chunks(headers, rows, dialect=dialect):
        out.write(chunk)


def workbook(out: str | Path | BinaryIO) -> Any:
    """An XlsxWriter workbook in constant memory that never turns strings into formulas."""
    import xlsxwriter

    return xlsxwriter.Workbook(
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


class SafeSheet:
    """A worksheet with a bold, frozen header row and data rows written cell by cell, safely.

    ``skip_empty`` leaves empty strings out as well as ``None`` (the cell stays blank).
    """

    def __init__(
        self,
        book: Any,
        name: str,
        headers: Sequence[str],
        widths: Sequence[int],
        *,
        skip_empty: bool = False,
    ) -> None:
        bold = book.add_format({"bold": True})
        self.quoted = book.add_format({"quote_prefix": True})
        self.day = book.add_format({"num_format": "dd-mm-yyyy"})
        self.skip_empty = skip_empty
        self.sheet = book.add_worksheet(name)
        for c, header in enumerate(headers):
            self.sheet.write_string(0, c, header, bold)
            self.sheet.set_column(c, c, widths[c])
        self.sheet.freeze_panes(1, 0)

    def write_row(self, r: int, row: Sequence[object]) -> None:
        sheet = self.sheet
        for c, value in enumerate(row):
            if value is None or (self.skip_empty and value == ""):
                continue
            if isinstance(value, str):
                if value.startswith(DANGEROUS):
                    sheet.write_string(r, c, value, self.quoted)
                else:
                    sheet.write_string(r, c, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(r, c, float(value))
            elif isinstance(value, datetime | date):
                moment = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
                sheet.write_datetime(r, c, moment.replace(tzinfo=None), self.day)
            else:
                sheet.write_string(r, c, str(value))
