"""The agency's yearly development plan: items, proposals and their decision, approval.

Services flush, never commit. A refusal raises ``RecordInvalid`` (field -> message) or
``CareerError`` (one message); the caller shows it and writes nothing.

Who may do what: BKPSDM (``PLAN_DEVELOPMENT``) adds items for any OPD or across OPDs (accepted at
once), edits and deletes any item, accepts or declines proposals, and approves the plan, which
locks it until BKPSDM reopens it. An Admin OPD (``PROPOSE_DEVELOPMENT``) proposes items for their
own OPD and edits or withdraws them until BKPSDM has accepted them; a declined item edited again
is proposed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers.akpk.models import (
    ITEM_FORMS,
    AgencyPlan,
    AgencyPlanItem,
    AgencyPlanParticipant,
)
from lms.careers.akpk.rupiah import RupiahInvalid, parse_rupiah
from lms.careers.errors import CareerError, RecordInvalid
from lms.courses.models import COMPETENCY_KINDS, Course
from lms.db import utcnow
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.indonesian import MONTHS
from lms.org.models import Employee, JabatanLevel, Unit
from lms.permissions import Capability, Role, can, unit_in_scope

PLAN_STATUS_LABELS = {"draft": _l("Draf"), "approved": _l("Ditetapkan")}
ITEM_STATUS_LABELS = {
    "proposed": _l("Usulan OPD"),
    "accepted": _l("Masuk rencana"),
    "rejected": _l("Ditolak"),
}
FORM_LABELS = {"course": _l("Pelatihan"), "cohort": _l("Angkatan program")}
SOURCE_LABELS = {
    "plan": _l("Rencana pengembangan pegawai"),
    "skp": _l("Hasil SKP di bawah ekspektasi"),
    "position": _l("Kesenjangan standar kompetensi jabatan"),
}
QUARTERS = ("I", "II", "III", "IV")
TARGET_MAX = 100_000
JP_MAX = Decimal("9999")
NOTE_MAX = 2000
PARTICIPANT_LINES_MAX = 2000
_NIP_AT_START = re.compile(r"^\s*([\d ]+)")


def quarter_label(quarter: int) -> str:
    return _("Triwulan %(q)s", q=QUARTERS[quarter - 1])


def schedule_label(item: AgencyPlanItem) -> str:
    """ "Triwulan I" or "Triwulan I · Maret"."""
    label = quarter_label(item.quarter)
    return f"{label} · {MONTHS[item.month - 1]}" if item.month else label


def is_planner(user: User) -> bool:
    return can(user, Capability.PLAN_DEVELOPMENT)


def plan_of(year: int) -> AgencyPlan | None:
    return db.session.scalar(select(AgencyPlan).where(AgencyPlan.year == year))


def ensure_plan(year: int) -> AgencyPlan:
    plan = plan_of(year)
    if plan is None:
        try:
            with db.session.begin_nested():  # a parallel first item may win (unique per year)
                plan = AgencyPlan(year=year, status="draft")
                db.session.add(plan)
        except IntegrityError:
            plan = plan_of(year)
    return plan  # type: ignore[return-value]


def opd_choices(user: User) -> list[Unit]:
    """The OPDs an item may be for: every top-level unit for BKPSDM, an Admin OPD's own unit."""
    if is_planner(user):
        return list(
            db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name))
        )
    if Role.ADMIN_OPD in user.roles and user.admin_unit is not None:
        return [user.admin_unit]
    return []


def can_see_item(user: User, item: AgencyPlanItem) -> bool:
    return is_planner(user) or (item.unit is not None and unit_in_scope(user, item.unit))


def can_edit_item(user: User, item: AgencyPlanItem) -> bool:
    """BKPSDM any item of a draft plan; an Admin OPD their OPD's items not yet accepted."""
    if not item.plan.editable or not can_see_item(user, item):
        return False
    return is_planner(user) or item.status in ("proposed", "rejected")


# --- input ---------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    unit_id: int | None = None
    competency: str = ""
    kind: str = "teknis"
    level_code: str | None = None
    activity: str = "course"
    course_id: int | None = None
    cohort_id: int | None = None
    title: str = ""
    target_count: int | None = None
    participants: str = ""
    jp: Decimal | None = None
    quarter: int | None = None
    month: int | None = None
    budget: str = ""
    note: str = ""


