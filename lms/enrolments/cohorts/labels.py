"""What the cohort pages show for stored values: eligibility in words, JP, status labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from lms.enrolments.cohorts.forms import APPROVAL_LABELS
from lms.enrolments.cohorts.kinds import PHASE_KIND_LABELS, PROJECT_KIND_LABELS
from lms.enrolments.cohorts.models import Programme
from lms.enrolments.cohorts.queries import course_title
from lms.enrolments.services import status_label
from lms.indonesian import number


def programme_jp(programme: Programme) -> Decimal:
    """The programme's JP: the sum of its published courses' (counted once, as the programme)."""
    return sum(
        (pc.course.published_version.jp for pc in programme.courses if pc.course.published_version),
        Decimal(0),
    )


def fmt_jp(value: Decimal) -> str:
    """JP as the reader's language writes it (2,5 in Indonesian)."""
    return number(value)


def eligibility_text(rule: dict[str, Any] | None, names: dict[str, str]) -> str:
    rule = rule or {}
    parts = [", ".join(names.get(c, c) for c in rule.get("position_types") or [])]
    if rule.get("min_grade"):
        parts.append(_("golongan minimal %(g)s", g=rule["min_grade"]))
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] if text else _("Terbuka untuk semua pegawai")


def labels() -> dict[str, Any]:
    """Helpers every cohort template uses."""
    return {
        "eligibility_text": eligibility_text,
        "status_label": status_label,
        "approval_labels": APPROVAL_LABELS,
        "course_title": course_title,
        "fmt_jp": fmt_jp,
        "phase_kind_labels": PHASE_KIND_LABELS,
        "project_kind_labels": PROJECT_KIND_LABELS,
    }
