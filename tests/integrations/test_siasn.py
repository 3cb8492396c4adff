"""The SIASN export (columns, dates, diklat/kursus, only verified, safe cells) and result upload."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.models import AuditLog, User
from lms.careers.records.models import LearningRecord
from lms.completion import consumers
from lms.completion import services as completion
from lms.extensions import db
from lms.integrations import siasn, siasn_result
from lms.org.models import Employee
from tests.completion.builders import course_with_posttest
from tests.integrations.conftest import make_record


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def records(ctx, world):
    """A completion (through the outbox) and outside records in every state, for 2025."""
    pegawai = world.employees["pegawai"].id
    employee = db.session.get(Employee, pegawai)
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    course, _, _ = course_with_posttest("SIASN-101")
    completion.record_classroom(employee, course, completed_on=date(2025, 5, 20), score=90, by=hr)
    db.session.commit()
    consumers.dispatch()
    made = {
        "completed": db.session.scalar(
            select(LearningRecord).where(LearningRecord.source == "completion")
        ),
        "diklat": make_record(
            pegawai,
            siasn_type="diklat",
            jenis_diklat_code=1,
            name="Pelatihan Kepemimpinan Administrator",
            starts_on=date(2025, 2, 3),
            ends_on=date(2025, 6, 27),
            jp=Decimal("2.5"),
            certificate_number="PKA-77",
        ),
        "evil": make_record(
            world.employees["disdik"].id,
            name='=HYPERLINK("http://x")',
            organiser="@SUM(A1)",
            certificate_number="-1+1",
        ),
        "pending": make_record(pegawai, status="pending", name="Belum diverifikasi"),
        "rejected": make_record(
            pegawai, status="rejected", review_reason="Bukti kurang", name="Ditolak"
        ),
        "other_year": make_record(pegawai, year=2024, name="Tahun lalu"),
    }
    db.session.commit()
    return {k: v.id for k, v in made.items()}


def test_csv_has_siasn_columns_dates_types_and_only_verified(records, world) -> None:
    rows = _rows(siasn.export_bytes(siasn.Scope(2025), "csv"))
    assert list(rows[0]) == list(siasn.COLUMNS)
    by_id = {int(r["idRiwayat"]): r for r in rows}
    assert set(by_id) == {records["completed"], records["diklat"], records["evil"]}

    done = by_id[records["completed"]]
    assert done["nipBaru"] == world.employees["pegawai"].nip
    assert done["jenisRiwayat"] == "kursus" and done["jenisDiklatId"] == "16"
    assert done["namaKursus"] == "Pelatihan SIASN-101"
    assert done["tanggalSelesaiKursus"] == "20-05-2025" and done["tahunKursus"] == "2025"
    assert done["jumlahJam"] == "4" and done["statusSinkron"] == "belum_dikirim"
    assert done["jenisKursusSertipikat"] == "T" and done["latihanStrukturalId"] == ""

    lead = by_id[records["diklat"]]
    assert lead["jenisRiwayat"] == "diklat" and lead["jenisDiklatId"] == ""
    assert (lead["tanggal"], lead["tanggalSelesai"]) == ("03-02-2025", "27-06-2025")
    assert lead["latihanStrukturalId"] == "3" and lead["tahun"] == "2025"
    assert lead["jumlahJam"] == "3" and lead["nomor"] == "PKA-77"  # 2.5 JP, whole hours
    assert lead["namaKursus"] == lead["nomorSertipikat"] == ""

    evil = by_id[records["evil"]]
    assert evil["namaKursus"] == '\'=HYPERLINK("http://x")'
    assert evil["institusiPenyelenggara"] == "'@SUM(A1)"
    assert evil["nomorSertipikat"] == "'-1+1"

    only_dinkes = _rows(siasn.export_bytes(siasn.Scope(2025, world.units["dinkes"].id), "csv"))
    assert {int(r["idRiwayat"]) for r in only_dinkes} == {records["completed"], records["diklat"]}
    assert siasn.status_counts(siasn.Scope(2025)) == {"not_sent": 3, "sent": 0, "failed": 0}


def test_xlsx_writes_strings_not_formulas(records, world) -> None:
    book = load_workbook(io.BytesIO(siasn.export_bytes(siasn.Scope(2025), "xlsx")))
    sheet = book.active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == list(siasn.COLUMNS)
    by_id = {int(r[0]): dict(zip(siasn.COLUMNS, r, strict=False)) for r in values[1:]}
    assert set(by_id) == {records["completed"], records["diklat"], records["evil"]}
    lead = by_id[records["diklat"]]
    assert lead["nipBaru"] == world.employees["pegawai"].nip  # a string: 18 digits kept
    assert lead["tanggal"] == "03-02-2025" and lead["jumlahJam"] == 3
    evil_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == records["evil"])
    name_cell = evil_row[siasn.COLUMNS.index("namaKursus")]
    assert name_cell.data_type == "s" and name_cell.value.startswith("=HYPERLINK")
    assert name_cell.quotePrefix


def _result(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_result_upload_updates_statuses_and_audits(records, world) -> None:
    data = _result(
        "idRiwayat,status,keterangan",
        f"{records['completed']},berhasil,",
        f"{records['diklat']},gagal,Jenis diklat tidak sesuai",
        # The same file keyed by NIP and certificate number works too.
    )
    preview = siasn_result.preview_result("hasil.csv", data)
    assert preview.ok, preview.errors
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    assert siasn_result.apply_result(preview, by=hr) == 2
    db.session.commit()
    done = db.session.get(LearningRecord, records["completed"])
    lead = db.session.get(LearningRecord, records["diklat"])
    assert (done.siasn_status, done.siasn_message) == ("sent", "")
    assert (lead.siasn_status, lead.siasn_message) == ("failed", "Jenis diklat tidak sesuai")
    assert lead.siasn_updated_at is not None
    audits = db.session.scalars(
        select(AuditLog).where(AuditLog.object_type == "LearningRecord")
    ).all()
    assert {a.object_id for a in audits} == {str(records["completed"]), str(records["diklat"])}
    assert all(a.actor_id == hr.id for a in audits)

    by_nip = siasn_result.preview_result(
        "hasil.csv",
        _result("nipBaru;nomorSertipikat;status", f"{world.employees['pegawai'].nip};PKA-77;sent"),
    )
    assert by_nip.ok and by_nip.rows[0].record_id == records["diklat"]
    siasn_result.apply_result(by_nip)
    db.session.commit()
    assert db.session.get(LearningRecord, records["diklat"]).siasn_message == ""
    assert siasn.status_counts(siasn.Scope(2025)) == {"not_sent": 1, "sent": 2, "failed": 0}


def test_a_bad_row_applies_nothing_and_names_the_row(records) -> None:
    data = _result(
        "idRiwayat,status,keterangan",
        f"{records['completed']},berhasil,",
        "999999,berhasil,",
        f"{records['diklat']},mungkin,",
        f"{records['pending']},berhasil,",
        f"{records['completed']},gagal,dua kali",
    )
    preview = siasn_result.preview_result("hasil.csv", data)
    assert not preview.ok
    messages = [e.message for e in preview.errors]
    assert any("Baris 3" in m and "999999" in m for m in messages)
    assert any("Baris 4" in m and "mungkin" in m for m in messages)
    assert any("Baris 5" in m for m in messages)  # a pending record was never exported
    assert any("Baris 6" in m and "baris 2" in m for m in messages)
    with pytest.raises(siasn.SiasnError):
        siasn_result.apply_result(preview)
    statuses = db.session.scalars(select(LearningRecord.siasn_status)).all()
    assert set(statuses) == {"not_sent"}


def test_result_file_problems(ctx) -> None:
    assert siasn_result.preview_result(
        "hasil.csv", _result("nama,status", "x,berhasil")
    ).file_errors
    assert siasn_result.preview_result("hasil.csv", _result("idRiwayat,hasil", "1,x")).file_errors
    assert siasn_result.preview_result("hasil.pdf", b"%PDF").file_errors
    assert siasn_result.preview_result("hasil.csv", _result("idRiwayat,status")).file_errors


def test_dates_and_hours_helpers() -> None:
    assert siasn.dmy(date(2025, 1, 9)) == "09-01-2025"
    assert siasn.hours(Decimal("4.00")) == 4 and siasn.hours(Decimal("2.50")) == 3
    assert siasn.hours(Decimal("2.49")) == 2 and siasn.hours(Decimal("0.25")) == 1
    assert siasn.neutralise("\tx") == "'\tx" and siasn.neutralise("Biasa") == "Biasa"
    assert siasn.neutralise(-3) == -3


SAMPLE = json.loads((Path(__file__).parent / "siasn_sample.json").read_text())


def _assert_like_sample(row: dict[str, object], sample: dict[str, object]) -> None:
    assert list(row) == list(sample)  # SIASN's own names, every one, nothing else
    for key, value in sample.items():
        assert type(row[key]) is type(value), key
        if key.startswith("tanggal"):
            assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", row[key]), (key, row[key])


def test_payloads_match_siasns_documented_sample(records) -> None:
    """Each record type's payload has SIASN's field names and value types (the sample fixture),
    and the export's header carries those names; the field list is data (KURSUS_FIELDS...)."""
    kursus = db.session.get(LearningRecord, records["completed"])
    diklat = db.session.get(LearningRecord, records["diklat"])
    _assert_like_sample(siasn.payload(kursus), SAMPLE["kursus"])
    _assert_like_sample(siasn.payload(diklat), SAMPLE["diklat"])
    assert list(siasn.KURSUS_FIELDS) == list(SAMPLE["kursus"])
    assert list(siasn.DIKLAT_FIELDS) == list(SAMPLE["diklat"])
    assert {k: type(v) for k, v in SAMPLE["kursus"].items()} == siasn.KURSUS_FIELDS
    assert {k: type(v) for k, v in SAMPLE["diklat"].items()} == siasn.DIKLAT_FIELDS
    for field in (*SAMPLE["kursus"], *SAMPLE["diklat"]):
        assert field in siasn.COLUMNS
    assert "nomorSertifikat" not in siasn.COLUMNS and "tanggalMulai" not in siasn.COLUMNS

    only_diklat = _rows(siasn.export_bytes(siasn.Scope(2025, kind="diklat"), "csv"))
    assert [int(r["idRiwayat"]) for r in only_diklat] == [records["diklat"]]
    assert list(only_diklat[0]) == [*siasn.OURS, *SAMPLE["diklat"], *siasn.SYNC]
    only_kursus = _rows(siasn.export_bytes(siasn.Scope(2025, kind="kursus"), "csv"))
    assert list(only_kursus[0]) == [*siasn.OURS, *SAMPLE["kursus"], *siasn.SYNC]
    assert (
        siasn.filename(siasn.Scope(2025, kind="diklat"), "csv") == "siasn-riwayat-diklat-2025.csv"
    )


def test_latihan_struktural_follows_the_programme_name() -> None:
    assert siasn.latihan_struktural("Pelatihan Kepemimpinan Pengawas")[0] == "2"
    assert siasn.latihan_struktural("PKA Angkatan II")[0] == "3"
    assert siasn.latihan_struktural("Pelatihan Kepemimpinan Nasional Tingkat II")[0] == "4"
    assert siasn.latihan_struktural("PKN Tingkat I")[0] == "5"
    assert siasn.latihan_struktural("Diklat lain")[0] == "8"