@dataclass
class Cleaned:
    unit: Unit | None
    course: Course | None
    cohort: Cohort | None
    title: str
    target: int
    jp: Decimal
    quarter: int
    budget: Decimal
    named: list[Employee]


def participant_lines(text: str) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """The NIPs of a participants box, one per line (the name may follow the NIP): (line, NIP)
    without repeats, and a message per line that holds no NIP. Pure."""
    found: list[tuple[int, str]] = []
    errors: dict[int, str] = {}
    seen: set[str] = set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _NIP_AT_START.match(line)
        digits = "".join(match.group(1).split()) if match else ""
        if len(digits) != 18:
            errors[number] = _("Baris %(n)s: NIP harus 18 angka di awal baris.", n=number)
        elif digits not in seen:
            seen.add(digits)
            found.append((number, digits))
    return found, errors


def _named(text: str, user: User, unit: Unit | None) -> tuple[list[Employee], str | None]:
    lines, errors = participant_lines(text)
    if len(lines) + len(errors) > PARTICIPANT_LINES_MAX:
        return [], _("Paling banyak %(n)s peserta bernama.", n=PARTICIPANT_LINES_MAX)
    people = {
        e.nip: e
        for e in db.session.scalars(
            select(Employee).where(Employee.nip.in_([nip for _line, nip in lines]))
        )
    }
    named = []
    for number, nip in lines:
        employee = people.get(nip)
        if employee is None or not employee.is_active:
            errors[number] = _(
                "Baris %(n)s: tidak ada pegawai aktif dengan NIP %(nip)s.", n=number, nip=nip
            )
        elif not unit_in_scope(user, employee.unit) or (
            unit is not None and not employee.unit.path.startswith(unit.path)
        ):
            errors[number] = _(
                "Baris %(n)s: %(name)s bukan pegawai perangkat daerah butir ini.",
                n=number,
                name=employee.display_name,
            )
        else:
            named.append(employee)
    if errors:
        return [], " ".join(errors[n] for n in sorted(errors)[:5])
    return named, None


def _unit(data: ItemInput, user: User, errors: dict[str, str]) -> Unit | None:
    choices = {u.id: u for u in opd_choices(user)}
    if not is_planner(user) and len(choices) == 1:
        return next(iter(choices.values()))  # an Admin OPD proposes for their own OPD
    if data.unit_id is None:
        if not is_planner(user):
            errors["unit_id"] = _("Pilih perangkat daerah.")
        return None
    if data.unit_id not in choices:
        errors["unit_id"] = _("Pilih perangkat daerah dari daftar.")
        return None
    return choices[data.unit_id]


def _activity(data: ItemInput, errors: dict[str, str]) -> tuple[Course | None, Cohort | None]:
    if data.activity not in ITEM_FORMS:
        errors["activity"] = _("Pilih bentuk: pelatihan atau angkatan program.")
        return None, None
    course = cohort = None
    if data.activity == "course" and data.course_id is not None:
        course = db.session.get(Course, data.course_id)
        if course is None or course.archived or course.published_version is None:
            errors["course_id"] = _(
                "Pilih pelatihan yang terbit di katalog, atau kosongkan untuk pelatihan baru."
            )
    if data.activity == "cohort" and data.cohort_id is not None:
        cohort = db.session.get(Cohort, data.cohort_id)
        if cohort is None:
            errors["cohort_id"] = _(
                "Pilih angkatan dari daftar, atau kosongkan untuk angkatan baru."
            )
    return course, cohort


def _default_jp(course: Course | None, cohort: Cohort | None) -> Decimal | None:
    if course is not None and course.published_version is not None:
        return course.published_version.jp
    if cohort is not None:
        jp = cohort.programme.jp or (cohort.programme.kind.jp if cohort.programme.kind else None)
        return Decimal(jp) if jp else None
    return None


