"""What the cohort pages show for stored values: eligibility in words, JP, status labels."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from flask_babel import gettext as _

from lms.enrolments.cohorts.forms import APPROVAL_LABELS
from lms.enrolments.cohorts.kinds import PHASE_KIND_LABELS, PROJECT_KIND_LABELS
from lms.enrolments.cohorts.models import Programme
from lms.enrolments.cohorts.queries import course_title, own_jp
from lms.enrolments.services import status_label
from lms.indonesian import number
from lms.org.queries import agency_organiser


def programme_jp(programme: Programme) -> Decimal:
    """The programme's own JP (counted once; ``queries.own_jp``)."""
    return own_jp(programme)


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

    @cache
    def agency() -> str:
        return agency_organiser()

    def organiser_of(cohort: Any) -> str:
        """The penyelenggara: the partner institution, else the agency's BKPSDM (looked up once)."""
        partner = getattr(cohort, "organiser_partner", None)
        return partner.name if partner is not None else agency()

    return {
        "organiser_of": organiser_of,
        "kind_of": lambda programme: programme.kind,
        "eligibility_text": eligibility_text,
        "status_label": status_label,
        "approval_labels": APPROVAL_LABELS,
        "course_title": course_title,
        "fmt_jp": fmt_jp,
        "phase_kind_labels": PHASE_KIND_LABELS,
        "project_kind_labels": PROJECT_KIND_LABELS,
    }
