"""How a piece of learning counts: JP counted once, and the SIASN history it goes to.

**JP counted once** (``../shared/DOMAIN.md``: "each piece of learning counts once"; issue 17).
A programme's JP are its own hours (``Programme.jp``, e.g. 830 for PKP), counted once, by its
programme completion, in the year the programme completes. The courses a participant completes
as part of a cohort count toward the programme and do not count again. A course completion is
**part of a programme** when all of these hold:

1. the course is one of the programme's courses;
2. the employee is a participant of one of that programme's cohorts: membership ``active`` or
   ``completed`` (approved, not withdrawn or rejected; a nomination not yet approved, or a place
   on the waiting list, is not a participation);
3. the participant has not failed: the result is ``passed``, or none yet (the cohort runs);
4. the course was completed within the cohort's dates (its day in the agency's time zone,
   start and end day included).

Such a completion stays in the learning record, marked "bagian dari <programme>", but adds 0 JP
to the yearly JP ledger, makes no SIASN row and adds nothing to a report's JP total. Everything
else counts on its own: a course completed before or after the cohort, outside any cohort, or by
a participant who **failed or withdrew**. For them the learning happened and no programme JP is
counted (a failed participant has no programme completion and no STTPP), so their courses keep
their own JP and their own SIASN rows; otherwise that learning would vanish from the ledger.

The rule is read when the figures are read, never frozen into the records: a participant who
withdraws, or is closed as failed, gets their courses counted from then on without anything
being rewritten. While the cohort runs (no result yet) the courses already count as part of the
programme: counting them and then taking them back at closing would make the ledger and the
SIASN export go up and down, and a course row sent to SIASN during the cohort would be a second
row for the same learning. It is the member's result that decides, not the programme
completion's status: revoking a passed participant's programme completion (a wrong record)
removes the programme's JP but does not turn its courses into separate learning.

One rule, two forms that must agree (``tests/completion/test_counting.py`` checks them against
each other): ``part_of`` is the pure rule, on plain values (used where rows are shown one by
one: the learning record); ``absorbed_completion_ids``, ``counts_once`` and ``absorbed_programmes``
are the same rule in SQL, for every sum (the JP ledger ``lms.careers.ledger.queries.jp_totals`` and everything built
on it: dashboards, the team and OPD tables, the JP compliance report; the completions report;
the SIASN export).

**SIASN history** (``siasn_history``): only structural (leadership) training is *riwayat
diklat*: a programme completion whose kind is structural (PKP, PKA, PKN II/I), with the kind's
``latihan_struktural_id``. Everything else is *riwayat kursus*: courses, and non-structural
programmes (Latsar, the instansi's own), with a ``jenisDiklatId`` that is never 1 ("Diklat
Struktural"): the programme's own jenis diklat, or, when it has none or 1,
``KURSUS_JENIS_PROGRAMME`` (13, "Pengembangan Kompetensi dalam Bentuk Pelatihan Klasikal
Lainnya"). Latsar CPNS is the basic training of candidates, governed by its own LAN regulation;
it is neither structural (1), functional (2) nor technical (3) training, and SIASN's list has no
code of its own for it, so the classical "other" form is the honest code (HR may set another
one on the programme).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, or_, select

from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeCourse
from lms.extensions import db
from lms.indonesian import local_date, local_zone

#: Membership states of a participant (approved, not withdrawn or rejected).
PARTICIPANT_STATES = ("active", "completed")
#: The jenis diklat of a non-structural programme that has none of its own (or has 1).
KURSUS_JENIS_PROGRAMME = 13
#: SIASN's "Diklat Struktural": only for riwayat diklat, never on a riwayat kursus row.
JENIS_STRUKTURAL = 1


# --- the pure rule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    """An employee's place in one cohort, with what the rule needs of its programme."""

    cohort_id: int
    programme_id: int
    programme_title: str
    course_ids: frozenset[int]
    starts_on: date
    ends_on: date
    status: str
    result: str | None

    @property
    def in_programme(self) -> bool:
        """A participant who has not failed: the programme (not its courses) counts for them."""
        return self.status in PARTICIPANT_STATES and self.result != "failed"


def part_of(
    course_id: int, done_on: date, participations: Iterable[Participation]
) -> Participation | None:
    """The participation whose programme a course completed on ``done_on`` (a local day) counts
    toward, or None when it counts on its own. Pure; the earliest cohort wins a tie."""
    for p in sorted(participations, key=lambda p: (p.starts_on, p.cohort_id)):
        if p.in_programme and course_id in p.course_ids and p.starts_on <= done_on <= p.ends_on:
            return p
    return None


def counted_jp(jp: Decimal | int, programme: Participation | None) -> Decimal:
    """The JP a course completion adds to the ledger: 0 when it is part of a programme."""
    return Decimal(0) if programme is not None else Decimal(jp)


# --- the same rule in SQL ------------------------------------------------------------------------


def local_day(moment: ColumnElement[datetime]) -> ColumnElement[date]:
    """SQL: the agency's calendar day of a stored UTC moment (as ``local_date`` in Python)."""
    zone = local_zone()
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no zones: shift by the zone's offset (Indonesia keeps no summer time).
        offset = int(datetime.now(UTC).astimezone(zone).utcoffset().total_seconds())
        return func.date(moment, f"{offset:+d} seconds")
    return func.date(func.timezone(zone.key, moment))


