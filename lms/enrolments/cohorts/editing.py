"""Programme and cohort records: validation (shared by the HR screens and the content loader)
and writing. Validation never writes, so the loader can check a whole file before it touches the
database; ``apply_*`` write only changed fields. CohortError names the field or row it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import PartnerInstitution, User
from lms.courses.models import Course
from lms.enrolments import seats
from lms.enrolments.cohorts.agenda import as_date, clean_phases, phase_key
from lms.enrolments.cohorts.models import (
    Cohort,
    CohortPhase,
    Programme,
    ProgrammeCourse,
    ProgrammeKind,
)
from lms.enrolments.cohorts.rules import (
    APPROVAL_CHOICES,
    MAX_QUOTA,
    CohortError,
    build_eligibility,
    clean_code,
    refuse_if_closed,
)
from lms.enrolments.cohorts.services import promote_waitlist
from lms.extensions import db
from lms.org.models import JenisDiklat

# --- programmes -----------------------------------------------------------------------------


def clean_programme(
    programme: Programme | None, values: Mapping[str, Any], courses: Sequence[Course | None]
) -> dict[str, Any]:
    """Validate a programme without writing. ``courses`` are the rows in order (None = blank).

    Returns the cleaned fields and the course list; raises CohortError naming the field or row.
    """
    code = clean_code(values.get("code", ""))
    other = db.session.scalar(select(Programme.id).where(Programme.code == code))
    if other is not None and (programme is None or other != programme.id):
        raise CohortError(_("Kode program %(c)s sudah dipakai.", c=code), "code")
    title = (values.get("title") or "").strip()
    if not title:
        raise CohortError(_("Nama program wajib diisi."), "title")
    if len(title) > 200:
        raise CohortError(_("Nama program maksimal 200 karakter."), "title")
    jenis = values.get("jenis_diklat_code")
    if jenis in ("", None):
        jenis = None
    else:
        try:
            jenis = int(jenis)
        except (TypeError, ValueError):
            raise CohortError(_("Jenis diklat tidak dikenal."), "jenis_diklat") from None
        if db.session.get(JenisDiklat, jenis) is None:
            raise CohortError(_("Jenis diklat %(c)s tidak dikenal.", c=jenis), "jenis_diklat")
    kind, jp = _clean_kind_and_jp(values)
    eligibility = values.get("eligibility")
    if eligibility is None and not (programme.eligibility if programme else None) and kind:
        # A programme without its own rule takes its kind's (PKP: pengawas and pelaksana).
        rule = kind.eligibility or {}
        eligibility = build_eligibility(rule.get("position_types") or [], rule.get("min_grade"))
    chosen: list[Course] = []
    first_row: dict[int, int] = {}
    for row, course in enumerate(courses):
        if course is None:
            continue
        if course.id in first_row:
            raise CohortError(
                _(
                    "Pelatihan ke-%(n)s (%(c)s) sudah dipilih di baris ke-%(m)s.",
                    n=row + 1,
                    c=course.code,
                    m=first_row[course.id] + 1,
                ),
                f"courses-{row}",
            )
        first_row[course.id] = row
        chosen.append(course)
    if not chosen:
        raise CohortError(_("Pilih minimal satu pelatihan untuk program ini."), "courses-0")
    return {
        "code": code,
        "title": title,
        "summary": (values.get("summary") or "").strip(),
        "jenis_diklat_code": jenis,
        "kind_code": kind.code if kind else None,
        "jp": jp,
        "courses": chosen,
        "eligibility": eligibility,
    }


#: More hours than any programme has (PKN Tingkat I is about 1,050 JP).
MAX_PROGRAMME_JP = 5000


def _clean_kind_and_jp(values: Mapping[str, Any]) -> tuple[ProgrammeKind | None, int | None]:
    """The programme's kind (None: the instansi's own, older data) and its own JP: given, else
    the kind's (None when neither: the sum of a cohort's phases, else of the courses)."""
    raw = values.get("kind_code")
    kind = None
    if raw not in (None, ""):
        kind = db.session.get(ProgrammeKind, str(raw).strip().upper())
        if kind is None:
            raise CohortError(_("Jenis program %(c)s tidak dikenal.", c=raw), "kind")
    jp = values.get("jp")
    if jp in (None, ""):
        return kind, kind.jp if kind is not None else None
    if isinstance(jp, bool) or (isinstance(jp, float) and not jp.is_integer()):
        raise CohortError(_("JP program harus bilangan bulat."), "jp")
    try:
        jp = int(jp)
    except (TypeError, ValueError):
        raise CohortError(_("JP program harus bilangan bulat."), "jp") from None
    if not 1 <= jp <= MAX_PROGRAMME_JP:
        raise CohortError(
            _("JP program harus antara 1 dan %(m)s.", m=format_number(MAX_PROGRAMME_JP)), "jp"
        )
    return kind, jp


def apply_programme(programme: Programme, clean: Mapping[str, Any]) -> bool:
    """Write cleaned fields onto ``programme``; True when anything changed."""
    changed = False
    for key in ("code", "title", "summary", "jenis_diklat_code", "kind_code", "jp"):
        if getattr(programme, key) != clean[key]:
            setattr(programme, key, clean[key])
            changed = True
    if (
        clean.get("eligibility") is not None
        and (programme.eligibility or {}) != clean["eligibility"]
    ):
        programme.eligibility = dict(clean["eligibility"])
        changed = True
    if programme.id is None:
        db.session.add(programme)
        db.session.flush()
    wanted = [c.id for c in clean["courses"]]
    have = [pc.course_id for pc in programme.courses]
    if wanted != have:
        by_course = {pc.course_id: pc for pc in programme.courses}
        rows = []
        for position, course_id in enumerate(wanted):
            row = by_course.pop(course_id, None) or ProgrammeCourse(course_id=course_id)
            row.position = position
            rows.append(row)
        programme.courses = rows
        changed = True
    db.session.flush()
    return changed


def save_programme(
    programme: Programme | None, values: Mapping[str, Any], course_ids: Sequence[str | int | None]
) -> Programme:
    """Create or edit a programme from the form (courses as ids in row order)."""
    wanted: list[int | None] = []
    for row, raw in enumerate(course_ids):
        if raw in (None, ""):
            wanted.append(None)
            continue
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            raise CohortError(
                _("Pelatihan ke-%(n)s tidak dikenal.", n=row + 1), f"courses-{row}"
            ) from None
    found = {
        c.id: c
        for c in db.session.scalars(select(Course).where(Course.id.in_([i for i in wanted if i])))
    }
    courses: list[Course | None] = []
    for row, course_id in enumerate(wanted):
        if course_id is not None and course_id not in found:
            raise CohortError(_("Pelatihan ke-%(n)s tidak dikenal.", n=row + 1), f"courses-{row}")
        courses.append(found.get(course_id) if course_id is not None else None)
    clean = clean_programme(programme, values, courses)
    target = programme or Programme(code=clean["code"], title=clean["title"])
    apply_programme(target, clean)
    return target


# --- cohorts --------------------------------------------------------------------------------


def clean_cohort(
    programme: Programme | None, cohort: Cohort | None, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate a cohort of ``programme`` (None while the programme is still being created)
    without writing; CohortError names the field or phase row."""
    code = clean_code(values.get("code", ""))
    other = db.session.scalar(select(Cohort).where(Cohort.code == code))
    if other is not None and (cohort is None or other.id != cohort.id):
        raise CohortError(_("Kode angkatan %(c)s sudah dipakai.", c=code), "code")
    name = (values.get("name") or "").strip()
    if not name:
        raise CohortError(_("Nama angkatan wajib diisi."), "name")
    if len(name) > 200:
        raise CohortError(_("Nama angkatan maksimal 200 karakter."), "name")
    if values.get("starts_on") in (None, ""):
        raise CohortError(_("Tanggal mulai wajib diisi."), "starts_on")
    if values.get("ends_on") in (None, ""):
        raise CohortError(_("Tanggal selesai wajib diisi."), "ends_on")
    starts = as_date(values["starts_on"], _("Tanggal mulai tidak valid."), "starts_on")
    ends = as_date(values["ends_on"], _("Tanggal selesai tidak valid."), "ends_on")
    if ends < starts:
        raise CohortError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "ends_on")
    deadline = values.get("enrol_deadline")
    if deadline in (None, ""):
        deadline = None
    else:
        deadline = as_date(deadline, _("Batas pendaftaran tidak valid."), "enrol_deadline")
        if deadline > ends:
            raise CohortError(
                _("Batas pendaftaran tidak boleh setelah tanggal selesai angkatan."),
                "enrol_deadline",
            )
    quota = _clean_quota(cohort, values.get("quota"))
    steps = values.get("approval_steps")
    steps = "supervisor,hr" if steps is None else str(steps)
    if steps not in APPROVAL_CHOICES:
        raise CohortError(_("Tahap persetujuan tidak dikenal."), "approval_steps")
    place = (values.get("place") or "").strip()
    if len(place) > 200:
        raise CohortError(_("Tempat maksimal 200 karakter."), "place")
    eligibility = build_eligibility(
        values.get("position_types") or [], values.get("min_grade") or None
    )
    organiser = _clean_organiser(cohort, values.get("organiser_partner_id"))
    phases = clean_phases(values.get("phases") or [], starts, ends)
    return {
        "code": code,
        "name": name,
        "starts_on": starts,
        "ends_on": ends,
        "enrol_deadline": deadline,
        "quota": quota,
        "place": place,
        "approval_steps": steps,
        "eligibility": eligibility,
        "organiser_partner_id": organiser,
        "phases": phases,
    }


