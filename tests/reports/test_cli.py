"""``flask --app lms reports export``: each format, and bad input refused with a reason."""

from __future__ import annotations

import openpyxl
import pytest

from lms.reports.cli import reports as reports_cli
from tests.reports.data import YEAR


def test_cli_writes_each_format(app, world, data, tmp_path) -> None:
    runner = app.test_cli_runner()
    for fmt in ("csv", "xlsx", "pdf"):
        for key in ("completions", "jp-compliance", "cohort", "certificates"):
            out = tmp_path / f"{key}.{fmt}"
            result = runner.invoke(
                reports_cli,
                ["export", key, "--format", fmt, "--out", str(out), "--year", str(YEAR)],
            )
            assert result.exit_code == 0, result.output
            assert out.stat().st_size > 0
    assert (tmp_path / "completions.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "cohort.pdf").read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(tmp_path / "certificates.xlsx")
    assert book.active.cell(1, 1).value == "Nomor sertifikat"
    out = tmp_path / "dinkes.csv"
    result = runner.invoke(
        reports_cli,
        ["export", "completions", "--format", "csv", "--out", str(out), "--unit", "DINKES"],
    )
    assert result.exit_code == 0
    assert "Pegawai DISDIK" not in out.read_text(encoding="utf-8-sig")
    semicolons = tmp_path / "excel-id.csv"
    result = runner.invoke(
        reports_cli,
        ["export", "completions", "--format", "csv", "--out", str(semicolons)]
        + ["--dialect", "excel-id"],
    )
    assert result.exit_code == 0, result.output
    assert semicolons.read_text(encoding="utf-8-sig").startswith("NIP;Nama;")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["nope", "--format", "csv"], "unknown report"),
        (["completions", "--format", "doc"], "unknown format"),
        (["completions", "--format", "csv", "--year", "19"], "--year"),
        (["completions", "--format", "csv", "--unit", "NOPE"], "no unit"),
    ],
)
def test_cli_bad_input_fails_with_reason(app, world, tmp_path, args, reason) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(reports_cli, ["export", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert reason in result.output
