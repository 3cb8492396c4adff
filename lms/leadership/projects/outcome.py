"""What completion asks of a participant's workplace project: its outcome.

This is the interface between the project (below) and programme completion (above): completion
calls ``outcome(member_id)`` when the organiser closes a cohort whose programme kind requires a
project, and reads only these fields.
"""

from __future__ import annotations

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
    row = db.session.execute(
        select(Project.state, Project.final_score, Project.band, Project.passed).where(
            Project.member_id == member_id
        )
    ).first()
    if row is None:
        return None
    state, score, band, passed = row
    if state != "assessed":
        return ProjectOutcome(state, None, "", None)
    return ProjectOutcome(state, score, band, passed)