def _absorbing() -> Select:
    """(completion id, cohort, programme) of every course completion that is part of a programme
    (a completion inside two overlapping cohorts of two programmes appears twice)."""
    return (
        select(
            Completion.id.label("completion_id"),
            Cohort.id.label("cohort_id"),
            Cohort.programme_id.label("programme_id"),
        )
        .join(CohortMember, CohortMember.employee_id == Completion.employee_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(
            ProgrammeCourse,
            and_(
                ProgrammeCourse.programme_id == Cohort.programme_id,
                ProgrammeCourse.course_id == Completion.course_id,
            ),
        )
        .where(
            Completion.course_id.is_not(None),
            CohortMember.status.in_(PARTICIPANT_STATES),
            or_(CohortMember.result.is_(None), CohortMember.result != "failed"),
            local_day(Completion.completed_at) >= Cohort.starts_on,
            local_day(Completion.completed_at) <= Cohort.ends_on,
        )
    )


def absorbed_completion_ids() -> Select:
    """SQL: the ids of the course completions that are part of a programme (0 JP, no SIASN row)."""
    sub = _absorbing().subquery("absorbed")
    return select(sub.c.completion_id)


def counts_once(completion_id: ColumnElement[int | None]) -> ColumnElement[bool]:
    """SQL: a row (a learning record, a completion) whose JP counts: anything not fed by a
    completion, or fed by one that is not part of a programme."""
    return or_(completion_id.is_(None), completion_id.not_in(absorbed_completion_ids()))


def absorbed_programmes() -> Subquery:
    """SQL: one row per course completion that is part of a programme: ``completion_id`` and
    ``programme_title`` (the first by title when it lies in two), to outer-join in lists that
    show "bagian dari <programme>" and count its JP as 0."""
    sub = _absorbing().subquery("absorbing")
    return (
        select(
            sub.c.completion_id.label("completion_id"),
            func.min(Programme.title).label("programme_title"),
        )
        .join(Programme, Programme.id == sub.c.programme_id)
        .group_by(sub.c.completion_id)
        .subquery("absorbed_programmes")
    )


# --- loading the facts for the pure rule ---------------------------------------------------------


def participations_of(employee_ids: Iterable[int]) -> dict[int, list[Participation]]:
    """Every cohort place of these employees, with its programme's courses (two queries)."""
    ids = sorted(set(employee_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(CohortMember, Cohort, Programme.title)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(CohortMember.employee_id.in_(ids))
    ).all()
    programme_ids = {cohort.programme_id for _m, cohort, _t in rows}
    courses: dict[int, set[int]] = {}
    if programme_ids:
        for programme_id, course_id in db.session.execute(
            select(ProgrammeCourse.programme_id, ProgrammeCourse.course_id).where(
                ProgrammeCourse.programme_id.in_(programme_ids)
            )
        ):
            courses.setdefault(programme_id, set()).add(course_id)
    out: dict[int, list[Participation]] = {}
    for member, cohort, title in rows:
        out.setdefault(member.employee_id, []).append(
            Participation(
                cohort_id=cohort.id,
                programme_id=cohort.programme_id,
                programme_title=title,
                course_ids=frozenset(courses.get(cohort.programme_id, ())),
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                status=member.status,
                result=member.result,
            )
        )
    return out


def programmes_of(completions: Iterable[Completion]) -> dict[int, Participation]:
    """completion id → the participation it is part of, for the course completions that are
    (the pure rule over the loaded facts; two queries whatever the number of completions)."""
    courses = [c for c in completions if c.course_id is not None]
    found = participations_of(c.employee_id for c in courses)
    out = {}
    for completion in courses:
        assert completion.course_id is not None
        where = part_of(
            completion.course_id,
            local_date(completion.completed_at),
            found.get(completion.employee_id, ()),
        )
        if where is not None:
            out[completion.id] = where
    return out


# --- SIASN history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiasnHistory:
    """Which SIASN history a completion goes to, and with which codes."""

    kind: str  # "diklat" (riwayat diklat, structural) or "kursus" (riwayat kursus)
    jenis_diklat_code: int | None
    latihan_struktural_id: int | None = None


def siasn_history(completion: Completion) -> SiasnHistory:
    """Riwayat diklat for a structural programme's completion; riwayat kursus for the rest
    (courses, Latsar, the instansi's own programmes), never with jenis 1 (see the docstring)."""
    if completion.programme_id is None:
        code = completion.jenis_diklat_code
        if code == JENIS_STRUKTURAL:  # a single course is not a leadership programme
            code = KURSUS_JENIS_PROGRAMME
        return SiasnHistory("kursus", code)
    programme = db.session.get(Programme, completion.programme_id)
    kind = programme.kind if programme is not None else None
    if kind is not None and kind.structural:
        return SiasnHistory("diklat", JENIS_STRUKTURAL, kind.latihan_struktural_id)
    code = completion.jenis_diklat_code
    if code in (None, JENIS_STRUKTURAL):
        code = KURSUS_JENIS_PROGRAMME
    return SiasnHistory("kursus", code)
