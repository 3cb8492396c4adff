"""Organisation services: units, and the upload reader the imports share.

Employees (one at a time, with the rules the import uses too) are in ``lms/org/employees.py``,
the all-or-nothing employee import in ``lms/org/employee_import.py``. Services flush and never
commit; the caller (a view or a CLI command) commits once.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms.errors import DomainError
from lms.extensions import db
from lms.org.models import UNIT_KINDS, Instansi, Unit
from lms.spreadsheets import TableError, read_upload


class OrgError(DomainError):
    """A refused organisation change; ``field`` names the form field."""


# --- units ---------------------------------------------------------------------------------


def _refresh_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent is not None else "/"
    unit.path = f"{parent_path}{unit.id}/"
    for child in unit.children:
        _refresh_path(child)


def save_unit(
    unit: Unit | None,
    *,
    instansi: Instansi,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    siasn_id: str | None = None,
) -> Unit:
    """Create or update a unit and keep the materialised paths of its subtree right."""
    code = code.strip().upper()
    if kind not in UNIT_KINDS:
        raise OrgError(_("Jenis unit tidak dikenal: %(k)s.", k=kind), "kind")
    clash = db.session.scalar(select(Unit).where(Unit.code == code))
    if clash is not None and clash is not unit:
        raise OrgError(_("Kode unit %(c)s sudah dipakai oleh %(n)s.", c=code, n=clash.name), "code")
    if (
        unit is not None
        and parent is not None
        and (parent.id == unit.id or (unit.path and parent.path.startswith(unit.path)))
    ):
        raise OrgError(_("Unit tidak dapat dipindahkan ke bawah dirinya sendiri."), "parent_id")
    if unit is None:
        unit = Unit(instansi=instansi, code=code, name=name.strip(), kind=kind, parent=parent)
        db.session.add(unit)
    else:
        unit.code, unit.name, unit.kind, unit.parent = code, name.strip(), kind, parent
    unit.siasn_id = siasn_id or None
    db.session.flush()
    _refresh_path(unit)
    db.session.flush()
    return unit


def opd_of(unit: Unit) -> Unit:
    """The department (top-level unit) a unit belongs to."""
    top_id = int(unit.path.strip("/").split("/")[0])
    return unit if unit.id == top_id else db.session.get(Unit, top_id)


# --- uploads -------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read a CSV or XLSX upload into (header, [(row number, values)]); raise OrgError if unreadable.

    The header is the first non-empty row; reading is bounded (lms.spreadsheets.read_upload).
    """
    try:
        table = read_upload(filename, data).rows
    except TableError as exc:
        raise OrgError(str(exc)) from None
    if not table or not any(c.strip() for c in table[0][1]):
        raise OrgError(_("Berkas kosong: baris pertama harus berisi nama kolom."))
    header = [h.strip().lower().replace(" ", "_") for h in table[0][1]]
    rows = [
        (number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)})
        for number, cells in table[1:]
    ]
    return header, rows
