"""Builders for programme and cohort tests (run inside an app context)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lms.enrolments.cohorts import editing
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db
from lms.indonesian import local_today
from tests.factories import make_course

TODAY = local_today()


def make_programme(
    code: str = "PKP", courses: tuple[str, ...] = ("UJI-101", "UJI-102")
) -> Programme:
    made = [make_course(c, title=f"Pelatihan {c}") for c in courses]
    return editing.save_programme(
        None,
        {
            "code": code,
            "title": f"Program {code}",
            "summary": "Program uji.",
            "jenis_diklat_code": 1,
        },
        [c.id for c in made],
    )


def make_cohort(programme: Programme, code: str = "PKP-2026-I", **over: Any) -> Cohort:
    values: dict[str, Any] = {
        "code": code,
        "name": "Angkatan I",
        "starts_on": TODAY + timedelta(days=14),
        "ends_on": TODAY + timedelta(days=120),
        "enrol_deadline": TODAY + timedelta(days=7),
        "quota": 10,
        "place": "Palembang",
        "approval_steps": "supervisor,hr",
        "position_types": [],
        "min_grade": None,
        "phases": [],
    }
    values.update(over)
    cohort = editing.save_cohort(None, programme, None, values)
    db.session.flush()
    return cohort
