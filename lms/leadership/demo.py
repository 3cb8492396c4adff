"""Demo: the workplace projects of the demo Latsar and PKP cohorts, at every stage, so each screen
has something true on it (issue 17, point 7). Runs after the cohorts exist (``demo load`` calls
it last); idempotent: a participant who already has a project is left as it is.

Cohorts, by code: ``PKP-2026-I`` (aksi perubahan) and ``LATSAR-2026-I`` (aktualisasi); a cohort
that does not exist, or whose programme's kind requires no project, is skipped. The people: the
demo accounts ``coach`` and ``penguji`` (widyaiswara), ``mentor.pkp`` (the supervisor of three
PKP participants, ``peserta`` the first of them) and ``mentor.latsar`` (the supervisor of two
Latsar participants); the other participants' mentors are their own supervisors, who log in with
their NIP. Every step goes through the services the screens use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.demo import DEMO_ACCOUNTS
from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.cohorts import services as cohorts
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.errors import DomainError
from lms.extensions import db
from lms.indonesian import local_today, local_zone
from lms.leadership.projects import assessment, evidence, logbook, rubric, services
from lms.leadership.projects.demo_texts import TEXTS, pdf_bytes
from lms.leadership.roles import services as roles
from lms.leadership.roles.access import PARTICIPANT_STATES, assigned
from lms.org.models import Employee

PKP_COHORT = "PKP-2026-I"
LATSAR_COHORT = "LATSAR-2026-I"

#: Each demo participant's stage: (target state, scores per assessor role or None, a note).
#: Scores are the same for every criterion, so an assessor's total is that figure; the finals
#: fall in each kualifikasi band (92.10, 84.20, 74.20, 64.20, 52.60).
PKP_PLAN = (
    ("implementing", None),  # peserta: logbook half done
    ("proposal_submitted", None),  # waits for coach and mentor
    ("seminar_held", None),  # waits for the three scores
    ("assessed", (93, 92, 91)),  # Sangat Memuaskan
    ("assessed", (86, 84, 82)),  # Memuaskan
    ("seminar_scheduled", None),
)
LATSAR_PLAN = (
    ("returned", None),  # proposal returned by the coach
    ("implementing", None),  # one entry returned, one waiting for the mentor
    ("draft", None),
    ("assessed", (76, 74, 72)),  # Cukup Memuaskan
    ("assessed", (66, 64, 62)),  # Kurang Memuaskan: failed
    ("assessed", (55, 52, 50)),  # Tidak Memuaskan: failed
)


@dataclass(frozen=True)
class Cast:
    organiser: User
    coach: User
    examiner: User


#: The days a project's story takes (proposal, reviews, four milestones, the seminar).
STORY_DAYS = 60


class _Clock:
    """Moments inside the cohort: day ``n`` of the story at 09:00 local, the story squeezed into
    the days the cohort has run so far when they are fewer, never after now."""

    def __init__(self, cohort: Cohort) -> None:
        self.start = cohort.starts_on
        self.now = utcnow()
        ran = (min(cohort.ends_on, local_today()) - cohort.starts_on).days
        self.scale = min(1.0, ran / STORY_DAYS)

    def day(self, n: float) -> date:
        return min(self.start + timedelta(days=int(n * self.scale)), local_today())

    def at(self, n: float, hour: int = 9) -> datetime:
        moment = datetime.combine(self.day(n), time(hour), tzinfo=local_zone()).astimezone(UTC)
        return min(moment, self.now - timedelta(hours=1))


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _participants(cohort: Cohort, wanted: Sequence[Employee], count: int) -> list[CohortMember]:
    """The wanted employees as active members first (added when missing), then any other
    active members, up to ``count``."""
    members = []
    joined_on = min(cohort.starts_on, cohort.enrol_deadline or cohort.starts_on)
    for employee in wanted:
        if len(members) == count:
            break
        member = cohorts.find_member(cohort, employee)
        if member is None or member.status not in PARTICIPANT_STATES:
            try:
                with db.session.begin_nested():
                    member = cohorts.add_member(None, cohort, employee, today=joined_on)
            except DomainError:
                continue
        if member.status in PARTICIPANT_STATES:
            members.append(member)
    return members


def _candidates(cohort: Cohort, mentor: User | None, types: tuple[str, ...]) -> list[Employee]:
    """The mentor's staff of those position types first, then others (demo accounts and the
    demo supervisor ``atasan``'s team left out), by id."""
    demo_ids = _demo_account_employees()
    atasan = _user("atasan")
    team_of_atasan = atasan.employee_id if atasan else None
    rows = db.session.scalars(
        select(Employee)
        .where(Employee.is_active.is_(True), Employee.jabatan_type_code.in_(types))
        .order_by(Employee.id)
    ).all()
    ok = [e for e in rows if e.id not in demo_ids and e.supervisor_id != team_of_atasan]
    boss = mentor.employee_id if mentor else None
    return [e for e in ok if e.supervisor_id == boss] + [e for e in ok if e.supervisor_id != boss]


def _demo_account_employees() -> set[int]:
    names = [name for name, _roles, _display in DEMO_ACCOUNTS if name != "peserta"]
    return set(
        db.session.scalars(
            select(User.employee_id).where(User.username.in_(names), User.employee_id.is_not(None))
        )
    )


