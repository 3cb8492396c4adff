"""``flask --app lms reference load`` and ``flask --app lms org import-employees`` (CONTRACT.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.extensions import db
from lms.org import employee_import
from lms.org.reference import load_reference

reference = AppGroup("reference", help="Reference data from content/reference.")
org = AppGroup("org", help="Organisation and employees.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@reference.command("load")
def reference_load() -> None:
    counts = load_reference()
    db.session.commit()
    click.echo("Reference data: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@org.command("import-employees")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only.")
@click.option("--json", "as_json", is_flag=True)
def import_employees(path: Path, dry_run: bool, as_json: bool) -> None:
    """Import employees from CSV or XLSX: every bad row is reported and nothing is written."""
    preview = employee_import.preview_import(path.name, path.read_bytes())
    result = {
        "created": 0,
        "updated": 0,
        "errors": [e.as_dict() for e in preview.errors]
        + [{"row": 0, "column": "", "message": m} for m in preview.file_errors],
    }
    if preview.ok and not dry_run:
        result["created"], result["updated"] = employee_import.apply_import(preview)
        db.session.commit()
    elif preview.ok:
        result["created"], result["updated"] = preview.new_count, preview.update_count
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        for e in result["errors"]:
            click.echo(f"row {e['row']} {e['column']}: {e['message']}", err=True)
        click.echo(
            f"created={result['created']} updated={result['updated']} errors={len(result['errors'])}"
        )
    if result["errors"]:
        sys.exit(1)
