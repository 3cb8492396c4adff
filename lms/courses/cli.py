"""``flask --app lms content load PATH`` (CONTRACT.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.courses.loader import load_content
from lms.extensions import db

content = AppGroup("content", help="Courses and programmes from a content folder.")


@content.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def content_load(path: Path, as_json: bool) -> None:
    """Load or update courses idempotently; a course with errors is skipped and reported."""
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
