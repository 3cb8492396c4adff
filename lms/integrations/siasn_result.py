"""The upload of SIASN's result: each exported record's sync status, as SIASN reported it.

The result file (CSV or XLSX, as exported by ``lms.integrations.siasn`` or typed by hand) names
each record by ``idRiwayat`` (or ``nipBaru``/``nip`` plus the certificate number:
``nomorSertipikat``, ``nomor`` or ``nomorSertifikat``), a ``status`` (``berhasil``/``terkirim``/
``sent``, ``gagal``/``failed``, or ``belum_dikirim``/``not_sent``) and an optional
``keterangan``. It is checked completely first: one bad row and nothing is applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.services import audit
from lms.careers.records.models import SIASN_STATES, LearningRecord
from lms.db import utcnow
from lms.extensions import db
from lms.imports import RowError, RowsPreview
from lms.integrations.siasn import SiasnError
from lms.org.models import Employee
from lms.org.services import OrgError, read_table

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
# Result-file columns that hold the certificate number (normalised by _key), in order of preference.
NUMBER_COLUMNS = ("nomorsertipikat", "nomor", "nomorsertifikat")


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
