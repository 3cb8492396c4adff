"""The all-or-nothing employee import: preview every row of a file, then write a clean one.

Services flush and never commit; the caller (a view or a CLI command) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.org.employees import (
    EMPLOYEE_FIELDS,
    EmployeeData,
    Lookups,
    RowError,
    announce_position_change,
    check_no_supervisor_cycles,
    validate_employee_values,
)
from lms.org.models import Employee
from lms.org.services import OrgError, read_table
from lms.org.signals import Position

IMPORT_COLUMNS = {
    "nip": "NIP",
    "nama": "Nama",
    "gelar_depan": "Gelar depan",
    "gelar_belakang": "Gelar belakang",
    "jenis_kelamin": "Jenis kelamin",
    "status": "Status kepegawaian",
    "tempat_lahir": "Tempat lahir",
    "golongan": "Golongan",
    "jenis_jabatan": "Jenis jabatan",
    "jenjang_jabatan": "Jenjang jabatan",
    "jabatan": "Nama jabatan",
    "kode_unit": "Kode unit",
    "nip_atasan": "NIP atasan",
    "email": "Surel",
}
REQUIRED_COLUMNS = ("nip", "nama", "kode_unit")


@dataclass
class ImportPreview:
    rows: list[EmployeeData] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    new_count: int = 0
    update_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and bool(self.rows)


def preview_import(filename: str, data: bytes) -> ImportPreview:
    """Validate a whole employee file; list every bad row (row, column, reason)."""
    preview = ImportPreview()
    try:
        header, rows = read_table(filename, data)
    except OrgError as exc:
        preview.file_errors.append(str(exc))
        return preview
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        preview.file_errors.append(
            _(
                "Kolom wajib tidak ada: %(cols)s. Kolom yang dikenali: %(known)s.",
                cols=", ".join(missing),
                known=", ".join(IMPORT_COLUMNS),
            )
        )
        return preview
    if not rows:
        preview.file_errors.append(_("Berkas tidak berisi baris data."))
        return preview
    lk = Lookups()
    seen: dict[str, int] = {}
    for number, values in rows:
        data_row, errors = validate_employee_values(values, number, lk)
        preview.errors.extend(errors)
        if data_row is None:
            continue
        if data_row.nip in seen:
            preview.errors.append(
                RowError(
                    number,
                    "nip",
                    _(
                        "NIP %(n)s ganda: sudah ada di baris %(r)s.",
                        n=data_row.nip,
                        r=seen[data_row.nip],
                    ),
                )
            )
            continue
        seen[data_row.nip] = number
        preview.rows.append(data_row)
    existing = (
        set(
            db.session.scalars(
                select(Employee.nip).where(Employee.nip.in_([r.nip for r in preview.rows]))
            )
        )
        if preview.rows
        else set()
    )
    known_sups = {r.supervisor_nip for r in preview.rows if r.supervisor_nip} - set(seen)
    if known_sups:
        known_sups -= set(
            db.session.scalars(select(Employee.nip).where(Employee.nip.in_(known_sups)))
        )
    for r in preview.rows:
        if r.supervisor_nip in known_sups:
            preview.errors.append(
                RowError(
                    r.row,
                    "nip_atasan",
                    _(
                        "Atasan dengan NIP %(n)s tidak ditemukan di berkas maupun di data pegawai.",
                        n=r.supervisor_nip,
                    ),
                )
            )
    preview.errors.sort(key=lambda e: (e.row, e.column))
    preview.update_count = len(existing)
    preview.new_count = len(preview.rows) - len(existing)
    return preview


def apply_import(preview: ImportPreview) -> tuple[int, int]:
    """Write a clean preview: create or update by NIP, then link supervisors. All or nothing."""
    if not preview.ok:
        raise OrgError(_("Impor dibatalkan: masih ada kesalahan pada berkas."))
    by_nip = {
        e.nip: e
        for e in db.session.scalars(
            select(Employee).where(Employee.nip.in_([r.nip for r in preview.rows]))
        )
    }
    created = updated = 0
    before: dict[str, Position] = {}
    for r in preview.rows:
        emp = by_nip.get(r.nip)
        if emp is None:
            emp = Employee(nip=r.nip)
            db.session.add(emp)
            by_nip[r.nip] = emp
            created += 1
        else:
            before[r.nip] = Position.of(emp)
            updated += 1
        for attr in EMPLOYEE_FIELDS:
            setattr(emp, attr, getattr(r, attr))
    db.session.flush()
    sup_nips = {r.supervisor_nip for r in preview.rows if r.supervisor_nip} - set(by_nip)
    if sup_nips:
        for e in db.session.scalars(select(Employee).where(Employee.nip.in_(sup_nips))):
            by_nip[e.nip] = e
    for r in preview.rows:
        by_nip[r.nip].supervisor_id = by_nip[r.supervisor_nip].id if r.supervisor_nip else None
    db.session.flush()
    check_no_supervisor_cycles()
    for nip, old in before.items():
        announce_position_change(by_nip[nip], old)
    return created, updated
