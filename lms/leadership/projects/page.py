"""What the project page shows to whom: the shared context of the participant's project page and
the loader every project route starts with (404 for a missing participant, the same for one the
account has nothing to do with)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort
from flask_babel import format_date

from lms.auth.models import User
from lms.enrolments.cohorts.models import CohortMember
from lms.forms import CsrfForm
from lms.indonesian import local_time, zone_abbreviation
from lms.leadership.projects import assessment, logbook, queries, services, stages
from lms.leadership.projects.forms import DecisionForm, ReviewForm
from lms.leadership.projects.models import Project
from lms.leadership.roles.access import (
    COACH,
    EXAMINER,
    MENTOR,
    ORGANISER,
    PARTICIPANT,
    assessor_role,
    assigned,
    roles_of,
)
from lms.permissions import refuse


def load(user: User, member_id: int, *wanted: str) -> tuple[CohortMember, frozenset[str]]:
    """The participant and what ``user`` (the signed-in account) is to them; refuse (404) when
    it is none of ``wanted`` (any role when none is given) or the programme has no project."""
    member = queries.member(member_id)
    if member is None or services.project_kind(member) is None:
        abort(404)
    roles = roles_of(user, member)
    if not roles or (wanted and not roles & set(wanted)):
        refuse(member)
    return member, roles


def review_role(project: Project, roles: frozenset[str]) -> str | None:
    if project.state != "proposal_submitted":
        return None
    current = services.current_submission(project)
    decided = {r.role for r in current.reviews} if current else set()
    return next((r for r in (COACH, MENTOR) if r in roles and r not in decided), None)


def context(member: CohortMember, roles: frozenset[str], user: User) -> dict[str, Any]:
    project = queries.project_for(member.id)
    who = assigned(member)
    state = project.state if project else None
    done = logbook.progress(project) if project else None
    people = queries.names(
        [who.coach_id, who.mentor_id, *who.examiner_ids]
        + ([r.reviewer_id for s in project.submissions for r in s.reviews] if project else [])
        + ([a.assessor_id for a in project.assessments] if project else [])
    )
    role = assessor_role(roles)
    pending = assessment.pending_assessors(project) if state == "seminar_held" else []
    return {
        "member": member,
        "employee": member.employee,
        "cohort": member.cohort,
        "project": project,
        "kind": services.project_kind(member),
        "who": who,
        "people": people,
        "roles": roles,
        "steps": stages.steps(state),
        "percent": stages.percent(state, done),
        "done": done,
        "missing": services.missing_parts(project) if project else [],
        "is_participant": PARTICIPANT in roles,
        "is_organiser": ORGANISER in roles,
        "is_mentor": MENTOR in roles,
        "review_role": review_role(project, roles) if project else None,
        "review_form": ReviewForm(),
        "decision_forms": {
            e.id: DecisionForm(prefix=f"e{e.id}")
            for e in (project.entries if project and MENTOR in roles else [])
            if e.state == "submitted"
        },
        "post_form": CsrfForm(),
        "can_assess": role is not None and (role, user.id) in pending,
        "pending": pending,
        "examiner": EXAMINER in roles,
        **labels(),
    }


def field_error(form: Any, exc: Exception, default: str = "title") -> None:
    """Put a service's refusal on the field it names (``milestones-2``: that row's title), or on
    ``default``."""
    name, _sep, index = (getattr(exc, "field", None) or "").partition("-")
    target = getattr(form, name, None) if name else None
    if target is not None and index.isdigit() and hasattr(target, "entries"):
        entries = target.entries
        target = entries[int(index)].form.title if int(index) < len(entries) else None
    if target is None or not hasattr(target, "errors"):
        target = getattr(form, default)
    target.errors = [*target.errors, str(exc)]


def when(moment: datetime | None) -> str:
    """A stored moment as people read it: the agency's local date and time with its zone
    ("12 Desember 2026 09.00 WIB" in Indonesian)."""
    if moment is None:
        return ""
    local = local_time(moment)
    return f"{format_date(local.date(), 'long')} {local:%H.%M} {zone_abbreviation(moment)}"


def labels() -> dict[str, Any]:
    return {
        "when": when,
        "state_labels": stages.STATE_LABELS,
        "kind_labels": stages.KIND_LABELS,
        "entry_labels": stages.ENTRY_LABELS,
        "role_labels": stages.ROLE_LABELS,
    }