def _schedule(data: ItemInput, errors: dict[str, str]) -> int:
    if data.month is not None:
        if not 1 <= data.month <= 12:
            errors["month"] = _("Pilih bulan dari daftar.")
            return 0
        quarter = (data.month - 1) // 3 + 1
        if data.quarter is not None and data.quarter != quarter:
            errors["month"] = _(
                "Bulan %(m)s tidak berada pada %(q)s.",
                m=MONTHS[data.month - 1],
                q=quarter_label(data.quarter) if 1 <= data.quarter <= 4 else data.quarter,
            )
        return quarter
    if data.quarter is None or not 1 <= data.quarter <= 4:
        errors["quarter"] = _("Pilih triwulan pelaksanaan.")
        return 0
    return data.quarter


def validate_item(data: ItemInput, user: User) -> tuple[dict[str, str], Cleaned | None]:
    """Field errors, or the checked values (the OPD, course or cohort, named participants)."""
    errors: dict[str, str] = {}
    competency = " ".join((data.competency or "").split())
    if not competency:
        errors["competency"] = _("Kompetensi yang dikembangkan wajib diisi.")
    elif len(competency) > 300:
        errors["competency"] = _("Kompetensi paling banyak 300 karakter.")
    if data.kind not in COMPETENCY_KINDS:
        errors["kind"] = _("Pilih jenis kompetensi.")
    if data.level_code and db.session.get(JabatanLevel, data.level_code) is None:
        errors["level_code"] = _("Pilih jenjang jabatan dari daftar.")
    unit = _unit(data, user, errors)
    course, cohort = _activity(data, errors)
    title = " ".join((data.title or "").split())
    if not title:
        if course is not None:
            title = course.published_version.title  # type: ignore[union-attr]
        elif cohort is not None:
            title = cohort.name
        elif "course_id" not in errors and "cohort_id" not in errors:
            errors["title"] = _(
                "Tulis nama pelatihan atau angkatan baru, atau pilih yang sudah ada."
            )
    if len(title) > 200:
        errors["title"] = _("Nama kegiatan paling banyak 200 karakter.")
    named, problem = (
        _named(data.participants, user, unit) if "unit_id" not in errors else ([], None)
    )
    if problem:
        errors["participants"] = problem
    target = data.target_count if data.target_count is not None else len(named)
    if not 1 <= target <= TARGET_MAX:
        errors["target_count"] = _("Jumlah peserta antara 1 dan %(n)s.", n=TARGET_MAX)
    elif target < len(named):
        errors["target_count"] = _(
            "Jumlah peserta tidak boleh kurang dari peserta bernama (%(n)s).", n=len(named)
        )
    jp = data.jp if data.jp is not None else _default_jp(course, cohort)
    if jp is None:
        errors["jp"] = _("JP per peserta wajib diisi.")
    elif not Decimal(0) < jp <= JP_MAX:
        errors["jp"] = _("JP per peserta harus lebih dari 0 dan paling banyak %(n)s.", n=JP_MAX)
    quarter = _schedule(data, errors)
    budget = None
    try:
        budget = parse_rupiah(data.budget)
        if budget is None:
            errors["budget"] = _("Anggaran wajib diisi (tulis 0 bila tanpa biaya).")
    except RupiahInvalid as exc:
        errors["budget"] = str(exc)
    if len(data.note or "") > NOTE_MAX:
        errors["note"] = _("Catatan paling banyak %(n)s karakter.", n=NOTE_MAX)
    if errors:
        return errors, None
    return {}, Cleaned(unit, course, cohort, title, target, jp, quarter, budget, named)  # type: ignore[arg-type]


# --- changes ----------------------------------------------------------------------------------


def _editable_or_refuse(plan: AgencyPlan) -> None:
    if not plan.editable:
        raise CareerError(
            _(
                "Rencana %(y)s sudah ditetapkan; buka kembali rencana untuk mengubahnya.",
                y=plan.year,
            )
        )


