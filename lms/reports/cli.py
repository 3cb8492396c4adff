"""``flask --app lms reports export REPORT --format csv|xlsx|pdf --out FILE [--unit CODE] [--year YYYY]``.

The same writers and the same query as the web, with the operator's scope (everything).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.reports import exports
from lms.reports.definitions import REPORTS, default_year
from lms.reports.filters import Scope, parse
from lms.reports.schedules.runner import run_due
from lms.spreadsheets import CSV_DIALECTS

reports = AppGroup("reports", help="HR reports.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@reports.command("export")
@click.argument("report_name", metavar="REPORT")
@click.option("--format", "fmt", required=True, help="csv, xlsx or pdf")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit", default="", help="Unit code: that unit and its subtree.")
@click.option("--year", "year", default="", help="Year (YYYY).")
@click.option(
    "--dialect",
    "dialect",
    type=click.Choice(["standar", "excel-id"]),
    default="standar",
    help="CSV: standar (, and 92.86) or excel-id (; and 92,86, as Indonesian Excel opens it).",
)
def export(report_name: str, fmt: str, out: Path, unit: str, year: str, dialect: str) -> None:
    """Write a report file (the same file the web offers)."""
    report = REPORTS.get(report_name)
    if report is None:
        _fail(f"unknown report {report_name!r}; choose one of: {', '.join(REPORTS)}")
    fmt = fmt.lower()
    if fmt not in ("csv", "xlsx", "pdf"):
        _fail(f"unknown format {fmt!r}; choose csv, xlsx or pdf")
    if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
        _fail(f"--year must be a year between 2000 and 2100, not {year!r}")
    if not out.parent.exists():
        _fail(f"the folder of --out does not exist: {out.parent}")
    scope = Scope.all()
    args = {"tahun": year, "unit": unit}
    filters = parse(args, scope, default_year=default_year(report))
    if unit and filters.unit_id is None:
        _fail(f"no unit with code {unit!r}")
    tmp = out.with_name(out.name + ".part")
    try:
        if fmt == "csv":
            with open(tmp, "wb") as fh:
                exports.write_csv(report, scope, filters, fh, CSV_DIALECTS[dialect])
        elif fmt == "xlsx":
            exports.write_xlsx(report, scope, filters, str(tmp))
        else:
            tmp.write_bytes(exports.pdf_bytes(report, scope, filters, scope_label="CLI"))
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    click.echo(f"wrote {out} ({report_name}, {fmt}, {report.count(scope, filters)} rows)")


@reports.command("send-scheduled")
def send_scheduled() -> None:
    """Send the scheduled reports that are due (run hourly from cron)."""
    click.echo(str(run_due()))
