"""HR bulk enrolment: choose people, preview every outcome and every bad row, enrol all or none.

People come either from filters (unit subtree, position type, grade; combined with AND) or from
a NIP list (CSV, XLSX or plain text). The preview is computed again at commit time and compared
by digest with what HR saw, so nobody is enrolled on the strength of a stale screen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import services
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.org.models import Employee, Golongan, JabatanType, Unit
from lms.org.nip import NipError, format_nip, normalise_nip, parse_nip
from lms.org.queries import scoped_employees
from lms.org.services import OrgError, read_table
from lms.permissions import unit_in_scope

BULK_MAX = 2000  # people per batch: a larger group is split by unit
PREVIEW_ROWS = 300  # rows shown per table; the counts cover everyone


class BulkError(DomainError):
    """The selection cannot be previewed; ``field`` names the form field at fault."""


@dataclass(frozen=True)
class BadRow:
    row: int
    nip: str  # as written in the list
    reason: str

    @property
    def nip_shown(self) -> str:
        """Eighteen digits get the usual spaces, which also lets a narrow table wrap them."""
        digits = normalise_nip(self.nip)
        return format_nip(digits) if len(digits) == 18 and digits.isdigit() else self.nip


@dataclass
class Selection:
    unit: Unit | None = None
    jabatan: str = ""
    golongan: str = ""
    nips: list[tuple[int, str]] | None = None  # (row, NIP as written) when a list was given
    nip_field: str = "nip_file"  # the form field the list came from: its errors belong there

    def encoded_nips(self) -> str:
        return ",".join(f"{row}:{normalise_nip(nip)}" for row, nip in self.nips or [])


def decode_nips(value: str) -> list[tuple[int, str]] | None:
    """The NIP list carried by the confirm form (``row:nip,...``); None when there was none."""
    if not value:
        return None
    out = []
    for item in value.split(","):
        row, _sep, nip = item.partition(":")
        out.append((int(row) if row.isdigit() else 0, nip))
    return out


@dataclass
class BulkPreview:
    course: Course
    seats_left: int | None
    enrol: list[Employee] = field(default_factory=list)  # get a seat
    waitlist: list[Employee] = field(default_factory=list)
    already: list[tuple[Employee, str]] = field(default_factory=list)
    errors: list[BadRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.enrol or self.waitlist)

    @property
    def digest(self) -> str:
        """What HR agreed to: who gets a seat, who waits, who is skipped."""
        parts = [
            str(self.course.id),
            ",".join(str(e.id) for e in self.enrol),
            ",".join(str(e.id) for e in self.waitlist),
            ",".join(f"{e.id}:{s}" for e, s in self.already),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


# --- reading a NIP list ------------------------------------------------------------------------


def read_nip_text(text: str) -> list[tuple[int, str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip().strip(",;").strip()
        if value:
            rows.append((number, value))
    return rows


def read_nip_file(filename: str, data: bytes) -> list[tuple[int, str]]:
    """NIPs with their row numbers from a .txt (one per line), .csv or .xlsx upload.

    A table either has a column named ``nip`` or holds NIPs in its first column from the
    first row on (a list exported without a header).
    """
    if filename.lower().endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BulkError(_("Berkas TXT harus berenkode UTF-8."), "nip_file") from None
        return read_nip_text(text)
    try:
        header, rows = read_table(filename, data)
    except OrgError as exc:
        raise BulkError(str(exc), "nip_file") from None
    if "nip" in header:
        return [(number, values.get("nip", "").strip()) for number, values in rows]
    first = header[0]
    if not normalise_nip(first.replace("_", "")).isdigit():
        raise BulkError(
            _("Kolom 'nip' tidak ditemukan. Beri judul kolom 'nip' pada baris pertama."),
            "nip_file",
        )
    listed = [(1, first.replace("_", " "))]
    listed += [(number, values.get(first, "").strip()) for number, values in rows]
    return [(number, nip) for number, nip in listed if nip]


# --- preview ---------------------------------------------------------------------------------


def _check_course(course: Course) -> None:
    if course.published_version_id is None or course.archived:
        raise BulkError(_("Pelatihan ini belum atau tidak lagi dibuka."), "course_id")


def _from_filters(actor: User, selection: Selection) -> list[Employee]:
    if selection.unit is None and not selection.jabatan and not selection.golongan:
        raise BulkError(
            _("Pilih minimal satu: unit kerja, jenis jabatan, pangkat/golongan, atau daftar NIP."),
            "unit_id",
        )
    if selection.unit is not None and not unit_in_scope(actor, selection.unit):
        raise BulkError(_("Unit kerja ini di luar wilayah kewenangan Anda."), "unit_id")
    if selection.jabatan and db.session.get(JabatanType, selection.jabatan) is None:
        raise BulkError(_("Jenis jabatan tidak dikenal."), "jabatan")
    if selection.golongan and db.session.get(Golongan, selection.golongan) is None:
        raise BulkError(_("Pangkat/golongan tidak dikenal."), "golongan")
    stmt = scoped_employees(actor).where(Employee.is_active.is_(True))
    if selection.unit is not None:
        stmt = stmt.where(Unit.path.startswith(selection.unit.path))
    if selection.jabatan:
        stmt = stmt.where(Employee.jabatan_type_code == selection.jabatan)
    if selection.golongan:
        stmt = stmt.where(Employee.golongan_code == selection.golongan)
    people = list(
        db.session.scalars(
            stmt.options(contains_eager(Employee.unit), joinedload(Employee.golongan))
            .order_by(Employee.full_name, Employee.id)
            .limit(BULK_MAX + 1)
        )
    )
    if len(people) > BULK_MAX:
        raise BulkError(
            _(
                "Pilihan ini mencakup lebih dari %(n)s pegawai. Persempit dengan unit kerja, "
                "jenis jabatan, atau golongan.",
                n=BULK_MAX,
            ),
            "unit_id",
        )
    return people


def _from_nips(
    actor: User, rows: list[tuple[int, str]], errors: list[BadRow], field: str = "nip_file"
) -> list[Employee]:
    if not rows:
        raise BulkError(_("Daftar NIP kosong."), field)
    if len(rows) > BULK_MAX:
        raise BulkError(
            _("Daftar NIP berisi %(n)s baris; paling banyak %(m)s.", n=len(rows), m=BULK_MAX),
            field,
        )
    digits = [normalise_nip(nip) for _row, nip in rows]
    found: dict[str, Employee] = {}
    wanted = sorted({d for d in digits if d})
    for start in range(0, len(wanted), 500):
        found.update(
            (e.nip, e)
            for e in db.session.scalars(
                select(Employee)
                .join(Employee.unit)
                .options(contains_eager(Employee.unit), joinedload(Employee.golongan))
                .where(Employee.nip.in_(wanted[start : start + 500]))
            )
        )
    people: list[Employee] = []
    first_row: dict[str, int] = {}
    for (row, raw), nip in zip(rows, digits, strict=True):
        if nip in first_row:
            errors.append(
                BadRow(row, raw, _("NIP ganda: sudah ada di baris %(r)s.", r=first_row[nip]))
            )
            continue
        first_row[nip] = row
        employee = found.get(nip)
        if employee is None:
            try:
                parse_nip(nip)
            except NipError as exc:
                errors.append(BadRow(row, raw, _("NIP tidak valid: %(m)s", m=str(exc))))
            else:
                errors.append(BadRow(row, raw, _("NIP tidak terdaftar sebagai pegawai.")))
            continue
        if not unit_in_scope(actor, employee.unit):
            errors.append(BadRow(row, raw, _("Pegawai ini di luar perangkat daerah Anda.")))
            continue
        if not employee.is_active:
            errors.append(BadRow(row, raw, _("Pegawai ini berstatus nonaktif.")))
            continue
        people.append(employee)
    return people


def preview(actor: User, course: Course, selection: Selection) -> BulkPreview:
    """Who will get a seat, who will wait, who is already in, and every bad row. Writes nothing."""
    _check_course(course)
    result = BulkPreview(course=course, seats_left=services.seats_left(course))
    if selection.nips is not None:
        people = _from_nips(actor, selection.nips, result.errors, selection.nip_field)
    else:
        people = _from_filters(actor, selection)
    existing = dict(
        db.session.execute(
            select(Enrolment.employee_id, Enrolment.status).where(Enrolment.course_id == course.id)
        ).all()
    )
    left = result.seats_left
    for employee in people:
        status = existing.get(employee.id)
        if status in (*services.OPEN_STATES, "completed"):
            result.already.append((employee, status))
        elif left is None or left > 0:
            result.enrol.append(employee)
            left = None if left is None else left - 1
        else:
            result.waitlist.append(employee)
    return result


def apply(actor: User, result: BulkPreview) -> dict[str, int]:
    """Enrol everyone of an error-free preview, in its order; the caller commits or rolls back."""
    if not result.ok:
        raise BulkError(_("Pratinjau masih memuat kesalahan; tidak ada yang didaftarkan."))
    counts = {"active": 0, "waitlisted": 0}
    for employee in [*result.enrol, *result.waitlist]:
        enrolment = services.enrol_by_admin(actor, employee, result.course)
        counts[enrolment.status] = counts.get(enrolment.status, 0) + 1
    return counts
