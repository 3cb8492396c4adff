"""Programme and cohort records: validation (shared by the HR screens and the content loader)
and writing. Validation never writes, so the loader can check a whole file before it touches the
database; ``apply_*`` write only changed fields. CohortError names the field or row it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import seats
from lms.enrolments.cohorts.models import Cohort, CohortPhase, Programme, ProgrammeCourse
from lms.enrolments.cohorts.rules import (
    APPROVAL_CHOICES,
    MAX_QUOTA,
    CohortError,
    build_eligibility,
    clean_code,
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
        "courses": chosen,
        "eligibility": values.get("eligibility"),
    }


def apply_programme(programme: Programme, clean: Mapping[str, Any]) -> bool:
    """Write cleaned fields onto ``programme``; True when anything changed."""
    changed = False
    for key in ("code", "title", "summary", "jenis_diklat_code"):
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


def _as_date(value: Any, message: str, field: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CohortError(message, field)


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
    starts = _as_date(values["starts_on"], _("Tanggal mulai tidak valid."), "starts_on")
    ends = _as_date(values["ends_on"], _("Tanggal selesai tidak valid."), "ends_on")
    if ends < starts:
        raise CohortError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."), "ends_on")
    deadline = values.get("enrol_deadline")
    if deadline in (None, ""):
        deadline = None
    else:
        deadline = _as_date(deadline, _("Batas pendaftaran tidak valid."), "enrol_deadline")
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
    phases = _clean_phases(values.get("phases") or [], starts, ends)
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
        "phases": phases,
    }


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


def _clean_phases(
    rows: Sequence[Mapping[str, Any]], starts: date, ends: date
) -> list[tuple[str, date, date]]:
    out: list[tuple[str, date, date]] = []
    for index, row in enumerate(rows):
        name = (row.get("name") or "").strip()
        start, end = row.get("starts_on"), row.get("ends_on")
        if not name and start in (None, "") and end in (None, ""):
            continue  # a blank row of the form
        n = index + 1
        field = f"phases-{index}"
        if not name:
            raise CohortError(_("Tahap ke-%(n)s: nama tahap wajib diisi.", n=n), field)
        if start in (None, "") or end in (None, ""):
            raise CohortError(
                _("Tahap ke-%(n)s (%(t)s): tanggal mulai dan selesai wajib diisi.", n=n, t=name),
                field,
            )
        start = _as_date(start, _("Tahap ke-%(n)s: tanggal mulai tidak valid.", n=n), field)
        end = _as_date(end, _("Tahap ke-%(n)s: tanggal selesai tidak valid.", n=n), field)
        if end < start:
            raise CohortError(
                _("Tahap ke-%(n)s (%(t)s): tanggal selesai sebelum tanggal mulai.", n=n, t=name),
                field,
            )
        if start < starts or end > ends:
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s) harus berada di dalam tanggal angkatan.",
                    n=n,
                    t=name,
                ),
                field,
            )
        if out and start <= out[-1][2]:
            raise CohortError(
                _(
                    "Tahap ke-%(n)s (%(t)s) tumpang tindih dengan tahap sebelumnya; "
                    "urutkan tahap menurut tanggal.",
                    n=n,
                    t=name,
                ),
                field,
            )
        out.append((name[:200], start, end))
    return out


def apply_cohort(programme: Programme, cohort: Cohort, clean: Mapping[str, Any]) -> bool:
    """Write cleaned fields onto ``cohort``; True when anything changed."""
    changed = False
    if cohort.programme_id != programme.id:
        cohort.programme = programme
        changed = True
    for key in (
        "code",
        "name",
        "starts_on",
        "ends_on",
        "enrol_deadline",
        "quota",
        "place",
        "approval_steps",
    ):
        if getattr(cohort, key) != clean[key]:
            setattr(cohort, key, clean[key])
            changed = True
    if (cohort.eligibility or {}) != clean["eligibility"]:
        cohort.eligibility = dict(clean["eligibility"])
        changed = True
    have = [(p.name, p.starts_on, p.ends_on) for p in cohort.phases]
    if have != list(clean["phases"]):
        cohort.phases = [
            CohortPhase(position=i, name=name, starts_on=start, ends_on=end)
            for i, (name, start, end) in enumerate(clean["phases"])
        ]
        changed = True
    if cohort.id is None:
        db.session.add(cohort)
    db.session.flush()
    return changed


def save_cohort(
    actor: User | None, programme: Programme, cohort: Cohort | None, values: Mapping[str, Any]
) -> Cohort:
    """Create or edit a cohort; a raised quota gives freed seats to the waitlist."""
    clean = clean_cohort(programme, cohort, values)
    target = cohort or Cohort()
    apply_cohort(programme, target, clean)
    if cohort is not None:
        promote_waitlist(target, actor)
    return target
