"""Importing a module package: extract safely, validate, and keep it only when all is well.

``import_package`` extracts into a fresh folder beside the packages (same file system), validates
(zip safety, then the SCORM manifest or the Akademi course), and on any problem deletes that folder
and raises ``PackageRefused`` with every problem found: nothing stays on disk, nothing is added to
the session. Only a package that passed gets its rows (flushed, never committed: the caller
commits) and its folder renamed into place (``packages/<package id>/<version>``), one atomic
rename. If the caller's commit then fails it calls ``discard_files`` with the version's storage key.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import PartnerInstitution, User
from lms.extensions import db
from lms.indonesian import local_today
from lms.packages import akademi
from lms.packages.manifest import MANIFEST, parse_manifest
from lms.packages.models import Package, PackageSco, PackageVersion
from lms.packages.zipsafe import Limits, Problem, extract

AICC_SUFFIXES = (".crs", ".au", ".des", ".cst")
CODE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class PackageRefused(Exception):
    """An upload refused as a whole; ``problems`` lists every reason, each naming its entry."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    def as_dicts(self) -> list[dict[str, str]]:
        return [p.as_dict() for p in self.problems]


def upload_refusal(partner: PartnerInstitution, today: date) -> str | None:
    """Why the partner may not upload a new package today, or None: its accreditation expired
    (``today`` in Asia/Jakarta). Approved modules keep running; only new uploads wait. Checked
    by ``import_package`` (the browser upload and ``flask packages import`` alike) and shown by
    the upload page before anything is sent."""
    if partner.accreditation_state(today) != "expired":
        return None
    return _(
        "Akreditasi %(n)s berakhir pada %(d)s, sehingga paket modul baru tidak dapat diunggah. "
        "Modul yang sudah disetujui tetap berjalan. Kirimkan akreditasi yang diperbarui kepada "
        "BKPSDM untuk membuka unggahan kembali.",
        n=partner.name,
        d=format_date(partner.accreditation_expires_on, "long"),
    )


class PackageConflict(Exception):
    """Another upload of the same code took the package or the version number first (two
    uploads at once): nothing was kept, the partner uploads again."""

    def message(self) -> str:
        return _(
            "Paket dengan kode yang sama sedang diunggah bersamaan sehingga unggahan ini tidak "
            "disimpan. Silakan unggah lagi."
        )


def limits() -> Limits:
    config = current_app.config
    return Limits(
        max_bytes=int(config["PACKAGE_MAX_BYTES"]),
        max_ratio=int(config["PACKAGE_MAX_RATIO"]),
        max_files=int(config["PACKAGE_MAX_FILES"]),
        max_path=int(config["PACKAGE_MAX_PATH"]),
        max_depth=int(config["PACKAGE_MAX_DEPTH"]),
    )


def _files_root() -> Path:
    return Path(current_app.config["FILES_DIR"]).resolve()


def _no_manifest(files: list[str]) -> Problem:
    nested = sorted(f for f in files if f.lower().endswith("/" + MANIFEST))
    if nested:
        return Problem(
            nested[0],
            _(
                "imsmanifest.xml harus berada di akar zip, bukan di sub-folder. Zip isi foldernya, "
                "bukan folder itu sendiri."
            ),
        )
    if any(f.lower().endswith(AICC_SUFFIXES) for f in files):
        return Problem(
            "",
            _(
                "Paket AICC (berkas .crs/.au/.des) tanpa imsmanifest.xml tidak didukung; "
                "unggah versi SCORM 1.2 atau SCORM 2004 dari modul ini."
            ),
        )
    return Problem(
        "",
        _(
            "Tidak ada imsmanifest.xml (SCORM) maupun course.yaml (paket Akademi ASN) di akar zip; "
            "ini bukan paket modul."
        ),
    )


def _validate(folder: Path, files: list[str]) -> tuple[str, dict[str, Any], list[Problem], list]:
    """(kind, outline as JSON, problems, launchable items) of an extracted package."""
    names = set(files)
    if MANIFEST in names:
        outline, problems = parse_manifest((folder / MANIFEST).read_bytes(), names)
        if outline is None:
            return "", {}, problems, []
        return outline.kind, outline.as_json(), problems, outline.launchables()
    if akademi.COURSE_FILE in names:
        data, problems = akademi.check(folder)
        return "akademi", data or {}, problems, []
    return "", {}, [_no_manifest(files)], []


def _clean_code(raw: str | None) -> str:
    return CODE_CHARS.sub("-", (raw or "").strip()).strip("-.")[:60]


def _package_for(partner: PartnerInstitution | None, code: str) -> Package | None:
    partner_match = (
        Package.partner_id.is_(None) if partner is None else Package.partner_id == partner.id
    )
    return db.session.scalar(select(Package).where(partner_match, Package.code == code))


