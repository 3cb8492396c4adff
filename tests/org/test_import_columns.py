"""An import preview finds what the database would refuse at confirm (issue 13.12): a text longer
than its model column is a row error naming the file's column, on SQLite (which would store it) as
on PostgreSQL (which refused it at confirm with a 500); a year like 0001 and NUL characters too."""

from __future__ import annotations

from datetime import date

from lms.completion.attendance import date_problem
from lms.imports import column_length, length_errors
from lms.org.models import Employee
from lms.quizzes.bank.formats.types import decode_upload
from tests.conftest import login
from tests.org.test_import import GOOD, HEADER, _count, _upload


def test_columns_lengths_come_from_the_model() -> None:
    assert column_length(Employee, "front_title") == 50
    assert column_length(Employee, "birth_date") is None
    errors = length_errors(
        7, Employee, {"gelar_depan": ("front_title", "x" * 51), "jabatan": ("position_name", "ok")}
    )
    assert [(e.row, e.column) for e in errors] == [(7, "gelar_depan")]
    assert "51 karakter, paling banyak 50" in errors[0].message


def test_employee_preview_refuses_a_title_longer_than_its_column(app, client, world) -> None:
    login(client, "bkpsdm")
    before = _count(app)
    long_title = "S.Kom., M.Kom., " * 10  # 159 characters once stripped; the column holds 80
    text = GOOD.replace("S.Kom.,", f'"{long_title}",', 1)
    assert text != GOOD
    page = _upload(client, "pegawai.csv", text.encode()).get_data(as_text=True)
    assert "Berkas siap diimpor" not in page
    assert "159 karakter, paling banyak 80" in page
    assert 'name="key"' not in page  # nothing to confirm
    assert _count(app) == before
    # The same file with NUL characters in a cell is read without them and is ready.
    page = _upload(
        client, "pegawai.csv", (HEADER + GOOD[len(HEADER) :].replace("Ahmad", "Ah\x00mad")).encode()
    )
    assert "Berkas siap diimpor" in page.get_data(as_text=True)


def test_far_years_in_attendance_files_are_row_problems() -> None:
    assert "antara 1900 dan 2100" in date_problem(date(1, 1, 1), date(2026, 12, 6))
    assert date_problem(date(2026, 12, 1), date(2026, 12, 6)) is None


def test_question_files_lose_their_nul_characters() -> None:
    text, error = decode_upload(b"::Q1:: Ibu kota\x00 Sumsel? {=Palembang ~Jakarta}")
    assert error is None and "\x00" not in text
