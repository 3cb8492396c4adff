"""Read side of the post-training evaluation: a person's and a team's questionnaires, the answers
given in a stretch of days (SKP evidence, read by careers), and a course's or programme's summary.
A fixed number of queries each, whatever the number of rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from lms.courses.models import Course, CourseVersion
from lms.enrolments.cohorts.models import Programme
from lms.evaluations.followup.models import ROLES, Followup, FollowupAnswer, FollowupSetting
from lms.evaluations.followup.questions import QUESTIONNAIRES
from lms.evaluations.followup.rules import DEFAULT_MONTHS
from lms.evaluations.services import Summary, aggregate
from lms.extensions import db
from lms.indonesian import local_today, local_zone
from lms.org.models import Employee, Unit

TEAM_LIMIT = 200


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def mine(employee_id: int) -> list[Followup]:
    """The alumnus's follow-ups (not cancelled), the latest first, with their answers."""
    return list(
        db.session.scalars(
            select(Followup)
            .options(selectinload(Followup.answers))
            .where(Followup.employee_id == employee_id, Followup.status == "scheduled")
            .order_by(Followup.due_on.desc(), Followup.id.desc())
        )
    )


def team(supervisor_id: int, today: date | None = None) -> list[Followup]:
    """The opened follow-ups of the supervisor's current direct reports, the latest first."""
    today = today or local_today()
    return list(
        db.session.scalars(
            select(Followup)
            .join(Employee, Employee.id == Followup.employee_id)
            .options(selectinload(Followup.answers), selectinload(Followup.employee))
            .where(
                Employee.supervisor_id == supervisor_id,
                Employee.is_active.is_(True),
                Followup.status == "scheduled",
                Followup.due_on <= today,
            )
            .order_by(Followup.due_on.desc(), Followup.id.desc())
            .limit(TEAM_LIMIT)
        )
    )


# --- SKP evidence --------------------------------------------------------------------------------


@dataclass
class EvidenceItem:
    """One training's post-training answers given within the days asked for."""

    followup: Followup
    answers: list[FollowupAnswer] = field(default_factory=list)


def evidence(employee_id: int, starts: date, ends: date) -> list[EvidenceItem]:
    """The answers about the employee's training (theirs and their supervisor's) submitted on a
    local day in [starts, ends), grouped per training; cancelled follow-ups (revoked
    completions) are no evidence. One query."""
    rows = db.session.scalars(
        select(FollowupAnswer)
        .join(Followup, Followup.id == FollowupAnswer.followup_id)
        .options(selectinload(FollowupAnswer.followup), selectinload(FollowupAnswer.respondent))
        .where(
            Followup.employee_id == employee_id,
            Followup.status == "scheduled",
            FollowupAnswer.submitted_at >= _local_midnight(starts),
            FollowupAnswer.submitted_at < _local_midnight(ends),
        )
        .order_by(Followup.due_on, Followup.id, FollowupAnswer.role)
    ).all()
    items: dict[int, EvidenceItem] = {}
    for answer in rows:
        items.setdefault(answer.followup_id, EvidenceItem(answer.followup)).answers.append(answer)
    return list(items.values())


# --- a course's or programme's summary -----------------------------------------------------------


@dataclass
class SubjectSummary:
    states: Counter  # waiting, open, closed, answered by both, cancelled: per follow-up
    answered: dict[str, int]  # role → answers
    ratings: Summary  # item counts, alumnus and supervisor sections
    texts: dict[str, dict[str, list[str]]]  # role → text key → answers, sorted

    @property
    def opened(self) -> int:
        return sum(n for state, n in self.states.items() if state not in ("waiting", "cancelled"))


