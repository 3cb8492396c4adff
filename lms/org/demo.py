"""The demo organisation: Pemerintah Kota Palembang, about 200 fictional employees, demo accounts.

Everything is generated from ``content/demo`` with a fixed seed, so loading twice gives the same
people (upserted by NIP and username): ``demo load`` is idempotent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from config import BASE_DIR
from lms.auth import services as auth
from lms.auth.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.auth.models import PartnerInstitution, User
from lms.extensions import db
from lms.org.models import Employee, Instansi, Unit
from lms.org.reference import load_reference
from lms.org.services import save_unit

DEMO_DIR = BASE_DIR / "content" / "demo"
TARGET_EMPLOYEES = 200


@dataclass
class _Person:
    unit: Unit
    jabatan_type: str
    jabatan_level: str
    golongan: str
    position: str
    supervisor: Employee | None


def _yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_units(data: dict) -> tuple[Instansi, list[Unit]]:
    info = data["instansi"]
    instansi = db.session.scalar(select(Instansi).where(Instansi.code == str(info["code"])))
    if instansi is None:
        instansi = Instansi(code=str(info["code"]))
        db.session.add(instansi)
    instansi.name = info["name"]
    instansi.short_name = info.get("short_name", "")
    instansi.city = info.get("city", "")
    db.session.flush()
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    units: list[Unit] = []

    def walk(nodes: list[dict], parent: Unit | None) -> None:
        for node in nodes:
            unit = save_unit(
                existing.get(node["code"].upper()),
                instansi=instansi,
                code=node["code"],
                name=node["name"],
                kind=node["kind"],
                parent=parent,
                siasn_id=node.get("siasn_id"),
            )
            units.append(unit)
            walk(node.get("children") or [], unit)

    walk(data["units"], None)
    return instansi, units


class _NipMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, gender: str, senior: int) -> tuple[str, date]:
        """A valid PNS NIP; ``senior`` (0–3) makes older people with earlier appointments."""
        rng = self.rng
        while True:
            year = rng.randint(1994 - senior * 8, 2000 - senior * 8)
            birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
            appointed = min(birth.year + rng.randint(22, 28), 2024)
            digits = (
                f"{birth:%Y%m%d}{appointed}{rng.randint(1, 12):02d}"
                f"{'1' if gender == 'L' else '2'}{rng.randint(1, 999):03d}"
            )
            if digits not in self.used:
                self.used.add(digits)
                return digits, birth


def _plan(units: list[Unit], rng: random.Random) -> list[tuple[_Person, int]]:
    """Who works where: heads for every unit, staff under the lowest units, about 200 people."""
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    plan: list[tuple[_Person, int]] = []
    leaves = [u for u in units if not children.get(u.id)]
    # Staff go to the lowest units round-robin; one seksi gets a bigger team for `atasan`.
    remaining = max(TARGET_EMPLOYEES - len(units), len(leaves))
    big = next((u for u in leaves if u.kind == "seksi"), leaves[0])
    staff_count = {u.id: 0 for u in leaves}
    staff_count[big.id] = 6
    remaining -= 6
    i = 0
    while remaining > 0:
        leaf = leaves[i % len(leaves)]
        if leaf is not big:
            staff_count[leaf.id] += 1
            remaining -= 1
        i += 1
    for u in units:
        if u.parent_id is None:
            seniority, jt, jl, gol, title = (
                3,
                "jpt",
                "jpt_pratama",
                rng.choice(["IV/c", "IV/d"]),
                "Kepala",
            )
            if u.name.lower().startswith("sekretariat daerah"):
                title = "Sekretaris Daerah"
        elif u.kind in ("bidang", "bagian", "upt") and children.get(u.id):
            seniority, jt, jl, gol, title = (
                2,
                "administrator",
                "administrator",
                rng.choice(["IV/a", "IV/b"]),
                "Kepala",
            )
        else:
            seniority, jt, jl, gol, title = (
                1,
                "pengawas",
                "pengawas",
                rng.choice(["III/c", "III/d"]),
                "Kepala",
            )
        position = title if title == "Sekretaris Daerah" else f"{title} {u.name}"
        plan.append((_Person(u, jt, jl, gol, position, None), seniority))
    for u in leaves:
        for _ in range(staff_count[u.id]):
            if rng.random() < 0.45:
                jl = rng.choice(["ahli_pertama", "ahli_muda", "terampil", "mahir"])
                gol = {
                    "ahli_pertama": "III/a",
                    "ahli_muda": "III/c",
                    "terampil": "II/c",
                    "mahir": "III/a",
                }[jl]
                position = rng.choice(
                    [
                        "Analis Kebijakan",
                        "Pranata Komputer",
                        "Arsiparis",
                        "Perencana",
                        "Analis Sumber Daya Manusia Aparatur",
                        "Pranata Humas",
                    ]
                )
                plan.append((_Person(u, "fungsional", jl, gol, position, None), 0))
            else:
                gol = rng.choice(["II/a", "II/b", "II/c", "II/d", "III/a", "III/b"])
                position = rng.choice(
                    [
                        "Pengadministrasi Umum",
                        "Pengolah Data",
                        "Pengelola Keuangan",
                        "Pengadministrasi Kepegawaian",
                        "Operator Layanan",
                        "Verifikator",
                    ]
                )
                plan.append((_Person(u, "pelaksana", "pelaksana", gol, position, None), 0))
    return plan


def load_employees(units: list[Unit], names: dict) -> list[Employee]:
    rng = random.Random(2026)
    nips = _NipMaker(rng)
    existing = {e.nip: e for e in db.session.scalars(select(Employee))}
    head_of: dict[int, Employee] = {}
    people: list[Employee] = []
    for person, seniority in _plan(units, rng):
        gender = rng.choice("LP")
        nip, birth = nips.make(gender, seniority)
        emp = existing.get(nip) or Employee(nip=nip)
        first = rng.choice(names["male_first"] if gender == "L" else names["female_first"])
        emp.full_name = f"{first} {rng.choice(names['last'])}"
        emp.front_title = rng.choice(names["front_titles"]) if rng.random() < 0.08 else ""
        emp.back_title = rng.choice(names["back_titles"]) if person.golongan >= "III" else ""
        emp.kind, emp.gender, emp.birth_date = "pns", gender, birth
        emp.birth_place = rng.choice(names["birth_places"])
        emp.golongan_code = person.golongan
        emp.jabatan_type_code, emp.jabatan_level_code = person.jabatan_type, person.jabatan_level
        emp.position_name = person.position[:200]
        emp.unit = person.unit
        emp.email = f"{nip}@pegawai.palembang.go.id"
        db.session.add(emp)
        if person.unit.id not in head_of and person.jabatan_type != "fungsional" and seniority > 0:
            head_of[person.unit.id] = emp
        people.append(emp)
    db.session.flush()
    top = next((e for e in people if e.position_name == "Sekretaris Daerah"), people[0])
    for emp in people:
        unit = emp.unit
        if head_of.get(unit.id) is emp:
            boss = head_of.get(unit.parent_id) if unit.parent_id else top
        else:
            boss = head_of.get(unit.id)
        emp.supervisor = None if boss is emp else boss
    db.session.flush()
    return people


def _pick_accounts(people: list[Employee]) -> dict[str, Employee | None]:
    bkpsdm = db.session.scalar(select(Unit).where(Unit.code == "BKPSDM"))
    dinkes = db.session.scalar(select(Unit).where(Unit.code == "DINKES"))

    def staff_in(unit: Unit | None, jt: str) -> Employee | None:
        if unit is None:
            return None
        return next(
            (e for e in people if e.unit.path.startswith(unit.path) and e.jabatan_type_code == jt),
            None,
        )

    supervisors = [e for e in people if e.jabatan_type_code == "pengawas"]
    team_size = {s.id: sum(1 for e in people if e.supervisor_id == s.id) for s in supervisors}
    atasan = max(supervisors, key=lambda s: (team_size[s.id], -s.id))
    pegawai = (
        next(
            e for e in people if e.supervisor_id == atasan.id and e.jabatan_type_code == "pelaksana"
        )
        if any(e.supervisor_id == atasan.id and e.jabatan_type_code == "pelaksana" for e in people)
        else next(e for e in people if e.supervisor_id == atasan.id)
    )
    picks = {
        "admin": None,
        "bkpsdm": staff_in(bkpsdm, "pelaksana"),
        "opd.dinkes": staff_in(dinkes, "pelaksana"),
        "pengajar": staff_in(bkpsdm, "fungsional"),
        "mitra": None,
        "atasan": atasan,
        "pegawai": pegawai,
    }
    picks.update(_project_accounts(people, picks))
    return picks


def _project_accounts(people: list[Employee], taken: dict[str, Employee | None]) -> dict:
    """The workplace project's demo people (lms.leadership.demo), away from the accounts above
    and from ``atasan``'s team, whose journeys must not change: ``mentor.pkp`` is the supervisor
    with the most pengawas reports (the PKP participants, ``peserta`` the first of them);
    ``mentor.latsar`` a pengawas with the most staff (Latsar participants) outside that team."""
    used = {e.id for e in taken.values() if e is not None}
    atasan = taken["atasan"]
    kept_out = used | {e.id for e in people if atasan and e.supervisor_id == atasan.id}

    def reports(boss: Employee, types: tuple[str, ...]) -> list[Employee]:
        return [
            e
            for e in people
            if e.supervisor_id == boss.id and e.jabatan_type_code in types and e.id not in kept_out
        ]

    bosses = [e for e in people if e.id not in kept_out]
    pkp = max(bosses, key=lambda b: (len(reports(b, ("pengawas",))), -b.id))
    latsar = max(
        (b for b in bosses if b.jabatan_type_code == "pengawas" and b.supervisor_id != pkp.id),
        key=lambda b: (len(reports(b, ("pelaksana", "fungsional"))), -b.id),
    )
    return {
        "coach": None,
        "penguji": None,
        "mentor.pkp": pkp,
        "mentor.latsar": latsar,
        "peserta": reports(pkp, ("pengawas",))[0],
    }


#: The demo partner's profile (the `mitra` account's institution; KPM-101 names it).
DEMO_PARTNER_PROFILE: dict[str, Any] = {
    "kind": "bpsdmd",
    "accreditation_number": "LAN-AKR/0417/PKA/2024",
    "accredited_on": date(2024, 3, 1),
    "accreditation_expires_on": date(2029, 2, 28),
    "mou_number": "800/112/BKPSDM-PLG/2025",
    "mou_starts_on": date(2025, 1, 15),
    "mou_ends_on": date(2027, 12, 31),
    "contact_name": "Dra. Yuliana Sari, M.Si.",
    "contact_email": "diklat@bpsdmd.sumselprov.go.id",
    "contact_phone": "0711-352123",
}


def load_accounts(people: list[Employee]) -> None:
    shared_hash = auth.hash_password(DEMO_PASSWORD)  # one hash for 200 demo accounts
    picks = _pick_accounts(people)
    linked = {e.id for e in picks.values() if e is not None}
    users = {u.username: u for u in db.session.scalars(select(User))}
    by_employee = {u.employee_id: u for u in users.values() if u.employee_id}
    partner = db.session.scalar(
        select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD-SUMSEL")
    )
    if partner is None:
        partner = PartnerInstitution(code="BPSDMD-SUMSEL", name="BPSDMD Provinsi Sumatera Selatan")
        db.session.add(partner)
    if partner.kind is None:  # a profile BKPSDM has since edited is left alone
        for key, value in DEMO_PARTNER_PROFILE.items():
            setattr(partner, key, value)
    dinkes = db.session.scalar(select(Unit).where(Unit.code == "DINKES"))
    for username, roles, display in DEMO_ACCOUNTS:
        emp = picks[username]
        user = users.get(username)
        if user is None and emp is not None and emp.id in by_employee:
            user = by_employee[emp.id]  # an NIP account from an earlier load: rename it
            user.username = username
        if user is None:
            user = User(username=username, password_hash=shared_hash)
            db.session.add(user)
        user.password_hash = shared_hash
        user.demo_password = True  # production refuses to start until this password changes
        user.display_name = display
        user.employee = emp
        user.active = True
        user.set_roles(roles)
        if username == "opd.dinkes":
            user.admin_unit = dinkes
        if username == "mitra":
            user.partner = partner
        db.session.flush()
        by_employee[user.employee_id] = user
    for emp in people:  # every other employee logs in with their NIP
        if emp.id in linked or emp.id in by_employee:
            continue
        db.session.add(
            User(username=emp.nip, password_hash=shared_hash, employee=emp, demo_password=True)
        )
    db.session.flush()


def load_demo() -> dict[str, int]:
    counts = load_reference()
    _instansi, units = load_units(_yaml(DEMO_DIR / "organisation.yaml"))
    people = load_employees(units, _yaml(DEMO_DIR / "names.yaml"))
    load_accounts(people)
    counts.update(units=len(units), employees=len(people))
    return counts
