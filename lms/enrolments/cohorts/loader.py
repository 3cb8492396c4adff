"""Load programmes and their cohorts from ``content/programmes/*.yaml`` (see content/README.md).

A file names the programme's ``kind`` (LATSAR, PKP, ... INSTANSI; reference data) and its own
``jp``, an ``organiser`` (a partner institution's code; none is BKPSDM, a cohort may name its own),
and each cohort's phases with their ``kind`` and ``jp`` (dates, or ``days`` after the previous
phase).

Each file is checked completely before anything is written, with the same validation the HR
screens use (``cohorts.editing.clean_programme`` / ``clean_cohort``), so a file with an error
(an unknown course code, dates out of order, ...) keeps nothing and is reported with its name
(an organiser it registers is rolled back with it).
Records are matched by code and only changed fields are written: loading the same files twice
changes nothing. Cohorts that exist only in the database (created by HR) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from lms.auth.models import PartnerInstitution
from lms.courses.models import Course
from lms.enrolments.cohorts import editing, rules, services
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db

REQUIRED_KEYS = ("code", "title", "courses")
COHORT_KEYS = ("code", "name", "start", "end")


class _FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Plan:
    programme: Programme | None
    clean: dict[str, Any]
    cohorts: list[tuple[Cohort | None, dict[str, Any]]] = field(default_factory=list)


def _files(directory: Path) -> list[Path]:
    base = directory / "programmes" if (directory / "programmes").is_dir() else directory
    return sorted(p for p in base.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _FileError("berkas bukan UTF-8") from None
    except yaml.YAMLError as exc:
        raise _FileError(f"YAML tidak valid: {exc}") from None
    if not isinstance(data, dict):
        raise _FileError("berkas program harus berisi pemetaan (key: value)")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise _FileError(f"kunci wajib tidak ada: {', '.join(missing)}")
    return data


def _eligibility(raw: Any, where: str) -> dict[str, Any]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise _FileError(f"{where}: eligibility harus berupa pemetaan")
    types = raw.get("position_types") or []
    if not isinstance(types, list):
        raise _FileError(f"{where}: eligibility.position_types harus berupa daftar")
    min_grade = raw.get("min_grade")
    try:
        return rules.build_eligibility(
            [str(t) for t in types], str(min_grade) if min_grade else None
        )
    except rules.CohortError as exc:
        raise _FileError(f"{where}: {exc}") from None


def _plan(data: dict[str, Any], seen_cohorts: set[str]) -> _Plan:
    code = str(data.get("code") or "").strip().upper()
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    raw_courses = data.get("courses")
    if not isinstance(raw_courses, list) or not raw_courses:
        raise _FileError("courses harus berupa daftar kode pelatihan")
    codes = [str(c).strip().upper() for c in raw_courses]
    found = {c.code: c for c in db.session.scalars(select(Course).where(Course.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise _FileError(f"kode pelatihan tidak dikenal: {', '.join(unknown)}")
    eligibility = _eligibility(data["eligibility"], "program") if "eligibility" in data else None
    try:
        clean = editing.clean_programme(
            programme,
            {
                "code": code,
                "title": str(data.get("title") or ""),
                "summary": str(data.get("summary") or ""),
                "jenis_diklat_code": data.get("jenis_diklat"),
                "kind_code": data.get("kind"),
                "jp": data.get("jp"),
                "eligibility": eligibility,
            },
            [found[c] for c in codes],
        )
    except rules.CohortError as exc:
        raise _FileError(f"program {code or '?'}: {exc}") from None
    plan = _Plan(programme, clean)
    raw_cohorts = data.get("cohorts") or []
    if not isinstance(raw_cohorts, list):
        raise _FileError("cohorts harus berupa daftar")
    default_rule = clean["eligibility"]
    if default_rule is None:
        default_rule = (programme.eligibility if programme else None) or {}
    organiser = data.get("organiser")
    for index, raw in enumerate(raw_cohorts, start=1):
        plan.cohorts.append(
            _plan_cohort(raw, index, programme, default_rule, organiser, seen_cohorts)
        )
    return plan


def _organiser(raw: Any, where: str) -> int | None:
    """The organiser: a partner institution by its code (``organiser: BPSDMD-SUMSEL``), or as
    ``{code, name}`` to register it when the code is new (as a course's ``partner``); none is
    BKPSDM."""
    if raw in (None, ""):
        return None
    name = ""
    if isinstance(raw, dict):
        name = str(raw.get("name") or "").strip()
        raw = raw.get("code")
    code = str(raw or "").strip().upper()
    if not code or len(code) > 40:
        raise _FileError(f"{where}: organiser: kode lembaga mitra wajib diisi (maksimal 40)")
    partner = db.session.scalar(select(PartnerInstitution).where(PartnerInstitution.code == code))
    if partner is None:
        if not name or len(name) > 200:
            raise _FileError(
                f"{where}: penyelenggara (organiser) {code} belum terdaftar; tulis kode dan "
                "namanya (organiser: {code: ..., name: ...}) agar didaftarkan"
            )
        partner = PartnerInstitution(code=code, name=name)
        db.session.add(partner)
        db.session.flush()
    return partner.id


def _phase(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": str(raw.get("name") or ""),
        "kind": raw.get("kind") or "self_study",
        "jp": raw.get("jp"),
        "days": raw.get("days"),
        "starts_on": raw.get("start"),
        "ends_on": raw.get("end"),
    }


def _plan_cohort(
    raw: Any,
    index: int,
    programme: Programme | None,
    default_eligibility: dict[str, Any],
    default_organiser: Any,
    seen: set[str],
) -> tuple[Cohort | None, dict[str, Any]]:
    where = f"angkatan ke-{index}"
    if not isinstance(raw, dict):
        raise _FileError(f"{where}: harus berupa pemetaan")
    missing = [k for k in COHORT_KEYS if k not in raw]
    if missing:
        raise _FileError(f"{where}: kunci wajib tidak ada: {', '.join(missing)}")
    code = str(raw["code"]).strip().upper()
    where = f"angkatan {code}"
    if code in seen:
        raise _FileError(f"{where}: kode angkatan muncul lebih dari sekali")
    seen.add(code)
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
    if cohort is not None and (programme is None or cohort.programme_id != programme.id):
        raise _FileError(f"{where}: kode angkatan sudah dipakai program lain")
    rule = _eligibility(raw["eligibility"], where) if "eligibility" in raw else default_eligibility
    phases = raw.get("phases") or []
    if not isinstance(phases, list) or not all(isinstance(p, dict) for p in phases):
        raise _FileError(
            f"{where}: phases harus berupa daftar {{kind, name, jp, start, end}} "
            "(atau days sebagai ganti start dan end)"
        )
    organiser = _organiser(raw.get("organiser", default_organiser), where)
    values = {
        "code": code,
        "name": str(raw.get("name") or ""),
        "starts_on": raw.get("start"),
        "ends_on": raw.get("end"),
        "enrol_deadline": raw.get("enrol_deadline"),
        "quota": raw.get("quota"),
        "place": str(raw.get("place") or ""),
        "approval_steps": str(raw.get("approval_steps", "supervisor,hr") or ""),
        "organiser_partner_id": organiser,
        "phases": [_phase(p) for p in phases],
    }
    try:
        clean = editing.clean_cohort(programme, cohort, values)
    except rules.CohortError as exc:
        raise _FileError(f"{where}: {exc}") from None
    clean["eligibility"] = rule
    return cohort, clean


def _apply(plan: _Plan) -> tuple[int, int]:
    created = updated = 0
    programme = plan.programme
    if programme is None:
        programme = Programme(code=plan.clean["code"], title=plan.clean["title"])
        editing.apply_programme(programme, plan.clean)
        created += 1
    elif editing.apply_programme(programme, plan.clean):
        updated += 1
    for cohort, clean in plan.cohorts:
        if cohort is None:
            editing.apply_cohort(programme, Cohort(), clean)
            created += 1
        elif editing.apply_cohort(programme, cohort, clean):
            updated += 1
            services.promote_waitlist(cohort, None)
    return created, updated


def load_programmes(directory: Path) -> dict[str, Any]:
    """Upsert every programme file; returns ``{"created", "updated", "errors"}``.

    ``directory`` is ``content/programmes`` (or the content root that holds it). Run it after
    the courses are loaded: programmes refer to courses by code.
    """
    counts: dict[str, Any] = {"created": 0, "updated": 0, "errors": []}
    directory = Path(directory)
    if not directory.is_dir():
        return counts
    seen_programmes: dict[str, Path] = {}
    seen_cohorts: set[str] = set()
    for path in _files(directory):
        savepoint = db.session.begin_nested()  # a partner registered by the file goes with it
        try:
            data = _read(path)
            code = str(data.get("code") or "").strip().upper()
            if code in seen_programmes:
                raise _FileError(
                    f"kode program {code} sudah dimuat dari {seen_programmes[code].name}"
                )
            file_cohorts = set(seen_cohorts)
            plan = _plan(data, file_cohorts)
        except _FileError as exc:
            savepoint.rollback()
            counts["errors"].append({"file": str(path), "message": exc.message})
            continue
        try:
            created, updated = _apply(plan)
        except (rules.CohortError, SQLAlchemyError) as exc:
            savepoint.rollback()
            counts["errors"].append({"file": str(path), "message": str(exc).splitlines()[0]})
            continue
        savepoint.commit()
        seen_programmes[plan.clean["code"]] = path
        seen_cohorts = file_cohorts
        counts["created"] += created
        counts["updated"] += updated
    return counts
