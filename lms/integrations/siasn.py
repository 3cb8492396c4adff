"""The SIASN-ready export of verified learning records, and the upload of SIASN's result.

``../shared/DOMAIN.md`` ("Where training records go"): SIASN keeps training history as *riwayat
diklat* (structural: leadership programmes) and *riwayat kursus* (everything else), each with its
own payload field names. The export uses SIASN's names, so a row can be posted (or typed into
SIASN's form) as it is: ``KURSUS_FIELDS`` and ``DIKLAT_FIELDS`` below are that list, as data
(name → type), checked against a sample payload in ``tests/integrations/siasn_sample.json``.
Change them there when BKN changes its API.

The export has one row per VERIFIED learning record of a year. Columns, in this order: ours first
(``idRiwayat`` our record id, the key for matching SIASN's result back; ``nipBaru``; ``nama`` for
the person checking the file; ``jenisRiwayat`` ``kursus`` or ``diklat``, which SIASN history the
row goes to), then the riwayat kursus fields (filled on kursus rows), then the riwayat diklat
fields not already there (filled on diklat rows), then our sync status (``statusSinkron``
``belum_dikirim`` | ``terkirim`` | ``gagal``, and ``keteranganSinkron``, the reason SIASN gave for
a failure). Filtered to one history (``Scope.kind``), the file has only that history's columns.

Values as SIASN takes them: dates dd-mm-yyyy (the agency's local dates, as stored on the record),
years and ``jumlahJam`` integers (JP rounded half up, at least 1: SIASN has no fractions of an
hour; 2.5 JP is 3), ids and numbers as strings.

Cells are safe to open in a spreadsheet: in CSV a string starting with ``= + - @``, a tab or a
carriage return gets a leading apostrophe (numbers stay numbers); in XLSX every string is written
as a string (never a formula) with Excel's quote prefix when it looks like one. CSV is UTF-8 with
a BOM so Excel reads the names correctly.

The result upload (CSV or XLSX) names each record by ``idRiwayat`` (or ``nipBaru``/``nip`` plus
the certificate number: ``nomorSertipikat``, ``nomor`` or ``nomorSertifikat``), a ``status`` (``berhasil``/``terkirim``/``sent``, ``gagal``/``failed``, or
``belum_dikirim``/``not_sent``) and an optional ``keterangan``. It is checked completely first:
one bad row and nothing is applied.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms import spreadsheets
from lms.auth.services import audit
from lms.careers.records.models import SIASN_STATES, LearningRecord
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.imports import RowError, RowsPreview
from lms.org.models import Employee, Unit
from lms.org.services import OrgError, read_table
from lms.spreadsheets import neutralise as neutralise  # re-exported for callers of this module

# SIASN's riwayat kursus payload, field → type (the order is the export's).
KURSUS_FIELDS: dict[str, type] = {
    "jenisDiklatId": str,
    "namaKursus": str,
    "institusiPenyelenggara": str,
    "nomorSertipikat": str,
    "tanggalKursus": str,  # dd-mm-yyyy
    "tanggalSelesaiKursus": str,  # dd-mm-yyyy
    "tahunKursus": int,
    "jumlahJam": int,
    "jenisKursusSertipikat": str,
}
# SIASN's riwayat diklat (struktural) payload, field → type.
DIKLAT_FIELDS: dict[str, type] = {
    "latihanStrukturalId": str,
    "latihanStrukturalNama": str,
    "nomor": str,
    "tanggal": str,  # dd-mm-yyyy
    "tanggalSelesai": str,  # dd-mm-yyyy
    "tahun": int,
    "institusiPenyelenggara": str,
    "jumlahJam": int,
}
# jenisKursusSertipikat per jenis diklat code, as SIASN's jenis diklat reference pairs them
# (unconfirmed: re-check against BKN's reference endpoint before the first real upload).
KURSUS_SERTIPIKAT = {1: "S", 2: "F"}
KURSUS_SERTIPIKAT_DEFAULT = "T"
# SIASN's latihan struktural reference (id, name) and the words of our programme names that select
# it, first match wins; leadership programmes replaced Diklatpim at the same levels (unconfirmed
# ids: re-check against BKN's reference endpoint).
LATIHAN_STRUKTURAL = (
    (
        r"kepemimpinan nasional tingkat ii\b|\bpkn (tingkat )?ii\b",
        "4",
        "SPAMEN/SESPA/SESPANAS/DIKLAT PIM TK.II",
    ),
    (r"kepemimpinan nasional tingkat i\b|\bpkn (tingkat )?i\b", "5", "SEPATI/DIKLAT PIM TK. I"),
    (r"kepemimpinan administrator|\bpka\b", "3", "SEPADYA/SPAMA/DIKLAT PIM TK. III"),
    (r"kepemimpinan pengawas|\bpkp\b", "2", "SEPALA/ADUM/DIKLAT PIM TK. IV"),
)
LATIHAN_STRUKTURAL_OTHER = ("8", "Diklat Struktural Lainnya")

OURS = ("idRiwayat", "nipBaru", "nama", "jenisRiwayat")
SYNC = ("statusSinkron", "keteranganSinkron")
KINDS = ("kursus", "diklat")
KIND_LABELS = {"kursus": _l("Riwayat kursus"), "diklat": _l("Riwayat diklat (struktural)")}
COLUMNS = (
    *OURS,
    *KURSUS_FIELDS,
    *(f for f in DIKLAT_FIELDS if f not in KURSUS_FIELDS),
    *SYNC,
)
STATUS_EXPORT = {"not_sent": "belum_dikirim", "sent": "terkirim", "failed": "gagal"}
STATUS_LABELS = {
    "not_sent": _l("Belum dikirim"),
    "sent": _l("Terkirim"),
    "failed": _l("Gagal"),
}
# What the result file may say, normalised (lower case, spaces and dashes as underscores).
STATUS_WORDS = {
    "sent": "sent",
    "berhasil": "sent",
    "terkirim": "sent",
    "sukses": "sent",
    "success": "sent",
    "failed": "failed",
    "gagal": "failed",
    "not_sent": "not_sent",
    "belum_dikirim": "not_sent",
    "belum": "not_sent",
}
BATCH = 1000
# Result-file columns that hold the certificate number (normalised by _key), in order of preference.
NUMBER_COLUMNS = ("nomorsertipikat", "nomor", "nomorsertifikat")


class SiasnError(DomainError):
    pass


# --- export ------------------------------------------------------------------------------------


def dmy(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def hours(jp: Decimal | float | int) -> int:
    """JP as SIASN's integer ``jumlahJam``: rounded half up, at least 1 (a verified record has
    JP > 0, and SIASN refuses 0 hours)."""
    return max(1, int(Decimal(jp).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def latihan_struktural(name: str) -> tuple[str, str]:
    """SIASN's latihan struktural (id, name) for a leadership programme's name."""
    text = name.lower()
    for pattern, ref_id, ref_name in LATIHAN_STRUKTURAL:
        if re.search(pattern, text):
            return ref_id, ref_name
    return LATIHAN_STRUKTURAL_OTHER


def payload(record: LearningRecord) -> dict[str, object]:
    """The record as SIASN's own payload: riwayat kursus or riwayat diklat fields."""
    if record.siasn_type == "diklat":
        ref_id, ref_name = latihan_struktural(record.name)
        return {
            "latihanStrukturalId": ref_id,
            "latihanStrukturalNama": ref_name,
            "nomor": record.certificate_number,
            "tanggal": dmy(record.starts_on),
            "tanggalSelesai": dmy(record.ends_on),
            "tahun": record.year,
            "institusiPenyelenggara": record.organiser,
            "jumlahJam": hours(record.jp),
        }
    code = record.jenis_diklat_code
    return {
        "jenisDiklatId": str(code) if code is not None else "",
        "namaKursus": record.name,
        "institusiPenyelenggara": record.organiser,
        "nomorSertipikat": record.certificate_number,
        "tanggalKursus": dmy(record.starts_on),
        "tanggalSelesaiKursus": dmy(record.ends_on),
        "tahunKursus": record.year,
        "jumlahJam": hours(record.jp),
        "jenisKursusSertipikat": KURSUS_SERTIPIKAT.get(code, KURSUS_SERTIPIKAT_DEFAULT)
        if code is not None
        else KURSUS_SERTIPIKAT_DEFAULT,
    }


