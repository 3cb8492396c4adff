"""The organiser closes a cohort: every active participant gets a result, and only then does a
programme complete.

Closing is refused before the cohort's end date (the agency's day) and when the programme has no
JP to count. It locks the cohort row (membership changes and marks lock it too), so nothing
changes a participant while the results are written, and a second closing finds the cohort closed
and does nothing more. Passed participants get ``result="passed"``, their score and qualification,
and a programme completion (with its certificate and event) through ``completion.services``;
failed ones get ``result="failed"`` and a note of what was missing, and no completion. Services
flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _

from lms.auth.models import User
from lms.auth.services import audit
from lms.completion.programmes.progress import CohortProgress, MemberProgress, cohort_progress
from lms.completion.programmes.rules import Verdict, closing_refusal, verdict
from lms.completion.services import CompletionError, complete_programme
from lms.db import utcnow
from lms.enrolments.cohorts import queries as cohort_queries
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.indonesian import local_today
from lms.kualifikasi import load_bands
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.queries import agency_organiser


@dataclass
class Closing:
    """What a closing decided (or, before it, would decide): one verdict per participant."""

    verdicts: list[tuple[MemberProgress, Verdict]] = field(default_factory=list)
    already: bool = False

    @property
    def passed(self) -> int:
        return sum(1 for _row, v in self.verdicts if v.passed)

    @property
    def failed(self) -> int:
        return sum(1 for _row, v in self.verdicts if not v.passed)


def judge(grid: CohortProgress) -> list[tuple[MemberProgress, Verdict]]:
    """The verdict of every active participant of the grid (notes in Indonesian: a record)."""
    bands = load_bands()
    out = []
    with force_locale("id"):
        for row in grid.rows:
            if row.member.status != "active":
                continue
            out.append(
                (
                    row,
                    verdict(
                        row.states,
                        project=grid.project,
                        project_label=grid.project_label,
                        outcome=row.outcome,
                        course_scores=row.course_scores,
                        bands=bands,
                    ),
                )
            )
    return out


def refusal(cohort: Cohort, today: date | None = None) -> str | None:
    """Why the cohort may not be closed now (None: it may)."""
    if cohort.closed_at is not None:
        return None  # closing again does nothing
    refused = closing_refusal(cohort.ends_on, today or local_today())
    if refused is None and not cohort_queries.own_jp(cohort.programme, cohort):
        return _(
            "Program %(p)s belum punya jam pelajaran (JP): isi JP program atau JP tahapan "
            "sebelum menutup angkatan.",
            p=cohort.programme.title,
        )
    return refused


def preview(cohort: Cohort) -> Closing:
    """What closing now would decide, without writing anything."""
    return Closing(judge(cohort_progress(cohort)))


def close_cohort(actor: User | None, cohort: Cohort, today: date | None = None) -> Closing:
    """Close the cohort and write every active participant's result (see the module)."""
    db.session.refresh(cohort, ["closed_at"], with_for_update=True)
    if cohort.closed_at is not None:
        return Closing(already=True)
    refused = refusal(cohort, today)
    if refused is not None:
        raise CompletionError(refused)
    decided = judge(cohort_progress(cohort))
    jp = cohort_queries.own_jp(cohort.programme, cohort)
    partner = cohort.organiser_partner
    organiser = partner.name if partner is not None else agency_organiser()
    ended = datetime.combine(cohort.ends_on, time(12, 0), tzinfo=UTC)
    completed_at = min(ended, utcnow())
    for row, decision in decided:
        member = row.member
        member.result = decision.result
        member.final_score = decision.score
        member.qualification = decision.qualification[:60]
        member.result_note = decision.note
        if not decision.passed:
            notify_employee(
                member.employee_id,
                N_(
                    "%(t)s ditutup: Anda belum lulus. Lihat apa yang belum terpenuhi.",
                    t=f"{cohort.programme.title}, {cohort.name}",
                ),
                "completion.my_cohort",
                cohort_code=cohort.code,
            )
        else:
            member.status = "completed"
            complete_programme(
                member,
                completed_at=completed_at,
                score=decision.score,
                jp=jp,
                organiser=organiser,
                actor=actor,
            )
    cohort.closed_at = utcnow()
    cohort.closed_by_id = actor.id if actor is not None else None
    closing = Closing(decided)
    audit(
        actor,
        "update",
        cohort,
        f"angkatan {cohort.code} ditutup: {closing.passed} lulus, {closing.failed} tidak lulus",
    )
    db.session.flush()
    return closing
