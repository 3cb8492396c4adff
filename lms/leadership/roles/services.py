"""The organiser assigns a participant's coach, mentor and examiners (flush, never commit).

The three people of a project are distinct and none is the participant: the final score weighs
three views of the work, so one account may not hold two of them. Each must hold the capability
the table gives the role (a coach or an examiner is a trainer, a mentor a supervisor).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import delete, select

from lms.auth.models import User
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.errors import DomainError
from lms.extensions import db
from lms.leadership.roles.access import (
    COACH,
    EXAMINER,
    MENTOR,
    PARTICIPANT_STATES,
    ROLE_NAMES,
    assigned,
)
from lms.leadership.roles.models import CohortRole
from lms.notifications.messages import N_
from lms.notifications.services import notify
from lms.permissions import Capability, can

C = Capability
NEEDED = {
    COACH: C.COACH_PROJECTS,
    MENTOR: C.MENTOR_PROJECTS,
    EXAMINER: C.EXAMINE_PROJECTS,
}


class RolesError(DomainError):
    pass


def _label(role: str) -> object:
    return ROLE_NAMES[role]


def _check_account(member: CohortMember, role: str, user: User, field: str) -> None:
    if member.status not in PARTICIPANT_STATES:
        raise RolesError(
            _("%(n)s bukan peserta aktif angkatan ini.", n=member.employee.display_name)
        )
    if not user.active:
        raise RolesError(_("Akun %(u)s tidak aktif.", u=user.name), field)
    if not can(user, NEEDED[role]):
        message = {
            COACH: _("%(u)s bukan pengajar/widyaiswara, jadi tidak dapat menjadi coach."),
            MENTOR: _(
                "%(u)s bukan atasan (tidak memiliki bawahan), jadi tidak dapat menjadi mentor."
            ),
            EXAMINER: _("%(u)s bukan pengajar/widyaiswara, jadi tidak dapat menjadi penguji."),
        }[role]
        raise RolesError(message % {"u": user.name}, field)
    if user.employee_id is not None and user.employee_id == member.employee_id:
        raise RolesError(
            _("Peserta tidak dapat menjadi %(r)s proyeknya sendiri.", r=_label(role)), field
        )
    who = assigned(member)
    others = {COACH: who.coach_id, MENTOR: who.mentor_id}
    for other, holder in others.items():
        if other != role and holder == user.id:
            raise RolesError(
                _(
                    "%(u)s sudah menjadi %(o)s peserta ini; coach, mentor, dan penguji harus "
                    "orang yang berbeda.",
                    u=user.name,
                    o=_label(other),
                ),
                field,
            )
    if role != EXAMINER and user.id in who.examiner_ids:
        raise RolesError(
            _(
                "%(u)s sudah menjadi penguji peserta ini; coach, mentor, dan penguji harus "
                "orang yang berbeda.",
                u=user.name,
            ),
            field,
        )


def _tell(user_id: int, member: CohortMember, role: str) -> None:
    cohort = member.cohort
    notify(
        user_id,
        N_(
            "Anda ditetapkan sebagai %(r)s proyek %(n)s (%(c)s).",
            r=_label(role),
            n=member.employee.display_name,
            c=f"{cohort.programme.title}, {cohort.name}",
        ),
        "leadership.project",
        member_id=member.id,
    )


def _replace_single(actor: User, member: CohortMember, role: str, user: User | None) -> bool:
    current = db.session.scalar(
        select(CohortRole).where(CohortRole.member_id == member.id, CohortRole.role == role)
    )
    if current is not None and user is not None and current.user_id == user.id:
        return False
    if current is not None:
        db.session.delete(current)
        db.session.flush()
    if user is not None:
        db.session.add(
            CohortRole(member_id=member.id, role=role, user_id=user.id, assigned_by_id=actor.id)
        )
        db.session.flush()
        _tell(user.id, member, role)
    return True


def assign_coach(actor: User, member: CohortMember, user: User | None) -> bool:
    """Set (or clear, with None) the participant's coach; True when something changed."""
    if user is not None:
        _check_account(member, COACH, user, "coach")
    return _replace_single(actor, member, COACH, user)


def assign_mentor(actor: User, member: CohortMember, user: User | None) -> bool:
    """Name a mentor other than the direct supervisor, or None to go back to the supervisor."""
    if user is not None:
        if user.employee_id is not None and user.employee_id == member.employee.supervisor_id:
            user = None  # the supervisor is the default: no override row
        else:
            _check_account(member, MENTOR, user, "mentor")
    return _replace_single(actor, member, MENTOR, user)


def assign_coach_to_all(actor: User, cohort: Cohort, user: User) -> int:
    """The same coach for every participant of the cohort who has none; how many were set."""
    members = db.session.scalars(
        select(CohortMember)
        .where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.status.in_(PARTICIPANT_STATES),
            ~CohortMember.id.in_(select(CohortRole.member_id).where(CohortRole.role == COACH)),
        )
        .order_by(CohortMember.id)
    ).all()
    done = 0
    for member in members:
        assign_coach(actor, member, user)
        done += 1
    return done


def set_examiners(actor: User, member: CohortMember, users: Sequence[User]) -> None:
    """The seminar's examiners (at least one), replacing any earlier ones."""
    if not users:
        raise RolesError(_("Pilih paling sedikit satu penguji."), "examiners")
    wanted = {u.id: u for u in users}
    for user in wanted.values():
        _check_account(member, EXAMINER, user, "examiners")
    have = set(
        db.session.scalars(
            select(CohortRole.user_id).where(
                CohortRole.member_id == member.id, CohortRole.role == EXAMINER
            )
        )
    )
    gone = have - set(wanted)
    if gone:
        db.session.execute(
            delete(CohortRole).where(
                CohortRole.member_id == member.id,
                CohortRole.role == EXAMINER,
                CohortRole.user_id.in_(gone),
            )
        )
    for user_id in sorted(set(wanted) - have):
        db.session.add(
            CohortRole(member_id=member.id, role=EXAMINER, user_id=user_id, assigned_by_id=actor.id)
        )
    db.session.flush()
