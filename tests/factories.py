"""Test data builders. Every account's password is ``rahasia123``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.auth import services as auth
from lms.auth.models import PartnerInstitution, User
from lms.extensions import db
from lms.org.models import Employee, Instansi, Unit
from lms.org.reference import load_reference
from lms.org.services import save_unit
from lms.permissions import Role

PASSWORD = "rahasia123"
_seq = itertools.count(1)


def make_nip(gender: str = "1", birth: date | None = None, appointed: str = "201503") -> str:
    """A valid, unique NIP: the sequence runs 001–999, then the birth date moves on a day."""
    n = next(_seq)
    birth = birth or date(1988, 5, 17) + timedelta(days=n // 999)
    return f"{birth:%Y%m%d}{appointed}{gender}{n % 999 + 1:03d}"


def make_employee(
    unit: Unit, name: str, supervisor: Employee | None = None, **kw: object
) -> Employee:
    emp = Employee(
        nip=kw.pop("nip", None) or make_nip(),
        full_name=name,
        gender=kw.pop("gender", "L"),
        birth_date=date(1988, 5, 17),
        unit=unit,
        supervisor=supervisor,
        golongan_code=kw.pop("golongan_code", "III/a"),
        position_name=kw.pop("position_name", "Pengolah Data"),
        **kw,
    )
    db.session.add(emp)
    db.session.flush()
    return emp


def make_user(
    username: str, roles: set[Role] | None = None, employee: Employee | None = None, **kw: object
) -> User:
    user = auth.create_user(username, PASSWORD, roles or set(), employee=employee)
    for key, value in kw.items():
        setattr(user, key, value)
    db.session.flush()
    return user


@dataclass
class World:
    instansi: Instansi
    dinkes: Unit
    dinkes_seksi: Unit
    disdik: Unit
    users: dict[str, User] = field(default_factory=dict)
    employees: dict[str, Employee] = field(default_factory=dict)


ROLE_ACCOUNTS = (
    "pegawai",
    "atasan",
    "pengajar",
    "admin_bkpsdm",
    "admin_opd",
    "mitra",
    "admin_sistem",
)


def build_world() -> World:
    """Two departments, a supervisor with two staff, and one account for every role."""
    load_reference()
    instansi = Instansi(code="5671", name="Pemerintah Kota Palembang")
    db.session.add(instansi)
    db.session.flush()
    dinkes = save_unit(
        None, instansi=instansi, code="DINKES", name="Dinas Kesehatan", kind="opd", parent=None
    )
    seksi = save_unit(
        None,
        instansi=instansi,
        code="DINKES-YANKES",
        name="Seksi Pelayanan Kesehatan",
        kind="seksi",
        parent=dinkes,
    )
    disdik = save_unit(
        None, instansi=instansi, code="DISDIK", name="Dinas Pendidikan", kind="opd", parent=None
    )
    w = World(instansi, dinkes, seksi, disdik)
    boss = make_employee(
        seksi, "Rahmat Hidayat", position_name="Kepala Seksi", golongan_code="III/d"
    )
    staff = make_employee(seksi, "Siti Aminah", boss, gender="P", nip=make_nip("2"))
    make_employee(seksi, "Budi Santoso", boss)
    teacher = make_employee(disdik, "Dewi Lestari", gender="P", nip=make_nip("2"))
    hr = make_employee(disdik, "Andi Saputra")
    w.employees.update(atasan=boss, pegawai=staff, disdik=teacher, hr=hr)
    partner = PartnerInstitution(code="BPSDMD", name="BPSDMD Provinsi Sumatera Selatan")
    db.session.add(partner)
    w.users["pegawai"] = make_user("pegawai", employee=staff)
    w.users["atasan"] = make_user("atasan", employee=boss)
    w.users["pengajar"] = make_user("pengajar", {Role.PENGAJAR})
    w.users["admin_bkpsdm"] = make_user("bkpsdm", {Role.ADMIN_BKPSDM}, employee=hr)
    w.users["admin_opd"] = make_user("opd.dinkes", {Role.ADMIN_OPD}, admin_unit=dinkes)
    w.users["mitra"] = make_user("mitra", {Role.MITRA}, partner=partner)
    w.users["admin_sistem"] = make_user("admin", {Role.ADMIN_SISTEM})
    w.users["target"] = make_user("target.user", employee=teacher)
    return w


@dataclass(frozen=True)
class Ref:
    """A detached, read-only view of a row for use outside the app context."""

    id: int
    name: str = ""
    nip: str = ""
    nip_display: str = ""
    code: str = ""


@dataclass(frozen=True)
class WorldSnapshot:
    users: dict[str, Ref]
    employees: dict[str, Ref]
    units: dict[str, Ref]


def snapshot(w: World) -> WorldSnapshot:
    return WorldSnapshot(
        users={k: Ref(u.id, u.username) for k, u in w.users.items()},
        employees={k: Ref(e.id, e.full_name, e.nip, e.nip_display) for k, e in w.employees.items()},
        units={
            k: Ref(u.id, u.name, code=u.code)
            for k, u in {
                "dinkes": w.dinkes,
                "dinkes_seksi": w.dinkes_seksi,
                "disdik": w.disdik,
            }.items()
        },
    )


def make_course(
    code: str = "TES-101",
    *,
    title: str = "Pelatihan Uji",
    category: str = "Teknologi Informasi",
    lessons: int = 3,
    published: bool = True,
    trainer: User | None = None,
    **settings: object,
):
    """A course with one module of ``lessons`` lessons; ``settings`` go on the Course row
    (capacity, approval_steps, self_enrol, enrol_deadline, ...)."""
    from lms.courses import services as courses

    course = courses.create_course(
        code,
        courses.category_named(category),
        {
            "title": title,
            "summary": "Ringkasan pelatihan uji.",
            "competency_kind": "teknis",
            "jp": 4,
            "delivery_mode": "e-learning",
            "jenis_diklat_code": 16,
            "tags": ["uji"],
        },
        trainer,
    )
    version = course.latest_version
    module = courses.add_module(version, "Modul 1")
    for i in range(lessons):
        courses.save_lesson(
            module, None, f"Pelajaran {i + 1}", f"# Pelajaran {i + 1}\n\nIsi pelajaran {i + 1}.", 30
        )
    for key, value in settings.items():
        setattr(course, key, value)
    if published:
        courses.publish(None, version)
    db.session.flush()
    return course
