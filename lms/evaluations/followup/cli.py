"""``flask --app lms followup send-due``: the daily invitations and reminders, for cron."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup

from lms.evaluations.followup.notices import send_due
from lms.tasks import run_ready

followup_cli = AppGroup("followup", help="Post-training evaluation (evaluasi pascapelatihan).")


@followup_cli.command("send-due")
@click.option("--date", "on", default=None, help="Run as on this day (YYYY-MM-DD); default today.")
def send_due_command(on: str | None) -> None:
    """Invite and remind alumni and supervisors whose questionnaire is open (daily from cron)."""
    today = None
    if on:
        try:
            today = date.fromisoformat(on)
        except ValueError:
            click.echo(f"--date must be YYYY-MM-DD, not {on!r}", err=True)
            sys.exit(1)
    click.echo(str(send_due(today)))
    run_ready()  # the notifications' e-mails (no broker configured)