@dataclass(frozen=True)
class Scope:
    year: int
    opd_id: int | None = None
    status: str | None = None  # a SIASN_STATES value to export only those
    kind: str | None = None  # "kursus" or "diklat": only that history, with only its columns


def columns(scope: Scope) -> tuple[str, ...]:
    """The export's header for ``scope``."""
    if scope.kind == "kursus":
        return (*OURS, *KURSUS_FIELDS, *SYNC)
    if scope.kind == "diklat":
        return (*OURS, *DIKLAT_FIELDS, *SYNC)
    return COLUMNS


def opd_choices() -> list[Unit]:
    """The top-level units (OPD), for the filter."""
    return list(
        db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name))
    )


def _conditions(scope: Scope) -> list:
    conditions = [LearningRecord.status == "verified", LearningRecord.year == scope.year]
    if scope.opd_id is not None:
        opd = db.session.get(Unit, scope.opd_id)
        if opd is None:
            raise SiasnError(_("OPD tidak ditemukan."))
        subtree = select(Unit.id).where(Unit.path.like(opd.path + "%"))
        conditions.append(Employee.unit_id.in_(subtree))
    if scope.status in SIASN_STATES:
        conditions.append(LearningRecord.siasn_status == scope.status)
    if scope.kind in KINDS:
        conditions.append(LearningRecord.siasn_type == scope.kind)
    return conditions