def _remove_tree(path: Path) -> None:
    """Delete ``path`` and its parents up to FILES_DIR/packages while they are empty, so a
    refused upload leaves not even a folder behind."""
    shutil.rmtree(path, ignore_errors=True)
    stop = _files_root()
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def import_package(
    source: BinaryIO | str | os.PathLike[str],
    partner: PartnerInstitution | None,
    user: User | None,
    code: str | None = None,
) -> PackageVersion:
    """A new version of the partner's package ``code`` (from the manifest or course.yaml when
    not given), in review; ``PackageRefused`` with every problem otherwise."""
    refusal = upload_refusal(partner, local_today()) if partner is not None else None
    if refusal is not None:
        raise PackageRefused([Problem("", refusal)])
    root = _files_root()
    incoming = root / "packages" / f".incoming-{uuid.uuid4().hex}"
    incoming.mkdir(parents=True)
    try:
        extracted = extract(source, incoming, limits())
        problems = list(extracted.problems)
        kind, outline, found, launchables = "", {}, [], []
        if not problems:
            kind, outline, found, launchables = _validate(incoming, extracted.files)
            problems.extend(found)
        elif all(p.entry for p in problems) and not {MANIFEST, akademi.COURSE_FILE} & set(
            extracted.files
        ):
            # the missing manifest is a reason too (an AICC zip's files are refused by type)
            problems.append(_no_manifest(extracted.files + [p.entry for p in problems]))
        code = _clean_code(code or outline.get("code") or outline.get("identifier"))
        package = None
        if not problems:
            if not code:
                problems.append(Problem("", _("Kode modul wajib diisi (huruf, angka, . _ -).")))
            else:
                package = _package_for(partner, code)
                if package is not None and package.kind != kind:
                    problems.append(
                        Problem(
                            "",
                            _(
                                "Kode %(code)s sudah dipakai modul berjenis lain; pakai kode lain.",
                                code=code,
                            ),
                        )
                    )
        if problems:
            raise PackageRefused(problems)
        try:
            version = _keep(package, partner, user, code, kind, outline, launchables, extracted)
        except IntegrityError as error:  # the caller rolls back; the folder goes below
            raise PackageConflict() from error
        target = root / version.storage_key
        if target.exists():  # a folder whose rows were rolled back after its rename
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(incoming, target)
        return version
    finally:
        if incoming.exists():
            _remove_tree(incoming)


def _keep(
    package: Package | None,
    partner: PartnerInstitution | None,
    user: User | None,
    code: str,
    kind: str,
    outline: dict[str, Any],
    launchables: list,
    extracted: Any,
) -> PackageVersion:
    title = str(outline.get("title") or code)[:300]
    if package is None:
        package = Package(partner=partner, code=code, title=title, kind=kind)
        db.session.add(package)
        db.session.flush()
    else:
        package.title = title
    number = (
        db.session.scalar(
            select(func.max(PackageVersion.version)).where(PackageVersion.package_id == package.id)
        )
        or 0
    ) + 1
    warnings = list(outline.get("warnings") or [])
    version = PackageVersion(
        package=package,
        version=number,
        status="in_review",
        storage_key=f"packages/{package.id}/{number}",
        size_bytes=extracted.total_bytes,
        file_count=len(extracted.files),
        manifest=outline,
        report={"warnings": warnings, "files": len(extracted.files)},
        uploaded_by_id=user.id if user is not None else None,
    )
    db.session.add(version)
    for position, item in enumerate(launchables):
        version.scos.append(
            PackageSco(
                identifier=item.identifier[:200],
                title=item.title[:300],
                href=item.href[:2000],
                position=position,
                depth=item.depth,
                is_visible=item.is_visible,
                prerequisites=(item.prerequisites or None) and item.prerequisites[:2000],
                scorm_type=item.scorm_type or "sco",
            )
        )
    db.session.flush()
    return version


def discard_files(storage_key: str) -> None:
    """Delete a version's folder: its rows were rolled back (the commit failed after the rename),
    so no row points at it. Take the key before the rollback expires the row."""
    target = _files_root() / storage_key
    if target.exists():
        _remove_tree(target)


def outline_items(version: PackageVersion) -> list[dict[str, Any]]:
    """The manifest's outline flattened for display (aggregations included, with depth)."""
    rows: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            rows.append(item)
            walk(item.get("children") or [])

    walk(list(version.manifest.get("items") or []))
    return rows


def visible_packages(user: User, reviewer: bool) -> Any:
    """The packages an account may see: every one for a reviewer, else its own partner's
    (none when the account belongs to no partner)."""
    query = select(Package).order_by(Package.created_at.desc(), Package.id.desc())
    if reviewer:
        return query
    return query.where(Package.partner_id == user.partner_id, Package.partner_id.is_not(None))


def may_see(user: User, package: Package, reviewer: bool) -> bool:
    return reviewer or (user.partner_id is not None and package.partner_id == user.partner_id)
