"""The proposal: the participant drafts and submits it, coach and mentor each approve or return it
(flush, never commit).

A submission freezes the proposal (``ProjectSubmission``) and opens a review round; in a round
each reviewer decides once. One return closes the round (the participant revises and submits
again, and both review the new text); two approvals approve the proposal and open the
implementation. The coach and the mentor must be known before a proposal can be sent, so that
someone will read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.cohorts.models import CohortMember
from lms.errors import DomainError
from lms.extensions import db
from lms.leadership.projects.models import Milestone, Project, ProjectSubmission, ProposalReview
from lms.leadership.projects.notices import tell_member, tell_user
from lms.leadership.roles.access import (
    COACH,
    MENTOR,
    PARTICIPANT_STATES,
    ROLE_NAMES,
    assigned,
)
from lms.notifications.messages import N_

TITLE_MAX = 300
TEXT_MAX = 5000
MILESTONES_MAX = 12
EDITABLE = ("draft", "returned")


class ProjectError(DomainError):
    pass


@dataclass(frozen=True)
class ProposalInput:
    title: str
    problem: str
    stakeholders: str
    expected_change: str
    #: ``(title, due_on)`` per milestone, in order; empty rows are dropped.
    milestones: Sequence[tuple[str, date | None]]


def ensure_open(member: CohortMember) -> None:
    """Nothing of a project changes once the organiser has closed the cohort: results are final."""
    if member.cohort.closed_at is not None:
        raise ProjectError(
            _("Angkatan ini sudah ditutup penyelenggara; proyek tidak dapat diubah.")
        )


def project_kind(member: CohortMember) -> str | None:
    """The project the member's programme requires (aktualisasi / aksi_perubahan), or None."""
    kind = member.cohort.programme.kind
    return kind.project if kind is not None else None


def project_of(member: CohortMember) -> Project | None:
    return db.session.scalar(select(Project).where(Project.member_id == member.id))


def start(member: CohortMember) -> Project:
    """The member's project, created as a draft on first use."""
    project = project_of(member)
    if project is not None:
        return project
    kind = project_kind(member)
    if kind is None:
        raise ProjectError(_("Program ini tidak mensyaratkan proyek perubahan."))
    if member.status not in PARTICIPANT_STATES:
        raise ProjectError(_("Hanya peserta aktif yang dapat menyusun proyek."))
    project = Project(member=member, kind=kind, state="draft")
    db.session.add(project)
    db.session.flush()
    return project


def _clean(values: ProposalInput) -> ProposalInput:
    title = values.title.strip()
    if len(title) > TITLE_MAX:
        raise ProjectError(_("Judul paling panjang %(n)s karakter.", n=TITLE_MAX), "title")
    texts = {}
    for field in ("problem", "stakeholders", "expected_change"):
        text = getattr(values, field).strip().replace("\r\n", "\n")
        if len(text) > TEXT_MAX:
            raise ProjectError(_("Isian paling panjang %(n)s karakter.", n=TEXT_MAX), field)
        texts[field] = text
    milestones = []
    for index, (name, due) in enumerate(values.milestones):
        name = (name or "").strip()
        if not name and due is None:
            continue
        if not name:
            raise ProjectError(
                _("Milestone ke-%(n)s: tuliskan kegiatannya.", n=index + 1), f"milestones-{index}"
            )
        if len(name) > TITLE_MAX:
            raise ProjectError(
                _("Milestone ke-%(n)s paling panjang %(m)s karakter.", n=index + 1, m=TITLE_MAX),
                f"milestones-{index}",
            )
        milestones.append((name, due))
    if len(milestones) > MILESTONES_MAX:
        raise ProjectError(_("Paling banyak %(n)s milestone.", n=MILESTONES_MAX), "milestones")
    return ProposalInput(
        title, texts["problem"], texts["stakeholders"], texts["expected_change"], milestones
    )


def save_proposal(member: CohortMember, values: ProposalInput) -> Project:
    """Save the draft as it is (it may still be incomplete); only a draft or returned proposal."""
    ensure_open(member)
    project = start(member)
    if project.state not in EDITABLE:
        raise ProjectError(_("Rancangan sudah diajukan dan tidak dapat diubah lagi."))
    clean = _clean(values)
    project.title = clean.title
    project.problem = clean.problem
    project.stakeholders = clean.stakeholders
    project.expected_change = clean.expected_change
    project.milestones = []
    db.session.flush()  # the old rows go before new ones take their positions
    project.milestones = [
        Milestone(position=i, title=name, due_on=due)
        for i, (name, due) in enumerate(clean.milestones)
    ]
    db.session.flush()
    return project