def _clean_organiser(cohort: Cohort | None, raw: Any) -> int | None:
    """None: BKPSDM organises; else an active partner institution (one already organising the
    cohort may stay after it is deactivated)."""
    if raw in (None, "", 0, "0"):
        return None
    try:
        partner = db.session.get(PartnerInstitution, int(raw))
    except (TypeError, ValueError):
        partner = None
    if partner is None:
        raise CohortError(_("Penyelenggara tidak dikenal."), "organiser")
    if not partner.is_active and (cohort is None or cohort.organiser_partner_id != partner.id):
        raise CohortError(
            _("%(p)s tidak aktif sebagai mitra dan tidak dapat menyelenggarakan.", p=partner.name),
            "organiser",
        )
    return partner.id


def _clean_quota(cohort: Cohort | None, quota: Any) -> int | None:
    """A whole number of seats, or None for no limit; never below the seats already held."""
    if quota in (None, ""):
        return None
    try:
        quota = int(quota)
    except (TypeError, ValueError):
        raise CohortError(_("Kuota harus bilangan bulat."), "quota") from None
    if quota < 1:
        raise CohortError(_("Kuota harus lebih dari 0 (kosongkan bila tanpa batas)."), "quota")
    if quota > MAX_QUOTA:
        raise CohortError(
            _(
                "Kuota paling banyak %(n)s (kosongkan bila tanpa batas).",
                n=format_number(MAX_QUOTA),
            ),
            "quota",
        )
    if cohort is not None and cohort.id is not None:
        taken = seats.taken(seats.COHORT, cohort)
        if quota < taken:
            raise CohortError(
                _(
                    "Kuota tidak boleh lebih kecil dari jumlah peserta aktif (%(n)s).",
                    n=taken,
                ),
                "quota",
            )
    return quota


