"""What completion asks of a participant's workplace project: its outcome.

This is the interface between the project (below) and programme completion (above): completion
reads the outcomes of a cohort's participants in one query (``outcomes(member_ids)``) for the
organiser's grid, HR's cohort page and the closing, and reads only these fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from lms.extensions import db
from lms.leadership.projects.models import Project


@dataclass(frozen=True)
class ProjectOutcome:
    #: ``assessed`` once every assessor's rubric is in and the score is final; else the stage
    #: the project is at (``draft``, ``proposal_submitted``, ``returned``, ``approved``,
    #: ``implementing``, ``seminar_scheduled``, ``seminar_held``).
    state: str
    #: The weighted rubric score, 0-100 (None until assessed).
    score: Decimal | None
    #: The qualification band's name (LAN's kualifikasi bands, kept as data).
    band: str
    #: Whether the band passes (None until assessed).
    passed: bool | None

    @property
    def assessed(self) -> bool:
        return self.state == "assessed"


def outcome(member_id: int) -> ProjectOutcome | None:
    """The project outcome of one cohort participant (None: no project started).

    ``score``, ``band`` and ``passed`` are the values frozen when the last assessor scored
    (``assessment.finalize``): the rubric's weighted score and its band from the kualifikasi
    bands; before that they are None, "" and None."""
    return outcomes([member_id]).get(member_id)


def outcomes(member_ids: Iterable[int]) -> dict[int, ProjectOutcome]:
    """The project outcomes of many participants in one query: member id → outcome; a
    participant without a project is absent (``outcome`` answers None for them)."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Project.member_id, Project.state, Project.final_score, Project.band, Project.passed
        ).where(Project.member_id.in_(ids))
    )
    return {
        member_id: _outcome(state, score, band, passed)
        for member_id, state, score, band, passed in rows
    }


def _outcome(state: str, score: Decimal | None, band: str, passed: bool | None) -> ProjectOutcome:
    if state != "assessed":
        return ProjectOutcome(state, None, "", None)
    return ProjectOutcome(state, score, band, passed)