def missing_parts(project: Project) -> list[str]:
    """What a proposal still lacks before it can be submitted (labels for the participant)."""
    missing = []
    if not project.title.strip():
        missing.append(_("judul"))
    if not project.problem.strip():
        missing.append(_("masalah / isu"))
    if not project.stakeholders.strip():
        missing.append(_("pemangku kepentingan"))
    if not project.milestones:
        missing.append(_("milestone"))
    if not project.expected_change.strip():
        missing.append(_("perubahan yang diharapkan"))
    return missing


def snapshot(project: Project) -> dict:
    return {
        "title": project.title,
        "problem": project.problem,
        "stakeholders": project.stakeholders,
        "expected_change": project.expected_change,
        "milestones": [
            {"title": m.title, "due_on": m.due_on.isoformat() if m.due_on else None}
            for m in project.milestones
        ],
    }


def submit(member: CohortMember, now: datetime | None = None) -> Project:
    ensure_open(member)
    project = project_of(member)
    if project is None or project.state not in EDITABLE:
        raise ProjectError(_("Tidak ada rancangan yang dapat diajukan."))
    missing = missing_parts(project)
    if missing:
        raise ProjectError(_("Rancangan belum lengkap: %(m)s belum diisi.", m=", ".join(missing)))
    who = assigned(member)
    if who.coach_id is None:
        raise ProjectError(_("Coach Anda belum ditetapkan penyelenggara; hubungi BKPSDM."))
    if who.mentor_id is None:
        raise ProjectError(
            _(
                "Mentor Anda belum ada (atasan langsung belum tercatat atau belum memiliki akun); "
                "hubungi BKPSDM."
            )
        )
    project.round += 1
    project.state = "proposal_submitted"
    project.submitted_at = now or utcnow()
    db.session.add(
        ProjectSubmission(
            project=project,
            round=project.round,
            submitted_at=project.submitted_at,
            snapshot=snapshot(project),
        )
    )
    db.session.flush()
    message = N_(
        "%(n)s mengajukan rancangan %(t)s untuk ditinjau.",
        n=member.employee.display_name,
        t=project.title,
    )
    for user_id in (who.coach_id, who.mentor_id):
        tell_user(user_id, message, member)
    return project


def current_submission(project: Project) -> ProjectSubmission | None:
    return next((s for s in project.submissions if s.round == project.round), None)


def review(
    project: Project,
    reviewer: User,
    role: str,
    approve: bool,
    comment: str,
    now: datetime | None = None,
) -> ProposalReview:
    """The coach's or the mentor's decision on the submitted proposal (one each per round)."""
    ensure_open(project.member)
    if role not in (COACH, MENTOR):
        raise ProjectError(_("Hanya coach dan mentor yang meninjau rancangan."))
    submission = current_submission(project)
    if project.state != "proposal_submitted" or submission is None:
        raise ProjectError(_("Tidak ada rancangan yang menunggu tinjauan."))
    if any(r.role == role for r in submission.reviews):
        raise ProjectError(_("Anda sudah memberi keputusan untuk pengajuan ini."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ProjectError(_("Tuliskan catatan perbaikan bila rancangan dikembalikan."), "comment")
    if len(comment) > TEXT_MAX:
        raise ProjectError(_("Catatan paling panjang %(n)s karakter.", n=TEXT_MAX), "comment")
    row = ProposalReview(
        submission=submission,
        role=role,
        reviewer_id=reviewer.id,
        decision="approved" if approve else "returned",
        comment=comment,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    member = project.member
    who_label = ROLE_NAMES[role]
    if not approve:
        project.state = "returned"
        tell_member(
            member,
            N_(
                "Rancangan %(t)s dikembalikan oleh %(r)s untuk diperbaiki: %(c)s",
                t=project.title,
                r=who_label,
                c=comment,
            ),
        )
    elif {r.role for r in submission.reviews} >= {COACH, MENTOR}:
        project.state = "approved"
        project.approved_at = now or utcnow()
        tell_member(
            member,
            N_(
                "Rancangan %(t)s disetujui coach dan mentor. Silakan mulai "
                "pelaksanaan dan isi catatan pelaksanaan.",
                t=project.title,
            ),
        )
    else:
        tell_member(
            member,
            N_(
                "Rancangan %(t)s disetujui %(r)s; menunggu keputusan yang lain.",
                t=project.title,
                r=who_label,
            ),
        )
    db.session.flush()
    return row