def records_query(scope: Scope) -> Select:
    return (
        select(LearningRecord, Employee)
        .join(Employee, Employee.id == LearningRecord.employee_id)
        .where(*_conditions(scope))
        .order_by(Employee.nip, LearningRecord.ends_on, LearningRecord.id)
    )


def row_of(
    record: LearningRecord, employee: Employee, header: tuple[str, ...] = COLUMNS
) -> list[object]:
    values = payload(record)
    values.update(
        {
            "idRiwayat": record.id,
            "nipBaru": employee.nip,
            "nama": employee.display_name,
            "jenisRiwayat": record.siasn_type,
            "statusSinkron": STATUS_EXPORT.get(record.siasn_status, record.siasn_status),
            "keteranganSinkron": record.siasn_message,
        }
    )
    return [values.get(column, "") for column in header]


def iter_rows(scope: Scope) -> Iterator[list[object]]:
    header = columns(scope)
    result = db.session.execute(records_query(scope).execution_options(yield_per=BATCH))
    for record, employee in result:
        yield row_of(record, employee, header)


def status_counts(scope: Scope) -> dict[str, int]:
    """Verified records in scope per sync status (every status present, zero when none)."""
    counts = {s: 0 for s in SIASN_STATES}
    rows = db.session.execute(
        select(LearningRecord.siasn_status, func.count())
        .join(Employee, Employee.id == LearningRecord.employee_id)
        .where(*_conditions(Scope(scope.year, scope.opd_id, kind=scope.kind)))
        .group_by(LearningRecord.siasn_status)
    ).all()
    for status, n in rows:
        counts[status] = n
    return counts


def csv_chunks(scope: Scope) -> Iterator[bytes]:
    """The CSV as UTF-8 chunks: BOM and header first, then batches of rows."""
    yield from spreadsheets.csv_chunks(columns(scope), iter_rows(scope), batch=BATCH)