def apply_cohort(programme: Programme, cohort: Cohort, clean: Mapping[str, Any]) -> bool:
    """Write cleaned fields onto ``cohort``; True when anything changed. A closed cohort is
    refused any change (reloading its unchanged content file is no change).

    Phases are updated in place by position, so the organiser's marks on a phase stay when HR
    corrects its name or dates; a phase removed from the end takes its marks with it.
    """
    keys = (
        "code",
        "name",
        "starts_on",
        "ends_on",
        "enrol_deadline",
        "quota",
        "place",
        "approval_steps",
        "organiser_partner_id",
    )
    changed = [key for key in keys if getattr(cohort, key) != clean[key]]
    if cohort.programme_id != programme.id:
        changed.append("programme")
    if (cohort.eligibility or {}) != clean["eligibility"]:
        changed.append("eligibility")
    phases_changed = [phase_key(p) for p in cohort.phases] != [
        phase_key(p) for p in clean["phases"]
    ]
    if not changed and not phases_changed:
        return False
    refuse_if_closed(cohort)
    if "programme" in changed:
        cohort.programme = programme
    for key in keys:
        setattr(cohort, key, clean[key])
    cohort.eligibility = dict(clean["eligibility"])
    if phases_changed:
        _apply_phases(cohort, clean["phases"])
    if cohort.id is None:
        db.session.add(cohort)
    db.session.flush()
    return True


def _apply_phases(cohort: Cohort, rows: Sequence[Mapping[str, Any]]) -> None:
    kept = list(cohort.phases[: len(rows)])
    for position, row in enumerate(rows):
        if position == len(kept):
            kept.append(CohortPhase())
        phase = kept[position]
        phase.position = position
        for key in ("name", "kind", "jp", "starts_on", "ends_on"):
            setattr(phase, key, row[key])
    cohort.phases = kept


def save_cohort(
    actor: User | None, programme: Programme, cohort: Cohort | None, values: Mapping[str, Any]
) -> Cohort:
    """Create or edit a cohort; a raised quota gives freed seats to the waitlist."""
    if cohort is not None:
        refuse_if_closed(cohort)
    clean = clean_cohort(programme, cohort, values)
    target = cohort or Cohort()
    apply_cohort(programme, target, clean)
    if cohort is not None:
        promote_waitlist(target, actor)
    return target
