"""``flask --app lms ...`` commands (CONTRACT.md). Exit 0 on success, non-zero with a reason.

Each feature registers its own group in its ``cli.py``; this module only wires them onto the app,
plus ``demo`` and ``content``, which load across features (organisation, courses, quizzes,
programmes, a demo completion and a demo nomination) as the app factory does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, inspect, select

from lms.extensions import db

demo = AppGroup("demo", help="Demo data.")
content = AppGroup("content", help="Courses and programmes from a content folder.")
storage = AppGroup("storage", help="Uploaded and generated files (LMS_FILES_DIR).")


@content.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def content_load(path: Path, as_json: bool) -> None:
    """Load or update courses idempotently; a course with errors is skipped and reported.

    Courses name their SIASN jenis diklat, so on a database whose reference data was never
    loaded (only migrated) every course would fail on its code: the reference data is loaded
    first, as `reference load` does, and said so.
    """
    from lms.content import load_content
    from lms.org.reference import REFERENCE_DIR, load_reference, reference_missing

    if reference_missing():
        counts = load_reference()
        click.echo(
            f"Reference data was empty; loaded it first from {REFERENCE_DIR} "
            f"(as `flask --app lms reference load` does): "
            + ", ".join(f"{k}={v}" for k, v in counts.items()),
            err=True,
        )
    result = load_content(path)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        for e in result.errors:
            where = f"{e['file']}:{e['line']}" if "line" in e else e["file"]
            click.echo(f"{where}: {e['message']}", err=True)
        click.echo(f"created={result.created} updated={result.updated} errors={len(result.errors)}")
    if result.errors:
        sys.exit(1)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@demo.command("load")
def demo_load() -> None:
    """Demo organisation, accounts, reference data, courses, a completion for `pegawai` and a
    nomination waiting for `atasan`; idempotent."""
    from flask import current_app

    from lms.org.demo import load_demo

    if current_app.config["ENV_NAME"] == "production":
        _fail("demo load is refused when LMS_ENV=production")
    from config import BASE_DIR
    from lms.content import load_content

    counts = load_demo()
    loaded = load_content(BASE_DIR / "content")
    counts.update(courses_created=loaded.created, course_errors=len(loaded.errors))
    from lms.certificates.demo import load_demo_completion
    from lms.community.demo import load_demo_community
    from lms.completion.programmes.demo import load_demo_progress
    from lms.enrolments.demo import load_demo_nomination
    from lms.leadership.demo import load_demo_projects
    from lms.tasks import run_ready

    counts.update(demo_completion=int(load_demo_completion()))
    counts.update(demo_nomination=int(load_demo_nomination()))  # for `atasan` to approve
    counts.update(demo_community=int(load_demo_community()))  # cross-OPD forum threads
    # Last: the workplace projects of the demo Latsar and PKP cohorts' participants.
    counts.update(demo_projects=load_demo_projects())
    # After the demo cohorts have their participants: courses done and classroom attendance.
    counts.update(demo_progress=load_demo_progress())
    db.session.commit()
    run_ready()  # the demo certificate's PDF, rendered in-process without a broker
    for e in loaded.errors:
        click.echo(f"content: {e['file']}: {e['message']}", err=True)
    click.echo("Demo loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@demo.command("needed")
def demo_needed() -> None:
    """Exit 0 when the database has no accounts yet (used by `make run`)."""
    from lms.auth.models import User

    if not inspect(db.engine).has_table("users"):
        sys.exit(0)
    sys.exit(0 if not db.session.scalar(select(func.count(User.id))) else 1)


@storage.command("sweep")
@click.option(
    "--minutes",
    type=click.IntRange(min=60),
    default=60,
    show_default=True,
    help="Delete temporary files unchanged for longer than this; not less than an hour, "
    "longer than any write (a report export may take 33 minutes).",
)
def storage_sweep(minutes: int) -> None:
    """Delete the temporary files of writes that died (run hourly from cron or Celery beat)."""
    from datetime import timedelta

    from lms.storage import get_storage

    deleted = get_storage().sweep_parts(timedelta(minutes=minutes))
    click.echo(f"{deleted} temporary file(s) deleted")


def register_cli(app: Flask) -> None:
    from lms.auth.cli import tokens, users
    from lms.careers.summary.cli import summary_cli
    from lms.completion.cli import completions
    from lms.evaluations.followup.cli import followup_cli
    from lms.imports import imports_cli
    from lms.integrations.cli import register_cli as register_integrations_cli
    from lms.org.cli import org, reference
    from lms.packages.cli import packages_cli
    from lms.quizzes.cli import quiz
    from lms.reports.cli import reports

    register_integrations_cli(app)
    for group in (
        demo,
        users,
        tokens,
        reference,
        org,
        content,
        quiz,
        completions,
        reports,
        imports_cli,
        packages_cli,
        followup_cli,
        summary_cli,
        storage,
    ):
        app.cli.add_command(group)
