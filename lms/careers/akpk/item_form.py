"""The item form's pieces: its choices, its values filled from a needs group, its input for the
service, and loading an item the user may see."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.careers.akpk import queries, services
from lms.careers.akpk.forms import ItemForm
from lms.careers.akpk.models import AgencyPlanItem
from lms.careers.akpk.needs import competency_key
from lms.careers.akpk.rupiah import rupiah
from lms.careers.plans.queries import course_choices
from lms.careers.plans.suggestions import suggest_courses
from lms.careers.view_helpers import hr_or_403
from lms.courses.models import COMPETENCY_KINDS
from lms.db import db_int
from lms.extensions import db
from lms.indonesian import MONTHS, number
from lms.org.models import JabatanLevel, JabatanType, Unit
from lms.permissions import refuse, unit_in_scope


def load_item(user: User, item_id: int) -> AgencyPlanItem:
    """The item, if the user sees it (its OPD in scope); else 404 like a missing one."""
    hr_or_403()
    item = db.session.get(AgencyPlanItem, item_id)
    if item is None:
        abort(404)
    if not services.can_see_item(user, item):
        refuse(item)
    return item


def _levels() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(JabatanLevel.code, JabatanLevel.name, JabatanType.name)
        .join(JabatanType, JabatanType.code == JabatanLevel.type_code)
        .order_by(JabatanType.rank, JabatanLevel.rank)
    ).all()
    return [(code, name if name in kind else f"{name} ({kind})") for code, name, kind in rows]


def fill_choices(form: ItemForm, year: int, user: User) -> dict:
    """Set the select fields' choices; returns what the template shows beside the form."""
    opds = services.opd_choices(user)
    planner = services.is_planner(user)
    form.unit_id.choices = ([(None, _("Lintas perangkat daerah"))] if planner else []) + [
        (u.id, u.name) for u in opds
    ]
    form.level_code.choices = [(None, _("Semua jenjang"))] + _levels()
    form.course_id.choices = [(None, _("— pelatihan baru —"))] + [
        (cid, f"{title} ({number(jp)} JP)") for cid, title, jp in course_choices()
    ]
    form.cohort_id.choices = [(None, _("— angkatan baru —"))] + [
        (cid, name) for cid, name, _jp in queries.cohort_choices(year)
    ]
    form.quarter.choices = [(None, _("— pilih triwulan —"))] + [
        (q, services.quarter_label(q)) for q in range(1, 5)
    ]
    form.month.choices = [(None, _("— tidak ditentukan —"))] + [
        (m, MONTHS[m - 1]) for m in range(1, 13)
    ]
    competency = (form.competency.data or "").strip()
    kind = form.kind.data if form.kind.data in COMPETENCY_KINDS else None
    return {
        "suggestions": suggest_courses(competency, kind, limit=3) if competency else [],
        "planner": planner,
    }


def from_group(form: ItemForm, user: User, year: int, args: Mapping[str, str]) -> None:
    """Fill a new item from a needs group (``opd``, ``kompetensi``, ``jenis``, ``jenjang``):
    its OPD, competency and level, its employees as named participants, the best matching
    catalogue course. Anything odd in the address is left out."""
    competency = " ".join((args.get("kompetensi") or "").split())[:300]
    kind = args.get("jenis") if args.get("jenis") in COMPETENCY_KINDS else None
    if not competency or kind is None:
        return
    form.competency.data, form.kind.data = competency, kind
    level = (args.get("jenjang") or "")[:30] or None
    if level and db.session.get(JabatanLevel, level) is not None:
        form.level_code.data = level
    try:
        opd_id = db_int(args.get("opd") or "")
    except ValueError:
        opd_id = None
    opd = db.session.get(Unit, opd_id) if opd_id else None
    if opd is not None and not unit_in_scope(user, opd):
        opd = None
    if opd is not None:
        form.unit_id.data = opd.id
    people = queries.group_participants(
        user, year, opd, (opd_id, competency_key(competency), kind, level)
    )
    if people:
        form.participants.data = "\n".join(f"{e.nip_display} {e.display_name}" for e in people)
        form.target_count.data = len(people)
    best = suggest_courses(competency, kind, limit=1)
    if best:
        form.course_id.data = best[0].course_id


def from_item(form: ItemForm, item: AgencyPlanItem) -> None:
    """The form filled with an item's values (the budget as Indonesians write it)."""
    form.unit_id.data = item.unit_id
    form.competency.data, form.kind.data = item.competency, item.competency_kind
    form.level_code.data = item.jabatan_level_code
    form.activity.data, form.course_id.data, form.cohort_id.data = (
        item.form,
        item.course_id,
        item.cohort_id,
    )
    form.title.data, form.target_count.data, form.jp.data = item.title, item.target_count, item.jp
    form.quarter.data, form.month.data = item.quarter, item.month
    form.budget.data = rupiah(item.budget).removeprefix("Rp")
    form.note.data = item.note
    form.participants.data = "\n".join(
        f"{p.employee.nip_display} {p.employee.display_name}" for p in item.participants
    )


def input_of(form: ItemForm) -> services.ItemInput:
    return services.ItemInput(
        unit_id=form.unit_id.data,
        competency=form.competency.data or "",
        kind=form.kind.data or "",
        level_code=form.level_code.data or None,
        activity=form.activity.data or "",
        course_id=form.course_id.data,
        cohort_id=form.cohort_id.data,
        title=form.title.data or "",
        target_count=form.target_count.data,
        participants=form.participants.data or "",
        jp=form.jp.data,
        quarter=form.quarter.data,
        month=form.month.data,
        budget=form.budget.data or "",
        note=form.note.data or "",
    )
