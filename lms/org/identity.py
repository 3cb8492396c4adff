"""An employee's identity as printed on records and certificates.

Copied onto a completion (and from there onto its certificate) when it is written, and again when a
certificate is re-issued after a correction; never joined live later (DESIGN.md, Data).
"""

from __future__ import annotations

from lms.org.models import Employee
from lms.org.services import opd_of


def snapshot_identity(employee: Employee) -> dict:
    """Who the employee is now: name, NIP, birth, grade, position, unit, department, instansi."""
    unit = employee.unit
    opd = opd_of(unit)
    golongan = employee.golongan
    return {
        "name": employee.display_name,
        "nip": employee.nip,
        "birth_place": employee.birth_place,
        "birth_date": employee.birth_date.isoformat() if employee.birth_date else None,
        "golongan": golongan.code if golongan else "",
        "pangkat": golongan.pangkat if golongan else "",
        "jabatan": employee.position_name,
        "jabatan_type": employee.jabatan_type_code or "",
        "unit": unit.name,
        "opd": opd.name,
        "opd_id": opd.id,
        "instansi": unit.instansi.name,
    }