def subject_summary(
    *,
    course_id: int | None = None,
    programme_id: int | None = None,
    unit_path: str | None = None,
    today: date | None = None,
) -> SubjectSummary:
    """Counts and answers of a course's (or programme's) follow-ups; ``unit_path`` keeps only
    alumni whose department at completion is in that subtree (Admin OPD). Two queries."""
    today = today or local_today()
    subject = (
        Followup.course_id == course_id
        if course_id is not None
        else Followup.programme_id == programme_id
    )
    base = select(Followup.id).where(subject)
    if unit_path:
        base = base.join(Unit, Unit.id == Followup.unit_id).where(
            Unit.path.startswith(unit_path, autoescape=True)
        )
    ids = base.scalar_subquery()
    facts = db.session.execute(
        select(Followup.id, Followup.status, Followup.due_on, Followup.closes_on).where(
            Followup.id.in_(ids)
        )
    ).all()
    answers = db.session.execute(
        select(
            FollowupAnswer.followup_id,
            FollowupAnswer.role,
            FollowupAnswer.ratings,
            FollowupAnswer.texts,
        )
        .join(Followup, Followup.id == FollowupAnswer.followup_id)
        .where(Followup.id.in_(ids), Followup.status == "scheduled")
    ).all()
    roles_of: dict[int, set[str]] = {}
    for followup_id, role, _r, _t in answers:
        roles_of.setdefault(followup_id, set()).add(role)
    states: Counter = Counter()
    for followup_id, status, due_on, closes_on in facts:
        if status == "cancelled":
            states["cancelled"] += 1
        elif roles_of.get(followup_id) == set(ROLES):
            states["answered"] += 1
        elif today < due_on:
            states["waiting"] += 1
        else:
            states["open" if today <= closes_on else "closed"] += 1
    sections = [QUESTIONNAIRES[role].section() for role in ROLES]
    ratings = aggregate(
        sections,
        (
            ({f"{role}.{k}": v for k, v in (rated or {}).items()}, {})
            for _f, role, rated, _t in answers
        ),
        with_comments=False,
    )
    texts: dict[str, dict[str, list[str]]] = {
        role: {t.key: [] for t in QUESTIONNAIRES[role].texts} for role in ROLES
    }
    for _f, role, _r, written in answers:
        for key, text in (written or {}).items():
            if key in texts[role] and isinstance(text, str) and text.strip():
                texts[role][key].append(text.strip())
    for by_key in texts.values():
        for values in by_key.values():
            values.sort(key=str.casefold)
    answered = {role: sum(1 for _f, r, _x, _y in answers if r == role) for role in ROLES}
    return SubjectSummary(states, answered, ratings, texts)


# --- BKPSDM's overview ---------------------------------------------------------------------------


@dataclass
class SubjectRow:
    code: str
    title: str
    months: int
    enabled: bool
    custom: bool  # a stored setting (else the defaults)
    scheduled: int = 0
    opened: int = 0
    answered: dict[str, int] = field(default_factory=dict)


def _counts(column, today: date) -> dict[int, list[int]]:
    """subject id → [scheduled, opened, alumnus answers, supervisor answers] (two queries)."""
    out: dict[int, list[int]] = {}
    opened = func.coalesce(func.sum(case((Followup.due_on <= today, 1), else_=0)), 0)
    rows = db.session.execute(
        select(column, func.count(), opened)
        .where(column.is_not(None), Followup.status == "scheduled")
        .group_by(column)
    )
    for subject_id, scheduled, opened_n in rows:
        out[subject_id] = [scheduled, int(opened_n), 0, 0]
    answers = db.session.execute(
        select(column, FollowupAnswer.role, func.count())
        .join(Followup, Followup.id == FollowupAnswer.followup_id)
        .where(column.is_not(None), Followup.status == "scheduled")
        .group_by(column, FollowupAnswer.role)
    )
    for subject_id, role, n in answers:
        out.setdefault(subject_id, [0, 0, 0, 0])[2 if role == "alumnus" else 3] += n
    return out


def _row(code: str, title: str, setting, counts: list[int] | None) -> SubjectRow:
    scheduled, opened, alumni, supervisors = counts or [0, 0, 0, 0]
    return SubjectRow(
        code,
        title,
        setting.months if setting else DEFAULT_MONTHS,
        setting.enabled if setting else True,
        setting is not None,
        scheduled,
        opened,
        {"alumnus": alumni, "supervisor": supervisors},
    )


def overview(today: date | None = None) -> tuple[list[SubjectRow], list[tuple[int, SubjectRow]]]:
    """Every programme, and every course that has follow-ups or a setting of its own, with its
    setting and counts (six queries)."""
    today = today or local_today()
    settings = list(db.session.scalars(select(FollowupSetting)))
    by_course = {s.course_id: s for s in settings if s.course_id is not None}
    by_programme = {s.programme_id: s for s in settings if s.programme_id is not None}
    course_counts = _counts(Followup.course_id, today)
    programme_counts = _counts(Followup.programme_id, today)
    programmes = [
        _row(code, title, by_programme.get(pid), programme_counts.get(pid))
        for pid, code, title in db.session.execute(
            select(Programme.id, Programme.code, Programme.title).order_by(Programme.code)
        )
    ]
    wanted = set(by_course) | set(course_counts)
    courses = [
        (cid, _row(code, title or code, by_course.get(cid), course_counts.get(cid)))
        for cid, code, title in db.session.execute(
            select(Course.id, Course.code, CourseVersion.title)
            .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
            .where(Course.id.in_(wanted))
            .order_by(Course.code)
        )
    ]
    return programmes, courses