def save_item(
    plan: AgencyPlan, item: AgencyPlanItem | None, data: ItemInput, user: User
) -> AgencyPlanItem:
    """Add (``item`` None) or change an item. BKPSDM's new items are accepted at once; an
    Admin OPD's are proposed, and a declined one edited again is proposed again."""
    _editable_or_refuse(plan)
    if item is not None and not can_edit_item(user, item):
        raise CareerError(_("Butir ini sudah diputuskan BKPSDM dan tidak dapat diubah lagi."))
    errors, clean = validate_item(data, user)
    if clean is None:
        raise RecordInvalid(errors)
    if item is None:
        item = AgencyPlanItem(
            plan=plan,
            proposed_by_id=user.id,
            status="accepted" if is_planner(user) else "proposed",
        )
        db.session.add(item)
    elif item.status == "rejected" and not is_planner(user):
        item.status, item.decision_note = "proposed", ""
        item.decided_by_id, item.decided_at = None, None
    item.unit = clean.unit
    item.competency = " ".join(data.competency.split())
    item.competency_kind = data.kind
    item.jabatan_level_code = data.level_code or None
    item.form = data.activity
    item.course_id = clean.course.id if clean.course else None
    item.cohort_id = clean.cohort.id if clean.cohort else None
    item.title = clean.title
    item.target_count, item.jp = clean.target, clean.jp
    item.quarter, item.month = clean.quarter, data.month
    item.budget, item.note = clean.budget, (data.note or "").strip()
    wanted = {e.id for e in clean.named}
    item.participants = [p for p in item.participants if p.employee_id in wanted]
    have = {p.employee_id for p in item.participants}
    for employee in clean.named:
        if employee.id not in have:
            item.participants.append(AgencyPlanParticipant(employee_id=employee.id))
    db.session.flush()
    return item


def delete_item(item: AgencyPlanItem, user: User) -> None:
    _editable_or_refuse(item.plan)
    if not can_edit_item(user, item):
        raise CareerError(_("Butir ini sudah diputuskan BKPSDM dan tidak dapat dihapus lagi."))
    audit(user, "delete", item, f"Butir AKPK {item.plan.year} dihapus: {item.title}")
    db.session.delete(item)
    db.session.flush()


def decide_item(item: AgencyPlanItem, user: User, accept: bool, note: str | None) -> None:
    """BKPSDM accepts a proposal into the plan or declines it (with the reason)."""
    _editable_or_refuse(item.plan)
    if item.status != "proposed":
        raise CareerError(_("Hanya usulan yang menunggu keputusan yang dapat diputuskan."))
    note = (note or "").strip()
    if not accept and not note:
        raise RecordInvalid({"note": _("Tulis alasan penolakan untuk perangkat daerah.")})
    if len(note) > NOTE_MAX:
        raise RecordInvalid({"note": _("Catatan paling banyak %(n)s karakter.", n=NOTE_MAX)})
    before = item.status
    item.status = "accepted" if accept else "rejected"
    item.decision_note, item.decided_by_id, item.decided_at = note, user.id, utcnow()
    audit(
        user,
        "update",
        item,
        f"Usulan AKPK {item.title}: {item.status}",
        {"status": before},
        {"status": item.status},
    )
    db.session.flush()


def approve_plan(plan: AgencyPlan, user: User) -> None:
    """Approve (tetapkan) the plan: its accepted items are the year's plan; it is locked."""
    _editable_or_refuse(plan)
    if not any(i.status == "accepted" for i in plan.items):
        raise CareerError(_("Rencana belum berisi kegiatan yang diterima."))
    if any(i.status == "proposed" for i in plan.items):
        raise CareerError(_("Putuskan dulu semua usulan perangkat daerah."))
    plan.status, plan.approved_at, plan.approved_by_id = "approved", utcnow(), user.id
    audit(
        user,
        "update",
        plan,
        f"Rencana pengembangan kompetensi {plan.year} ditetapkan",
        {"status": "draft"},
        {"status": "approved"},
    )
    db.session.flush()


def reopen_plan(plan: AgencyPlan, user: User) -> None:
    if plan.status != "approved":
        raise CareerError(_("Rencana ini belum ditetapkan."))
    plan.status, plan.approved_at, plan.approved_by_id = "draft", None, None
    audit(
        user,
        "update",
        plan,
        f"Rencana pengembangan kompetensi {plan.year} dibuka kembali",
        {"status": "approved"},
        {"status": "draft"},
    )
    db.session.flush()