def write_csv(scope: Scope, out: BinaryIO) -> None:
    for chunk in csv_chunks(scope):
        out.write(chunk)


def write_xlsx(scope: Scope, out: str | Path | BinaryIO) -> int:
    """Write the export as XLSX in constant memory; returns the number of data rows."""
    workbook = spreadsheets.workbook(out)
    header = columns(scope)
    wide = ("nama", "namaKursus", "latihanStrukturalNama", "institusiPenyelenggara")
    widths = [28 if column in wide else 16 for column in header]
    sheet = spreadsheets.SafeSheet(workbook, "SIASN", header, widths, skip_empty=True)
    r = 0
    for r, row in enumerate(iter_rows(scope), start=1):
        sheet.write_row(r, row)
    workbook.close()
    return r


def export_bytes(scope: Scope, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(scope, buffer)
    else:
        write_csv(scope, buffer)
    return buffer.getvalue()


def filename(scope: Scope, fmt: str) -> str:
    kind = f"-{scope.kind}" if scope.kind in KINDS else ""
    return f"siasn-riwayat{kind}-{scope.year}.{fmt}"


# --- result upload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    row: int
    record_id: int
    nip: str
    name: str
    training: str
    status: str
    message: str


@dataclass
class ResultPreview(RowsPreview[ResultRow]):
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SIASN_STATES}
        for r in self.rows:
            out[r.status] += 1
        return out


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "").replace("_", "")


def _status_of(text: str) -> str | None:
    word = text.strip().lower().replace(" ", "_").replace("-", "_")
    return STATUS_WORDS.get(word)


