"""Import of annual appraisal results kept in another system (CSV or XLSX).

Columns: ``nip``, ``tahun``, ``hasil_kerja``, ``perilaku``, ``predikat`` (optional: when given it
must be what the PermenPANRB 6/2022 matrix gives for the two ratings) and ``catatan``. The preview
lists every problem by row; the import itself is all or nothing. An imported row becomes the
annual evaluation of the employee's SKP period for that year (created, closed, when missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers.errors import CareerError
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.careers.skp.predikat import Predikat, parse_rating, predikat
from lms.careers.skp.schedule import annual_slot
from lms.careers.skp.services import PREDIKAT_LABELS, RATING_LABELS
from lms.db import utcnow
from lms.extensions import db
from lms.imports import RowError, RowsPreview
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.org.nip import normalise_nip
from lms.org.services import OrgError, read_table
from lms.permissions import unit_in_scope

COLUMNS = {
    "nip": _l("NIP (18 digit)"),
    "tahun": _l("Tahun penilaian"),
    "hasil_kerja": _l("Hasil kerja: di atas, sesuai, atau di bawah ekspektasi"),
    "perilaku": _l("Perilaku kerja: di atas, sesuai, atau di bawah ekspektasi"),
    "predikat": _l("Predikat (boleh kosong; bila diisi harus sesuai matriks)"),
    "catatan": _l("Catatan"),
}
REQUIRED = ("nip", "tahun", "hasil_kerja", "perilaku")
MAX_ROWS = 20000


@dataclass
class Row:
    row: int
    nip: str
    year: int
    hasil_kerja: str
    perilaku: str
    predikat: str
    note: str
    employee_id: int
    name: str


@dataclass
class Preview(RowsPreview[Row]):
    pass


class AppraisalImport:
    """The object an import's audit entry is about (a batch has no row of its own)."""

    id = ""


def parse_predikat(text: str) -> Predikat:
    """ "Baik", "Sangat Baik", "Butuh Perbaikan", "Kurang", "Kurang/Misconduct", "sangat_kurang"…"""
    key = "_".join(text.strip().lower().replace("-", " ").replace("/", " ").split())
    key = key.removesuffix("_misconduct")
    try:
        return Predikat(key)
    except ValueError:
        raise ValueError(text) from None


def _year(text: str) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    # An annual evaluation comes at the end of the year: only years that have ended.
    return value if 2000 <= value <= local_today().year - 1 else None


