"""Filling the programme and cohort forms (choices, stored values, the kind's defaults) and reading
them back as the values ``editing`` checks. Kept out of the views so they stay thin."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lms.auth.models import PartnerInstitution
from lms.courses.models import Course
from lms.enrolments.cohorts import queries
from lms.enrolments.cohorts.agenda import default_agenda
from lms.enrolments.cohorts.forms import CohortForm, ProgrammeForm
from lms.enrolments.cohorts.kinds import INSTANSI, PHASE_KIND_LABELS, all_kinds, kind_of
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db
from lms.org.models import Golongan, JabatanType, JenisDiklat
from lms.org.queries import agency_organiser


def field_error(form: Any, field: str | None, message: str, default: str) -> None:
    """Attach a service error to the named field (``phases-1`` → that phase row)."""
    name, _sep, index = (field or default).partition("-")
    target = getattr(form, name, None) or getattr(form, default)
    if index.isdigit() and hasattr(target, "entries"):
        entries = target.entries
        target = entries[int(index)] if int(index) < len(entries) else target
        if hasattr(target, "form"):  # a FormField row: show it on the row's name
            target = target.form.name
    target.errors = [*target.errors, message]


# --- programmes -----------------------------------------------------------------------------


def programme_choices(form: ProgrammeForm, programme: Programme | None, *, fill: bool) -> None:
    """The choices; with ``fill`` (a GET) the stored values too."""
    courses = db.session.scalars(
        select(Course)
        .options(joinedload(Course.published_version), selectinload(Course.versions))
        .where(Course.archived.is_(False))
        .order_by(Course.code)
    ).all()
    choices = [("", _("— tidak ada —"))] + [
        (str(c.id), f"{c.code} · {queries.course_title(c)}") for c in courses
    ]
    form.jenis_diklat.choices = [("", "—")] + [
        (str(j.code), f"{j.code} · {j.name}")
        for j in db.session.scalars(select(JenisDiklat).order_by(JenisDiklat.code))
    ]
    kinds = all_kinds()
    form.kind.choices = [
        (k.code, f"{k.name} ({_('%(jp)s JP', jp=k.jp)})" if k.jp else k.name) for k in kinds
    ] or [("", "—")]
    if fill:
        form.jenis_diklat.data = str(programme.jenis_diklat_code or "") if programme else ""
        own = INSTANSI if any(k.code == INSTANSI for k in kinds) else ""
        form.kind.data = (programme.kind_code if programme else None) or own
    if fill and programme is not None:
        for _i in range(len(programme.courses) - len(form.courses)):
            form.courses.append_entry()
        for entry, pc in zip(form.courses, programme.courses, strict=False):
            entry.data = str(pc.course_id)
    filled = sum(1 for entry in form.courses if entry.data)
    for _i in range(max(filled + 2, 6) - len(form.courses)):
        form.courses.append_entry()
    for i, entry in enumerate(form.courses):
        entry.choices = choices
        entry.label.text = _("Pelatihan ke-%(n)s", n=i + 1)


def programme_values(form: ProgrammeForm) -> dict[str, Any]:
    return {
        "code": form.code.data,
        "title": form.title.data,
        "summary": form.summary.data,
        "jenis_diklat_code": form.jenis_diklat.data,
        "kind_code": form.kind.data,
        "jp": form.jp.data,
    }


# --- cohorts --------------------------------------------------------------------------------


def default_eligibility(programme: Programme) -> dict[str, Any]:
    """A new cohort's rule: the programme's, else its kind's."""
    if programme.eligibility:
        return programme.eligibility
    kind = kind_of(programme)
    return dict(kind.eligibility or {}) if kind is not None else {}


def _fill_phases(form: CohortForm, rows: list[dict[str, Any]]) -> None:
    for _i in range(len(rows) - len(form.phases)):
        form.phases.append_entry()
    for row, phase in zip(form.phases, rows, strict=False):
        for key in ("name", "kind", "jp", "days", "starts_on", "ends_on"):
            getattr(row.form, key).data = phase.get(key)


def fill_cohort_form(form: CohortForm, programme: Programme, cohort: Cohort | None) -> None:
    """Stored values on GET: a new cohort starts from the programme's (or kind's) eligibility and
    the kind's default agenda (kind, name, JP and days of each phase; dates follow the start)."""
    rule = cohort.eligibility if cohort else default_eligibility(programme)
    form.position_types.data = list((rule or {}).get("position_types") or [])
    form.min_grade.data = (rule or {}).get("min_grade") or ""
    if cohort is None:
        form.approval_steps.data = "supervisor,hr"
        form.organiser.data = ""
        _fill_phases(form, default_agenda(kind_of(programme)))
        return
    form.organiser.data = str(cohort.organiser_partner_id or "")
    _fill_phases(
        form,
        [
            {
                "name": p.name,
                "kind": p.kind,
                "jp": p.jp,
                "days": (p.ends_on - p.starts_on).days + 1 if p.starts_on and p.ends_on else None,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
            }
            for p in cohort.phases
        ],
    )


def cohort_choices(form: CohortForm, cohort: Cohort | None) -> None:
    form.position_types.choices = [
        (t.code, t.name) for t in db.session.scalars(select(JabatanType).order_by(JabatanType.rank))
    ]
    form.min_grade.choices = [("", _("— tanpa syarat golongan —"))] + [
        (g.code, g.label) for g in db.session.scalars(select(Golongan).order_by(Golongan.rank))
    ]
    current = cohort.organiser_partner_id if cohort else None
    partners = db.session.scalars(
        select(PartnerInstitution)
        .where((PartnerInstitution.is_active.is_(True)) | (PartnerInstitution.id == current))
        .order_by(PartnerInstitution.name)
    )
    form.organiser.choices = [("", agency_organiser())] + [(str(p.id), p.name) for p in partners]
    filled = sum(1 for row in form.phases if row.form.name.data)
    for _i in range(max(filled + 1, 4) - len(form.phases)):
        form.phases.append_entry()
    kinds = [(k, str(label)) for k, label in PHASE_KIND_LABELS.items()]
    for i, row in enumerate(form.phases):
        row.form.kind.choices = kinds
        for key, label in (
            ("name", _("Tahap ke-%(n)s: nama", n=i + 1)),
            ("kind", _("Tahap ke-%(n)s: jenis", n=i + 1)),
            ("jp", _("Tahap ke-%(n)s: JP", n=i + 1)),
            ("days", _("Tahap ke-%(n)s: lama (hari)", n=i + 1)),
            ("starts_on", _("Tahap ke-%(n)s: mulai", n=i + 1)),
            ("ends_on", _("Tahap ke-%(n)s: selesai", n=i + 1)),
        ):
            getattr(row.form, key).label.text = label


def cohort_values(form: CohortForm) -> dict[str, Any]:
    return {
        "code": form.code.data,
        "name": form.name.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "enrol_deadline": form.enrol_deadline.data,
        "quota": form.quota.data,
        "place": form.place.data,
        "approval_steps": form.approval_steps.data or "",
        "organiser_partner_id": form.organiser.data or None,
        "position_types": form.position_types.data or [],
        "min_grade": form.min_grade.data or None,
        "phases": [
            {
                "name": row.form.name.data,
                "kind": row.form.kind.data,
                "jp": row.form.jp.data,
                "days": row.form.days.data,
                "starts_on": row.form.starts_on.data,
                "ends_on": row.form.ends_on.data,
            }
            for row in form.phases
        ],
    }
