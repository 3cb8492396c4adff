"""Reading an uploaded table costs what its real rows cost, whatever the file claims (issue 13.10).

The bound this file holds: reading any upload parses at most ``max_rows + 1`` row elements and
``(max_rows + 1) × max_columns`` cells, inflates at most ``IMPORT_XLSX_MAX_UNPACKED`` bytes, and
keeps only non-empty rows. A workbook that claims ``A1:XFD1048576`` with 1,000 empty rows used to be
padded by openpyxl to 16,384 cells per row and 1,048,576 rows (130 MB for a 3.8 KB file).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from lms.spreadsheets import TableError, read_upload
from tests.conftest import csrf_token, login


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, part: str, change) -> bytes:
    """The same zip with one part's XML changed by ``change(text) -> text``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == part:
                body = change(body.decode()).encode()
            target.writestr(info.filename, body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _bomb(empty_rows: int = 1000) -> bytes:
    """A tiny XLSX claiming the whole sheet, with a header, one data row and many empty rows."""

    def change(xml: str) -> str:
        xml = re.sub(r"<dimension [^>]*>", '<dimension ref="A1:XFD1048576"/>', xml)
        assert "XFD1048576" in xml
        empties = "".join(f'<row r="{n}"/>' for n in range(3, 3 + empty_rows))
        last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t></t></is></c></row>'
        return xml.replace("</sheetData>", empties + last + "</sheetData>")

    return _rewrite(_workbook([["nip", "nama"], ["1", "Ahmad"]]), SHEET, change)


def test_dimension_bomb_costs_its_real_rows_only() -> None:
    data = _bomb()
    assert len(data) < 8 * 1024
    claimed = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert (claimed.max_row, claimed.max_column) == (
        1_048_576,
        16_384,
    )  # what openpyxl would pad to
    assert len(next(claimed.iter_rows(values_only=True))) == 16_384
    table = read_upload("bom.xlsx", data)
    assert table.rows == [(1, ["nip", "nama"]), (2, ["1", "Ahmad"])]
    # Bound: 1,003 row elements read, 5 cells parsed, instead of 1,048,576 rows × 16,384 cells.
    assert table.stats.rows_read == 1003
    assert table.stats.cells_parsed <= 5


def test_rows_and_cells_stop_at_the_budget() -> None:
    data = _bomb(empty_rows=5000)
    with pytest.raises(TableError, match="lebih dari 100 baris"):
        read_upload("bom.xlsx", data, max_rows=100)
    wide = _workbook([[f"k{n}" for n in range(80)]])
    with pytest.raises(TableError, match="lebih dari 60 kolom"):
        read_upload("lebar.xlsx", wide, max_columns=60)


def test_cells_parsed_are_counted_while_reading() -> None:
    """A row of 5,000 empty styled cells stops at the cell budget (11 rows × 10 columns)."""

    def change(xml: str) -> str:
        cells = "".join(f'<c r="C{n}" s="0"/>' for n in range(5000))
        return xml.replace("</sheetData>", f'<row r="3">{cells}</row></sheetData>')

    data = _rewrite(_workbook([["nip", "nama"], ["1", "Ahmad"]]), SHEET, change)
    with pytest.raises(TableError, match="lebih dari 110 sel"):
        read_upload("sel.xlsx", data, max_rows=10, max_columns=10)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    ],
)
def test_dtd_and_entities_are_refused(prolog: str) -> None:
    data = _rewrite(_workbook([["nip"]]), SHEET, lambda xml: prolog + xml)
    with pytest.raises(TableError, match="DTD"):
        read_upload("dtd.xlsx", data)


def test_utf16_dtd_is_refused_too() -> None:
    base = _workbook([["nip"]])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == SHEET:
                text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'
                text += body.decode()
                body = text.encode("utf-16")
            target.writestr(info.filename, body)
    with pytest.raises(TableError, match="DTD"):
        read_upload("dtd16.xlsx", out.getvalue())


def test_zip_bomb_is_refused_before_parsing() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(TableError, match="terlalu besar"):
        read_upload("zip.xlsx", out.getvalue())


def test_csv_rows_are_bounded_and_nul_stripped() -> None:
    table = read_upload("a.csv", b"nip,nama\n1,Ah\x00mad\n\n\n")
    assert table.rows == [(1, ["nip", "nama"]), (2, ["1", "Ahmad"])]
    with pytest.raises(TableError, match="lebih dari 10 baris"):
        read_upload("a.csv", b"nip\n" + b"\n" * 1000, max_rows=10)
    with pytest.raises(TableError, match="baris 2"):
        read_upload("a.csv", b'nip\n"' + b"x" * 200_000 + b'"\n')


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bom.xlsx", _bomb(), "Nama"),  # the header lacks required columns: a file error, no 500
        (
            "dtd.xlsx",
            _rewrite(
                _workbook([["nip"]]),
                SHEET,
                lambda x: '<!DOCTYPE x [<!ENTITY a "b">]>' + x,
            ),
            "DTD",
        ),
        ("rusak.xlsx", b"PK\x03\x04 bukan zip", "rusak"),
    ],
)
def test_employee_import_answers_bad_workbooks_with_a_message(
    client, world, name: str, data: bytes, message: str
) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/impor")
    page = client.post(
        "/organisasi/impor",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert page.status_code < 500
    assert message.lower() in page.get_data(as_text=True).lower()
