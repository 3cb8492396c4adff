"""``flask summary rebuild [--year YEAR]``: recompute the summary tables from the source rows.

For after a bulk load that bypassed the ORM, a change of the general JP target (the day it was
reached is stored), or to check: the incremental path and the rebuild use the same statements.
"""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from lms.careers.summary.services import rebuild
from lms.extensions import db

summary_cli = AppGroup("summary", help="Summary tables of the dashboards and HR reports.")


@summary_cli.command("rebuild")
@click.option("--year", type=int, default=None, help="Only this year (default: every year).")
def rebuild_command(year: int | None) -> None:
    started = time.perf_counter()
    written = rebuild(year)
    db.session.commit()
    click.echo(
        f"employee_year_summary: {written['employee_year']} rows, "
        f"unit_period_summary: {written['unit_period']} rows "
        f"({time.perf_counter() - started:.1f} s)"
    )
