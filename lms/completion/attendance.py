"""Classroom attendance: ticked on a roster or uploaded as a file, checked whole, then recorded
all or nothing.

Checking is separate from writing so the page can list every bad row (row, NIP, reason) before
anything is stored; writing calls ``services.record_classroom`` for each line and stops at the first
refusal, naming the line, so the view can roll the whole transaction back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from lms.auth.models import User
from lms.completion import queries
from lms.completion.models import Completion
from lms.completion.services import CompletionError, record_classroom
from lms.courses.models import Course
from lms.errors import DomainError
from lms.extensions import db
from lms.imports import year_problem
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.org.nip import format_nip, normalise_nip
from lms.org.services import OrgError, read_table
from lms.permissions import unit_in_scope

UPLOAD_COLUMNS = {"nip": "NIP", "nilai": "Nilai", "tanggal": "Tanggal selesai"}
MAX_ROWS = 2000
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")


class AttendanceError(DomainError):
    """A line that could not be recorded; the message names it."""


@dataclass
class Entry:
    """One person to record."""

    row: int | None  # the file's row number; None for a ticked roster line
    employee: Employee
    score: float | None
    completed_on: date
    note: str = ""

    @property
    def label(self) -> str:
        if self.row is None:
            return _("NIP %(nip)s", nip=self.employee.nip_display)
        return _("Baris %(row)s (NIP %(nip)s)", row=self.row, nip=self.employee.nip_display)


@dataclass
class Problem:
    row: int | None
    nip: str
    message: str


@dataclass
class Check:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_errors and bool(self.entries)


# --- values ------------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd (an Excel date cell arrives as ISO date-time)."""
    value = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", value):
        value = value[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("Tanggal '%(v)s' tidak valid; tulis dd-mm-yyyy atau yyyy-mm-dd.", v=value[:20])
    )


def parse_score(text: str) -> float | None:
    """Empty → no score; "85", "85.5" and "85,5" are read; 0–100 only."""
    value = (text or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("Nilai '%(v)s' bukan angka.", v=value[:20])) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValueError(_("Nilai harus antara 0 dan 100 (tertulis %(v)s).", v=value[:20]))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("Nilai paling banyak dua angka di belakang koma."))
    return float(number)


def date_problem(day: date, today: date | None = None) -> str | None:
    far = year_problem(day)
    if far:
        return far
    if day > (today or local_today()):
        return _("Tanggal selesai %(d)s di masa depan.", d=day.strftime("%d-%m-%Y"))
    return None


# --- checking ----------------------------------------------------------------------------------


def check_ticked(
    user: User,
    course: Course,
    ticked: list[tuple[str, str]],
    completed_on: date,
) -> Check:
    """Check ticked roster lines ``(employee id, score text)``.

    The ids come from a form the browser may have altered: an id outside the user's roster
    (another department, not enrolled, unknown) is a problem, never a record.
    """
    check = Check()
    if not ticked:
        check.file_errors.append(_("Centang minimal satu peserta yang hadir dan lulus."))
        return check
    enrolled = {e.employee_id: e.employee for e in queries.roster(user, course)}
    seen: set[int] = set()
    for raw_id, raw_score in ticked:
        employee_id = int(raw_id) if raw_id.isdigit() else 0
        employee = enrolled.get(employee_id)
        if employee is None:
            check.problems.append(_outsider(user, course, employee_id))
            continue
        if employee_id in seen:
            continue
        seen.add(employee_id)
        try:
            score = parse_score(raw_score)
        except ValueError as exc:
            check.problems.append(Problem(None, employee.nip_display, str(exc)))
            continue
        check.entries.append(Entry(None, employee, score, completed_on))
    _check_completed(course, check)
    return check


def _outsider(user: User, course: Course, employee_id: int) -> Problem:
    employee = db.session.get(Employee, employee_id) if employee_id else None
    if employee is None:
        return Problem(None, "—", _("Pegawai tidak ditemukan."))
    if not unit_in_scope(user, employee.unit):
        return Problem(None, employee.nip_display, _("Pegawai ini di luar lingkup unit Anda."))
    if not employee.is_active:
        return Problem(None, employee.nip_display, _("Pegawai ini nonaktif."))
    if queries.completed_employee_ids(course, [employee.id]):
        return Problem(
            None,
            employee.nip_display,
            _("%(n)s sudah tercatat lulus pelatihan ini.", n=employee.display_name),
        )
    return Problem(
        None, employee.nip_display, _("Pegawai ini tidak terdaftar aktif di pelatihan ini.")
    )


