"""``flask summary rebuild [--year YEAR] [--if-empty]``: recompute the summary tables from the
source rows.

``--if-empty`` builds them only when they hold nothing while there is learning to summarise: the
step after ``flask db upgrade`` (``make run``, the deploy's migration unit), since migration 0010d
creates the tables empty on a database that already has records.

For after a bulk load that bypassed the ORM, a change of the general JP target (the day it was
reached is stored), or to check: the incremental path and the rebuild use the same statements.
"""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.careers.summary.models import EmployeeYearSummary
from lms.careers.summary.services import rebuild, summary_years
from lms.extensions import db

summary_cli = AppGroup("summary", help="Summary tables of the dashboards and HR reports.")


@summary_cli.command("rebuild")
@click.option("--year", type=int, default=None, help="Only this year (default: every year).")
@click.option("--if-empty", is_flag=True, help="Only when the tables are empty (after upgrade).")
def rebuild_command(year: int | None, if_empty: bool) -> None:
    if if_empty and (
        db.session.scalar(select(EmployeeYearSummary.employee_id).limit(1)) is not None
        or not summary_years()
    ):
        click.echo("summary tables: nothing to build")
        return
    started = time.perf_counter()
    written = rebuild(year)
    db.session.commit()
    click.echo(
        f"employee_year_summary: {written['employee_year']} rows, "
        f"unit_period_summary: {written['unit_period']} rows "
        f"({time.perf_counter() - started:.1f} s)"
    )
