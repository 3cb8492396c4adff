"""``flask --app lms quiz import`` and ``flask --app lms quiz sweep`` (CONTRACT.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.attempts.services import sweep_and_commit
from lms.quizzes.bank import services as bank
from lms.tasks import run_ready

quiz = AppGroup("quiz", help="Question banks.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@quiz.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gift", "aiken"]), required=True)
@click.option("--course", "code", default=None, help="Course code; not needed with --dry-run.")
@click.option("--category", default=None, help="Category for questions the file leaves out.")
@click.option("--dry-run", is_flag=True, help="Check the file only; store nothing.")
@click.option("--json", "as_json", is_flag=True)
def quiz_import(
    path: Path, fmt: str, code: str | None, category: str | None, dry_run: bool, as_json: bool
) -> None:
    """Import questions; bad questions are reported by line while the good ones import."""
    course = None
    if not dry_run:
        if not code:
            _fail("--course is required unless --dry-run is given")
        course = db.session.scalar(select(Course).where(Course.code == code))
        if course is None:
            _fail(f"no course with code {code}")
    parsed = bank.parse_upload(path.read_bytes(), fmt)
    by_type = parsed.by_type()
    if course is not None and parsed.questions:
        by_type = bank.import_questions(course, parsed, category)
        db.session.commit()
    result = {
        "imported": sum(by_type.values()),
        "by_type": by_type,
        "errors": [{"line": e.line, "message": e.message} for e in parsed.errors],
    }
    if dry_run:
        result["dry_run"] = True
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        for e in result["errors"]:
            click.echo(f"line {e['line']}: {e['message']}", err=True)
        counts = ", ".join(f"{k}={v}" for k, v in sorted(by_type.items()))
        verb = "would import" if dry_run else "imported"
        click.echo(f"{verb} {result['imported']} questions ({counts}); errors={len(parsed.errors)}")
    if not parsed.questions:
        reason = parsed.errors[0].message if parsed.errors else "the file holds no questions"
        _fail(f"nothing imported: {reason}")


@quiz.command("sweep")
def quiz_sweep() -> None:
    """Submit every attempt whose time is up (run from cron or Celery beat)."""
    click.echo(f"{sweep_and_commit()} attempt(s) submitted")
    run_ready()  # completions it caused: certificate PDFs, outbox, mail (no broker configured)
