"""``flask --app lms webhooks ...`` and ``flask --app lms siasn export`` (CONTRACT.md).

Exit 0 on success; otherwise non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from lms.extensions import db
from lms.org.models import Unit

webhooks_group = AppGroup("webhooks", help="Webhook endpoints and deliveries.")
siasn_group = AppGroup("siasn", help="The SIASN-ready export of verified learning records.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@webhooks_group.command("add")
@click.argument("url")
@click.option("--secret", required=True, help="Shared secret for the HMAC signature (≥ 16).")
@click.option(
    "--events",
    default="",
    help="Comma-separated event types; all (completion.created,completion.revoked) when omitted.",
)
@click.option("--description", default="", help="What the endpoint is for.")
def webhooks_add(url: str, secret: str, events: str, description: str) -> None:
    """Register a webhook endpoint and print its id."""
    from lms.integrations.webhooks import WebhookError, add_endpoint

    chosen = [e.strip() for e in events.split(",") if e.strip()]
    try:
        endpoint = add_endpoint(url, secret, chosen or None, description=description)
    except WebhookError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    click.echo(endpoint.id)


@webhooks_group.command("deliver")
def webhooks_deliver() -> None:
    """Send every delivery that is due now (retries included); for cron without Celery beat."""
    from lms.integrations.deliveries import deliver_due

    counts = deliver_due()
    click.echo(", ".join(f"{k}={v}" for k, v in counts.items()))


@siasn_group.command("export")
@click.option("--year", type=int, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None)
@click.option("--unit", "unit_code", default=None, help="OPD code: only its employees.")
def siasn_export(year: int, out: Path, fmt: str | None, unit_code: str | None) -> None:
    """Write verified learning records of YEAR as SIASN-ready rows (CSV or XLSX)."""
    from sqlalchemy import select
    from xlsxwriter.exceptions import FileCreateError

    from lms.integrations import siasn

    fmt = fmt or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    if not 2000 <= year <= 2100:
        _fail(f"--year {year} is out of range")
    opd_id = None
    if unit_code:
        opd_id = db.session.scalar(select(Unit.id).where(Unit.code == unit_code))
        if opd_id is None:
            _fail(f"no unit with code {unit_code}")
    scope = siasn.Scope(year, opd_id)
    rows = sum(siasn.status_counts(scope).values())
    try:
        if fmt == "xlsx":
            siasn.write_xlsx(scope, str(out))
        else:
            with open(out, "wb") as fh:
                siasn.write_csv(scope, fh)
    except (OSError, FileCreateError) as exc:
        _fail(f"cannot write {out}: {getattr(exc, 'strerror', None) or exc}")
    click.echo(f"wrote {rows} record(s) to {out}")


def register_cli(app: Flask) -> None:
    for group in (webhooks_group, siasn_group):
        if group.name not in app.cli.commands:
            app.cli.add_command(group)
