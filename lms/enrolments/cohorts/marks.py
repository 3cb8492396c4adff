"""The organiser's phase marks: who met a phase that no course or project decides (classroom
attendance above all; a self-study or distance phase followed outside the courses).

The organiser ticks participants on one phase and the marks become exactly the ticked ones
(adding and removing), once per request. A closed cohort refuses; the project and evaluation
phases of a kind that requires a workplace project are decided by the project's assessment, never
by a mark. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.auth.services import audit
from lms.enrolments.cohorts.models import Cohort, CohortMember, CohortPhase, PhaseMark
from lms.enrolments.cohorts.rules import CohortError, refuse_if_closed
from lms.extensions import db

#: The phases a workplace project decides (when the programme's kind requires one).
PROJECT_PHASES = ("project", "evaluation")
#: Participants whose phases count: active ones, and those a closing found passed.
COUNTED_STATES = ("active", "completed")


def project_bound(phase: Any, project: str | None) -> bool:
    """Whether the project's assessment, not a mark, decides ``phase`` (pure)."""
    return bool(project) and phase.kind in PROJECT_PHASES


def marks_of(cohort: Cohort) -> set[tuple[int, int]]:
    """``(phase id, member id)`` of every mark in the cohort, in one query."""
    return {
        (phase_id, member_id)
        for phase_id, member_id in db.session.execute(
            select(PhaseMark.phase_id, PhaseMark.member_id)
            .join(CohortPhase, CohortPhase.id == PhaseMark.phase_id)
            .where(CohortPhase.cohort_id == cohort.id)
        )
    }


def set_marks(
    actor: User | None, cohort: Cohort, phase_id: int, member_ids: Iterable[int]
) -> tuple[int, int]:
    """Make the phase's marks exactly ``member_ids``; returns (added, removed)."""
    db.session.refresh(cohort, ["closed_at"], with_for_update=True)  # closing locks it too
    refuse_if_closed(cohort)
    phase = next((p for p in cohort.phases if p.id == phase_id), None)
    if phase is None:
        raise CohortError(_("Tahap tidak ditemukan di angkatan ini."), "phase")
    kind = cohort.programme.kind  # none (older data): the instansi's own, no project
    if project_bound(phase, kind.project if kind else None):
        raise CohortError(
            _(
                "Tahap %(p)s diputuskan oleh penilaian proyek perubahan, bukan oleh tanda "
                "kehadiran.",
                p=phase.name,
            ),
            "phase",
        )
    wanted = set(member_ids)
    counted = set(
        db.session.scalars(
            select(CohortMember.id).where(
                CohortMember.cohort_id == cohort.id, CohortMember.status.in_(COUNTED_STATES)
            )
        )
    )
    if wanted - counted:
        raise CohortError(_("Sebagian peserta yang dicentang bukan peserta aktif angkatan ini."))
    have = {
        m.member_id: m
        for m in db.session.scalars(select(PhaseMark).where(PhaseMark.phase_id == phase.id))
    }
    for member_id in sorted(wanted - set(have)):
        db.session.add(
            PhaseMark(
                phase_id=phase.id,
                member_id=member_id,
                marked_by_id=actor.id if actor is not None else None,
            )
        )
    removed = [have[m] for m in set(have) - wanted if m in counted]
    for mark in removed:
        db.session.delete(mark)
    added = len(wanted - set(have))
    if added or removed:
        audit(actor, "update", phase, f"tanda tahap {phase.name}: +{added} -{len(removed)}")
    db.session.flush()
    return added, len(removed)
