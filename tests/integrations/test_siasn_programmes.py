"""SIASN rows of programmes: one per piece of learning, riwayat diklat only for structural
programmes (with the kind's ``latihanStrukturalId``), riwayat kursus for Latsar with a jenis
diklat that is not "Diklat Struktural", and never a blank organiser."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.careers.records.models import LearningRecord
from lms.completion import consumers
from lms.extensions import db
from lms.integrations import siasn
from lms.org.models import Employee
from tests.completion.programmes import (
    YEAR,
    cohort_of,
    complete_course_on,
    complete_programme,
    in_cohort_days,
    join,
    programme_with_four_courses,
)
from tests.integrations.conftest import make_record


def _rows(**scope: object) -> list[dict[str, str]]:
    data = siasn.export_bytes(siasn.Scope(YEAR, **scope), "csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data)))


def _through(kind: str, code: str, employee: Employee, *, partner: bool = False, jenis=1):
    programme, courses = programme_with_four_courses(kind, code=code, jenis=jenis)
    partner_id = None
    if partner:
        partner_id = db.session.scalar(
            select(PartnerInstitution.id).where(PartnerInstitution.code == "BPSDMD")
        )
    cohort = cohort_of(programme, partner_id=partner_id)
    join(cohort, employee, status="completed", result="passed", score="88")
    for course, day in zip(courses, in_cohort_days(), strict=True):
        complete_course_on(employee, course, day, cohort=cohort)
    return complete_programme(employee, cohort, score="88")


def test_latsar_is_riwayat_kursus_and_pka_by_a_partner_is_riwayat_diklat(ctx, world) -> None:
    cpns = db.session.get(Employee, world.employees["pegawai"].id)
    head = db.session.get(Employee, world.employees["atasan"].id)
    _through("LATSAR", "LAT-X", cpns, jenis=1)  # jenis 1 set by mistake: never exported as 1
    _through("PKA", "PKA-X", head, partner=True)
    db.session.commit()
    consumers.dispatch()

    rows = _rows()
    assert len(rows) == 2  # eight courses inside the two programmes make no rows of their own
    latsar = next(r for r in rows if r["nipBaru"] == cpns.nip)
    assert latsar["jenisRiwayat"] == "kursus"
    assert latsar["jenisDiklatId"] == "13"
    assert latsar["namaKursus"] == "Pelatihan Dasar CPNS"
    assert latsar["jumlahJam"] == "561"
    assert latsar["nomorSertipikat"].split("/")[1] == "STTPP-LATSAR"
    assert (latsar["tanggalKursus"], latsar["tanggalSelesaiKursus"]) == ("03-02-2025", "27-06-2025")
    assert latsar["institusiPenyelenggara"] == "BKPSDM Kota Palembang"
    assert latsar["latihanStrukturalId"] == ""

    pka = next(r for r in rows if r["nipBaru"] == head.nip)
    assert pka["jenisRiwayat"] == "diklat"
    assert (pka["latihanStrukturalId"], pka["latihanStrukturalNama"]) == (
        "3",
        "SEPADYA/SPAMA/DIKLAT PIM TK. III",
    )
    assert pka["institusiPenyelenggara"] == "BPSDMD Provinsi Sumatera Selatan"
    assert pka["jumlahJam"] == "900" and pka["tahun"] == "2025"
    assert pka["jenisDiklatId"] == ""  # a riwayat diklat row fills only its own fields

    assert [r["idRiwayat"] for r in _rows(kind="diklat")] == [pka["idRiwayat"]]
    assert [r["idRiwayat"] for r in _rows(kind="kursus")] == [latsar["idRiwayat"]]


def test_an_organiser_is_never_blank(ctx, world) -> None:
    record = make_record(world.employees["pegawai"].id, organiser="", name="Tanpa penyelenggara")
    db.session.commit()
    (row,) = [r for r in _rows() if r["idRiwayat"] == str(record.id)]
    assert row["institusiPenyelenggara"] == "BKPSDM Kota Palembang"
    assert db.session.get(LearningRecord, record.id).organiser == ""  # the record is unchanged


def test_outside_leadership_training_keeps_its_structural_id_by_name(ctx, world) -> None:
    make_record(
        world.employees["pegawai"].id,
        siasn_type="diklat",
        jenis_diklat_code=1,
        name="Pelatihan Kepemimpinan Nasional Tingkat I",
    )
    db.session.commit()
    (row,) = _rows(kind="diklat")
    assert (row["latihanStrukturalId"], row["latihanStrukturalNama"]) == (
        "5",
        "SEPATI/DIKLAT PIM TK. I",
    )


def test_payload_of_a_structural_programme_is_pure_data() -> None:
    """Pure: the riwayat diklat payload of a PKP record (no database, no app)."""
    record = LearningRecord(
        siasn_type="diklat",
        name="Pelatihan Kepemimpinan Pengawas",
        organiser="",
        certificate_number="0001/STTPP-PKP/BKPSDM/2025",
        starts_on=date(2025, 2, 3),
        ends_on=date(2025, 6, 27),
        year=2025,
        jp=Decimal(830),
    )
    assert siasn.payload(record, 2, "BKPSDM Kota Palembang") == {
        "latihanStrukturalId": "2",
        "latihanStrukturalNama": "SEPALA/ADUM/DIKLAT PIM TK.IV",
        "nomor": "0001/STTPP-PKP/BKPSDM/2025",
        "tanggal": "03-02-2025",
        "tanggalSelesai": "27-06-2025",
        "tahun": 2025,
        "institusiPenyelenggara": "BKPSDM Kota Palembang",
        "jumlahJam": 830,
    }
    # an id the reference does not know falls back to the name's
    assert siasn.payload(record, 99, "x")["latihanStrukturalId"] == "2"
