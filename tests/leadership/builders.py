"""Test data of the workplace project: a cohort whose programme requires a project and its
people."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_today
from lms.leadership.projects.demo_texts import pdf_bytes
from lms.leadership.roles.models import CohortRole
from lms.org.models import Employee
from lms.permissions import Role
from tests.factories import make_user


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 93, 75)).save(out, "PNG")
    return out.getvalue()


PDF = pdf_bytes("Uji")


@dataclass(frozen=True)
class ProjectWorld:
    cohort_code: str
    member_id: int  # pegawai's membership: coach pengajar, mentor atasan (supervisor)
    other_member_id: int  # Budi's membership: coach pengajar2, mentor atasan
    examiner_id: int  # the `penguji` account (Pengajar)
    coach2_id: int  # the `pengajar2` account, coach of Budi only


def project_world(world, kind: str = "PKP", code: str = "PKPUJI") -> ProjectWorld:
    """Inside an app context: a running cohort of a programme of ``kind`` with pegawai and Budi
    as active participants, `pengajar` coaching pegawai and `pengajar2` coaching Budi."""
    today = local_today()
    programme = Programme(code=code, title="Pelatihan Kepemimpinan Pengawas Uji", kind_code=kind)
    cohort = Cohort(
        programme=programme,
        code=f"{code}-I",
        name="Angkatan I Uji",
        starts_on=today - timedelta(days=40),
        ends_on=today + timedelta(days=80),
        quota=10,
    )
    db.session.add(cohort)
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
    member = CohortMember(cohort=cohort, employee=pegawai, status="active", source="admin")
    other = CohortMember(cohort=cohort, employee=budi, status="active", source="admin")
    db.session.add_all([member, other])
    penguji = make_user("penguji", {Role.PENGAJAR})
    coach2 = make_user("pengajar2", {Role.PENGAJAR})
    db.session.flush()
    pengajar = db.session.get(User, world.users["pengajar"].id)
    db.session.add_all(
        [
            CohortRole(member_id=member.id, role="coach", user_id=pengajar.id),
            CohortRole(member_id=other.id, role="coach", user_id=coach2.id),
        ]
    )
    db.session.flush()
    return ProjectWorld(cohort.code, member.id, other.id, penguji.id, coach2.id)