def check_upload(
    user: User,
    course: Course,
    filename: str,
    data: bytes,
    default_date: date,
    today: date | None = None,
) -> Check:
    """Check a whole attendance file; every bad row is listed with its NIP and reason."""
    check = Check()
    try:
        header, rows = read_table(filename, data)
    except OrgError as exc:
        check.file_errors.append(str(exc))
        return check
    if "nip" not in header:
        check.file_errors.append(
            _(
                "Kolom 'nip' tidak ditemukan. Baris pertama harus berisi judul kolom: nip, nilai, tanggal."
            )
        )
        return check
    if not rows:
        check.file_errors.append(_("Berkas tidak berisi baris peserta."))
        return check
    if len(rows) > MAX_ROWS:
        check.file_errors.append(
            _("Berkas berisi %(n)s baris; paling banyak %(m)s.", n=len(rows), m=MAX_ROWS)
        )
        return check
    nips = [normalise_nip(values.get("nip", "")) for _row, values in rows]
    people = queries.employees_by_nip([n for n in nips if n])
    enrolled = {e.employee_id for e in queries.roster(user, course)}
    first_row: dict[str, int] = {}
    for (number, values), nip in zip(rows, nips, strict=True):
        shown = format_nip(nip) if nip else "—"
        problems: list[str] = []
        employee = people.get(nip) if nip else None
        if not nip:
            problems.append(_("NIP kosong."))
        elif nip in first_row:
            problems.append(
                _("Baris duplikat: NIP ini sudah ada di baris %(r)s.", r=first_row[nip])
            )
        elif employee is None:
            problems.append(_("NIP tidak dikenal."))
        elif not unit_in_scope(user, employee.unit):
            problems.append(_("Pegawai ini di luar lingkup unit Anda."))
        elif not employee.is_active:
            problems.append(_("Pegawai ini nonaktif."))
        if nip and nip not in first_row:
            first_row[nip] = number
        score = None
        try:
            score = parse_score(values.get("nilai", ""))
        except ValueError as exc:
            problems.append(str(exc))
        completed_on = default_date
        raw_date = (values.get("tanggal") or "").strip()
        if raw_date:
            try:
                completed_on = parse_date(raw_date)
            except ValueError as exc:
                problems.append(str(exc))
                completed_on = None  # type: ignore[assignment]
        if completed_on is not None:
            future = date_problem(completed_on, today)
            if future:
                problems.append(future)
        if problems or employee is None:
            check.problems.extend(Problem(number, shown, m) for m in problems)
            continue
        note = "" if employee.id in enrolled else _("belum terdaftar; akan didaftarkan")
        check.entries.append(Entry(number, employee, score, completed_on, note))
    _check_completed(course, check)
    return check


def _check_completed(course: Course, check: Check) -> None:
    done = queries.completed_employee_ids(course, [e.employee.id for e in check.entries])
    if not done:
        return
    keep = []
    for entry in check.entries:
        if entry.employee.id in done:
            check.problems.append(
                Problem(
                    entry.row,
                    entry.employee.nip_display,
                    _("%(n)s sudah tercatat lulus pelatihan ini.", n=entry.employee.display_name),
                )
            )
        else:
            keep.append(entry)
    check.entries = keep
    check.problems.sort(key=lambda p: p.row or 0)


# --- writing -----------------------------------------------------------------------------------


def record(
    user: User, course: Course, entries: list[Entry], cohort_id: int | None = None
) -> list[Completion]:
    """Record every entry; the first refusal raises ``AttendanceError`` naming the line (the caller
    rolls back, so nothing of the batch stays)."""
    done = []
    for entry in entries:
        try:
            done.append(
                record_classroom(
                    entry.employee,
                    course,
                    completed_on=entry.completed_on,
                    score=entry.score,
                    by=user,
                    cohort_id=cohort_id,
                )
            )
        except CompletionError as exc:
            raise AttendanceError(f"{entry.label}: {exc}") from exc
    return done


# --- confirming a previewed upload -----------------------------------------------------------


def kept_cohort(course: Course, cohort_id: int | None) -> int | None:
    """The cohort chosen with a previewed upload, if it still belongs to the course (else None)."""
    if cohort_id and cohort_id not in {c.id for c in queries.cohorts_for_course(course)}:
        return None
    return cohort_id


def recheck(user: User, course: Course, pending: dict, data: bytes) -> Check:
    """Check a kept upload again at confirmation, with the file name and default date of its
    preview (``pending``: what the preview kept)."""
    return check_upload(user, course, pending["key"], data, date.fromisoformat(pending["date"]))


def record_checked(
    user: User, course: Course, check: Check, cohort_id: int | None = None
) -> list[Completion]:
    """Record a rechecked upload; raises ``AttendanceError`` when it no longer checks out (the
    data changed since its preview) or a line is refused (the caller rolls back)."""
    if not check.ok:
        raise AttendanceError(_("Data berubah sejak pratinjau dibuat. Tidak ada yang disimpan."))
    return record(user, course, check.entries, cohort_id)
