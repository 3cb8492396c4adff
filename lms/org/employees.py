"""Employees one at a time: the row rules (shared with the import) and the HR form's save.

Services flush and never commit; the caller (a view or a CLI command) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms.imports import length_errors
from lms.indonesian import local_today
from lms.org.models import EMPLOYEE_KINDS, Employee, Golongan, JabatanLevel, JabatanType, Unit
from lms.org.nip import NipError, normalise_nip, parse_nip
from lms.org.services import OrgError
from lms.org.signals import Position, position_changed
from lms.permissions import log_refusal, unit_in_scope

if TYPE_CHECKING:
    from lms.auth.models import User


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class EmployeeData:
    row: int
    nip: str
    kind: str
    full_name: str
    front_title: str
    back_title: str
    gender: str
    birth_place: str
    birth_date: date
    golongan_code: str | None
    jabatan_type_code: str | None
    jabatan_level_code: str | None
    position_name: str
    unit_id: int
    supervisor_nip: str | None
    email: str


class Lookups:
    """Reference tables loaded once per import instead of once per row."""

    def __init__(self) -> None:
        self.units = {u.code: u.id for u in db.session.scalars(select(Unit))}
        self.golongan = dict(db.session.execute(select(Golongan.code, Golongan.kind)).all())
        self.jabatan_types = set(db.session.scalars(select(JabatanType.code)))
        self.jabatan_levels = {
            lvl.code: lvl.type_code for lvl in db.session.scalars(select(JabatanLevel))
        }


#: The fields of an employee that the form and the import both write (the NIP apart).
EMPLOYEE_FIELDS = (
    "kind",
    "full_name",
    "front_title",
    "back_title",
    "gender",
    "birth_place",
    "birth_date",
    "golongan_code",
    "jabatan_type_code",
    "jabatan_level_code",
    "position_name",
    "unit_id",
    "email",
)


def validate_employee_values(
    values: dict[str, str], row: int, lk: Lookups
) -> tuple[EmployeeData | None, list[RowError]]:
    """Check one row of employee data; return the cleaned data or every problem in it."""
    errors: list[RowError] = []

    def err(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    raw_nip = values.get("nip", "")
    kind = (values.get("status") or "").strip().lower() or None
    if kind is not None and kind not in EMPLOYEE_KINDS:
        err("status", _("Status kepegawaian harus PNS, CPNS, atau PPPK (terisi '%(v)s').", v=kind))
        kind = None
    info = None
    try:
        info = parse_nip(raw_nip, kind)  # the kind picks the NIP rule; none means PNS (strict)
    except NipError as exc:
        err("nip", str(exc))
    name = (values.get("nama") or "").strip()
    if not name:
        err("nama", _("Nama wajib diisi."))
    elif len(name) > 150:
        err("nama", _("Nama terlalu panjang (maksimal 150 karakter)."))
    unit_code = (values.get("kode_unit") or "").strip().upper()
    unit_id = lk.units.get(unit_code)
    if not unit_code:
        err("kode_unit", _("Kode unit wajib diisi."))
    elif unit_id is None:
        err("kode_unit", _("Unit dengan kode '%(c)s' tidak ditemukan.", c=unit_code))
    gol = (values.get("golongan") or "").strip().upper().replace(" ", "") or None
    if gol is not None:
        gol = gol[:-1] + gol[-1].lower() if "/" in gol else gol
        if gol not in lk.golongan:
            err(
                "golongan",
                _(
                    "Golongan '%(g)s' tidak dikenal (contoh: III/a untuk PNS, IX untuk PPPK).",
                    g=values.get("golongan"),
                ),
            )
        elif (lk.golongan[gol] == "pppk") != (kind == "pppk"):
            err(
                "golongan",
                _(
                    "Golongan %(g)s adalah golongan PPPK (I–XVII); pegawai %(k)s memakai "
                    "golongan I/a–IV/e.",
                    g=gol,
                    k=(kind or "pns").upper(),
                )
                if lk.golongan[gol] == "pppk"
                else _(
                    "Golongan %(g)s adalah golongan PNS; pegawai PPPK memakai golongan I–XVII "
                    "(Perpres 98/2020).",
                    g=gol,
                ),
            )
    jt = (values.get("jenis_jabatan") or "").strip().lower() or None
    if jt is not None and jt not in lk.jabatan_types:
        err("jenis_jabatan", _("Jenis jabatan '%(j)s' tidak dikenal.", j=jt))
    jl = (values.get("jenjang_jabatan") or "").strip().lower() or None
    if jl is not None:
        if jl not in lk.jabatan_levels:
            err("jenjang_jabatan", _("Jenjang jabatan '%(j)s' tidak dikenal.", j=jl))
        elif jt is not None and lk.jabatan_levels[jl] != jt:
            err(
                "jenjang_jabatan",
                _("Jenjang '%(l)s' bukan bagian dari jenis jabatan '%(j)s'.", l=jl, j=jt),
            )
    gender = (values.get("jenis_kelamin") or "").strip().upper()[:1] or None
    if gender is not None and gender not in ("L", "P"):
        err("jenis_kelamin", _("Jenis kelamin harus L atau P."))
    if info is not None and gender is not None and gender != info.gender:
        err("jenis_kelamin", _("Jenis kelamin tidak sesuai dengan digit jenis kelamin pada NIP."))
    sup = normalise_nip(values.get("nip_atasan") or "") or None
    if sup is not None and info is not None and sup == info.digits:
        err("nip_atasan", _("Pegawai tidak boleh menjadi atasannya sendiri."))
    email = (values.get("email") or "").strip()
    if email and ("@" not in email or len(email) > 200):
        err("email", _("Alamat surel tidak valid."))
    for problem in length_errors(
        row,
        Employee,
        {
            "gelar_depan": ("front_title", (values.get("gelar_depan") or "").strip()),
            "gelar_belakang": ("back_title", (values.get("gelar_belakang") or "").strip()),
            "tempat_lahir": ("birth_place", (values.get("tempat_lahir") or "").strip()),
            "jabatan": ("position_name", (values.get("jabatan") or "").strip()),
        },
    ):
        err(problem.column, problem.message)
    if errors or info is None or unit_id is None:
        return None, errors
    return (
        EmployeeData(
            row=row,
            nip=info.digits,
            kind=kind or info.kind,
            full_name=name,
            front_title=(values.get("gelar_depan") or "").strip(),
            back_title=(values.get("gelar_belakang") or "").strip(),
            gender=gender or info.gender,
            birth_place=(values.get("tempat_lahir") or "").strip(),
            birth_date=info.birth_date,
            golongan_code=gol,
            jabatan_type_code=jt or (lk.jabatan_levels.get(jl) if jl else None),
            jabatan_level_code=jl,
            position_name=(values.get("jabatan") or "").strip(),
            unit_id=unit_id,
            supervisor_nip=sup,
            email=email,
        ),
        [],
    )


def announce_position_change(employee: Employee, before: Position) -> None:
    """Tell the features above (careers: a new SKP) that an employee moved or was promoted."""
    after = Position.of(employee)
    if after != before:
        position_changed.send(employee, before=before, after=after, on=local_today())


def check_no_supervisor_cycles() -> None:
    parent = dict(db.session.execute(select(Employee.id, Employee.supervisor_id)).all())
    for start in parent:
        seen = set()
        node = start
        while node is not None:
            if node in seen:
                raise OrgError(
                    _("Rantai atasan membentuk lingkaran (pegawai menjadi atasan dari atasannya).")
                )
            seen.add(node)
            node = parent.get(node)


def save_employee(
    employee: Employee | None, values: dict[str, str], actor: User | None = None
) -> Employee:
    """Create or edit one employee from form values, with the same rules as the import.

    With an ``actor`` (the form), what lies outside the actor's units stays hidden: a NIP
    already registered elsewhere is only "already registered" (no name), and the supervisor must
    be someone the actor manages; a NIP outside that scope gets the same answer as an unknown
    one, so the form cannot be used to find out who works where. A supervisor set earlier by
    BKPSDM may stay.
    """
    lk = Lookups()
    data, errors = validate_employee_values(values, 0, lk)
    if errors:
        first = errors[0]
        raise OrgError(first.message, first.column)
    assert data is not None
    clash = db.session.scalar(select(Employee).where(Employee.nip == data.nip))
    if clash is not None and clash is not employee:
        if actor is None or unit_in_scope(actor, clash.unit):
            message = _(
                "NIP %(n)s sudah terdaftar atas nama %(name)s.", n=data.nip, name=clash.display_name
            )
        else:
            message = _("NIP %(n)s sudah terdaftar.", n=data.nip)
        raise OrgError(message, "nip")
    supervisor = None
    if data.supervisor_nip:
        supervisor = db.session.scalar(select(Employee).where(Employee.nip == data.supervisor_nip))
        current = employee.supervisor if employee is not None else None
        hidden = (
            actor is not None
            and supervisor is not None
            and supervisor is not current
            and not unit_in_scope(actor, supervisor.unit)
        )
        if hidden:
            log_refusal(supervisor, "form")  # answered in the form, as an unknown NIP
        if supervisor is None or hidden:
            raise OrgError(
                _("Atasan dengan NIP %(n)s tidak ditemukan.", n=data.supervisor_nip), "nip_atasan"
            )
    before = Position.of(employee) if employee is not None else None
    if employee is None:
        employee = Employee(nip=data.nip)
        db.session.add(employee)
    for attr in ("nip", *EMPLOYEE_FIELDS):
        setattr(employee, attr, getattr(data, attr))
    employee.supervisor = supervisor
    db.session.flush()
    check_no_supervisor_cycles()
    if before is not None:
        announce_position_change(employee, before)
    return employee