def _propose(member: CohortMember, target: str, cast: Cast, clock: _Clock, n: int) -> bool:
    """Draft, submit, maybe a returned round, then both approvals; False once at ``target``."""
    roles.assign_coach(cast.organiser, member, cast.coach)
    services.save_proposal(member, services.ProposalInput(**TEXTS[_kind(member)][n % 3]))
    if target == "draft":
        return False
    services.submit(member, clock.at(12 + n))
    project = services.project_of(member)
    if target == "proposal_submitted":
        return False
    if target == "returned" or n % 2:
        services.review(
            project, cast.coach, "coach", False, TEXTS["return_comment"], clock.at(14 + n)
        )
        if target == "returned":
            return False
        services.submit(member, clock.at(16 + n))
    services.review(project, cast.coach, "coach", True, "", clock.at(18 + n))
    services.review(
        project, _mentor(member), "mentor", True, TEXTS["mentor_note"], clock.at(18 + n, 14)
    )
    return True


def _kind(member: CohortMember) -> str:
    return member.cohort.programme.kind.project


def _mentor(member: CohortMember) -> User:
    return db.session.get(User, assigned(member).mentor_id)


def _keep_logbook(project, half: bool, clock: _Clock, n: int) -> None:
    """Every milestone confirmed; or half of them and one more entry, waiting for the mentor
    (even ``n``) or returned by them (odd ``n``)."""
    mentor = _mentor(project.member)
    milestones = project.milestones
    done = len(milestones) // 2 if half else len(milestones)
    for i, milestone in enumerate(milestones[: done + int(half)]):
        day = clock.day(25 + 6 * i)
        files = [evidence.check(f"laporan-milestone-{i + 1}.pdf", pdf_bytes(milestone.title))]
        values = logbook.EntryInput(milestone.id, day, TEXTS["entry"] % milestone.title)
        entry = logbook.add_entry(project, values, files, today=day)
        if i < done:
            logbook.decide_entry(entry, mentor, True, "", clock.at(26 + 6 * i))
        elif n % 2:
            logbook.decide_entry(entry, mentor, False, TEXTS["entry_return"], clock.at(26 + 6 * i))


def _seminar_and_scores(project, target: str, scores, cast: Cast, clock: _Clock) -> None:
    if target == "seminar_scheduled":  # next week, 09:00 WIB
        starts = (utcnow() + timedelta(days=7)).replace(hour=2, minute=0, second=0, microsecond=0)
        assessment.schedule_seminar(
            project, cast.organiser, starts, TEXTS["place"], [cast.examiner]
        )
        return
    starts = clock.at(25 + 6 * len(project.milestones) + 3)
    assessment.schedule_seminar(
        project,
        cast.organiser,
        starts,
        TEXTS["place"],
        [cast.examiner],
        now=starts - timedelta(days=5),
    )
    assessment.mark_held(project, cast.organiser, now=min(starts + timedelta(hours=3), utcnow()))
    if target == "seminar_held" or scores is None:
        return
    criteria = rubric.rubric_for(project.kind).criteria
    people = (
        ("coach", cast.coach),
        ("mentor", _mentor(project.member)),
        ("examiner", cast.examiner),
    )
    for (role, user), score in zip(people, scores, strict=True):
        assessment.assess(
            project,
            user,
            role,
            {c.code: score for c in criteria},
            TEXTS["assessment"],
            min(starts + timedelta(days=1), utcnow()),
        )


def _advance(member: CohortMember, target: str, scores, cast: Cast, clock: _Clock, n: int) -> None:
    """Take one participant's project to ``target`` through the services the screens use."""
    if not _propose(member, target, cast, clock, n):
        return
    project = services.project_of(member)
    _keep_logbook(project, target == "implementing", clock, n)
    if target != "implementing":
        _seminar_and_scores(project, target, scores, cast, clock)


def _load_cohort(code: str, plan, mentor_name: str, types: tuple[str, ...], cast: Cast) -> int:
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
    if cohort is None or cohort.programme.kind is None or cohort.programme.kind.project is None:
        return 0
    if cohort.closed_at is not None:
        return 0  # closed: its results are final, no story can be added to it
    if cohort.starts_on > local_today() - timedelta(days=10):
        return 0  # too young for a project's history
    members = _participants(cohort, _candidates(cohort, _user(mentor_name), types), len(plan))
    made = 0
    clock = _Clock(cohort)
    for n, (member, (target, scores)) in enumerate(zip(members, plan, strict=False)):
        if services.project_of(member) is not None:
            continue
        with db.session.begin_nested():
            _advance(member, target, scores, cast, clock, n)
        made += 1
    return made


def load_demo_projects() -> int:
    """The demo projects of both cohorts; how many were made now."""
    organiser, coach, examiner = _user("bkpsdm"), _user("coach"), _user("penguji")
    if organiser is None or coach is None or examiner is None:
        return 0
    cast = Cast(organiser, coach, examiner)
    made = _load_cohort(PKP_COHORT, PKP_PLAN, "mentor.pkp", ("pengawas",), cast)
    made += _load_cohort(
        LATSAR_COHORT, LATSAR_PLAN, "mentor.latsar", ("pelaksana", "fungsional"), cast
    )
    db.session.flush()
    return made
