"""Spreadsheet-safe CSV and XLSX writing (HR reports, SIASN export) and bounded reading of uploads.

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
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app, has_app_context
from flask_babel import gettext as _

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


# --- reading uploads ------------------------------------------------------------------------------
#
# An uploaded table is read with every cost bounded while reading, whatever the file claims:
# an XLSX is a zip of XML parts, so before anything is parsed the archive's unpacked size, each
# part's compression ratio and a DTD or entity declaration in any part are checked (no XML part of
# a real workbook has one; refusing them shuts out entity expansion without a new dependency).
# Rows are then taken from the worksheet's XML as they come: the ``<dimension>`` element and gaps
# between row numbers are ignored (openpyxl's own iterators pad every row to the claimed width and
# fill every missing row up to the claimed height, which made a 3.8 KB file cost 130 MB), empty
# rows are skipped, and counters stop the read at a row, column and cell budget.

# Defaults for the config's IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS, IMPORT_MAX_CELLS and
# IMPORT_XLSX_MAX_UNPACKED.
UPLOAD_MAX_ROWS = 50_000  # rows looked at, empty ones too, besides the header
UPLOAD_MAX_COLUMNS = 60
UPLOAD_MAX_CELLS = 1_000_000
XLSX_MAX_UNPACKED = 50 * 1024 * 1024  # all parts together, as zipfile will inflate them
XLSX_MAX_PARTS = 500
XLSX_MAX_RATIO = 100  # a part over 1 MiB may not be more than this many times its packed size
_RATIO_FLOOR = 1024 * 1024
_MARKUP = (b"<!doctype", b"<!entity")
_MARKUP_FORMS = tuple(
    m.decode().encode(codec) for m in _MARKUP for codec in ("utf-8", "utf-16-le", "utf-16-be")
)


class TableError(ValueError):
    """An upload that cannot be read as a table; the message says why, for the user."""


@dataclass
class ReadStats:
    """What reading an upload cost: the bound the limits hold, observable by tests."""

    rows_read: int = 0  # row elements (XLSX) or records (CSV) looked at, empty ones too
    cells_parsed: int = 0  # XLSX cells parsed
    bytes_unpacked: int = 0  # XLSX bytes inflated while checking the archive


@dataclass
class Table:
    """The non-empty rows of an upload as text, each with its row number in the file."""

    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    stats: ReadStats = field(default_factory=ReadStats)


def _limit(name: str, default: int) -> int:
    if has_app_context():
        return int(current_app.config.get(name) or default)
    return default


def read_upload(
    filename: str,
    data: bytes,
    *,
    max_rows: int | None = None,
    max_columns: int | None = None,
) -> Table:
    """Read a CSV or XLSX upload into its non-empty rows (header included); raise TableError.

    ``max_rows`` counts data rows (the header comes on top); every row looked at counts, empty or
    not, so the work done never exceeds the budget.
    """
    rows_limit = (max_rows or _limit("IMPORT_MAX_ROWS", UPLOAD_MAX_ROWS)) + 1
    cols_limit = max_columns or _limit("IMPORT_MAX_COLUMNS", UPLOAD_MAX_COLUMNS)
    name = filename.lower()
    table = Table()
    if name.endswith(".csv"):
        _read_csv(data, table, rows_limit, cols_limit)
    elif name.endswith(".xlsx"):
        _read_xlsx(data, table, rows_limit, cols_limit)
    else:
        raise TableError(_("Format berkas harus .csv atau .xlsx."))
    return table


def _too_many_rows(limit: int) -> TableError:
    return TableError(
        _(
            "Berkas berisi lebih dari %(n)s baris (baris kosong ikut dihitung). Hapus baris "
            "kosong di bawah data atau pecah menjadi beberapa berkas.",
            n=limit - 1,
        )
    )


def _too_many_columns(limit: int) -> TableError:
    return TableError(
        _("Berkas berisi lebih dari %(n)s kolom. Hapus kolom yang tidak dipakai.", n=limit)
    )


def _keep(cells: list[str], table: Table, number: int, cols_limit: int) -> None:
    """Add one row if it has any content; NUL characters never get past here."""
    cells = [c.replace("\x00", "") if "\x00" in c else c for c in cells]
    while cells and not cells[-1].strip():
        cells.pop()
    if not cells:
        return
    if len(cells) > cols_limit:
        raise _too_many_columns(cols_limit)
    table.rows.append((number, cells))


def _read_csv(data: bytes, table: Table, rows_limit: int, cols_limit: int) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(
            _("Berkas CSV harus berenkode UTF-8. Simpan ulang sebagai 'CSV UTF-8'.")
        ) from None
    text = text.replace("\x00", "")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            table.stats.rows_read += 1
            if table.stats.rows_read > rows_limit:
                raise _too_many_rows(rows_limit)
            _keep(cells, table, reader.line_num, cols_limit)
    except csv.Error:
        raise TableError(
            _("Berkas CSV tidak dapat dibaca (baris %(n)s rusak).", n=reader.line_num)
        ) from None


def _check_archive(data: bytes, stats: ReadStats) -> None:
    """Refuse a zip whose parts unpack too far or carry a DTD/entity, before any XML is parsed."""
    import zipfile

    corrupt = TableError(_("Berkas XLSX rusak atau bukan berkas Excel."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise corrupt from None
    max_unpacked = _limit("IMPORT_XLSX_MAX_UNPACKED", XLSX_MAX_UNPACKED)
    too_big = TableError(
        _(
            "Berkas XLSX terlalu besar setelah dibuka (lebih dari %(mb)s MB). Simpan ulang "
            "hanya lembar yang berisi data.",
            mb=max_unpacked // (1024 * 1024),
        )
    )
    if len(parts) > XLSX_MAX_PARTS or sum(p.file_size for p in parts) > max_unpacked:
        raise too_big
    for part in parts:
        if part.file_size > _RATIO_FLOOR and part.file_size > XLSX_MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise too_big
    try:
        for part in parts:
            tail = b""
            with archive.open(part) as stream:
                while chunk := stream.read(64 * 1024):
                    stats.bytes_unpacked += len(chunk)
                    if stats.bytes_unpacked > max_unpacked:
                        raise too_big
                    window = (tail + chunk).lower()
                    if any(form in window for form in _MARKUP_FORMS):
                        raise TableError(
                            _(
                                "Berkas XLSX memuat deklarasi DTD atau entitas XML yang tidak "
                                "diizinkan. Simpan ulang berkasnya dari Excel atau LibreOffice."
                            )
                        )
                    tail = window[-32:]
    except TableError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise corrupt from None


def _read_xlsx(data: bytes, table: Table, rows_limit: int, cols_limit: int) -> None:
    _check_archive(data, table.stats)
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    stats = table.stats
    cells_limit = min(rows_limit * cols_limit, _limit("IMPORT_MAX_CELLS", UPLOAD_MAX_CELLS))

    class CountingParser(WorkSheetParser):
        """openpyxl's row parser, counting every cell it parses against the budget."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            stats.cells_parsed += 1
            if stats.cells_parsed > cells_limit:
                raise TableError(
                    _(
                        "Lembar pertama berisi lebih dari %(n)s sel. Hapus isi atau format sel "
                        "di luar tabel data, atau pecah menjadi beberapa berkas.",
                        n=cells_limit,
                    )
                )
            return super().parse_cell(element)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # The sheet's own XML, parsed row by row; ReadOnlyWorksheet's iterators would pad.
            with book._archive.open(sheet._worksheet_path) as source:
                parser = CountingParser(
                    source,
                    sheet._shared_strings,
                    data_only=True,
                    epoch=book.epoch,
                    date_formats=book._date_formats,
                    timedelta_formats=book._timedelta_formats,
                )
                for number, cells in parser.parse():
                    stats.rows_read += 1
                    if stats.rows_read > rows_limit:
                        raise _too_many_rows(rows_limit)
                    values: dict[int, str] = {}
                    for cell in cells:
                        text = _cell_text(cell["value"])
                        if not text.strip():
                            continue
                        if cell["column"] > cols_limit:
                            raise _too_many_columns(cols_limit)
                        values[cell["column"]] = text
                    if values:
                        row = [""] * max(values)
                        for column, text in values.items():
                            row[column - 1] = text
                        _keep(row, table, number, cols_limit)
        finally:
            book.close()
    except TableError:
        raise
    except Exception:
        raise TableError(_("Berkas XLSX rusak atau bukan berkas Excel.")) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
