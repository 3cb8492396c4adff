"""``flask --app lms packages import FILE --partner CODE [--code CODE] [--user NAME] [--json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from lms.auth.models import PartnerInstitution, User
from lms.extensions import db
from lms.packages.services import PackageRefused, discard_files, import_package

packages_cli = AppGroup("packages", help="Module packages (SCORM 1.2, SCORM 2004, Akademi ASN).")


def _fail(message: str, as_json: bool, problems: list[dict[str, str]] | None = None) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {"imported": False, "errors": problems or [{"entry": "", "message": message}]},
                ensure_ascii=False,
            )
        )
    else:
        click.echo(message, err=True)
        for p in problems or []:
            click.echo(f"  {p['entry'] or '-'}: {p['message']}", err=True)
    sys.exit(1)


@packages_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partner", "partner_code", required=True, help="Kode lembaga mitra.")
@click.option("--code", default=None, help="Kode modul (bawaan: dari manifest/course.yaml).")
@click.option("--user", "username", default=None, help="Akun pengunggah yang dicatat.")
@click.option("--json", "as_json", is_flag=True)
def import_command(
    file: Path, partner_code: str, code: str | None, username: str | None, as_json: bool
) -> None:
    """Upload a package as a new version in review; refused whole with every problem listed."""
    partner = db.session.scalar(
        select(PartnerInstitution).where(PartnerInstitution.code == partner_code)
    )
    if partner is None:
        _fail(f"lembaga mitra tidak dikenal: {partner_code}", as_json)
    user = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            _fail(f"akun tidak dikenal: {username}", as_json)
    try:
        version = import_package(file, partner, user, code=code)
        key = version.storage_key
        try:
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            discard_files(key)
            raise
    except PackageRefused as refused:
        db.session.rollback()
        _fail(f"{file.name}: paket ditolak", as_json, refused.as_dicts())
        return
    package = version.package
    summary = {
        "imported": True,
        "package": package.code,
        "kind": package.kind,
        "version": version.version,
        "status": version.status,
        "files": version.file_count,
        "bytes": version.size_bytes,
        "scos": len(version.scos),
        "warnings": version.report.get("warnings", []),
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(
            f"{package.code} versi {version.version} ({package.kind}): {version.file_count} berkas, "
            f"{len(version.scos)} SCO, menunggu telaah"
        )