def preview(user: User, filename: str, data: bytes) -> Preview:
    """Read and check every row; nothing is written."""
    out = Preview()
    try:
        header, table = read_table(filename, data)
    except OrgError as exc:
        out.file_errors.append(str(exc))
        return out
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        out.file_errors.append(
            _("Kolom wajib tidak ada: %(c)s.", c=", ".join(missing))
            + " "
            + _("Baris pertama harus berisi nama kolom: %(c)s.", c=", ".join(COLUMNS))
        )
        return out
    if not table:
        out.file_errors.append(_("Berkas tidak berisi baris data."))
        return out
    if len(table) > MAX_ROWS:
        out.file_errors.append(_("Berkas berisi lebih dari %(n)s baris.", n=MAX_ROWS))
        return out

    nips = {normalise_nip(values.get("nip", "")) for _n, values in table}
    employees = {
        e.nip: e
        for e in db.session.scalars(
            select(Employee).options(selectinload(Employee.unit)).where(Employee.nip.in_(nips))
        )
    }
    seen: dict[tuple[str, int], int] = {}
    candidates: list[Row] = []
    for number, values in table:
        errors_before = len(out.errors)

        def err(column: str, message: str, number: int = number) -> None:
            out.errors.append(RowError(number, column, message))

        nip = normalise_nip(values.get("nip", ""))
        employee = employees.get(nip)
        if not nip:
            err("nip", _("NIP wajib diisi."))
        elif employee is None:
            err("nip", _("NIP %(n)s tidak dikenal.", n=nip))
        elif not unit_in_scope(user, employee.unit):
            err("nip", _("Pegawai %(n)s di luar lingkup unit Anda.", n=nip))
        year = _year(values.get("tahun", ""))
        if year is None:
            err(
                "tahun",
                _(
                    "Tahun harus berupa angka antara 2000 dan %(y)s: evaluasi tahunan dicatat "
                    "setelah tahunnya berakhir.",
                    y=local_today().year - 1,
                ),
            )
        ratings = {}
        for column in ("hasil_kerja", "perilaku"):
            raw = values.get(column, "")
            try:
                ratings[column] = parse_rating(raw, column)
            except ValueError:
                err(
                    column,
                    _(
                        "'%(v)s' bukan penilaian yang dikenal; gunakan di atas, sesuai, atau di "
                        "bawah (ekspektasi).",
                        v=raw.strip(),
                    ),
                )
        result = None
        if len(ratings) == 2:
            result = predikat(hasil_kerja=ratings["hasil_kerja"], perilaku=ratings["perilaku"])
        given = (values.get("predikat") or "").strip()
        if given:
            try:
                stated = parse_predikat(given)
            except ValueError:
                err("predikat", _("Predikat '%(v)s' tidak dikenal.", v=given))
            else:
                if result is not None and stated != result:
                    err(
                        "predikat",
                        _(
                            "Predikat %(g)s tidak sesuai matriks: hasil kerja %(h)s dan perilaku "
                            "%(p)s memberi predikat %(r)s.",
                            g=PREDIKAT_LABELS[stated.value],
                            h=RATING_LABELS[ratings["hasil_kerja"].value],
                            p=RATING_LABELS[ratings["perilaku"].value],
                            r=PREDIKAT_LABELS[result.value],
                        ),
                    )
        note = (values.get("catatan") or "").strip()
        if len(note) > 2000:
            err("catatan", _("Catatan paling banyak 2000 karakter."))
        if nip and year is not None:
            first = seen.get((nip, year))
            if first is not None:
                err(
                    "nip",
                    _("NIP %(n)s tahun %(y)s sudah ada di baris %(r)s.", n=nip, y=year, r=first),
                )
            else:
                seen[(nip, year)] = number
        if len(out.errors) == errors_before and employee is not None and result is not None:
            candidates.append(
                Row(
                    number,
                    nip,
                    year,
                    ratings["hasil_kerja"].value,
                    ratings["perilaku"].value,
                    result.value,
                    note,
                    employee.id,
                    employee.display_name,
                )
            )
    # Annual evaluations already recorded (one query for the whole file).
    if candidates:
        keys = [(r.employee_id, r.year) for r in candidates]
        existing = set(
            db.session.execute(
                select(SkpPeriod.employee_id, SkpPeriod.year)
                .join(SkpEvaluation, SkpEvaluation.period_id == SkpPeriod.id)
                .where(
                    SkpEvaluation.kind == "annual",
                    tuple_(SkpPeriod.employee_id, SkpPeriod.year).in_(keys),
                )
            ).all()
        )
        for r in candidates:
            if (r.employee_id, r.year) in existing:
                out.errors.append(
                    RowError(
                        r.row,
                        "tahun",
                        _(
                            "Evaluasi tahunan %(y)s untuk NIP %(n)s sudah ada; evaluasi tahunan "
                            "hanya satu kali per periode.",
                            y=r.year,
                            n=r.nip,
                        ),
                    )
                )
            else:
                out.rows.append(r)
    out.errors.sort(key=lambda e: (e.row, list(COLUMNS).index(e.column)))
    return out


def apply(user: User, checked: Preview) -> int:
    """Write every row as an annual evaluation (periods created or closed as needed); flush.

    Raises CareerError when the preview has problems: nothing is written then."""
    if not checked.ok:
        raise CareerError(_("Berkas masih mengandung kesalahan; tidak ada data yang disimpan."))
    periods = {
        (p.employee_id, p.year): p
        for p in db.session.scalars(
            select(SkpPeriod).where(
                tuple_(SkpPeriod.employee_id, SkpPeriod.year).in_(
                    [(r.employee_id, r.year) for r in checked.rows]
                ),
                SkpPeriod.ends_on.is_(None),  # the year's last SKP (after any mid-year change)
            )
        )
    }
    supervisors = dict(
        db.session.execute(
            select(Employee.id, Employee.supervisor_id).where(
                Employee.id.in_({r.employee_id for r in checked.rows})
            )
        ).all()
    )
    now = utcnow()
    for r in checked.rows:
        period = periods.get((r.employee_id, r.year))
        if period is None:
            period = SkpPeriod(
                employee_id=r.employee_id,
                year=r.year,
                appraiser_id=supervisors.get(r.employee_id),
                status="closed",
                closed_at=now,
            )
            db.session.add(period)
            db.session.flush()
        elif period.status != "closed":
            period.status = "closed"
            period.closed_at = now
        db.session.add(
            SkpEvaluation(
                period_id=period.id,
                kind="annual",
                sequence=0,
                label=annual_slot(r.year).label,
                hasil_kerja=r.hasil_kerja,
                perilaku=r.perilaku,
                predikat=r.predikat,
                note=r.note,
                source="import",
                recorded_by_id=user.id,
                submitted_at=now,
            )
        )
    audit(
        user,
        "create",
        AppraisalImport(),
        f"Impor hasil penilaian kinerja: {len(checked.rows)} baris",
    )
    db.session.flush()
    return len(checked.rows)
