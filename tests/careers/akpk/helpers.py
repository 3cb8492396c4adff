"""A world with needs from the three sources, for the AKPK tests.

In Dinas Kesehatan (the world's Seksi Pelayanan Kesehatan), three pelaksana: `pegawai` (Siti)
has a verified record that covers "Pelayanan Publik" and an agreed development plan that needs
"Analisis Data Kepegawaian"; Budi got "Butuh Perbaikan" with notes about the archive; the
supervisor Rahmat is a pengawas. In Dinas Pendidikan, the pelaksana Dewi.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.careers.plans import services as plans
from lms.careers.records.models import LearningRecord
from lms.careers.skp.models import SkpEvaluation, SkpPeriod, SkpTarget
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.factories import make_course

YEAR = local_today().year


@dataclass(frozen=True)
class Needs:
    siti: int
    budi: int
    rahmat: int
    dewi: int
    budi_nip: str
    siti_nip: str
    dewi_nip: str
    course_id: int


def build_needs(app, world) -> Needs:
    with app.app_context():
        siti = db.session.get(Employee, world.employees["pegawai"].id)
        rahmat = db.session.get(Employee, world.employees["atasan"].id)
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        dewi = db.session.get(Employee, world.employees["disdik"].id)
        for e in (siti, budi, dewi):
            e.jabatan_type_code, e.jabatan_level_code = "pelaksana", "pelaksana"
        rahmat.jabatan_type_code, rahmat.jabatan_level_code = "pengawas", "pengawas"
        db.session.add(
            LearningRecord(
                employee_id=siti.id,
                source="outside",
                status="verified",
                name="Bimtek Standar Pelayanan Publik",
                competency_kind="teknis",
                starts_on=date(YEAR, 1, 5),
                ends_on=date(YEAR, 1, 6),
                year=YEAR,
                jp=Decimal(8),
            )
        )
        plan = plans.ensure_plan(siti, YEAR)
        plans.add_need(
            plan,
            plans.NeedInput("Analisis Data Kepegawaian", "teknis", 1, 3, "career", ""),
        )
        plan.status = "agreed"
        period = SkpPeriod(employee_id=budi.id, year=YEAR, status="agreed", appraiser_id=rahmat.id)
        period.targets.append(
            SkpTarget(
                description="Penataan arsip surat masuk",
                indicator="Arsip tertata",
                target_text="100%",
            )
        )
        period.evaluations.append(
            SkpEvaluation(
                kind="annual",
                sequence=0,
                label=f"Tahunan {YEAR}",
                hasil_kerja="di_bawah",
                perilaku="sesuai",
                predikat="butuh_perbaikan",
                note="Arsip dinamis belum dikelola dengan baik.",
            )
        )
        db.session.add(period)
        course = make_course("MPP-201", title="Standar Pelayanan Publik untuk Pelaksana")
        course.published_version.tags = ["pelayanan-publik"]
        db.session.commit()
        return Needs(
            siti.id,
            budi.id,
            rahmat.id,
            dewi.id,
            budi.nip,
            siti.nip,
            dewi.nip,
            course.id,
        )
