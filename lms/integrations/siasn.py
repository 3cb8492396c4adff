"""The SIASN-ready export of verified learning records.

``../shared/DOMAIN.md`` ("Where training records go"): SIASN keeps training history as *riwayat
diklat* (structural: leadership programmes) and *riwayat kursus* (everything else), each with its
own payload field names. The export uses SIASN's names, so a row can be posted (or typed into
SIASN's form) as it is: ``KURSUS_FIELDS`` and ``DIKLAT_FIELDS`` below are that list, as data
(name → type), checked against a sample payload in ``tests/integrations/siasn_sample.json``.
Change them there when BKN changes its API.

The export has one row per VERIFIED learning record of a year that counts, i.e. one row per
piece of learning: a course completed as part of a programme's cohort makes no row of its own,
its programme's row stands for it (JP counted once: ``lms.completion.counting``). A structural
programme (PKP, PKA, PKN II/I) is a riwayat diklat row with the ``latihanStrukturalId`` of its
kind (``content/reference/programme_kinds.yaml``), the STTPP number as ``nomor``, the cohort's
dates and the programme's own JP; Latsar, the instansi's programmes and courses are riwayat
kursus rows (``counting.siasn_history`` picks the jenis diklat). Outside learning of jenis 1
recorded by the employee (a leadership programme done elsewhere) is a riwayat diklat row whose
structural id follows its name (``latihan_struktural``). ``institusiPenyelenggara`` is never
blank: a record without an organiser names BKPSDM (``lms.org.queries.agency_organiser``).

Columns, in this order: ours first
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

The upload of SIASN's result (each record's sync status) is ``lms.integrations.siasn_result``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms import spreadsheets
from lms.careers.records.models import SIASN_STATES, LearningRecord
from lms.completion.counting import counts_once
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Programme, ProgrammeKind
from lms.errors import DomainError
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.org.queries import agency_organiser
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
# SIASN's latihan struktural reference, id → name, as mirrored in public SIASN client code (two
# independent sources agree; unconfirmed: re-check against BKN's reference endpoint). The
# leadership programmes replaced Diklatpim at the same levels: PKP is 2 (echelon IV), PKA 3,
# PKN Tingkat II 4, PKN Tingkat I 5; a programme kind names its id in programme_kinds.yaml.
LATIHAN_STRUKTURAL_NAMES = {
    1: "SEPADA",
    2: "SEPALA/ADUM/DIKLAT PIM TK.IV",
    3: "SEPADYA/SPAMA/DIKLAT PIM TK. III",
    4: "SPAMEN/SESPA/SESPANAS/DIKLAT PIM TK. II",
    5: "SEPATI/DIKLAT PIM TK. I",
    6: "SESPIM",
    7: "SESPATI",
    8: "Diklat Struktural Lainnya",
}
LATIHAN_STRUKTURAL_OTHER_ID = 8
# For outside records (no programme kind): the words of a programme's name that select its id,
# first match wins.
LATIHAN_STRUKTURAL = (
    (r"kepemimpinan nasional tingkat ii\b|\bpkn (tingkat )?ii\b", 4),
    (r"kepemimpinan nasional tingkat i\b|\bpkn (tingkat )?i\b", 5),
    (r"kepemimpinan administrator|\bpka\b", 3),
    (r"kepemimpinan pengawas|\bpkp\b", 2),
)

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
BATCH = 1000


class SiasnError(DomainError):
    pass


# --- export ------------------------------------------------------------------------------------


def dmy(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def hours(jp: Decimal | float | int) -> int:
    """JP as SIASN's integer ``jumlahJam``: rounded half up, at least 1 (a verified record has
    JP > 0, and SIASN refuses 0 hours)."""
    return max(1, int(Decimal(jp).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def latihan_struktural(name: str, ref_id: int | None = None) -> tuple[str, str]:
    """SIASN's latihan struktural (id, name): the given id (a programme kind's), else the one a
    leadership programme's name selects, else "Diklat Struktural Lainnya"."""
    if ref_id is None or ref_id not in LATIHAN_STRUKTURAL_NAMES:
        text = name.lower()
        ref_id = next(
            (found for pattern, found in LATIHAN_STRUKTURAL if re.search(pattern, text)),
            LATIHAN_STRUKTURAL_OTHER_ID,
        )
    return str(ref_id), LATIHAN_STRUKTURAL_NAMES[ref_id]


def payload(
    record: LearningRecord, latihan_id: int | None = None, organiser: str = ""
) -> dict[str, object]:
    """The record as SIASN's own payload: riwayat kursus or riwayat diklat fields.
    ``latihan_id``: the structural id of the record's programme kind; ``organiser``: who to name
    when the record names nobody (the export passes BKPSDM)."""
    institution = record.organiser.strip() or organiser
    if record.siasn_type == "diklat":
        ref_id, ref_name = latihan_struktural(record.name, latihan_id)
        return {
            "latihanStrukturalId": ref_id,
            "latihanStrukturalNama": ref_name,
            "nomor": record.certificate_number,
            "tanggal": dmy(record.starts_on),
            "tanggalSelesai": dmy(record.ends_on),
            "tahun": record.year,
            "institusiPenyelenggara": institution,
            "jumlahJam": hours(record.jp),
        }
    code = record.jenis_diklat_code
    return {
        "jenisDiklatId": str(code) if code is not None else "",
        "namaKursus": record.name,
        "institusiPenyelenggara": institution,
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
    conditions = [
        LearningRecord.status == "verified",
        LearningRecord.year == scope.year,
        counts_once(LearningRecord.completion_id),  # one row per piece of learning
    ]
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
    """(record, employee, the structural id of its programme's kind or None) in scope."""
    return (
        select(LearningRecord, Employee, ProgrammeKind.latihan_struktural_id)
        .join(Employee, Employee.id == LearningRecord.employee_id)
        .outerjoin(Completion, Completion.id == LearningRecord.completion_id)
        .outerjoin(Programme, Programme.id == Completion.programme_id)
        .outerjoin(ProgrammeKind, ProgrammeKind.code == Programme.kind_code)
        .where(*_conditions(scope))
        .order_by(Employee.nip, LearningRecord.ends_on, LearningRecord.id)
    )


def row_of(
    record: LearningRecord,
    employee: Employee,
    header: tuple[str, ...] = COLUMNS,
    latihan_id: int | None = None,
    organiser: str = "",
) -> list[object]:
    values = payload(record, latihan_id, organiser or agency_organiser())
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
    organiser = agency_organiser()
    result = db.session.execute(records_query(scope).execution_options(yield_per=BATCH))
    for record, employee, latihan_id in result:
        yield row_of(record, employee, header, latihan_id, organiser)


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