def preview_result(filename: str, data: bytes) -> ResultPreview:
    """Check a SIASN result file row by row; nothing is written."""
    preview = ResultPreview()
    try:
        _header, table = read_table(filename, data)
    except OrgError as exc:
        preview.file_errors.append(str(exc))
        return preview
    rows = [(n, {_key(k): (v or "").strip() for k, v in values.items()}) for n, values in table]
    if not rows:
        preview.file_errors.append(_("Berkas tidak berisi baris data."))
        return preview
    columns = set(rows[0][1])
    has_id = "idriwayat" in columns
    nip_col = "nipbaru" if "nipbaru" in columns else "nip"
    number_col = next((c for c in NUMBER_COLUMNS if c in columns), "")
    has_pair = nip_col in columns and bool(number_col)
    status_col = "status" if "status" in columns else "statussinkron"
    message_col = "keterangan" if "keterangan" in columns else "keterangansinkron"
    if not has_id and not has_pair:
        preview.file_errors.append(
            _("Kolom idRiwayat (atau nipBaru dan nomorSertipikat) tidak ditemukan.")
        )
    if status_col not in columns:
        preview.file_errors.append(_("Kolom status tidak ditemukan."))
    if preview.file_errors:
        return preview

    ids = {int(v["idriwayat"]) for _n, v in rows if v.get("idriwayat", "").isdigit()}
    by_id: dict[int, tuple[LearningRecord, Employee]] = {}
    for chunk in _chunks(sorted(ids), 500):
        for record, employee in db.session.execute(
            select(LearningRecord, Employee)
            .join(Employee, Employee.id == LearningRecord.employee_id)
            .where(LearningRecord.id.in_(chunk))
        ):
            by_id[record.id] = (record, employee)

    seen: dict[int, int] = {}
    for number, values in rows:
        found = _find(number, values, has_id, nip_col, number_col, by_id, preview)
        status_text = values.get(status_col, "")
        status = _status_of(status_text)
        if status is None:
            preview.errors.append(
                RowError(
                    number,
                    "status",
                    _(
                        "Baris %(n)s: status '%(s)s' tidak dikenal; gunakan berhasil atau gagal.",
                        n=number,
                        s=status_text,
                    ),
                )
            )
        if found is None or status is None:
            continue
        record, employee = found
        if record.id in seen:
            preview.errors.append(
                RowError(
                    number,
                    "idRiwayat",
                    _(
                        "Baris %(n)s: riwayat %(id)s sudah ada di baris %(m)s.",
                        n=number,
                        id=record.id,
                        m=seen[record.id],
                    ),
                )
            )
            continue
        seen[record.id] = number
        preview.rows.append(
            ResultRow(
                number,
                record.id,
                employee.nip,
                employee.display_name,
                record.name,
                status,
                values.get(message_col, "")[:1000],
            )
        )
    return preview


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _find(
    number: int,
    values: dict[str, str],
    has_id: bool,
    nip_col: str,
    number_col: str,
    by_id: dict[int, tuple[LearningRecord, Employee]],
    preview: ResultPreview,
) -> tuple[LearningRecord, Employee] | None:
    raw = values.get("idriwayat", "") if has_id else ""
    if raw:
        found = by_id.get(int(raw)) if raw.isdigit() else None
        if found is None or found[0].status != "verified":
            preview.errors.append(
                RowError(
                    number,
                    "idRiwayat",
                    _(
                        "Baris %(n)s: idRiwayat '%(id)s' tidak ditemukan di antara riwayat "
                        "terverifikasi.",
                        n=number,
                        id=raw,
                    ),
                )
            )
            return None
        return found
    nip = "".join(values.get(nip_col, "").split())
    number_text = values.get(number_col, "")
    if not nip or not number_text:
        preview.errors.append(
            RowError(
                number,
                "idRiwayat",
                _("Baris %(n)s: isi idRiwayat, atau NIP dan nomorSertipikat.", n=number),
            )
        )
        return None
    matches = db.session.execute(
        select(LearningRecord, Employee)
        .join(Employee, Employee.id == LearningRecord.employee_id)
        .where(
            Employee.nip == nip,
            LearningRecord.certificate_number == number_text,
            LearningRecord.status == "verified",
        )
        .limit(2)
    ).all()
    if len(matches) != 1:
        preview.errors.append(
            RowError(
                number,
                "nomorSertipikat",
                _(
                    "Baris %(n)s: tidak ada satu riwayat terverifikasi untuk NIP %(nip)s "
                    "dengan nomor sertifikat %(c)s.",
                    n=number,
                    nip=nip,
                    c=number_text,
                )
                if not matches
                else _(
                    "Baris %(n)s: NIP %(nip)s dan nomor sertifikat %(c)s cocok dengan lebih "
                    "dari satu riwayat; gunakan idRiwayat.",
                    n=number,
                    nip=nip,
                    c=number_text,
                ),
            )
        )
        return None
    return matches[0][0], matches[0][1]


def apply_result(preview: ResultPreview, *, by=None, now: datetime | None = None) -> int:
    """Set each record's sync status from a checked preview (all or nothing); flushes only."""
    if not preview.ok:
        raise SiasnError(_("Berkas hasil SIASN masih memuat kesalahan; tidak ada yang disimpan."))
    moment = now or utcnow()
    records = {
        r.id: r
        for chunk in _chunks([row.record_id for row in preview.rows], 500)
        for r in db.session.scalars(select(LearningRecord).where(LearningRecord.id.in_(chunk)))
    }
    changed = 0
    for row in preview.rows:
        record = records.get(row.record_id)
        if record is None or record.status != "verified":
            raise SiasnError(
                _(
                    "Baris %(n)s: riwayat %(id)s sudah berubah; unggah ulang.",
                    n=row.row,
                    id=row.record_id,
                )
            )
        before = {"siasn_status": record.siasn_status, "siasn_message": record.siasn_message}
        record.siasn_status = row.status
        record.siasn_message = row.message if row.status == "failed" else ""
        record.siasn_updated_at = moment
        after = {"siasn_status": record.siasn_status, "siasn_message": record.siasn_message}
        if before != after:
            changed += 1
            audit(by, "update", record, f"Status SIASN: {row.status}", before=before, after=after)
    db.session.flush()
    return changed
